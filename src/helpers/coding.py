"""Issue coding: which issues each sentence concerns.

``match_issues`` finds direct lexicon matches; ``inherit_issues`` passes labels down a turn to
sentences that continue its topic; ``code_sentences`` does both and records ``via``
("direct", "inherited" or "").
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .lexicon import Issue

INHERIT_MODES = ("none", "anaphora", "previous")
#: Openings that mark a sentence as continuing the topic of the sentence before it.
ANAPHORA = re.compile(
    r"^(?:and |but |so |also |then |now,? )?(?:it|its|it's|this|that|these|those|they|"
    r"theyre|they're|them|there|theres|there's|he|his|such|the (?:treaty|issue|proposal|"
    r"situation|question|investigation|dialogue|committee|resolution|president|reason)|"
    r"we (?:talked|spoke|discussed|agreed|believe|are|hope|want|made|laid|know|also)|"
    r"our (?:position|sanctions|actions|policy|two teams)|as (?:for|far as))\b", re.I)
#: How many sentences back a label may be inherited (through a chain of inherited labels).
MAX_INHERIT = 3
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


def match_issues(texts: pd.Series, lexicon: list[Issue]) -> pd.DataFrame:
    """Return a boolean frame (sentences × issue ids) of direct lexicon matches.

    Text is lower-cased once; ``exclude`` is only tested on the sentences that matched.
    """
    import warnings

    low = texts.str.lower()
    out = {}
    with warnings.catch_warnings():  # groups in user patterns are fine: we only test matches
        warnings.simplefilter("ignore", UserWarning)
        for issue in lexicon:
            hit = low.str.contains(_on_lowered(issue.pattern), regex=True).to_numpy(dtype=bool)
            if issue.exclude is not None and hit.any():
                idx = np.flatnonzero(hit)
                hit = hit.copy()
                hit[idx] = ~low.iloc[idx].str.contains(_on_lowered(issue.exclude),
                                                       regex=True).to_numpy(dtype=bool)
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
