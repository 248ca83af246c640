"""How far to trust the issue measure: coding accuracy with intervals over turns, the
context rule chosen out of sample, coder agreement, and share errors.

"Out of sample" (:func:`choose_rule`, :func:`out_of_sample_share_errors`) holds for the
choice of the context rule and of the coding-error correction only: the lexicon itself was
written after reading every hand-coded source.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from . import config
from .inference import correct_shares, estimate_rates, rng_for
from .schemas import SCHEMAS


def precision_recall_f1(tp, fp, fn):
    """Precision, recall and F1 from confusion counts (arrays or numbers); NaN where
    undefined (F1 too when there is no true positive), so that the percentiles of a
    bootstrap skip those resamples. Evaluates every bootstrap weighting at once, which
    ``sklearn.metrics`` (F1 0 without a true positive) does not."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        r = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        f = np.where((p + r) > 0, 2 * p * r / (p + r), np.nan)
    return p, r, f


def micro_f1(predicted: pd.DataFrame, gold: pd.DataFrame) -> float:
    """Micro-averaged F1 of boolean sentence × issue frames, on ``gold``'s rows and issues
    (the F1 of all their cells at once: scikit-learn reads a single issue column as a
    binary target, whose "micro" average is the accuracy)."""
    return f1_score(gold.to_numpy(dtype=int).ravel(),
                    predicted.loc[gold.index, gold.columns].to_numpy(dtype=int).ravel(),
                    zero_division=0)


def _cluster_counts(pred: pd.DataFrame, gold: pd.DataFrame, groups: pd.Series):
    """True positives, false positives and false negatives per cluster (of ``groups``)
    and issue."""
    p = pred.loc[gold.index, gold.columns].to_numpy(dtype=np.int64)
    g = gold.to_numpy(dtype=np.int64)
    cl = pd.factorize(groups.loc[gold.index])[0]
    out = []
    for x in (p & g, p & (1 - g), (1 - p) & g):
        counts = np.zeros((cl.max() + 1, x.shape[1]), dtype=np.int64)
        np.add.at(counts, cl, x)
        out.append(counts)
    return out


def _cluster_weights(seed: int, key: str, n_clusters: int, n_boot: int) -> np.ndarray:
    """How often each cluster is drawn in each of ``n_boot`` resamples (rows)."""
    return rng_for(seed, key).multinomial(n_clusters, np.full(n_clusters, 1 / n_clusters),
                                          size=n_boot)


def score_with_intervals(predicted: pd.DataFrame, gold: pd.DataFrame, groups: pd.Series,
                         n_boot: int = 2000, seed: int = config.SEED,
                         level: float = 0.95) -> pd.DataFrame:
    """Per-issue and micro-averaged precision, recall and F1 with intervals from resampling
    whole clusters (``groups``, indexed like ``gold``: turns); ``support`` counts the
    hand-coded positives, ``predicted`` the lexicon's."""
    tp, fp, fn = _cluster_counts(predicted, gold, groups)
    w = _cluster_weights(seed, "score", len(tp), n_boot)
    a = (1 - level) / 2
    rows = []
    for name, sel in [(c, [k]) for k, c in enumerate(gold.columns)] + \
                     [("micro avg", list(range(gold.shape[1])))]:
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
            rows.append({"rule": mode, "source": source, "sentences": len(idx),
                         "f1": micro_f1(pred, gold.loc[idx])})
    return pd.DataFrame(rows)


def micro_f1_gain(pred: pd.DataFrame, base: pd.DataFrame, gold: pd.DataFrame,
                  groups: pd.Series, n_boot: int = 2000, seed: int = config.SEED,
                  level: float = 0.95) -> dict:
    """Micro-F1 of ``pred`` minus that of ``base`` on ``gold``, with a paired bootstrap
    interval over the clusters of ``groups`` (turns): both codings see the same resamples."""
    a = [m.sum(axis=1) for m in _cluster_counts(pred, gold, groups)]
    b = [m.sum(axis=1) for m in _cluster_counts(base, gold, groups)]
    w = _cluster_weights(seed, "gain", len(a[0]), n_boot)
    f = lambda c, wt: precision_recall_f1(*(wt @ x for x in c))[2]  # noqa: E731
    one = np.ones(len(a[0]))
    boot = f(a, w) - f(b, w)
    lo, hi = np.nanquantile(boot, [(1 - level) / 2, (1 + level) / 2])
    return {"f1": float(f(a, one)), "f1_base": float(f(b, one)),
            "gain": float(f(a, one) - f(b, one)), "gain_low": float(lo), "gain_high": float(hi)}


def _best_rule(predicted: dict[str, pd.DataFrame], gold: pd.DataFrame) -> str:
    """The rule with the highest micro-F1 on ``gold`` (ties: the earlier, simpler rule)."""
    f1 = {r: micro_f1(p, gold) for r, p in predicted.items()}
    return max(f1, key=lambda r: (f1[r], -list(f1).index(r)))


def choose_rule(coded_by_rule: dict[str, pd.DataFrame], gold: pd.DataFrame,
                baseline: str = "none", n_boot: int = 2000,
                seed: int = config.SEED) -> tuple[str, pd.DataFrame, dict]:
    """Choose the context rule by how it does out of sample (leave one source out).

    Each source is coded with the rule of best micro-F1 on the *other* sources; pooled,
    these held-out codings are compared with ``baseline`` by micro-F1, with a paired
    interval over whole turns. The rule best on all sources is used only if that gain's
    lower bound is above 0; otherwise the baseline is kept.

    Returns (chosen rule, folds: one row per held-out source, summary: the held-out
    predictions, the rule best on all sources, the rules chosen in the folds, and the gain
    over the baseline with its interval).
    """
    frames = {r: c.set_index("sentence_id") for r, c in coded_by_rule.items()}
    pred = {r: f.loc[gold.index, gold.columns] for r, f in frames.items()}
    info = frames[baseline].loc[gold.index]
    src, turns = info["source"], info["source"] + ":" + info["turn"].astype(str)
    held = pd.DataFrame(False, index=gold.index, columns=gold.columns)
    rows = []
    for source in sorted(src.unique()):
        test = (src == source).to_numpy()
        rule = (_best_rule({r: p[~test] for r, p in pred.items()}, gold[~test])
                if (~test).any() else baseline)
        held.loc[test] = pred[rule][test].to_numpy()
        score = {r: micro_f1(pred[r][test], gold[test]) for r in (rule, baseline)}
        rows.append({"held_out": source, "sentences": int(test.sum()), "chosen_rule": rule,
                     "f1_held_out": score[rule], "f1_baseline": score[baseline]})
    best = _best_rule(pred, gold)
    gain = micro_f1_gain(held, pred[baseline], gold, turns, n_boot, seed)
    folds = pd.DataFrame(rows)
    chosen = best if gain["gain_low"] > 0 else baseline
    return chosen, folds, {**gain, "predicted": held, "best": best, "groups": turns,
                           "rules": ";".join(sorted(set(folds["chosen_rule"])))}


def out_of_sample_share_errors(coded_by_rule: dict[str, pd.DataFrame], gold: pd.DataFrame,
                               salience: pd.DataFrame, speakers) -> pd.DataFrame:
    """Corrected lexicon share minus hand share, per cell with a hand measure and issue,
    with the context rule (best micro-F1) and the coding rates both taken from the
    hand-coded sentences of the other sources only (as
    :func:`helpers.salience.measure_cells` corrects with the rule chosen on all sources)."""
    ids = list(gold.columns)
    hand = salience[salience["measure"] == "hand"].set_index(["meeting", "speaker", "issue"])
    frames = {r: c[c["speaker"].isin(list(speakers))].set_index("sentence_id")
              for r, c in coded_by_rule.items()}
    any_frame = next(iter(frames.values()))
    coded_ids = gold.index.intersection(any_frame.index)
    coded_src = any_frame.loc[coded_ids, "source"]
    rows = []
    for (meeting, speaker), _ in hand.groupby(level=[0, 1], sort=False):
        in_cell = (any_frame["meeting"] == meeting) & (any_frame["speaker"] == speaker)
        train = coded_ids[~coded_src.isin(set(any_frame.loc[in_cell, "source"])).to_numpy()]
        if not len(train):
            continue
        rule = _best_rule({r: f.loc[train, ids] for r, f in frames.items()},
                          gold.loc[train, ids])
        pred = frames[rule][ids]
        raw = pred[in_cell.to_numpy()].mean().to_numpy(dtype=float)
        rates = estimate_rates(pred.loc[train], gold.loc[train, ids])
        corrected = correct_shares(raw, *rates.point())
        for k, issue in enumerate(ids):
            h = hand.loc[(meeting, speaker, issue), "share"]
            rows.append({"meeting": meeting, "speaker": speaker, "issue": issue, "rule": rule,
                         "error_corrected": (corrected[k] - h) * 100,
                         "error_uncorrected": (raw[k] - h) * 100})
    return pd.DataFrame(rows, columns=["meeting", "speaker", "issue", "rule",
                                       "error_corrected", "error_uncorrected"])


def reliability_rows(scores: pd.DataFrame, sample: str, rule: str, sentences: int,
                     errors: pd.DataFrame | None = None, gain: dict | None = None,
                     agreement: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows of ``reliability.csv`` for one sample: ``scores`` (:func:`score_with_intervals`),
    with the share errors of each issue (``errors``: :func:`share_errors` or
    :func:`out_of_sample_share_errors`; the micro avg row over all issues, with the cell of
    the largest), the gain over no inheritance (micro avg row) and coder agreement."""
    out = scores.rename(columns={"support": "hand_positives",
                                 "predicted": "lexicon_positives"}).assign(
        sample=sample, rule=rule, sentences=sentences)
    micro = out["issue"] == "micro avg"
    for key in ("gain", "gain_low", "gain_high"):
        out[key] = np.where(micro, (gain or {}).get(key, np.nan), np.nan)
    if agreement is not None:
        out = out.merge(agreement[["issue", "alpha", "sentences"]].rename(
            columns={"sentences": "alpha_sentences"}), on="issue", how="left")
        out.loc[micro, "alpha_sentences"] = agreement["sentences"].max()
    if errors is not None and len(errors):
        e = errors.assign(abs_c=errors["error_corrected"].abs(),
                          abs_u=errors["error_uncorrected"].abs())
        e = pd.concat([e, e.assign(issue="micro avg")])
        top = e.sort_values("abs_c", ascending=False, kind="stable").drop_duplicates("issue")
        agg = e.groupby("issue").agg(error_mean=("abs_c", "mean"), error_max=("abs_c", "max"),
                                     error_uncorrected_mean=("abs_u", "mean"),
                                     error_uncorrected_max=("abs_u", "max"))
        agg = agg.join(top.set_index("issue")[["meeting", "speaker"]].rename(
            columns={"meeting": "error_max_meeting", "speaker": "error_max_speaker"}))
        out = out.merge(agg.reset_index(), on="issue", how="left")
        top_issue = top[top["issue"] != "micro avg"]["issue"].iloc[0]
        out.loc[out["issue"] == "micro avg", "error_max_issue"] = top_issue
    return out.reindex(columns=list(SCHEMAS["reliability"].columns))


def agreement_by_issue(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Krippendorff's alpha (nominal, two coders) per issue on the sentences both coded
    (boolean sentence_id × issue frames), with each coder's positives and the
    disagreements."""
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
    """Does each measure's interval hold the share of an independent coding (``second``,
    boolean sentence_id × issue, of a sample of the canonical sentences)? One row per
    measure, cell and issue; that coding is itself a sample, so a few misses are chance."""
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


def quality_table(rule: str, n_gold: int, scores: pd.DataFrame, errors: pd.DataFrame,
                  agreement: pd.DataFrame, scores_out: pd.DataFrame, errors_out: pd.DataFrame,
                  rule_test: dict, scores_held: pd.DataFrame | None = None,
                  n_held: int = 0) -> pd.DataFrame:
    """``reliability.csv``: the in-sample, out-of-sample and (when a coding sheet is
    complete, ``scores_held`` given) held-out rows of :func:`reliability_rows`."""
    held = ([reliability_rows(scores_held, "held-out", rule, n_held)]
            if scores_held is not None else [])
    return pd.concat([reliability_rows(scores, "in-sample", rule, n_gold, errors,
                                       agreement=agreement),
                      reliability_rows(scores_out, "out-of-sample", rule_test["rules"], n_gold,
                                       errors_out, gain=rule_test)] + held, ignore_index=True)


def disagreements(gold: pd.DataFrame, second: pd.DataFrame, second_raw: pd.DataFrame,
                  first_raw: pd.DataFrame, sentences: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    """The sentences both coders coded, and the rows where their issues differ: the first
    coder's ``issues`` beside the second's (``second``), the second coder's note and the text."""
    both = gold.index.intersection(second.index)
    differ = both[(gold.loc[both] != second.loc[both]).any(axis=1).to_numpy()]
    table = second_raw.set_index("sentence_id").loc[differ].assign(
        first=first_raw.set_index("sentence_id")["issues"]).join(
        sentences.set_index("sentence_id")["text"])
    return len(both), table[["first", "issues", "note", "text"]].rename(
        columns={"issues": "second"}).reset_index()
