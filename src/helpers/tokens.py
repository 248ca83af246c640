"""Tokens: from cleaned sentences to a tidy table of terms, with NLTK's data-free parts.

Steps (all vectorised: one regex pass per step over the whole column, then ``explode``):

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


def normalise_texts(texts: pd.Series, mwes=None) -> pd.Series:
    """Lower-case and normalise a column of sentences, joining multiword expressions."""
    # Capital "US", "UN", "UK" are the country or body, never the pronoun "us".
    t = texts.str.replace(r"\b(US|UN|UK)\b", lambda m: ".".join(m.group(1).lower()) + ".",
                          regex=True)
    t = t.str.lower()
    t = t.str.replace(r"(?:'|’)s\b", "", regex=True)
    t = t.str.replace(r"\bcan't\b", "can", regex=True)
    t = t.str.replace(r"(?:n't|'(?:ll|ve|re|d|m))\b", "", regex=True)
    t = t.str.replace(r"\b([a-z])\.([a-z])\.((?:[a-z]\.)+)",
                      lambda m: m.group(0).replace(".", ""), regex=True)
    t = t.str.replace(r"\bnewth start\b", "new start", regex=True)
    t = t.str.replace(rf"\b{_PREFIXES}-(?=[a-z])", lambda m: m.group(0)[:-1], regex=True)
    t = t.str.replace(r"(?<=[a-z0-9])-(?=[a-z0-9])", " ", regex=True)
    pattern = _mwe_pattern(curated_mwes() if mwes is None else mwes)
    if pattern is not None:
        t = t.str.replace(pattern, lambda m: "_".join(m.group(0).split()), regex=True)
    return t


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
    stop = stopwords() if stop is None else stop
    meta = [c for c in META if c in sentences.columns]
    lists = word_lists(normalise_texts(sentences["text"], mwes))
    words = lists.explode()
    words = words[words.notna()]
    pos = words.groupby(level=0).cumcount().to_numpy()
    keep = ~words.isin(stop).to_numpy() & ~words.str.fullmatch(r"[0-9]+").to_numpy()
    words, pos = words[keep], pos[keep]
    out = sentences.loc[words.index, meta].reset_index(drop=True)
    out["position"] = pos
    out["word"] = words.to_numpy()
    if stem:
        codes, uniques = pd.factorize(out["word"])
        stems = stem_types(uniques)
        out["term"] = np.asarray([stems[w] for w in uniques], dtype=object)[codes]
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
