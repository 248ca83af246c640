"""How far to trust the issue measure: coding accuracy, coder agreement, share errors.

- :func:`score_with_intervals`: precision, recall and F1 per issue with intervals from a
  bootstrap over turns (sentences of one turn are resampled together), and the number of
  hand-coded positives each rests on.
- :func:`score_by_source`: micro-F1 of each inheritance rule on each source, so that the
  rule can be chosen on the other sources (leave-one-source-out).
- :func:`load_second_coding` and :func:`agreement_by_issue`: a second, independent hand
  coding of a sample, and Krippendorff's alpha per issue against the first.
- :func:`share_errors`: the lexicon measure against the hand measure, per cell and issue.
"""

from __future__ import annotations

import csv
from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd

from . import config
from .inference import rng_for
from .io import InputError
from .validation import precision_recall_f1, score_coding


def score_with_intervals(predicted: pd.DataFrame, gold: pd.DataFrame, groups: pd.Series,
                         n_boot: int = 2000, seed: int = config.SEED,
                         level: float = 0.95) -> pd.DataFrame:
    """Per-issue and micro-averaged precision, recall, F1, with turn-bootstrap intervals.

    ``groups`` gives each gold sentence's cluster (e.g. source and turn), indexed like
    ``gold``; resampling draws whole clusters. ``support`` is the number of hand-coded
    positives, ``predicted`` the number of lexicon positives.
    """
    p = predicted.loc[gold.index, gold.columns].to_numpy(dtype=np.int64)
    g = gold.to_numpy(dtype=np.int64)
    cl = pd.factorize(groups.loc[gold.index])[0]
    nc = cl.max() + 1

    def per_cluster(x):
        out = np.zeros((nc, x.shape[1]), dtype=np.int64)
        np.add.at(out, cl, x)
        return out
    tp, fp, fn = per_cluster(p & g), per_cluster(p & (1 - g)), per_cluster((1 - p) & g)
    w = rng_for(seed, "score").multinomial(nc, np.full(nc, 1 / nc), size=n_boot)
    a = (1 - level) / 2
    rows = []
    for name, sel in [(c, [k]) for k, c in enumerate(gold.columns)] + \
                     [("micro avg", list(range(g.shape[1])))]:
        t, f_p, f_n = (m[:, sel].sum(axis=1) for m in (tp, fp, fn))
        pp, rr, ff = precision_recall_f1(t.sum(), f_p.sum(), f_n.sum())
        bp, br, bf = precision_recall_f1(w @ t, w @ f_p, w @ f_n)
        row = {"issue": name, "support": int(t.sum() + f_n.sum()),
               "predicted": int(t.sum() + f_p.sum())}
        for key, est, boot in (("precision", pp, bp), ("recall", rr, br), ("f1", ff, bf)):
            lo, hi = (np.nanquantile(boot, [a, 1 - a]) if np.isfinite(boot).any()
                      else (np.nan, np.nan))
            row.update({key: float(est), f"{key}_low": float(lo), f"{key}_high": float(hi)})
        rows.append(row)
    return pd.DataFrame(rows)


def score_by_source(coded_by_mode: dict[str, pd.DataFrame], gold: pd.DataFrame) -> pd.DataFrame:
    """Micro-F1 of each coding (e.g. inheritance rule) on the hand-coded sentences of each source."""
    rows = []
    for mode, coded in coded_by_mode.items():
        pred = coded.set_index("sentence_id")
        src = pred.loc[gold.index, "source"]
        for source, idx in gold.groupby(src.to_numpy()).groups.items():
            sc = score_coding(pred[gold.columns], gold.loc[idx]).set_index("issue")
            rows.append({"rule": mode, "source": source, "sentences": len(idx),
                         "f1": sc.loc["micro avg", "f1"]})
    return pd.DataFrame(rows)


def choose_rule_leave_one_source_out(by_source: pd.DataFrame) -> pd.DataFrame:
    """For each held-out source, the rule with the best mean F1 on the *other* sources."""
    rows = []
    for held in by_source["source"].unique():
        train = by_source[by_source["source"] != held].groupby("rule")["f1"].mean()
        chosen = train.idxmax()
        test = by_source[(by_source["source"] == held) & (by_source["rule"] == chosen)]
        rows.append({"held_out": held, "chosen_rule": chosen,
                     "f1_held_out": float(test["f1"].iloc[0])})
    return pd.DataFrame(rows)


def load_second_coding(path: Path, known_issues: set[str], sentence_ids: set[str]) -> pd.DataFrame:
    """Read an independent coding (sentence_id, issues, note); errors name the row."""
    path = Path(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = {"sentence_id", "issues"} - set(reader.fieldnames or [])
            if missing:
                raise InputError(path, f"missing columns {sorted(missing)}", line=1)
            rows = list(reader)
    except UnicodeDecodeError as err:
        raise InputError(path, f"not UTF-8 ({err.reason}); save the file as UTF-8") from None
    seen = set()
    for i, r in enumerate(rows, start=1):
        sid = (r.get("sentence_id") or "").strip()
        if sid not in sentence_ids:
            raise InputError(path, f"unknown sentence_id {sid!r}; it must be a sentence of "
                                   "data/processed/sentences.csv", row=i)
        if sid in seen:
            raise InputError(path, f"sentence_id {sid!r} listed twice", row=i)
        seen.add(sid)
        for iid in filter(None, (r.get("issues") or "").split(";")):
            if iid not in known_issues:
                raise InputError(path, f"unknown issue id {iid!r}", row=i)
    return pd.DataFrame(rows, columns=["sentence_id", "issues", "note"]).fillna("")


def agreement_by_issue(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Krippendorff's alpha (nominal, two coders) per issue on the sentences both coded.

    ``first`` and ``second`` are boolean sentence_id × issue frames. Also returns the
    positives of each coder and the sentences where they disagree.
    """
    both = first.index.intersection(second.index)
    rows = []
    for issue in first.columns:
        a = first.loc[both, issue].to_numpy(dtype=int)
        b = second.loc[both, issue].to_numpy(dtype=int)
        alpha = (krippendorff.alpha(reliability_data=np.vstack([a, b]),
                                    level_of_measurement="nominal")
                 if len(set(a) | set(b)) > 1 else np.nan)
        rows.append({"issue": issue, "sentences": len(both), "first": int(a.sum()),
                     "second": int(b.sum()), "both": int((a & b).sum()),
                     "disagreements": int((a != b).sum()), "alpha": float(alpha)})
    return pd.DataFrame(rows)


def share_errors(salience: pd.DataFrame) -> pd.DataFrame:
    """Lexicon measure minus hand measure, in points, per cell and issue where both exist."""
    w = salience.pivot_table(index=["meeting", "speaker", "issue"], columns="measure",
                             values=["share", "share_uncorrected"], sort=False)
    if ("share", "hand") not in w.columns:
        return pd.DataFrame(columns=["meeting", "speaker", "issue", "error_corrected",
                                     "error_uncorrected"])
    w = w.dropna(subset=[("share", "hand")])
    return pd.DataFrame({
        "error_corrected": (w[("share", "lexicon")] - w[("share", "hand")]) * 100,
        "error_uncorrected": (w[("share_uncorrected", "lexicon")] - w[("share", "hand")]) * 100,
    }).reset_index()


def interval_coverage(salience: pd.DataFrame, second: pd.DataFrame,
                      sentences: pd.DataFrame) -> pd.DataFrame:
    """Do the intervals contain the shares of an independent coding? One row per cell × issue.

    ``second`` is a boolean sentence_id × issue frame (a second coding of a sample of the
    canonical sentences); its share per cell is compared with each measure's interval.
    The second coding is itself a sample, so a few misses are expected by chance.
    """
    canonical = sentences[sentences["canonical"]].set_index("sentence_id")
    coded = second[second.index.isin(canonical.index)]
    cells = canonical.loc[coded.index, ["meeting", "speaker"]]
    shares = (coded.groupby([cells["meeting"], cells["speaker"]]).mean()
              .stack().rename("second_share").reset_index()
              .rename(columns={"level_2": "issue"}))
    n = cells.groupby(["meeting", "speaker"]).size().rename("second_sentences").reset_index()
    out = salience.merge(shares, on=["meeting", "speaker", "issue"]).merge(
        n, on=["meeting", "speaker"])
    out["inside"] = ((out["ci_low"] - 1e-9 <= out["second_share"])
                     & (out["second_share"] <= out["ci_high"] + 1e-9))
    out["error"] = (out["share"] - out["second_share"]) * 100
    return out[["measure", "meeting", "speaker", "issue", "share", "ci_low", "ci_high",
                "second_share", "second_sentences", "inside", "error"]]
