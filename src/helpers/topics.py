"""Topics: NMF and LDA topic models with a k chosen by coherence and stability.

A *document* here is a window of up to ``WINDOW`` consecutive canonical sentences of one
speaker within one turn: long enough to carry a topic (sentences average ~15 words, most of
them stop words), short enough to stay on one subject, and never mixing speakers.

All fits are single-threaded (``threadpool_limits(1)``) with integer seeds, so the same seed
gives byte-identical tables. Coherence is NPMI over the corpus's own document
co-occurrence; stability is the mean best-match cosine similarity of topic-term vectors
between fits with different seeds (Hungarian matching against a reference fit).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from . import cache, config
from .sources import order_meetings

WINDOW = 3


def make_documents(tokens: pd.DataFrame, window: int = WINDOW) -> pd.DataFrame:
    """Assign each token to a document: ``window`` consecutive sentences of one turn.

    Returns the tokens with a ``document`` column (a stable string id).
    """
    sent = tokens[["source", "turn", "sentence_id"]].drop_duplicates()
    sent = sent.assign(_n=sent["sentence_id"].str.rsplit(":", n=1).str[1].astype(int))
    sent = sent.sort_values(["source", "_n"])
    k = sent.groupby(["source", "turn"]).cumcount() // window
    sent["document"] = sent["source"].str.slice(0, 3) + ":t" + sent["turn"].astype(str) \
        + ":w" + k.astype(str)
    return tokens.merge(sent[["sentence_id", "document"]], on="sentence_id", how="left")


@cache.memoize
def fit_nmf(x, k: int, seed: int = config.SEED, max_iter: int = 1000):
    """Fit NMF on a TF-IDF matrix; return (document-topic W, topic-term H)."""
    from sklearn.decomposition import NMF
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        model = NMF(n_components=k, init="random", random_state=seed, max_iter=max_iter,
                    tol=1e-4)
        w = model.fit_transform(x)
    return w, model.components_


@cache.memoize
def fit_lda(x, k: int, seed: int = config.SEED, max_iter: int = 20):
    """Fit LDA (batch variational Bayes) on counts; return (document-topic, topic-term)."""
    from sklearn.decomposition import LatentDirichletAllocation
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        model = LatentDirichletAllocation(n_components=k, learning_method="batch",
                                          random_state=seed, max_iter=max_iter, n_jobs=1)
        w = model.fit_transform(x)
    return w, model.components_


def top_term_indices(h: np.ndarray, n: int = 10) -> np.ndarray:
    """Indices of each topic's top ``n`` terms (ties broken by term index)."""
    return np.argsort(-h, axis=1, kind="stable")[:, :n]


def npmi_coherence(x, h: np.ndarray, n: int = 10, eps: float = 1e-12) -> np.ndarray:
    """Mean NPMI of each topic's top-``n`` term pairs, from document co-occurrence in ``x``.

    NPMI(i, j) = log[p(i, j) / (p(i) p(j))] / −log p(i, j), with p from the share of
    documents containing the terms; pairs that never co-occur score −1.
    """
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


def topic_similarity(h1: np.ndarray, h2: np.ndarray) -> float:
    """Mean cosine similarity of best-matched topics between two topic-term matrices."""
    a = h1 / np.linalg.norm(h1, axis=1, keepdims=True).clip(1e-12)
    b = h2 / np.linalg.norm(h2, axis=1, keepdims=True).clip(1e-12)
    sim = a @ b.T
    rows, cols = linear_sum_assignment(-sim)
    return float(sim[rows, cols].mean())


@cache.memoize
def select_k(x_tfidf, x_counts, ks=range(3, 11), seeds: int = 10,
             seed: int = config.SEED) -> pd.DataFrame:
    """Coherence and stability of NMF and LDA over ``ks``; one row per model and k.

    Cached on its arguments (:mod:`helpers.cache`): the sweep fits 2 × len(ks) × seeds models.
    """
    rows = []
    # the sweep's many fits are cached as one result, not one entry per fit
    for model, x, fit in (("nmf", x_tfidf, fit_nmf.uncached),
                          ("lda", x_counts, fit_lda.uncached)):
        for k in ks:
            fits = [fit(x, k, seed + s)[1] for s in range(seeds)]
            coh = npmi_coherence(x_counts, fits[0])
            stab = np.mean([topic_similarity(fits[0], f) for f in fits[1:]])
            rows.append({"model": model, "k": k, "coherence": float(coh.mean()),
                         "stability": float(stab)})
    return pd.DataFrame(rows)


def choose_k(scores: pd.DataFrame, model: str, min_stability: float = 0.8) -> int:
    """The k with the best coherence among those with stability ≥ ``min_stability``.

    If no k is that stable, the most stable k. Ties go to the smaller k.
    """
    d = scores[scores["model"] == model].sort_values("k")
    ok = d[d["stability"] >= min_stability]
    pick = ok.loc[ok["coherence"].idxmax()] if len(ok) else d.loc[d["stability"].idxmax()]
    return int(pick["k"])


def topic_table(h: np.ndarray, vocabulary, display: dict, model: str, labels: dict,
                n: int = 10) -> pd.DataFrame:
    """One row per topic: model, topic, label, top terms (';'-joined)."""
    rows = []
    for t, top in enumerate(top_term_indices(h, n)):
        rows.append({"model": model, "topic": t, "label": labels.get(t, f"topic {t}"),
                     "top_terms": "; ".join(display.get(vocabulary[j], vocabulary[j])
                                            for j in top)})
    return pd.DataFrame(rows)


def compute_prevalence(w: np.ndarray, documents: pd.DataFrame, model: str, labels: dict,
                       n_boot: int = 2000, seed: int = config.SEED,
                       level: float = 0.95) -> pd.DataFrame:
    """Mean document-topic share per (meeting, speaker), with a bootstrap over documents.

    Rows of ``w`` are normalised to sum to 1. Each cell's resamples are drawn at once as a
    (n_boot × n) multinomial weight matrix, seeded per cell, so results do not depend on
    which other cells are computed. Cells without documents have no rows.
    """
    import zlib

    share = w / np.clip(w.sum(axis=1, keepdims=True), 1e-12, None)
    alpha = (1 - level) / 2
    rows = []
    for (meeting, speaker), idx in documents.groupby(["meeting", "speaker"]).indices.items():
        s = share[idx]
        rng = np.random.default_rng([seed, zlib.crc32(f"{meeting}|{speaker}|{model}".encode())])
        weights = rng.multinomial(len(idx), np.full(len(idx), 1 / len(idx)), size=n_boot)
        boot = weights @ s / len(idx)
        lo, hi = np.quantile(boot, [alpha, 1 - alpha], axis=0)
        for t in range(s.shape[1]):
            rows.append({"meeting": meeting, "speaker": speaker, "model": model, "topic": t,
                         "label": labels.get(t, f"topic {t}"), "share": float(s[:, t].mean()),
                         "ci_low": float(lo[t]), "ci_high": float(hi[t]),
                         "n_documents": len(idx)})
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


# --------------------------------------------------------------------------- charts
def plot_k_selection(scores: pd.DataFrame, chosen: dict, title: str | None = None):
    """Coherence and stability against k for each model; the chosen k marked."""
    import matplotlib.pyplot as plt

    from .figures import OKABE_ITO, add_source_note

    fig, axes = plt.subplots(1, 2, figsize=(6.5, 2.8))
    for ax, metric in zip(axes, ("coherence", "stability")):
        for c, (model, d) in zip((OKABE_ITO[4], OKABE_ITO[5]), scores.groupby("model")):
            ax.plot(d["k"], d[metric], marker="o", ms=3, color=c, label=model.upper())
            k = chosen.get(model)
            if k is not None:
                ax.scatter([k], d.loc[d["k"] == k, metric], s=60, facecolors="none",
                           edgecolors=c)
        ax.set_xlabel("number of topics k")
        ax.set_title("NPMI coherence" if metric == "coherence" else
                     "Stability over 10 seeds", fontsize=9)
    axes[0].legend()
    fig.suptitle(title or "Choosing k", x=0.0, ha="left", fontsize=10, fontweight="bold")
    fig.tight_layout()
    add_source_note(fig)
    return fig


def plot_prevalence_heatmap(prev: pd.DataFrame, speakers=("pompeo", "lavrov", "putin"),
                            title: str | None = None):
    """Topic share for every speaker-meeting cell; cells without data hatched, not 0."""
    from .figures import plot_share_heatmap

    meetings = order_meetings(prev["meeting"].unique())
    cols = [(sp, m) for sp in speakers for m in meetings]
    grid = prev.pivot_table(index="label", columns=["speaker", "meeting"], values="share",
                            aggfunc="first").reindex(
        columns=pd.MultiIndex.from_tuples(cols))
    order = prev.drop_duplicates("topic").sort_values("topic")["label"]
    grid = grid.reindex(order)
    return plot_share_heatmap(grid, grid.index, title or "Topic prevalence (%)",
                              row_height=0.35)


def plot_prevalence_dots(prev: pd.DataFrame, meeting: str, speakers=("pompeo", "lavrov"),
                         title: str | None = None):
    """Dot plot with intervals of topic prevalence, speakers side by side, at one meeting."""
    import matplotlib.pyplot as plt

    from .figures import SPEAKER_COLOURS, SPEAKER_MARKERS, add_source_note

    d = prev[(prev["meeting"] == meeting) & prev["speaker"].isin(speakers)]
    order = d.groupby("label")["share"].max().sort_values().index.tolist()
    y = {lab: k for k, lab in enumerate(order)}
    fig, ax = plt.subplots(figsize=(6.5, 0.35 * len(order) + 1.2))
    for off, sp in zip(np.linspace(-0.15, 0.15, len(speakers)), speakers):
        e = d[d["speaker"] == sp]
        ax.errorbar(e["share"] * 100, e["label"].map(y) + off,
                    xerr=[(e["share"] - e["ci_low"]) * 100, (e["ci_high"] - e["share"]) * 100],
                    fmt=SPEAKER_MARKERS.get(sp, "o"), color=SPEAKER_COLOURS[sp], ms=5,
                    capsize=2, lw=1, label=sp.title())
    ax.set_yticks(range(len(order)), order)
    ax.set_xlabel("Mean share of the speaker's documents (%), with 95% bootstrap interval")
    ax.set_title(title or "Topic prevalence", loc="left")
    ax.legend(loc="lower right")
    add_source_note(fig)
    return fig


def load_topic_map(path, fitted: pd.DataFrame | None = None,
                   known_issues: set[str] | None = None, strict: bool = True) -> pd.DataFrame:
    """Read the hand-made topic labels and issue map; check it still fits the models.

    ``fitted`` is a :func:`topic_table` of the current fits: if a topic's first five terms
    differ from ``top_terms_check``, the labels no longer describe the topics. With
    ``strict=True`` that is an error naming the row; with ``strict=False`` (used by the
    notebook, so that a new transcript still flows through) the topic gets an automatic
    label from its top terms and no issue, and a warning asks the analyst to relabel.
    """
    from pathlib import Path

    from .io import InputError

    path = Path(path)
    m = pd.read_csv(path, keep_default_na=False, dtype=str)
    need = {"model", "topic", "label", "issues", "top_terms_check", "note"}
    if need - set(m.columns):
        raise InputError(path, f"missing columns {sorted(need - set(m.columns))}", line=1)
    m["topic"] = m["topic"].astype(int)
    for row, rec in enumerate(m.itertuples(), start=1):
        if not rec.label.strip():
            raise InputError(path, f"{rec.model} topic {rec.topic} has no label", row=row)
        for iid in filter(None, rec.issues.split(";")):
            if known_issues is not None and iid not in known_issues:
                raise InputError(path, f"unknown issue id {iid!r}", row=row)
        if fitted is not None:
            f = fitted[(fitted["model"] == rec.model) & (fitted["topic"] == rec.topic)]
            first5 = "; ".join(f["top_terms"].iloc[0].split("; ")[:5]) if len(f) else None
            if first5 != rec.top_terms_check:
                err = InputError(path, f"{rec.model} topic {rec.topic} now has top terms "
                                       f"{first5!r}, not {rec.top_terms_check!r}: the fitted "
                                       "topics changed, so read them again and relabel",
                                 row=row)
                if strict:
                    raise err
                import warnings

                warnings.warn(str(err), stacklevel=2)
                m.loc[m.index[row - 1], ["label", "issues"]] = [
                    f"{rec.model} {rec.topic}: " + ", ".join((first5 or "").split("; ")[:3]), ""]
    return m
