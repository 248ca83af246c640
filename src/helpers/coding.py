"""Issue coding: which issues each sentence concerns.

``match_issues`` finds direct lexicon matches; ``inherit_issues`` passes labels down a turn to
sentences that continue its topic; ``code_sentences`` does both and records ``via``
("direct", "inherited" or "").
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy import sparse

from .lexicon import Issue, parse_pattern
from .parameters import MAX_INHERIT

INHERIT_MODES = ("none", "anaphora", "previous")
#: Openings that mark a sentence as continuing the topic of the sentence before it.
ANAPHORA = re.compile(
    r"^(?:and |but |so |also |then |now,? )?(?:it|its|it's|this|that|these|those|they|"
    r"theyre|they're|them|there|theres|there's|he|his|such|the (?:treaty|issue|proposal|"
    r"situation|question|investigation|dialogue|committee|resolution|president|reason)|"
    r"we (?:talked|spoke|discussed|agreed|believe|are|hope|want|made|laid|know|also)|"
    r"our (?:position|sanctions|actions|policy|two teams)|as (?:for|far as))\b", re.I)
#: Short courtesies never inherit ("Thank you, sir.").
COURTESY = re.compile(r"^(?:thank|thanks|welcome|good (?:afternoon|morning|evening)|"
                      r"ladies and gentlemen)\b", re.I)



def _on_lowered(rx: re.Pattern) -> re.Pattern:
    """Return ``rx`` without IGNORECASE when it has no upper-case letter (outside escapes).

    Such a pattern matches lower-cased text exactly as the case-insensitive one matches the
    original, and Python's regex engine runs about twice as fast without IGNORECASE.
    """
    if any(ch.isupper() for ch in re.sub(r"\\.", "", rx.pattern)):
        return rx
    return re.compile(rx.pattern)


#: Literals shorter than this are not worth a prefilter (too many candidate sentences).
_MIN_LITERAL = 3
#: At most this many literals per issue (a prefix set can grow as a product of branches).
_MAX_LITERALS = 64


def _literal_prefixes(items) -> tuple[set[str], bool]:
    """Literal strings one of which starts every match of the parsed sequence ``items``
    (:func:`helpers.lexicon.parse_pattern`).

    Returns (prefixes, complete): ``complete`` when each prefix is a whole match (the
    sequence is literal throughout). Zero-width assertions (\\b) are skipped: they consume
    nothing, so the matched text still starts with the literal.
    """
    out = {""}
    for kind, value, lo, hi in items:
        if kind == "zero":
            continue
        if (lo, hi) != (1, 1) or kind not in ("lit", "group"):
            return out, False
        if kind == "lit":
            out = {p + value for p in out}
            continue
        parts = [_literal_prefixes(alt) for alt in value]
        sub, done = set().union(*(p for p, _ in parts)), all(d for _, d in parts)
        if "" in sub or len(out) * len(sub) > _MAX_LITERALS:
            return out, False
        out = {p + q for p in out for q in sub}
        if not done:
            return out, False
    return out, True


def _necessary_literals(items) -> set[str] | None:
    """Literal strings one of which occurs in every match of ``items``, or None.

    Candidates: the prefix set; each literal run at the top level of the sequence (it is
    always matched); each group at the top level (a necessary literal of every one of its
    alternatives). The candidate whose shortest string is longest wins.
    """
    cands = [_literal_prefixes(items)[0]]
    run = ""
    for kind, value, lo, hi in list(items) + [(None, None, 1, 1)]:
        if kind == "lit" and (lo, hi) == (1, 1):
            run += value
            continue
        if run:
            cands.append({run})
            run = ""
        if kind == "group" and (lo, hi) == (1, 1):
            parts = [_necessary_literals(alt) for alt in value]
            if all(parts) and sum(map(len, parts)) <= _MAX_LITERALS:
                cands.append(set().union(*parts))
    cands = [x for x in cands if x and all(len(w) >= _MIN_LITERAL for w in x)]
    if not cands:
        return None
    return max(cands, key=lambda x: (min(map(len, x)), -len(x)))


def _prefilter(rx: re.Pattern) -> list[str] | None:
    """Literals one of which every match of ``rx`` holds, or None.

    Only for case-sensitive, non-verbose patterns (the lexicon runs on lower-cased text),
    so a literal of the pattern is matched exactly as the pattern matches it. Literals
    never hold a newline (a literal that runs over a line end is of no use for finding
    sentences).
    """
    if rx.flags & (re.I | re.L | re.X) or not isinstance(rx.pattern, str):
        return None
    try:
        lits = _necessary_literals([["group", parse_pattern(rx.pattern), 1, 1]])
    except ValueError:  # a construct the parser does not know: no prefilter
        return None
    if not lits or any("\n" in w for w in lits):
        return None
    return sorted(w for w in lits if not any(o != w and o in w for o in lits))


def _starts(items, first: int) -> np.ndarray:
    """Offsets of ``items`` joined by a one-character separator, the first at ``first``."""
    lengths = np.fromiter(map(len, items), dtype=np.int64, count=len(items))
    return first + np.concatenate([[0], np.cumsum(lengths + 1)[:-1]]).astype(np.int64)


def _holding(joined: str, starts: np.ndarray, needle: str, shift: int) -> np.ndarray:
    """Number of the joined item holding each occurrence of ``needle`` (``shift`` characters
    into it), given the items' offsets ``starts``."""
    pos = np.fromiter((m.start() + shift for m in re.finditer(re.escape(needle), joined)),
                      dtype=np.int64)
    return np.searchsorted(starts, pos, side="right") - 1


class _WordIndex:
    """The words of many texts, for finding the texts that hold a literal.

    Each run of word characters (``\\w``) of a literal lies inside one word of any text
    that holds the literal: a run at neither end of the literal *is* that word, a run at
    the start ends it, a run at the end starts it, and a run that is the whole literal lies
    anywhere in it. The texts that have, for every run, a word that fits are a superset of
    the texts holding the literal, found by looking the runs up among the distinct words
    (few) instead of scanning the whole text once per literal. Only words of at least
    :data:`_MIN_LITERAL` characters are indexed (shorter runs are not looked up); a literal
    without such a run is searched for in the whole text.
    """

    SEP = "\x01"  # not NUL: NumPy strips trailing NULs from strings

    def __init__(self, values: list[str]):
        self.joined = self.SEP.join(values)
        if self.joined.count(self.SEP) != max(len(values) - 1, 0):
            raise ValueError("a text contains the separator \\x01")
        self.starts = _starts(values, 0)
        flat = np.asarray(re.findall(rf"\w{{{_MIN_LITERAL},}}|\x01", self.joined), dtype=object)
        is_sep = flat == self.SEP
        text_of = np.cumsum(is_sep)[~is_sep]  # text number of each word occurrence
        codes, words = pd.factorize(flat[~is_sep])
        self.n_texts = len(values)
        # the texts of each distinct word, word by word (a words × texts CSR incidence)

        incidence = sparse.csr_matrix((np.ones(len(codes), dtype=np.int8), (codes, text_of)),
                                      shape=(len(words), self.n_texts))
        self.texts_by_word, self.word_offsets = incidence.indices, incidence.indptr
        self.words = "\n" + "\n".join(words) + "\n"
        self.word_starts = _starts(words, 1)

    def _texts_with_word(self, needle: str, shift: int) -> np.ndarray:
        """Boolean mask of the texts with a word around an occurrence of ``needle``."""
        ids = np.unique(_holding(self.words, self.word_starts, needle, shift))
        lo, hi = self.word_offsets[ids], self.word_offsets[ids + 1]
        lengths = hi - lo
        at = np.repeat(lo - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        mask = np.zeros(self.n_texts, dtype=bool)
        mask[self.texts_by_word[at]] = True
        return mask

    def _texts_with_literal(self, literal: str) -> np.ndarray:
        """Boolean mask of the texts that hold ``literal``, from a scan of the whole text."""
        mask = np.zeros(self.n_texts, dtype=bool)
        mask[_holding(self.joined, self.starts, literal, 0)] = True
        return mask

    def texts_with(self, literals: list[str]) -> np.ndarray:
        """Sorted numbers of the texts that may hold one of ``literals``."""
        found = np.zeros(self.n_texts, dtype=bool)
        for lit in literals:
            runs = [m for m in re.finditer(r"\w+", lit) if len(m.group()) >= _MIN_LITERAL]
            if not runs:
                found |= self._texts_with_literal(lit)
                continue
            texts = np.ones(self.n_texts, dtype=bool)
            for m in runs:
                first, last = m.start() == 0, m.end() == len(lit)
                needle = ("" if first else "\n") + m.group() + ("" if last else "\n")
                texts &= self._texts_with_word(needle, 0 if first else 1)
            found |= texts
        return np.flatnonzero(found)


def _search_all(values: list[str], rx: re.Pattern, index: _WordIndex | None) -> np.ndarray:
    """Boolean array: does ``rx.search`` find a match in each text?

    With a prefilter (:func:`_prefilter`) and a word index, only the texts that may hold
    one of the pattern's necessary literals (:meth:`_WordIndex.texts_with`) are searched.
    The result is the same as searching every text.
    """
    pre = _prefilter(rx) if index is not None else None
    if pre is None:
        return np.fromiter((rx.search(v) is not None for v in values), dtype=bool,
                           count=len(values))
    cand = index.texts_with(pre)
    hit = np.zeros(len(values), dtype=bool)
    hit[cand] = [rx.search(values[k]) is not None for k in cand]
    return hit


def match_issues(texts: pd.Series, lexicon: list[Issue]) -> pd.DataFrame:
    """Return a boolean frame (sentences × issue ids) of direct lexicon matches.

    Text is lower-cased once; each issue's pattern is searched only in the sentences that
    hold one of its necessary literals (found through an index of the sentences' words);
    ``exclude`` is only tested on the sentences that matched.
    """
    low = texts.str.lower()
    values = low.tolist()
    try:
        index = _WordIndex(values)
    except ValueError:  # a text holds the index's separator: search every sentence
        index = None
    out = {}
    for issue in lexicon:
        hit = _search_all(values, _on_lowered(issue.pattern), index)
        if issue.exclude is not None and hit.any():
            idx = np.flatnonzero(hit)
            ex = _on_lowered(issue.exclude)
            hit[idx] = [ex.search(values[k]) is None for k in idx]
        out[issue.id] = hit
    return pd.DataFrame(out, index=texts.index)


def inherit_issues(direct: pd.DataFrame, sentences: pd.DataFrame,
                   mode: str = "anaphora", max_back: int = MAX_INHERIT) -> pd.DataFrame:
    """Give uncoded sentences the issues of the sentence before them in the same turn.

    ``mode="anaphora"``: only sentences that open with a continuation cue ("It was a major
    part of our conversations.", "We talked about that …"); ``"previous"``: every uncoded
    sentence except courtesies; ``"none"``: no inheritance. Labels pass down a chain of at
    most ``max_back`` sentences. Rows must be in source order. Vectorised over rows: each
    of the ``max_back`` steps is one shifted comparison.
    """
    if mode not in INHERIT_MODES:
        raise ValueError(f"inherit must be one of {INHERIT_MODES}")
    labels = direct.to_numpy().copy()
    if mode == "none" or len(labels) == 0:
        return pd.DataFrame(labels, index=direct.index, columns=direct.columns)
    texts = sentences["text"]
    eligible = ~labels.any(axis=1) & ~texts.str.match(COURTESY).to_numpy()
    if mode == "anaphora":
        eligible &= texts.str.match(ANAPHORA).to_numpy()
    group = (sentences["source"].astype(str) + "\x00" + sentences["turn"].astype(str)).to_numpy()
    for _ in range(max_back):
        same = np.zeros(len(labels), dtype=bool)
        same[1:] = group[1:] == group[:-1]
        prev = np.zeros_like(labels)
        prev[1:] = labels[:-1]
        take = eligible & same & ~labels.any(axis=1) & prev.any(axis=1)
        if not take.any():
            break
        labels[take] = prev[take]
    return pd.DataFrame(labels, index=direct.index, columns=direct.columns)


def code_sentences(sentences: pd.DataFrame, lexicon: list[Issue],
                   inherit: str = "anaphora") -> pd.DataFrame:
    """Return ``sentences`` (in source order) with one boolean column per issue and ``via``.

    ``via`` is "direct" when the lexicon matched, "inherited" when the labels came from the
    context, and "" when the sentence names no issue.
    """
    s = sentences.sort_values(["source", "sentence"], kind="stable")
    direct = match_issues(s["text"], lexicon)
    coded = inherit_issues(direct, s, inherit)
    via = np.where(direct.to_numpy().any(axis=1), "direct",
                   np.where(coded.to_numpy().any(axis=1), "inherited", ""))
    return pd.concat([s, coded], axis=1).assign(via=via)
