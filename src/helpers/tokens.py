"""Tokens: from cleaned sentences to a tidy table of terms, with NLTK's data-free parts.

Steps (each a regex pass over the whole column at once: the sentences are joined into one
string with a \\x01 between them, which none of the patterns can match or cross; every other
step runs once per word *type*, never once per token):

1. lower-case; drop possessive 's; join prefixes ("counter-terrorism" → "counterterrorism")
   and split other hyphens; dotted acronyms of 3+ letters lose their dots
   ("s.t.a.r.t." → "start"), 2-letter ones keep them ("u.s.");
2. join multiword expressions into single terms ("north korea" → ``north_korea``);
3. find words with NLTK's ``RegexpTokenizer`` (one compiled pattern); drop pure numbers;
4. drop stop words: a general list (``resources/stopwords_general.txt``) and a domain list
   with a reason for every word (``resources/stopwords_domain.csv``);
5. stem with NLTK's Snowball stemmer, once per word type, and show each stem as its most
   frequent surface word ("nuclear", never "nuclea").

No NLTK data is needed. ``punkt_tokenizer()`` gives a Punkt sentence splitter with
hand-set abbreviations, for re-splitting raw text outside the corpus stage.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .io import InputError

TOKEN = r"[a-z]\.[a-z]\.|[a-z][a-z0-9_]*|[0-9]+"
META = ["sentence_id", "source", "meeting", "speaker", "turn"]
_PREFIXES = r"(?:counter|non|anti|co|multi|inter|post|pre|re|self|bi|un)"
_RESOURCES = resources.files("helpers") / "resources"
#: Separates sentences in the joined column (no pattern here matches or crosses it).
_SEP = "\x01"  # not NUL: numpy strips trailing NULs from strings
_DIGITS = re.compile(r"[0-9]+")
#: Sentences per tokenizer pass: bounds the intermediate lists and keeps each call well
#: inside NLTK's regex time limit (5 s per call).
BLOCK = 20_000


def _read_resource(name: str) -> str:
    return (_RESOURCES / name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def general_stopwords() -> frozenset[str]:
    """The committed general English stop list (scikit-learn's; see the file header)."""
    return frozenset(w.strip() for w in _read_resource("stopwords_general.txt").splitlines()
                     if w.strip() and not w.startswith("#"))


def load_domain_stopwords(path: Path | None = None) -> pd.DataFrame:
    """Read the domain stop list (word, category, reason); every word needs a reason."""
    text = Path(path).read_text(encoding="utf-8") if path else \
        _read_resource("stopwords_domain.csv")
    name = Path(path) if path else Path("stopwords_domain.csv")
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or set(rows[0]) != {"word", "category", "reason"}:
        raise InputError(name, "columns must be word, category, reason", line=1)
    seen = set()
    for i, r in enumerate(rows, start=1):
        w = (r["word"] or "").strip()
        if not re.fullmatch(r"[a-z][a-z0-9_']*", w):
            raise InputError(name, f"word {w!r} must be lower-case letters", row=i)
        if not (r["reason"] or "").strip() or not (r["category"] or "").strip():
            raise InputError(name, f"word {w!r} needs a category and a reason", row=i)
        if w in seen:
            raise InputError(name, f"word {w!r} listed twice", row=i)
        seen.add(w)
    return pd.DataFrame(rows)


def stopwords() -> frozenset[str]:
    """General plus domain stop words."""
    return general_stopwords() | frozenset(load_domain_stopwords()["word"])


def curated_mwes() -> list[str]:
    """The curated multiword expressions (``resources/mwe_curated.csv``)."""
    return [r["phrase"].strip().lower()
            for r in csv.DictReader(_read_resource("mwe_curated.csv").splitlines())]


def _mwe_pattern(mwes) -> re.Pattern | None:
    phrases = sorted({m.strip().lower() for m in mwes if m.strip()}, key=len, reverse=True)
    if not phrases:
        return None
    return re.compile(r"\b(?:" + "|".join(r"\s+".join(map(re.escape, p.split()))
                                            for p in phrases) + r")\b")


def _join(texts: pd.Series) -> str:
    values = texts.tolist()
    joined = _SEP.join(values)
    if joined.count(_SEP) != max(len(values) - 1, 0):
        raise ValueError("a sentence contains the control character \\x01")
    return joined


def _normalise_joined(t: str, mwes=None) -> str:
    # Capital "US", "UN", "UK" are the country or body, never the pronoun "us".
    t = re.sub(r"\b(US|UN|UK)\b", lambda m: ".".join(m.group(1).lower()) + ".", t)
    t = t.lower()
    t = re.sub(r"(?:'|’)s\b", "", t)
    t = re.sub(r"\bcan't\b", "can", t)
    t = re.sub(r"(?:n't|'(?:ll|ve|re|d|m))\b", "", t)
    t = re.sub(r"\b([a-z])\.([a-z])\.((?:[a-z]\.)+)", lambda m: m.group(0).replace(".", ""), t)
    t = re.sub(r"\bnewth start\b", "new start", t)
    t = re.sub(rf"\b{_PREFIXES}-(?=[a-z])", lambda m: m.group(0)[:-1], t)
    t = re.sub(r"(?<=[a-z0-9])-(?=[a-z0-9])", " ", t)
    pattern = _mwe_pattern(curated_mwes() if mwes is None else mwes)
    if pattern is not None:  # phrases are joined on spaces only, never across sentences
        t = pattern.sub(lambda m: "_".join(m.group(0).split()), t)
    return t


def normalise_texts(texts: pd.Series, mwes=None) -> pd.Series:
    """Lower-case and normalise a column of sentences, joining multiword expressions."""
    if texts.empty:
        return texts.copy()
    return pd.Series(_normalise_joined(_join(texts), mwes).split(_SEP), index=texts.index,
                     name=texts.name)


@lru_cache(maxsize=1)
def word_tokenizer():
    """NLTK's RegexpTokenizer with the project's word pattern (needs no NLTK data)."""
    from nltk.tokenize import RegexpTokenizer

    return RegexpTokenizer(TOKEN)


def word_lists(texts: pd.Series) -> pd.Series:
    """One list of words per sentence, from NLTK's RegexpTokenizer."""
    return texts.map(word_tokenizer().tokenize)


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


def stem_types(words: pd.Index | np.ndarray) -> dict[str, str]:
    """Stem each distinct word once (multiword terms keep their form)."""
    st = _stemmer()
    return {w: (w if "_" in w else st.stem(w)) for w in words}


def tokenize_sentences(sentences: pd.DataFrame, stem: bool = True, mwes=None,
                       stop: frozenset[str] | None = None) -> pd.DataFrame:
    """Return a tidy token table: one row per token, with the sentence's metadata.

    Columns: the metadata in :data:`META` present in ``sentences``, ``position`` (token index
    within the sentence), ``word`` (surface form after normalisation) and ``term`` (the stem,
    or the word when ``stem=False``). Stop words and pure numbers are dropped.
    """
    from nltk.tokenize import RegexpTokenizer

    stop = stopwords() if stop is None else stop
    meta = [c for c in META if c in sentences.columns]
    if sentences.empty:
        return sentences[meta].assign(position=pd.Series(dtype="int64"), word=[], term=[])
    tokenizer = RegexpTokenizer(f"{TOKEN}|{_SEP}")
    texts = sentences["text"]
    words, sentence = [], []
    for start in range(0, len(texts), BLOCK):
        # One pass of NLTK's tokenizer over a block of sentences; separators mark sentences.
        joined = _normalise_joined(_join(texts.iloc[start:start + BLOCK]), mwes)
        flat = np.asarray(tokenizer.tokenize(joined), dtype=object)
        is_sep = flat == _SEP
        words.append(flat[~is_sep])
        sentence.append(np.cumsum(is_sep)[~is_sep] + start)
    words, sentence = np.concatenate(words), np.concatenate(sentence)
    counts = np.bincount(sentence, minlength=len(sentences))
    pos = np.arange(len(words)) - (np.cumsum(counts) - counts)[sentence]
    codes, uniques = pd.factorize(words)
    keep_type = np.fromiter((w not in stop and _DIGITS.fullmatch(w) is None for w in uniques),
                            dtype=bool, count=len(uniques))
    keep = keep_type[codes]
    out = sentences[meta].iloc[sentence[keep]].reset_index(drop=True)
    out["position"] = pos[keep]
    out["word"] = words[keep]
    if stem:
        stems = stem_types(uniques[keep_type])
        out["term"] = np.asarray([stems.get(w, w) for w in uniques], dtype=object)[codes[keep]]
    else:
        out["term"] = out["word"]
    return out


def display_forms(tokens: pd.DataFrame) -> dict[str, str]:
    """Map each term to its most frequent surface word (ties: alphabetical); '_' → ' '."""
    counts = tokens.groupby(["term", "word"]).size().reset_index(name="n")
    counts = counts.sort_values(["term", "n", "word"], ascending=[True, False, True])
    best = counts.drop_duplicates("term")
    return dict(zip(best["term"], best["word"].str.replace("_", " ")))


def propose_collocations(sentences: pd.DataFrame, n: int = 25, min_freq: int = 3,
                         measure: str = "likelihood_ratio") -> pd.DataFrame:
    """Bigram collocations proposed by NLTK's finder (stop words filtered), best first.

    ``measure`` is a method of ``BigramAssocMeasures`` (``likelihood_ratio``, ``pmi``).
    Returns phrase, score, frequency, and whether the curated list already has it.
    """
    from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder

    stop = stopwords()
    lists = word_lists(normalise_texts(sentences["text"], mwes=[]))
    finder = BigramCollocationFinder.from_documents(lists.tolist())
    finder.apply_freq_filter(min_freq)
    finder.apply_word_filter(lambda w: w in stop or w.isdigit() or len(w) < 3)
    scored = finder.score_ngrams(getattr(BigramAssocMeasures, measure))
    curated = set(curated_mwes())
    rows = [{"phrase": " ".join(bg), "score": round(s, 3), "freq": finder.ngram_fd[bg],
             "curated": " ".join(bg) in curated} for bg, s in scored[:n]]
    return pd.DataFrame(rows, columns=["phrase", "score", "freq", "curated"])


def punkt_tokenizer():
    """A Punkt sentence tokenizer with hand-set abbreviations (needs no NLTK data)."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    params = PunktParameters()
    params.abbrev_types = {"mr", "mrs", "ms", "dr", "st", "u.s", "u.n", "u.k", "gen", "prof",
                           "jr", "sr", "e.g", "i.e", "etc", "vs"}
    return PunktSentenceTokenizer(params)
