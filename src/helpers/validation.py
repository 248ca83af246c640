"""Validation of the issue coding against sentences coded by hand.

``load_validation`` reads a hand coding (``validation.csv``), ``gold_matrix`` turns it into a
boolean sentence × issue frame, ``score_coding`` gives precision, recall and F1 per issue, and
``share_errors`` compares the lexicon's shares with the hand-coded ones per cell.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .io import InputError
from .lexicon import Issue, issue_ids


def load_validation(path: Path | None = None, lexicon: list[Issue] | None = None) -> pd.DataFrame:
    """Read the hand-coded sample; unknown issue ids or splits are errors naming the row."""
    path = Path(path) if path is not None else config.paths()["lexicons"] / "validation.csv"
    v = pd.read_csv(path, keep_default_na=False, dtype=str)
    need = {"sentence_id", "source", "speaker", "split", "issues", "text"}
    if need - set(v.columns):
        raise InputError(path, f"missing columns {sorted(need - set(v.columns))}", line=1)
    known = set(issue_ids(lexicon)) if lexicon else None
    for row, (split, issues) in enumerate(zip(v["split"], v["issues"]), start=1):
        if split not in {"tune", "test"}:
            raise InputError(path, f"split must be 'tune' or 'test', got {split!r}", row=row)
        for iid in filter(None, issues.split(";")):
            if known is not None and iid not in known:
                raise InputError(path, f"unknown issue id {iid!r}", row=row)
    if v["sentence_id"].duplicated().any():
        dup = v.index[v["sentence_id"].duplicated()][0] + 1
        raise InputError(path, "sentence_id listed twice", row=int(dup))
    return v


def gold_matrix(validation: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Boolean frame (sentence_id × issue) from the ';'-joined gold codes."""
    sets = validation["issues"].str.split(";")
    return pd.DataFrame({i: sets.map(lambda s, i=i: i in s).to_numpy() for i in ids},
                        index=validation["sentence_id"].to_numpy())


def score_coding(predicted: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall, F1 and support per issue, plus micro and macro averages.

    Both inputs are boolean frames with the same index (sentence ids) and issue columns.
    An issue with no predicted or no gold positives gets NaN for the undefined measure.
    """
    predicted = predicted.loc[gold.index, gold.columns].to_numpy(dtype=bool)
    g = gold.to_numpy(dtype=bool)
    tp = (predicted & g).sum(axis=0)
    fp = (predicted & ~g).sum(axis=0)
    fn = (~predicted & g).sum(axis=0)

    def prf(tp, fp, fn):
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
            r = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
            f = np.where((p + r) > 0, 2 * p * r / (p + r), np.nan)
        return p, r, f
    p, r, f = prf(tp, fp, fn)
    out = pd.DataFrame({"issue": list(gold.columns), "precision": p, "recall": r, "f1": f,
                        "support": g.sum(axis=0), "predicted": predicted.sum(axis=0)})
    mp, mr, mf = prf(tp.sum(), fp.sum(), fn.sum())
    micro = {"issue": "micro avg", "precision": float(mp), "recall": float(mr),
             "f1": float(mf), "support": int(g.sum()), "predicted": int(predicted.sum())}
    macro = {"issue": "macro avg", "precision": np.nanmean(p), "recall": np.nanmean(r),
             "f1": np.nanmean(f), "support": int(g.sum()), "predicted": int(predicted.sum())}
    return pd.concat([out, pd.DataFrame([micro, macro])], ignore_index=True)


def share_errors(coded: pd.DataFrame, validation: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Per (meeting, speaker, issue): lexicon share vs hand-coded share on the coded sample."""
    g = gold_matrix(validation, ids)
    d = coded.set_index("sentence_id").loc[g.index]
    rows = []
    for (meeting, speaker), cell in d.groupby(["meeting", "speaker"]):
        gold = g.loc[cell.index]
        for i in ids:
            rows.append({"meeting": meeting, "speaker": speaker, "issue": i,
                         "share_lexicon": cell[i].mean(), "share_hand": gold[i].mean()})
    out = pd.DataFrame(rows)
    return out.assign(abs_error=(out["share_lexicon"] - out["share_hand"]).abs())
