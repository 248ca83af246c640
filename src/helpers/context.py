"""Context in the model: do the contrasts hold once answers to questions are set apart?

Journalists' questions set much of the agenda. :func:`fit_context_models` fits, per issue, a
linear probability model of "the sentence concerns the issue" on the speaker-meeting cell,
alone and with the turn type (statement, answer, quote), with standard errors clustered by
turn. It is linear rather than logistic because many cells have no sentence on an issue
(perfect separation, no finite logit estimate); its coefficients are differences in shares,
comparable with :mod:`helpers.findings`. With few turns per cell the clustered errors are
themselves uncertain: read the adjusted estimates as a check, not the primary test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from .parameters import LEVEL

TURN_TYPES = ("statement", "answer", "quoted")
SPECIFICATIONS = ("cell only", "cell + turn type")
CONTRAST_KEYS = ("kind", "meeting", "speaker", "compare_meeting", "compare_speaker")


def _design(d: pd.DataFrame, cells: list[tuple[str, str]], with_turn_type: bool) -> pd.DataFrame:
    x = pd.DataFrame({f"{m}|{s}": ((d["meeting"] == m) & (d["speaker"] == s)).astype(float)
                      for m, s in cells}, index=d.index)
    if with_turn_type:
        for t in TURN_TYPES[1:]:
            if (d["turn_type"] == t).any():
                x[f"turn_type={t}"] = (d["turn_type"] == t).astype(float)
    return x


def fit_context_models(labels: pd.DataFrame, frame: pd.DataFrame, contrasts: list[dict],
                       level: float = LEVEL) -> pd.DataFrame:
    """Cell contrasts per issue, without and with the turn type, clustered by turn.

    ``labels`` (bool, sentences × issues) and ``frame`` (meeting, speaker, source, turn,
    turn_type) share an index. ``contrasts`` are dicts with meeting, speaker,
    compare_meeting, compare_speaker and kind (as :func:`helpers.findings.comparisons`
    returns them). Returns one row per contrast, issue and specification.
    """
    cells = sorted({(c[m], c[s]) for c in contrasts
                    for m, s in (("meeting", "speaker"), ("compare_meeting", "compare_speaker"))})
    keep = pd.Series(list(zip(frame["meeting"], frame["speaker"])), index=frame.index).isin(cells)
    d, y_all = frame[keep], labels[keep].astype(float)
    groups = pd.factorize(d["source"].astype(str) + ":" + d["turn"].astype(str))[0]
    rows = []
    for spec in SPECIFICATIONS:
        x = _design(d, cells, spec != SPECIFICATIONS[0])
        for issue in labels.columns:
            y = y_all[issue]
            fit = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups})
            for c in contrasts:
                r = np.zeros(x.shape[1])
                r[x.columns.get_loc(f"{c['meeting']}|{c['speaker']}")] = 1
                r[x.columns.get_loc(f"{c['compare_meeting']}|{c['compare_speaker']}")] = -1
                est = float(r @ fit.params.to_numpy())
                in_pair = (x.iloc[:, r != 0].sum(axis=1) > 0).to_numpy()
                if y[in_pair].nunique() < 2:  # both cells all 0 (or all 1): no difference
                    est, lo, hi, p = 0.0, 0.0, 0.0, 1.0
                else:
                    t = fit.t_test(r)
                    lo, hi = (float(v) for v in np.asarray(t.conf_int(alpha=1 - level))[0])
                    p = float(np.asarray(t.pvalue))
                rows.append({**{k: c[k] for k in CONTRAST_KEYS}, "issue": issue,
                             "specification": spec, "estimate": est, "ci_low": lo,
                             "ci_high": hi, "p_value": p})
    return pd.DataFrame(rows)
