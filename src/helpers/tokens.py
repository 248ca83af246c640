"""Tokens: from cleaned sentences to a tidy table of terms, with NLTK's data-free parts.

Steps (each a regex pass over the whole column at once: the sentences are joined into one
string with a \\x01 between them, which none of the patterns can match or cross; every other
step runs once per word *type*, never once per token):

1. lower-case; drop possessive 's; join prefixes ("counter-terrorism" → "counterterrorism")
   and split other hyphens; dotted acronyms of 3+ letters lose their dots
   ("s.t.a.r.t." → "start"), 2-letter ones keep them ("u.s.");
2. join multiword expressions into single terms ("north korea" → ``north_korea``);
3. find words with one compiled pattern (``findall``: the tokens NLTK's ``RegexpTokenizer``
   gives with it); drop pure numbers;
4. drop stop words: a general list (``resources/stopwords_general.txt``) and a domain list
   with a reason for every word (``resources/stopwords_domain.csv``);
5. stem with NLTK's Snowball stemmer, once per word type, and show each stem as its most
   frequent surface word ("nuclear", never "nuclea").

No NLTK data is needed.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from nltk.collocations import BigramAssocMeasures, BigramCollocationFinder
from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer

from .io import InputError

TOKEN = r"[a-z]\.[a-z]\.|[a-z][a-z0-9_]*|[0-9]+"
META = ["sentence_id", "source", "meeting", "speaker", "turn"]
#: Prefixes joined to the next word ("counter-terrorism" → "counterterrorism").
_PREFIXES = ("counter", "non", "anti", "co", "multi", "inter", "post", "pre", "re", "self",
             "bi", "un")
_RESOURCES = resources.files("helpers") / "resources"
#: Separates sentences in the joined column (no pattern here matches or crosses it).
_SEP = "\x01"  # not NUL: numpy strips trailing NULs from strings
_DIGITS = re.compile(r"[0-9]+")
#: Words and sentence separators; ``findall`` with it gives the tokens of NLTK's
#: ``RegexpTokenizer`` with the same pattern (which is ``findall`` with the ``regex`` engine).
_TOKEN_OR_SEP = re.compile(f"{TOKEN}|{_SEP}")
#: Sentences per tokenizer pass: bounds the intermediate lists.
CHUNK = 20_000


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


def _phrases(mwes) -> list[str]:
    """The distinct multiword expressions, lower-case, longest first."""
    return sorted({m.strip().lower() for m in mwes if m.strip()}, key=len, reverse=True)


def _phrase_regex(phrase: str) -> str:
    return r"\s+".join(map(re.escape, phrase.split()))


def _mwe_pattern(mwes) -> re.Pattern | None:
    r"""``\b(?:phrase|…)\b`` for the phrases, longest first, words joined by ``\s+``."""
    phrases = _phrases(mwes)
    if not phrases:
        return None
    return re.compile(r"\b(?:" + "|".join(map(_phrase_regex, phrases)) + r")\b")


def _join_mwes(t: str, mwes) -> str:
    """Join the words of each multiword expression in ``t`` with "_" ("north_korea")."""
    pattern = _mwe_pattern(mwes)
    return t if pattern is None else pattern.sub(lambda m: "_".join(m.group(0).split()), t)


def _join(texts: pd.Series) -> str:
    values = texts.tolist()
    joined = _SEP.join(values)
    if joined.count(_SEP) != max(len(values) - 1, 0):
        raise ValueError("a sentence contains the control character \\x01")
    return joined


# Each rule below matches exactly what its plain form in the comment matches. Python's ``re``
# scans quickly only for a pattern that starts with a literal, so ``\bX`` (X starting with a
# word character) is written ``X\b(?<!\wX)``: the literal first, then a look-behind for the
# character before it; and ``-(?<=…-)`` finds a hyphen first and then looks back.
#: ``\b(?:US|UN|UK)\b``: capital "US", "UN", "UK" are the country or body, never "us".
_COUNTRY = re.compile(r"U[SNK]\b(?<!\wU[SNK])")
#: ``(?:'|’)s\b`` as two passes: deleting a match of one can neither make nor break a
#: match of the other (every match is followed by a non-word character or the end).
_POSSESSIVE = (re.compile(r"'s\b"), re.compile(r"’s\b"))
#: ``\bcan't\b``
_CANT = re.compile(r"can't\b(?<!\wcan't)")
#: ``(?:n't|'(?:ll|ve|re|d|m))\b``, found from its apostrophe: see :func:`_drop_contractions`.
_CONTRACTION = re.compile(r"'(?:(?<=n')t|ll|ve|re|d|m)\b")
#: ``\b[a-z]\.[a-z]\.(?:[a-z]\.)+``, matched from its first dot (the letter before it is
#: kept as it is, so dropping the dots of the match gives the same text).
_ACRONYM = re.compile(r"\.(?<=(?<!\w)[a-z]\.)[a-z]\.(?:[a-z]\.)+")
#: ``\bnewth start\b``
_NEWTH = re.compile(r"newth start\b(?<!\wnewth start)")
#: ``\b(?:counter|non|…|un)-(?=[a-z])``: the hyphen after a prefix, found hyphen first.
_PREFIX_HYPHEN = re.compile("-(?:" + "|".join(rf"(?<=(?<!\w){p}-)" for p in _PREFIXES)
                            + ")(?=[a-z])")
#: ``(?<=[a-z0-9])-(?=[a-z0-9])``
_HYPHEN = re.compile(r"-(?<=[a-z0-9]-)(?=[a-z0-9])")


def _drop_contractions(t: str) -> str:
    r"""Delete the matches of ``(?:n't|'(?:ll|ve|re|d|m))\b``: the same matches, found from
    their apostrophes (a match "'t" stands for "n't", whose n goes too; no match ends in n,
    so that n is never part of the match before)."""
    pieces, prev = [], 0
    for m in _CONTRACTION.finditer(t):
        pieces.append(t[prev:m.start() - (m.group(0) == "'t")])
        prev = m.end()
    pieces.append(t[prev:])
    return "".join(pieces)


def _normalise_joined(t: str, mwes=None) -> str:
    t = _COUNTRY.sub(lambda m: ".".join(m.group(0).lower()) + ".", t)
    t = t.lower()
    for possessive in _POSSESSIVE:
        t = possessive.sub("", t)
    t = _CANT.sub("can", t)
    t = _drop_contractions(t)
    t = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), t)
    t = _NEWTH.sub("new start", t)
    t = _PREFIX_HYPHEN.sub("", t)
    t = _HYPHEN.sub(" ", t)
    # phrases are joined on white space only, never across sentences
    return _join_mwes(t, curated_mwes() if mwes is None else mwes)


def normalise_texts(texts: pd.Series, mwes=None) -> pd.Series:
    """Lower-case and normalise a column of sentences, joining multiword expressions."""
    if texts.empty:
        return texts.copy()
    return pd.Series(_normalise_joined(_join(texts), mwes).split(_SEP), index=texts.index,
                     name=texts.name)


@lru_cache(maxsize=1)
def word_tokenizer():
    """NLTK's RegexpTokenizer with the project's word pattern (needs no NLTK data)."""
    return RegexpTokenizer(TOKEN)


def word_lists(texts: pd.Series) -> pd.Series:
    """One list of words per sentence, from NLTK's RegexpTokenizer."""
    return texts.map(word_tokenizer().tokenize)


@lru_cache(maxsize=1)
def _stemmer():
    return SnowballStemmer("english")


def stem_types(words: pd.Index | np.ndarray) -> dict[str, str]:
    """Stem each distinct word once (multiword terms keep their form)."""
    st = _stemmer()
    return {w: (w if "_" in w else st.stem(w)) for w in words}


_SEP_CODE = -1


class _Vocabulary(dict):
    """Word → code, numbered in order of first appearance (as ``pd.factorize`` numbers them),
    and ``kept[code]``: whether the word is kept (neither a stop word nor a number). The
    sentence separator is :data:`_SEP_CODE`. Look-ups of known words stay in C."""

    def __init__(self, stop: frozenset[str]):
        super().__init__({_SEP: _SEP_CODE})
        self.stop, self.kept = stop, []

    def __missing__(self, word: str) -> int:
        code = self[word] = len(self.kept)
        self.kept.append(word not in self.stop and _DIGITS.fullmatch(word) is None)
        return code

    def words(self) -> np.ndarray:
        """The words (not the separator), in code order."""
        return np.array(list(self)[1:], dtype=object)


def _take(values: np.ndarray, codes: np.ndarray):
    """The column ``values[codes]`` of strings, typed as pandas types it (no rows: object;
    else its string type), with that type found once from the values, not row by row."""
    if not len(codes):
        return values[codes]
    return pd.Series(values).array.take(codes)


def tokenize_sentences(sentences: pd.DataFrame, stem: bool = True, mwes=None,
                       stop: frozenset[str] | None = None) -> pd.DataFrame:
    """Return a tidy token table: one row per token, with the sentence's metadata.

    Columns: the metadata in :data:`META` present in ``sentences``, ``position`` (token index
    within the sentence), ``word`` (surface form after normalisation) and ``term`` (the stem,
    or the word when ``stem=False``). Stop words and pure numbers are dropped.
    """
    stop = stopwords() if stop is None else stop
    meta = [c for c in META if c in sentences.columns]
    if sentences.empty:
        return sentences[meta].assign(position=pd.Series(dtype="int64"), word=[], term=[])
    texts = sentences["text"]
    vocabulary = _Vocabulary(stop)
    codes, sentence, position = [], [], []
    for start in range(0, len(texts), CHUNK):
        # One tokenizer pass over a block of sentences; separators mark sentences.
        joined = _normalise_joined(_join(texts.iloc[start:start + CHUNK]), mwes)
        found = _TOKEN_OR_SEP.findall(joined)
        block = np.fromiter(map(vocabulary.__getitem__, found), np.intp, count=len(found))
        is_sep, index = block == _SEP_CODE, np.arange(len(block))
        last_sep = np.maximum.accumulate(np.where(is_sep, index, -1))
        keep = np.array(vocabulary.kept + [False])[block]  # the separator (-1) reads False
        codes.append(block[keep])
        sentence.append(np.cumsum(is_sep)[keep] + start)
        position.append((index - last_sep - 1)[keep])
    codes, sentence, pos = map(np.concatenate, (codes, sentence, position))
    words = vocabulary.words()
    out = sentences[meta].iloc[sentence].reset_index(drop=True)
    out["position"] = pos
    out["word"] = _take(words, codes)
    if stem:
        stems = stem_types(words[np.array(vocabulary.kept, dtype=bool)])
        out["term"] = _take(np.asarray([stems.get(w, w) for w in words], dtype=object), codes)
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
    lists = word_lists(normalise_texts(sentences["text"], mwes=[]))
    finder = BigramCollocationFinder.from_documents(lists.tolist())
    finder.apply_freq_filter(min_freq)
    finder.apply_word_filter(lambda w: w in stop or w.isdigit() or len(w) < 3)
    scored = finder.score_ngrams(getattr(BigramAssocMeasures, measure))
    curated = set(curated_mwes())
    rows = [{"phrase": " ".join(bg), "score": round(s, 3), "freq": finder.ngram_fd[bg],
             "curated": " ".join(bg) in curated} for bg, s in scored[:n]]
    return pd.DataFrame(rows, columns=["phrase", "score", "freq", "curated"])
