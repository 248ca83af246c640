"""Tokens: from cleaned sentences to a tidy table of terms, with NLTK's data-free parts.

1. :data:`NORMALISATION`, in order: capital "US", "UN", "UK" become "u.s.", "u.n.",
   "u.k."; lower-case; drop possessive 's and contractions; dotted acronyms of 3+ letters
   lose their dots ("s.t.a.r.t." → "start"), 2-letter ones keep them ("u.s."); join
   prefixes ("counter-terrorism" → "counterterrorism") and split other hyphens;
2. join multiword expressions into single terms ("north korea" → ``north_korea``);
3. find the words (:data:`TOKEN`); drop pure numbers;
4. drop stop words: a general list (``resources/stopwords_general.txt``) and a domain list
   with a reason for every word (``resources/stopwords_domain.csv``);
5. stem with NLTK's Snowball stemmer, once per word type, and show each stem as its most
   frequent surface word ("nuclear", never "nuclea").

Sentences are normalised together, joined by a \\x01 that no pattern matches or crosses.
No NLTK data is needed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder
from nltk.stem.snowball import SnowballStemmer

from .io import InputError, read_csv_records

TOKEN = r"[a-z]\.[a-z]\.|[a-z][a-z0-9_]*|[0-9]+"
META = ["sentence_id", "source", "meeting", "speaker", "turn"]
RESOURCES = Path(__file__).parent / "resources"
#: Prefixes joined to the next word ("counter-terrorism" → "counterterrorism").
PREFIXES = ("counter", "non", "anti", "co", "multi", "inter", "post", "pre", "re", "self",
            "bi", "un")
#: (pattern, replacement) in order; a pattern of None applies ``replacement`` to the text.
NORMALISATION = [
    (re.compile(r"\b(?:US|UN|UK)\b"), lambda m: ".".join(m.group(0).lower()) + "."),
    (None, str.lower),
    (re.compile(r"(?:'|’)s\b"), ""),
    (re.compile(r"\bcan't\b"), "can"),
    (re.compile(r"(?:n't|'(?:ll|ve|re|d|m))\b"), ""),
    (re.compile(r"\b[a-z]\.[a-z]\.(?:[a-z]\.)+"), lambda m: m.group(0).replace(".", "")),
    (re.compile(r"\bnewth start\b"), "new start"),
    (re.compile(r"\b(" + "|".join(PREFIXES) + r")-(?=[a-z])"), r"\1"),
    (re.compile(r"(?<=[a-z0-9])-(?=[a-z0-9])"), " "),
]
#: Separates sentences in the joined text (not NUL: numpy strips trailing NULs).
_SEP = "\x01"
#: Sentences tokenised at a time: bounds the memory of the intermediate lists.
CHUNK = 20_000


@lru_cache(maxsize=None)
def general_stopwords() -> frozenset[str]:
    """The committed general English stop list (scikit-learn's; see the file header)."""
    lines = (RESOURCES / "stopwords_general.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def load_domain_stopwords(path: Path | None = None) -> pd.DataFrame:
    """Read the domain stop list (word, category, reason); every word needs a reason."""
    path = Path(path) if path else RESOURCES / "stopwords_domain.csv"
    records = read_csv_records(path, ["word", "category", "reason"], allow_unknown=False)
    seen = set()
    for i, line, r in records:
        w = r["word"].strip()
        if not re.fullmatch(r"[a-z][a-z0-9_']*", w):
            raise InputError(path, f"word {w!r} must be lower-case letters", row=i, line=line)
        if not r["reason"].strip() or not r["category"].strip():
            raise InputError(path, f"word {w!r} needs a category and a reason", row=i,
                             line=line)
        if w in seen:
            raise InputError(path, f"word {w!r} listed twice", row=i, line=line)
        seen.add(w)
    return pd.DataFrame([r for _, _, r in records], columns=["word", "category", "reason"])


def stopwords() -> frozenset[str]:
    """General plus domain stop words."""
    return general_stopwords() | frozenset(load_domain_stopwords()["word"])


def curated_mwes() -> list[str]:
    """The curated multiword expressions (``resources/mwe_curated.csv``)."""
    return [r["phrase"].strip().lower()
            for _, _, r in read_csv_records(RESOURCES / "mwe_curated.csv", ["phrase"])]


def _mwe_pattern(mwes) -> re.Pattern | None:
    r"""``\b(?:phrase|…)\b`` for the distinct phrases, longest first, words joined by ``\s+``."""
    phrases = sorted({m.strip().lower() for m in mwes if m.strip()}, key=len, reverse=True)
    if not phrases:
        return None
    return re.compile(r"\b(?:" + "|".join(r"\s+".join(map(re.escape, p.split()))
                                          for p in phrases) + r")\b")


def normalise_texts(texts: pd.Series, mwes=None) -> pd.Series:
    """Lower-case and normalise a column of sentences, joining multiword expressions
    (``mwes``, default :func:`curated_mwes`) with "_"."""
    if texts.empty:
        return texts.copy()
    joined = _SEP.join(texts)
    if joined.count(_SEP) != len(texts) - 1:
        raise ValueError("a sentence contains the control character \\x01")
    for pattern, repl in NORMALISATION:
        joined = repl(joined) if pattern is None else pattern.sub(repl, joined)
    mwe = _mwe_pattern(curated_mwes() if mwes is None else mwes)
    if mwe is not None:
        joined = mwe.sub(lambda m: "_".join(m.group(0).split()), joined)
    return pd.Series(joined.split(_SEP), index=texts.index, name=texts.name)


@lru_cache(maxsize=1)
def _stemmer():
    return SnowballStemmer("english")


def _kept_words(texts: pd.Series, mwes, stop: frozenset[str]) -> pd.DataFrame:
    """Each kept word of ``texts`` (neither a stop word nor a number): the row of its
    sentence (``row``, from 0), its ``position`` in the sentence, and the ``word``."""
    words = normalise_texts(texts, mwes).reset_index(drop=True).str.findall(TOKEN)
    words = words.explode().dropna()
    table = pd.DataFrame({"row": words.index,
                          "position": words.groupby(level=0).cumcount().to_numpy(),
                          "word": words.to_numpy()})
    return table[~table["word"].isin(stop) & ~table["word"].str.isdigit()]


def tokenize_sentences(sentences: pd.DataFrame, stem: bool = True, mwes=None,
                       stop: frozenset[str] | None = None) -> pd.DataFrame:
    """A tidy token table: one row per token, with the sentence's metadata.

    Columns: the columns of :data:`META` that ``sentences`` has, ``position`` (the token's
    index within its sentence, stop words counted), ``word`` (surface form after
    normalisation) and ``term`` (the stem, or the word when ``stem=False``). Stop words and
    pure numbers are dropped.
    """
    stop = stopwords() if stop is None else stop
    meta = [c for c in META if c in sentences.columns]
    texts = sentences["text"]
    parts = []
    for start in range(0, max(len(texts), 1), CHUNK):
        part = _kept_words(texts.iloc[start:start + CHUNK], mwes, stop)
        part["row"] += start
        parts.append(part)
    words = pd.concat(parts, ignore_index=True)
    out = sentences[meta].iloc[words["row"]].reset_index(drop=True)
    out["position"] = words["position"].astype("int64")
    out["word"] = words["word"].astype("str")
    if stem:
        stems = {w: (w if "_" in w else _stemmer().stem(w)) for w in out["word"].unique()}
        out["term"] = out["word"].map(stems)
    else:
        out["term"] = out["word"]
    return out


def word_types(tokens: pd.DataFrame) -> pd.DataFrame:
    """The distinct (term, word) pairs of a token table, in order of first use, with their
    count ``n`` (pairs with a missing term or word are left out)."""
    return tokens.groupby(["term", "word"], sort=False).size().reset_index(name="n")


def display_forms(tokens: pd.DataFrame) -> dict[str, str]:
    """Map each term to its most frequent surface word (ties: alphabetical); '_' → ' '."""
    counts = word_types(tokens)
    counts = counts.sort_values(["term", "n", "word"], ascending=[True, False, True])
    best = counts.drop_duplicates("term")
    return dict(zip(best["term"], best["word"].str.replace("_", " ")))


def propose_collocations(sentences: pd.DataFrame, n: int = 25, min_freq: int = 3,
                         measure: str = "likelihood_ratio") -> pd.DataFrame:
    """Bigram collocations proposed by NLTK's finder (stop words filtered), best first.

    ``measure`` is a method of ``BigramAssocMeasures`` (``likelihood_ratio``, ``pmi``).
    Returns phrase, score, frequency, and whether the curated list already has it.
    """
    stop = stopwords()
    lists = normalise_texts(sentences["text"], mwes=[]).str.findall(TOKEN)
    finder = BigramCollocationFinder.from_documents(lists.tolist())
    finder.apply_freq_filter(min_freq)
    finder.apply_word_filter(lambda w: w in stop or w.isdigit() or len(w) < 3)
    scored = finder.score_ngrams(getattr(BigramAssocMeasures, measure))
    curated = set(curated_mwes())
    rows = [{"phrase": " ".join(bg), "score": round(s, 3), "freq": finder.ngram_fd[bg],
             "curated": " ".join(bg) in curated} for bg, s in scored[:n]]
    return pd.DataFrame(rows, columns=["phrase", "score", "freq", "curated"])
