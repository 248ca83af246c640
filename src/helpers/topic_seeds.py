"""Topics over seeds: k chosen by coherence averaged over refits, topics matched across
seeds, prevalence averaged over refits, labels carried over, and validation against hand codes.

- **Coherence** is NPMI of each topic's top terms, counted in a *reference* corpus that is not
  the fitting set: windows of every source's sentences, repeats and every speaker included
  (:func:`reference_matrix`). On the fitting windows alone, most terms occur in one window and
  score NPMI ≈ 1 by construction.
- **The k sweep** fits every k with ``seeds`` seeds and records coherence and stability (mean
  matched cosine to the other seeds) *per seed*, so the k curve has a spread. The chosen k is
  the smallest whose mean coherence is within one standard error of the best among the k whose
  mean stability reaches ``min_stability`` (the one-standard-error rule).
- **Matching.** The refits at the chosen k are matched to their medoid fit (the one most
  similar to all others) by the Hungarian algorithm on topic-term cosine. A topic is *stable*
  when its matched cosine is at least :data:`STABLE_COSINE` in at least :data:`STABLE_SHARE`
  of the other refits; an unstable topic gets no substantive label.
- **Labels carry over** from the hand-made map to a fitted topic whose top ten terms share at
  least :data:`CARRY_MIN_SHARED` terms with the labelled topic's (one-to-one, Hungarian).
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from . import cache, config
from .topics import fit_lda, fit_nmf, npmi_coherence

STABLE_COSINE = 0.8
STABLE_SHARE = 0.9
CARRY_MIN_SHARED = 5
N_TOP = 10


def reference_matrix(tokens: pd.DataFrame, vocabulary) -> sparse.csr_matrix:
    """Document-term counts of reference windows (``tokens`` with a ``document`` column),
    with columns aligned to ``vocabulary`` (other terms dropped)."""
    index = pd.Index(vocabulary)
    t = tokens[tokens["term"].isin(index)]
    rows, docs = pd.factorize(t["document"], sort=True)
    cols = index.get_indexer(t["term"])
    x = sparse.csr_matrix((np.ones(len(t)), (rows, cols)), shape=(len(docs), len(index)))
    x.sum_duplicates()
    return x


def _cosine(h1: np.ndarray, h2: np.ndarray) -> np.ndarray:
    a = h1 / np.linalg.norm(h1, axis=1, keepdims=True).clip(1e-12)
    b = h2 / np.linalg.norm(h2, axis=1, keepdims=True).clip(1e-12)
    return a @ b.T


def match(h_ref: np.ndarray, h: np.ndarray):
    """Hungarian match of ``h``'s topics to ``h_ref``'s: return (order, cosine per ref topic).

    ``h[order[t]]`` is the topic matched to reference topic ``t``.
    """
    sim = _cosine(h_ref, h)
    rows, cols = linear_sum_assignment(-sim)
    order = np.empty(len(rows), dtype=int)
    order[rows] = cols
    return order, sim[rows, cols][np.argsort(rows)]


@cache.memoize
def sweep(x_tfidf, x_counts, x_reference, ks=range(3, 11), seeds: int = 10,
          seed: int = config.SEED, models=("nmf", "lda")):
    """Fit every model and k with ``seeds`` seeds; return (scores, fits).

    ``scores`` has one row per model, k and seed: NPMI coherence against ``x_reference`` and
    stability (mean matched cosine to the other seeds). ``fits[(model, k)]`` is the list of
    (W, H) per seed. Cached on its arguments.
    """
    jobs = [(model, x_tfidf if model == "nmf" else x_counts, k, seed + s)
            for model in models for k in ks for s in range(seeds)]
    done = iter(config.map_processes(_fit_one, jobs))  # each fit is seeded: same in any worker
    rows, fits = [], {}
    for model in models:
        for k in ks:
            fs = [next(done) for _ in range(seeds)]
            fits[(model, k)] = fs
            sims = np.array([[match(a[1], b[1])[1].mean() for b in fs] for a in fs])
            for s, (w, h) in enumerate(fs):
                rows.append({"model": model, "k": k, "seed": seed + s,
                             "coherence": float(npmi_coherence(x_reference, h).mean()),
                             "stability": float((sims[s].sum() - 1) / max(seeds - 1, 1))})
    return pd.DataFrame(rows), fits


def _fit_one(job):
    """One fit of the sweep: ``job`` is (model, matrix, k, seed); returns (W, H)."""
    model, x, k, seed = job
    return (fit_nmf if model == "nmf" else fit_lda).uncached(x, k, seed)


def summarise_sweep(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean, standard deviation and standard error of coherence and stability per model and k."""
    g = scores.groupby(["model", "k"])
    out = g[["coherence", "stability"]].agg(["mean", "std"])
    out.columns = [f"{a}_{b}" for a, b in out.columns]
    out["coherence_se"] = out["coherence_std"] / np.sqrt(g.size())
    return out.reset_index()


def choose_k(summary: pd.DataFrame, model: str, min_stability: float = 0.8) -> int:
    """Smallest k within one standard error of the best mean coherence among stable k.

    If no k reaches ``min_stability`` on average, the most stable k.
    """
    d = summary[summary["model"] == model].sort_values("k")
    ok = d[d["stability_mean"] >= min_stability]
    if ok.empty:
        return int(d.loc[d["stability_mean"].idxmax(), "k"])
    best = ok.loc[ok["coherence_mean"].idxmax()]
    near = ok[ok["coherence_mean"] >= best["coherence_mean"] - best["coherence_se"]]
    return int(near["k"].min())


def align_refits(fits):
    """Match refits to their medoid; return (medoid index, orders, cosines S × K)."""
    sims = np.array([[match(a[1], b[1])[1].mean() for b in fits] for a in fits])
    medoid = int(np.argmax(sims.sum(axis=1)))
    orders, cos = zip(*(match(fits[medoid][1], h) for _, h in fits))
    return medoid, np.array(orders), np.array(cos)


def topic_stability(cosines: np.ndarray, medoid: int) -> pd.DataFrame:
    """Per topic of the medoid: median and minimum matched cosine over the other refits,
    the share at or above :data:`STABLE_COSINE`, and whether the topic is stable."""
    other = np.delete(cosines, medoid, axis=0)
    share = (other >= STABLE_COSINE).mean(axis=0)
    return pd.DataFrame({"topic": range(cosines.shape[1]),
                         "median_cosine": np.median(other, axis=0),
                         "min_cosine": other.min(axis=0), "share_matched": share,
                         "stable": share >= STABLE_SHARE})


def aligned_shares(fits, orders) -> np.ndarray:
    """Document-topic shares of every refit, topics in the medoid's order: S × docs × K."""
    out = []
    for (w, _), order in zip(fits, orders):
        s = w[:, order]
        out.append(s / np.clip(s.sum(axis=1, keepdims=True), 1e-12, None))
    return np.array(out)


def consensus_prevalence(shares: np.ndarray, documents: pd.DataFrame, model: str,
                         labels: dict, n_boot: int = 2000, seed: int = config.SEED,
                         level: float = 0.95) -> pd.DataFrame:
    """Mean topic share per (meeting, speaker), averaged over refits, with an interval that
    includes refitting and clustering.

    ``shares`` is S × docs × K (:func:`aligned_shares`); ``documents`` has meeting, speaker,
    source and turn. Each bootstrap replicate resamples the cell's *turns* with replacement
    (documents of one turn stay together) and picks one refit at random; the share is then
    the replicate's mean over its documents. Returns the schema columns of
    ``topic_prevalence`` plus ``seed_min`` / ``seed_max``: the range of the cell's share
    over single refits. Cells without documents have no rows.
    """
    alpha = (1 - level) / 2
    n_seeds, _, k = shares.shape
    rows = []
    for (meeting, speaker), idx in documents.groupby(["meeting", "speaker"]).indices.items():
        turn_codes, _ = pd.factorize(pd.MultiIndex.from_frame(
            documents.iloc[idx][["source", "turn"]]))
        n_turns = turn_codes.max() + 1
        ind = sparse.csr_matrix((np.ones(len(idx)), (turn_codes, np.arange(len(idx)))),
                                shape=(n_turns, len(idx)))
        sums = np.array([ind @ shares[s, idx] for s in range(n_seeds)])  # S × turns × K
        docs_per_turn = np.asarray(ind.sum(axis=1)).ravel()
        rng = np.random.default_rng([seed, zlib.crc32(f"{meeting}|{speaker}|{model}".encode())])
        weights = rng.multinomial(n_turns, np.full(n_turns, 1 / n_turns), size=n_boot)
        pick = rng.integers(0, n_seeds, size=n_boot)
        boot = np.einsum("bt,btk->bk", weights, sums[pick]) / (weights @ docs_per_turn)[:, None]
        lo, hi = np.quantile(boot, [alpha, 1 - alpha], axis=0)
        per_seed = shares[:, idx].mean(axis=1)  # S × K
        point = per_seed.mean(axis=0)
        for t in range(k):
            rows.append({"meeting": meeting, "speaker": speaker, "model": model, "topic": t,
                         "label": labels.get(t, f"topic {t}"), "share": float(point[t]),
                         "ci_low": float(min(lo[t], point[t])),
                         "ci_high": float(max(hi[t], point[t])),
                         "n_documents": len(idx), "seed_min": float(per_seed[:, t].min()),
                         "seed_max": float(per_seed[:, t].max())})
    return pd.DataFrame(rows)


def carry_labels(fitted: pd.DataFrame, topic_map: pd.DataFrame, model: str,
                 stable: pd.Series | None = None) -> pd.DataFrame:
    """Carry hand-made labels over to fitted topics by top-term overlap.

    ``fitted`` has topic and top_terms ('; '-joined); ``topic_map`` has model, topic, label,
    issues and top_terms (the labelled topic's top ten). Pairs are matched one-to-one
    (Hungarian, on shared top-ten terms); a match needs :data:`CARRY_MIN_SHARED` shared
    terms. Returns, per fitted topic: label, issues, status (``carried`` with the map row's
    topic, ``new`` = needs a label, or ``unstable`` = no substantive label) and shared.
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
        if stable is not None and not bool(stable.get(rec["topic"], True)):
            out.append({"topic": rec["topic"], "label": f"unstable: {auto}", "issues": "",
                        "status": "unstable", "map_topic": -1,
                        "shared": int(shared[i].max()) if shared.size else 0})
        elif i in best:
            row = m.iloc[best[i]]
            out.append({"topic": rec["topic"], "label": row["label"], "issues": row["issues"],
                        "status": "carried", "map_topic": int(row["topic"]),
                        "shared": int(shared[i, best[i]])})
        else:
            out.append({"topic": rec["topic"], "label": f"new: {auto}", "issues": "",
                        "status": "new", "map_topic": -1,
                        "shared": int(shared[i].max()) if shared.size else 0})
    return pd.DataFrame(out)


def document_issue_truth(documents: pd.DataFrame, sentence_docs: pd.DataFrame,
                         validation: pd.DataFrame) -> pd.DataFrame:
    """Hand-coded issues per document: a document is coded if any of its sentences is in the
    validation sample, and has an issue if any of its coded sentences has it.

    ``sentence_docs`` maps sentence_id → document; ``validation`` has sentence_id and issues
    (';'-separated). Returns one row per coded document with a set of issues.
    """
    v = validation.merge(sentence_docs, on="sentence_id")
    v = v.assign(issue_set=v["issues"].fillna("").str.split(";").map(lambda s: set(filter(None, s))))
    truth = v.groupby("document")["issue_set"].agg(lambda s: set().union(*s))
    return documents[["document"]].merge(truth.rename("issues").reset_index(), on="document")


def auc(score: np.ndarray, positive: np.ndarray) -> float:
    """Area under the ROC curve (Mann–Whitney, ties count half); NaN without both classes."""
    from scipy.stats import rankdata

    positive = np.asarray(positive, bool)
    n1, n0 = positive.sum(), (~positive).sum()
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = rankdata(score)
    return float((r[positive].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def validate_topics(shares: np.ndarray, documents: pd.DataFrame, truth: pd.DataFrame,
                    topic_issues: dict[int, list[str]], n_boot: int = 2000,
                    seed: int = config.SEED, level: float = 0.95) -> pd.DataFrame:
    """AUC of each labelled topic's document share for its mapped issues, with a bootstrap
    interval over turns (documents of one turn resampled together).

    ``shares`` is docs × K (averaged over refits); a coded document is positive when its
    hand codes include any of the topic's issues.
    """
    pos_of = pd.Series(np.arange(len(documents)), index=documents["document"])
    idx = pos_of[truth["document"]].to_numpy()
    clusters, _ = pd.factorize(pd.MultiIndex.from_frame(documents.iloc[idx][["source", "turn"]]))
    rng = np.random.default_rng(seed)
    members = [np.flatnonzero(clusters == c) for c in range(clusters.max() + 1)]
    draws = [np.concatenate([members[c] for c in rng.integers(0, len(members), len(members))])
             for _ in range(n_boot)]
    alpha = (1 - level) / 2
    rows = []
    for t, issues in sorted(topic_issues.items()):
        if not issues:
            continue
        y = truth["issues"].map(lambda s: bool(s & set(issues))).to_numpy()
        score = shares[idx, t]
        boots = np.array([auc(score[d], y[d]) for d in draws])
        boots = boots[~np.isnan(boots)]
        lo, hi = np.quantile(boots, [alpha, 1 - alpha]) if len(boots) else (np.nan, np.nan)
        rows.append({"topic": t, "issues": ";".join(issues), "n_coded": len(y),
                     "n_positive": int(y.sum()), "auc": auc(score, y), "auc_low": float(lo),
                     "auc_high": float(hi)})
    return pd.DataFrame(rows, columns=["topic", "issues", "n_coded", "n_positive", "auc",
                                       "auc_low", "auc_high"])


# --------------------------------------------------------------------------- charts
def plot_k_curve(scores: pd.DataFrame, chosen: dict, title: str | None = None):
    """Coherence and stability against k, mean ± sd over seeds; the chosen k circled."""
    import matplotlib.pyplot as plt

    from .figures import OKABE_ITO, add_source_note

    n_seeds = scores.groupby(["model", "k"]).size().max()
    fig, axes = plt.subplots(1, 2, figsize=(6.5, 2.9))
    for ax, metric in zip(axes, ("coherence", "stability")):
        for c, off, (model, d) in zip((OKABE_ITO[4], OKABE_ITO[5]), (-0.08, 0.08),
                                      scores.groupby("model")):
            g = d.groupby("k")[metric]
            ax.scatter(d["k"] + off, d[metric], s=6, color=c, alpha=0.35, linewidths=0)
            ax.errorbar(g.mean().index + off, g.mean(), yerr=g.std(), color=c, marker="o",
                        ms=3, capsize=2, lw=1, label=model.upper())
            k = chosen.get(model)
            if k is not None:
                ax.scatter([k + off], [g.mean()[k]], s=70, facecolors="none", edgecolors=c)
        ax.set_xlabel("number of topics k")
        ax.set_title("NPMI coherence (reference: all sources)" if metric == "coherence" else
                     f"Stability (matched cosine), {n_seeds} seeds", fontsize=8)
    axes[0].legend(fontsize=7)
    fig.suptitle(title or "Choosing k", x=0.0, ha="left", fontsize=10, fontweight="bold")
    fig.tight_layout()
    add_source_note(fig)
    return fig
