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


TOPIC_MAP_COLUMNS = ["model", "topic", "label", "issues", "top_terms"]


def read_topic_map(path, known_issues: set[str]) -> pd.DataFrame:
    """Read the hand-made topic labels and topic-to-issue map, validated at the door.

    Columns ``model`` (nmf or lda), ``topic`` (a number), ``label``, ``issues`` (issue ids
    joined by ";", may be empty) and ``top_terms`` (the labelled topic's top ten terms, which
    :func:`helpers.topic_seeds.carry_labels` matches against new fits); ``note`` and
    ``top_terms_check`` are optional. Errors name the file, the row and what to do.
    """
    from pathlib import Path

    from .io import InputError, read_csv_records

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
