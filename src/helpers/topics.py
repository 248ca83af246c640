"""Topics: NMF and LDA over seeds, k chosen with the seed spread.

- **Documents** are windows of up to ``WINDOW`` consecutive canonical sentences of one
  speaker within one turn.
- **Fits** are single-threaded with integer seeds, so byte-stable; every k is fitted with
  several seeds (:func:`sweep`).
- **Coherence** is NPMI of each topic's top terms in a *reference* corpus that holds none of
  the fitting windows (:func:`reference_matrix`); **exclusivity** is the mean share of a top
  term's weight that falls in its own topic.
- **Choosing k** (:func:`choose_k`) and **matching** refits to their medoid (Hungarian, on
  topic-term cosine; a topic is *stable* when its matched cosine reaches
  :data:`STABLE_COSINE` in at least :data:`STABLE_SHARE` of the other refits).
- Labels are earned in :mod:`helpers.topic_labels`; charts are in :mod:`helpers.topic_charts`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF, LatentDirichletAllocation
from threadpoolctl import threadpool_limits

from . import cache, config
from .inference import rng_for, unit_weights
from .parameters import (K_RANGE, LEVEL, MIN_STABILITY, N_BOOT, N_SEEDS, N_TOP, SEED,
                         STABLE_COSINE, STABLE_SHARE, WINDOW)


def make_documents(tokens: pd.DataFrame, window: int = WINDOW) -> pd.DataFrame:
    """The tokens with a ``document`` column, ``<source stem>:t<turn>:w<k>``: windows of
    ``window`` consecutive sentences of one turn."""
    sent = tokens[["source", "turn", "sentence_id"]].drop_duplicates()
    sent = sent.assign(_n=sent["sentence_id"].str.rsplit(":", n=1).str[1].astype(int))
    sent = sent.sort_values(["source", "_n"])
    k = sent.groupby(["source", "turn"]).cumcount() // window
    stem = sent["source"].map(lambda f: Path(f).stem)
    sent["document"] = stem + ":t" + sent["turn"].astype(str) + ":w" + k.astype(str)
    return tokens.merge(sent[["sentence_id", "document"]], on="sentence_id", how="left")


@cache.memoize
def fit_nmf(x, k: int, seed: int = SEED, max_iter: int = 1000):
    """Fit NMF on a TF-IDF matrix; return (document-topic W, topic-term H)."""
    with threadpool_limits(1):
        model = NMF(n_components=k, init="random", random_state=seed, max_iter=max_iter,
                    tol=1e-4)
        w = model.fit_transform(x)
    return w, model.components_


@cache.memoize
def fit_lda(x, k: int, seed: int = SEED, max_iter: int = 20):
    """Fit LDA (batch variational Bayes) on counts; return (document-topic, topic-term)."""
    with threadpool_limits(1):
        model = LatentDirichletAllocation(n_components=k, learning_method="batch",
                                          random_state=seed, max_iter=max_iter, n_jobs=1)
        w = model.fit_transform(x)
    return w, model.components_


def top_term_indices(h: np.ndarray, n: int = N_TOP) -> np.ndarray:
    """Indices of each topic's top ``n`` terms (ties broken by term index)."""
    return np.argsort(-h, axis=1, kind="stable")[:, :n]


def npmi_coherence(x, h: np.ndarray, n: int = N_TOP, eps: float = 1e-12) -> np.ndarray:
    """Mean NPMI, log[p(i, j) / (p(i) p(j))] / −log p(i, j), of each topic's top-``n`` term
    pairs, p the share of documents of ``x`` holding the terms; never together scores −1."""
    b = (sparse.csr_matrix(x) > 0).astype(np.float64)
    n_docs = b.shape[0]
    scores = []
    for top in top_term_indices(h, n):
        sub = b[:, top]
        co = (sub.T @ sub).toarray() / n_docs
        p = np.diag(co)
        iu = np.triu_indices(len(top), 1)
        pij, pi, pj = co[iu], p[iu[0]], p[iu[1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            npmi = np.where(pij > 0, np.log(pij / (pi * pj + eps)) / -np.log(pij + eps), -1.0)
        scores.append(float(np.mean(npmi)))
    return np.array(scores)


def exclusivity(h: np.ndarray, n: int = N_TOP) -> np.ndarray:
    """Mean share of each top-``n`` term's weight (over all topics) that is in its topic."""
    share = h / np.clip(h.sum(axis=0, keepdims=True), 1e-12, None)
    return np.array([share[t, top].mean() for t, top in enumerate(top_term_indices(h, n))])


def topic_table(h: np.ndarray, vocabulary, display: dict, model: str, labels: dict,
                n: int = N_TOP) -> pd.DataFrame:
    """One row per topic: model, topic, label, top terms (';'-joined)."""
    rows = []
    for t, top in enumerate(top_term_indices(h, n)):
        rows.append({"model": model, "topic": t, "label": labels.get(t, f"topic {t}"),
                     "top_terms": "; ".join(display.get(vocabulary[j], vocabulary[j])
                                            for j in top)})
    return pd.DataFrame(rows)


def representative_documents(w: np.ndarray, documents: pd.DataFrame, texts: pd.Series,
                             n: int = 3) -> pd.DataFrame:
    """The ``n`` documents with the highest share of each topic, with their text."""
    share = w / np.clip(w.sum(axis=1, keepdims=True), 1e-12, None)
    rows = []
    for t in range(share.shape[1]):
        for i in np.argsort(-share[:, t], kind="stable")[:n]:
            doc = documents.iloc[i]
            rows.append({"topic": t, "share": round(float(share[i, t]), 2),
                         "speaker": doc["speaker"], "document": doc["document"],
                         "text": texts.get(doc["document"], "")})
    return pd.DataFrame(rows)


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
def sweep(x_tfidf, x_counts, x_reference, ks=K_RANGE, seeds: int = N_SEEDS,
          seed: int = SEED, models=("nmf", "lda")):
    """Fit every model and k with ``seeds`` seeds; return (scores, fits).

    ``scores``: per model, k and seed, NPMI coherence against ``x_reference`` and stability
    (mean matched cosine to the other seeds); ``fits[(model, k)]``: (W, H) per seed.
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
    """Mean and seed-to-seed standard deviation of coherence and stability per model and k."""
    out = scores.groupby(["model", "k"])[["coherence", "stability"]].agg(["mean", "std"])
    out.columns = [f"{a}_{b}" for a, b in out.columns]
    return out.reset_index()


def choose_k(summary: pd.DataFrame, model: str, min_stability: float = MIN_STABILITY) -> int:
    """Smallest k whose mean coherence is within one seed-to-seed sd of the best among the
    k whose mean stability reaches ``min_stability`` (the sd is the best k's own).

    If no k reaches ``min_stability`` on average, the most stable k.
    """
    d = summary[summary["model"] == model].sort_values("k")
    ok = d[d["stability_mean"] >= min_stability]
    if ok.empty:
        return int(d.loc[d["stability_mean"].idxmax(), "k"])
    best = ok.loc[ok["coherence_mean"].idxmax()]
    near = ok[ok["coherence_mean"] >= best["coherence_mean"] - best["coherence_std"]]
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
                         labels: dict, n_boot: int = N_BOOT, seed: int = SEED,
                         level: float = LEVEL) -> pd.DataFrame:
    """Mean topic share per (meeting, speaker) over refits, with an interval that includes
    refitting and clustering: each replicate resamples the cell's turns and picks one refit.

    ``shares`` is S × docs × K (:func:`aligned_shares`); ``documents`` has meeting, speaker,
    source and turn. ``seed_min``/``seed_max``: the range of the share over single refits.
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
        rng = rng_for(seed, meeting, speaker, model)
        weights = unit_weights(rng, n_turns, n_boot)
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


def weightless_documents(fits, documents: pd.DataFrame) -> list[str]:
    """Ids of documents that some refit gives no topic weight at all (a row of zeros in W):
    they have no topic shares and are left out of prevalence and validation."""
    zero = np.zeros(len(documents), dtype=bool)
    for w, _ in fits:
        zero |= np.asarray(w).sum(axis=1) <= 0
    return documents.loc[zero, "document"].tolist()


def align_models(refits: dict, documents: pd.DataFrame, x_ref
                 ) -> tuple[dict, pd.DataFrame, list[str]]:
    """Per model, refits matched to their medoid (``medoid``, ``h``, aligned ``shares`` and
    ``mean_share``, ``stability``, ``npmi`` against ``x_ref``, ``exclusivity``); the documents
    every refit weighs; and the ids of the weightless ones left out."""
    weightless = sorted({d for fs in refits.values() for d in weightless_documents(fs, documents)})
    keep = ~documents["document"].isin(weightless).to_numpy()
    aligned = {}
    for m, fs in refits.items():
        medoid, orders, cos = align_refits(fs)
        shares = aligned_shares(fs, orders)[:, keep]
        h = fs[medoid][1]
        aligned[m] = {"medoid": medoid, "h": h, "shares": shares,
                      "mean_share": shares.mean(axis=0),
                      "stability": topic_stability(cos, medoid),
                      "npmi": npmi_coherence(x_ref, h), "exclusivity": exclusivity(h)}
    return aligned, documents[keep].reset_index(drop=True), weightless
