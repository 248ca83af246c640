"""Topic labels, earned against the hand coding, never assumed.

A hand-made label (``data/lexicons/topic_issue_map.csv``) carries over to a fitted topic whose
top ten terms share at least :data:`CARRY_MIN_SHARED` terms with the labelled one
(:func:`carry_labels`); it is *kept* only when the topic passes :func:`label_check` against
the hand coding (:func:`earned_labels`). Otherwise the topic is named by its top words and
marked unlabelled. :func:`compare_with_hand` sets labelled topics' shares beside the
hand-coded salience.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata
from sklearn.metrics import roc_auc_score

from . import cache
from .io import InputError, read_csv_records
from .parameters import CARRY_MIN_SHARED, LEVEL, MIN_NPMI, MIN_POSITIVE, N_BOOT, N_TOP, SEED

#: Speakers on the Russian side, for the speaker-identity AUC of :func:`label_check`.
RUSSIAN_SIDE = ("lavrov", "putin")


def carry_labels(fitted: pd.DataFrame, topic_map: pd.DataFrame, model: str,
                 stable: pd.Series | None = None) -> pd.DataFrame:
    """Carry hand-made labels over to fitted topics by top-term overlap.

    ``fitted`` has topic and top_terms ('; '-joined), ``topic_map`` as
    :func:`read_topic_map` returns it. Topics are matched one-to-one (Hungarian, on shared
    top-ten terms), needing :data:`CARRY_MIN_SHARED`. Per fitted topic: label, issues,
    status (``carried``, ``new`` or ``unstable``), map_topic (−1 if none) and shared.
    """
    f = fitted.sort_values("topic").reset_index(drop=True)
    m = topic_map[topic_map["model"] == model].reset_index(drop=True)
    terms_f = [set(t.split("; ")[:N_TOP]) for t in f["top_terms"]]
    terms_m = [set(t.split("; ")[:N_TOP]) for t in m["top_terms"]]
    shared = np.array([[len(a & b) for b in terms_m] for a in terms_f]).reshape(len(f), len(m))
    best = {}
    if shared.size:
        rows, cols = linear_sum_assignment(-shared)
        best = {r: c for r, c in zip(rows, cols) if shared[r, c] >= CARRY_MIN_SHARED}
    out = []
    for i, rec in f.iterrows():
        auto = ", ".join(rec["top_terms"].split("; ")[:3])
        row = {"topic": rec["topic"], "label": f"new: {auto}", "issues": "", "status": "new",
               "map_topic": -1, "shared": int(shared[i].max()) if shared.size else 0}
        if stable is not None and not bool(stable.get(rec["topic"], True)):
            row.update(label=f"unstable: {auto}", status="unstable")
        elif i in best:
            mapped = m.iloc[best[i]]
            row.update(label=mapped["label"], issues=mapped["issues"], status="carried",
                       map_topic=int(mapped["topic"]), shared=int(shared[i, best[i]]))
        out.append(row)
    return pd.DataFrame(out)


def document_issue_truth(documents: pd.DataFrame, sentence_docs: pd.DataFrame,
                         validation: pd.DataFrame) -> pd.DataFrame:
    """Hand-coded issues (a set) per document that has a sentence in ``validation``
    (sentence_id, ';'-joined issues); ``sentence_docs`` maps sentence_id to document."""
    v = validation.merge(sentence_docs, on="sentence_id")
    v = v.assign(issue_set=v["issues"].fillna("").str.split(";").map(lambda s: set(filter(None, s))))
    truth = v.groupby("document")["issue_set"].agg(lambda s: set().union(*s))
    return documents[["document"]].merge(truth.rename("issues").reset_index(), on="document")


def _turn_draws(documents: pd.DataFrame, n_boot: int, seed: int) -> list[np.ndarray]:
    """Bootstrap draws of row positions, resampling whole turns (source, turn)."""
    clusters, _ = pd.factorize(pd.MultiIndex.from_frame(documents[["source", "turn"]]))
    members = [np.flatnonzero(clusters == c) for c in range(clusters.max() + 1)]
    rng = np.random.default_rng(seed)
    return [np.concatenate([members[c] for c in rng.integers(0, len(members), len(members))])
            for _ in range(n_boot)]


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC, NaN without both classes."""
    return float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else float("nan")


def _auc_ranks(y: np.ndarray, score: np.ndarray) -> float:
    """The same AUC by the Mann-Whitney identity, ~50x faster than sklearn for bootstrap
    replicates."""
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    return float((rankdata(score)[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def label_check(shares: np.ndarray, documents: pd.DataFrame, truth: pd.DataFrame,
                candidates: dict[int, list[str]], npmi: np.ndarray, stable: np.ndarray,
                n_boot: int = N_BOOT, seed: int = SEED, level: float = LEVEL,
                min_npmi: float = MIN_NPMI) -> pd.DataFrame:
    """Does each topic earn an issue label? One row per (topic, candidate issue).

    ``shares`` is docs × K, ``truth`` from :func:`document_issue_truth`, ``candidates`` the
    issues of each topic's carried label. A topic earns an issue when it is stable, its NPMI
    exceeds ``min_npmi``, the AUC of its share for documents about the issue has a
    turn-bootstrap interval above 0.5 and exceeds its separation of Russian-side speakers
    (max(AUC, 1 − AUC)), and at least :data:`MIN_POSITIVE` coded documents are about it.
    """
    pos = pd.Series(np.arange(len(documents)), index=documents["document"])
    idx = pos[truth["document"]].to_numpy()
    coded = documents.iloc[idx]
    draws = _turn_draws(coded, n_boot, seed)
    russian = coded["speaker"].isin(RUSSIAN_SIDE).to_numpy()
    alpha = (1 - level) / 2
    rows = []
    for t, issues in sorted(candidates.items()):
        score = shares[idx, t]
        sep = _auc(russian, score)
        for issue in issues:
            y = truth["issues"].map(lambda s, i=issue: i in s).to_numpy()
            boots = np.array([_auc_ranks(y[d], score[d]) for d in draws])
            ok = ~np.isnan(boots)
            lo, hi = (np.quantile(boots[ok], [alpha, 1 - alpha]) if ok.any()
                      else (np.nan, np.nan))
            a = _auc(y, score)
            sep_t = max(sep, 1 - sep)
            rows.append({"topic": t, "issue": issue, "n_coded": len(y),
                         "n_positive": int(y.sum()), "auc": a, "auc_low": float(lo),
                         "auc_high": float(hi), "speaker_auc": sep_t,
                         "npmi": float(npmi[t]), "stable": bool(stable[t]),
                         "earned": bool(stable[t] and npmi[t] > min_npmi and lo > 0.5
                                        and a > sep_t and y.sum() >= MIN_POSITIVE)})
    return pd.DataFrame(rows, columns=["topic", "issue", "n_coded", "n_positive", "auc",
                                       "auc_low", "auc_high", "speaker_auc", "npmi", "stable",
                                       "earned"])


def earned_labels(carried: pd.DataFrame, check: pd.DataFrame,
                  top_terms: pd.Series) -> pd.DataFrame:
    """Final label and issues per topic: the carried label with the issues it earned, or
    ``unlabelled: <top three words>`` with none. ``carried`` is :func:`carry_labels`' output,
    ``top_terms`` the '; '-joined top terms per topic."""
    earned = check.loc[check["earned"].astype(bool)].groupby("topic")["issue"].agg(";".join)
    out = carried.copy()
    words = top_terms.reindex(out["topic"]).str.split("; ").str[:3].str.join(", ").to_numpy()
    has = out["topic"].isin(earned.index).to_numpy()
    out["label"] = np.where(has, out["label"], "unlabelled: " + words)
    out["issues"] = [earned[t] if t in earned.index else "" for t in out["topic"]]
    out["labelled"] = has
    return out


def compare_with_hand(prevalence: pd.DataFrame, labels: pd.DataFrame,
                      salience: pd.DataFrame) -> pd.DataFrame:
    """Each labelled topic's prevalence beside the hand-coded share of each of its issues,
    per cell, and whether the intervals overlap (``agree``)."""
    hand = salience[salience["measure"] == "hand"].set_index(["meeting", "speaker", "issue"])
    rows = []
    for lab in labels[labels["issues"] != ""].itertuples():
        for issue in lab.issues.split(";"):
            p = prevalence[prevalence["topic"] == lab.topic]
            for r in p.itertuples():
                if (r.meeting, r.speaker, issue) not in hand.index:
                    continue
                h = hand.loc[(r.meeting, r.speaker, issue)]
                rows.append({"topic": lab.topic, "label": lab.label, "issue": issue,
                             "meeting": r.meeting, "speaker": r.speaker,
                             "topic_share": r.share, "topic_low": r.ci_low,
                             "topic_high": r.ci_high, "hand_share": h["share"],
                             "hand_low": h["ci_low"], "hand_high": h["ci_high"],
                             "agree": bool(r.ci_low <= h["ci_high"] and h["ci_low"] <= r.ci_high)})
    return pd.DataFrame(rows, columns=["topic", "label", "issue", "meeting", "speaker",
                                       "topic_share", "topic_low", "topic_high", "hand_share",
                                       "hand_low", "hand_high", "agree"])


TOPIC_MAP_COLUMNS = ["model", "topic", "label", "issues", "top_terms"]


def read_topic_map(path, known_issues: set[str]) -> pd.DataFrame:
    """Read the hand-made topic labels (model nmf/lda, topic, label, issues ';'-joined,
    top_terms; optional note, top_terms_check); errors name the file, the row and the fix."""
    path = Path(path)
    rows, seen = [], {}
    for row, line, rec in read_csv_records(path, TOPIC_MAP_COLUMNS,
                                           optional=["note", "top_terms_check"]):
        def bad(msg: str) -> InputError:
            return InputError(path, msg, row=row, line=line)
        model, topic = rec["model"].strip(), rec["topic"].strip()
        if model not in {"nmf", "lda"}:
            raise bad(f"model must be 'nmf' or 'lda', got {model!r}")
        if not topic.isdigit():
            raise bad(f"topic must be a whole number, got {topic!r}")
        if (model, int(topic)) in seen:
            raise bad(f"{model} topic {topic} is listed twice (also row {seen[model, int(topic)]})"
                      "; keep one row per topic")
        seen[model, int(topic)] = row
        if not rec["label"].strip():
            raise bad(f"{model} topic {topic} has no label")
        unknown = [i for i in rec["issues"].split(";") if i and i not in known_issues]
        if unknown:
            raise bad(f"unknown issue id(s) {unknown}; use ids from data/lexicons/issues.yml")
        rows.append({**rec, "model": model, "topic": int(topic)})
    return pd.DataFrame(rows, columns=TOPIC_MAP_COLUMNS + ["note", "top_terms_check"]).fillna("")


@cache.memoize
def check_models(carried: pd.DataFrame, aligned: dict, fitted: pd.DataFrame,
                 documents: pd.DataFrame, truth: pd.DataFrame, n_boot: int = N_BOOT
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`label_check` and :func:`earned_labels` for each model of ``aligned``."""
    checks, earned = [], []
    for m, a in aligned.items():
        c = carried[carried["model"] == m]
        candidates = {int(r.topic): [i for i in r.issues.split(";") if i]
                      for r in c.itertuples() if r.issues}
        chk = label_check(a["mean_share"], documents, truth, candidates, a["npmi"],
                          a["stability"]["stable"].to_numpy(), n_boot=n_boot)
        checks.append(chk.assign(model=m))
        terms = fitted[fitted["model"] == m].set_index("topic")["top_terms"]
        earned.append(earned_labels(c, chk, terms))
    return pd.concat(checks, ignore_index=True), pd.concat(earned, ignore_index=True)
