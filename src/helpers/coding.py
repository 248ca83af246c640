"""Issue coding: which issues each sentence concerns.

``match_issues`` finds direct lexicon matches; ``inherit_issues`` passes labels down a turn to
sentences that continue its topic; ``code_sentences`` does both and records ``via``
("direct", "inherited" or "").
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

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
#: Literals shorter than this are not worth a prefilter (too many candidate sentences).
MIN_LITERAL = 3


def _on_lowered(rx: re.Pattern) -> re.Pattern:
    """``rx`` without IGNORECASE when it has no upper-case letter (outside escapes): on
    lower-cased text it then matches as before, about twice as fast."""
    if any(ch.isupper() for ch in re.sub(r"\\.", "", rx.pattern)):
        return rx
    return re.compile(rx.pattern)


def _necessary_literals(alternatives) -> set[str] | None:
    """Literal strings one of which every match holds, or None.

    Each alternative (of :func:`helpers.lexicon.parse_pattern`) gives its best candidate:
    a run of plain characters, or the literals of a group it always passes through; best
    is the one whose shortest string is longest (then: the fewest strings).
    """
    out = set()
    for alt in alternatives:
        candidates, run = [], ""
        for kind, value, lo, hi in alt + [["end", None, 1, 1]]:
            if kind == "lit" and (lo, hi) == (1, 1):
                run += value
                continue
            candidates.append({run})
            run = ""
            if kind == "group" and (lo, hi) == (1, 1):
                candidates.append(_necessary_literals(value) or {""})
        best = max(candidates, key=lambda c: (min(map(len, c)), -len(c)))
        if min(map(len, best)) < MIN_LITERAL:
            return None
        out |= best
    return out


def _prefilter(rx: re.Pattern) -> list[str] | None:
    """Literals one of which every match of ``rx`` holds, or None.

    Only for case-sensitive, non-verbose patterns (the lexicon runs on lower-cased text),
    so that a literal is matched exactly as the pattern matches it, and never a literal
    that holds a newline.
    """
    if rx.flags & (re.I | re.X):
        return None
    try:
        lits = _necessary_literals(parse_pattern(rx.pattern))
    except ValueError:  # a construct the parser does not know: no prefilter
        return None
    if not lits or any("\n" in w for w in lits):
        return None
    return sorted(w for w in lits if not any(o != w and o in w for o in lits))


def match_issues(texts: pd.Series, lexicon: list[Issue]) -> pd.DataFrame:
    """Return a boolean frame (sentences × issue ids) of direct lexicon matches.

    Text is lower-cased once; each issue's pattern is searched only in the sentences that
    hold one of its necessary literals (:func:`_prefilter`, found in one scan of all the
    text per literal), and ``exclude`` only in those that matched. The labels are those of
    searching every sentence with the case-insensitive pattern.
    """
    values = texts.str.lower().tolist()
    joined = "\n".join(values)
    starts = np.cumsum([0] + [len(v) + 1 for v in values[:-1]])
    out = {}
    for issue in lexicon:
        rx = _on_lowered(issue.pattern)
        literals = _prefilter(rx)
        if literals is None:
            candidates = np.arange(len(values))
        else:
            found = [m.start() for lit in literals for m in re.finditer(re.escape(lit), joined)]
            candidates = np.unique(np.searchsorted(starts, found, side="right") - 1)
        hit = np.zeros(len(values), dtype=bool)
        hit[candidates] = [rx.search(values[k]) is not None for k in candidates]
        if issue.exclude is not None:
            ex = _on_lowered(issue.exclude)
            hit[hit] = [ex.search(values[k]) is None for k in np.flatnonzero(hit)]
        out[issue.id] = hit
    return pd.DataFrame(out, index=texts.index)


def inherit_issues(direct: pd.DataFrame, sentences: pd.DataFrame,
                   mode: str = "anaphora", max_back: int = MAX_INHERIT) -> pd.DataFrame:
    """Give uncoded sentences the issues of the sentence before them in the same turn.

    ``mode="anaphora"``: only sentences that open with a continuation cue ("It was a major
    part of our conversations.", "We talked about that …"); ``"previous"``: every uncoded
    sentence except courtesies; ``"none"``: no inheritance. Labels pass down a chain of at
    most ``max_back`` sentences. Rows must be in source order.
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
    same = np.zeros(len(labels), dtype=bool)  # the same turn as the row before
    same[1:] = group[1:] == group[:-1]
    for _ in range(max_back):
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
