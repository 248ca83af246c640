"""Topics: NMF and LDA over seeds, k chosen with the seed spread, labels earned against the
hand coding.

- **Documents** are windows of up to ``WINDOW`` consecutive canonical sentences of one speaker
  within one turn: long enough to carry a topic, short enough to stay on one subject, never
  mixing speakers. Their ids are built from the full source file name, so unique.
- **Fits** are single-threaded (``threadpool_limits(1)``) with integer seeds: the same seed
  gives byte-identical tables. Every k is fitted with several seeds (:func:`sweep`).
- **Coherence** is NPMI of each topic's top terms counted in a *reference* corpus that holds
  none of the fitting windows (:func:`reference_matrix`): on the fitting windows, a term used
  in one window co-occurs perfectly with its neighbours there. **Exclusivity** is the mean
  share of a top term's weight that falls in its own topic.
- **Choosing k:** the smallest k whose mean coherence is within one seed-to-seed standard
  deviation of the best mean coherence among the k stable enough (:func:`choose_k`): a
  difference smaller than the spread over seeds does not buy extra topics.
- **Matching.** Refits at the chosen k are matched to their medoid fit (Hungarian, on
  topic-term cosine). A topic is *stable* when its matched cosine is at least
  :data:`STABLE_COSINE` in at least :data:`STABLE_SHARE` of the other refits.
- **Labels are earned.** A hand-made label carries over to a fitted topic whose top ten terms
  share at least :data:`CARRY_MIN_SHARED` terms with the labelled one; it is *kept* only when
  the topic passes :func:`label_check` against the hand coding. Otherwise the topic is named
  by its top words and marked unlabelled.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata
from sklearn.decomposition import NMF, LatentDirichletAllocation
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from . import cache, config
from .io import InputError, read_csv_records
from .sources import order_meetings

WINDOW = 3
STABLE_COSINE = 0.8
STABLE_SHARE = 0.9
CARRY_MIN_SHARED = 5
N_TOP = 10
#: A topic whose NPMI against the reference is at or below this carries no issue label.
MIN_NPMI = 0.02
#: Fewer documents about an issue than this give no trustworthy AUC interval: no label.
MIN_POSITIVE = 5
#: Speakers on the Russian side, for the speaker-identity AUC of :func:`label_check`.
RUSSIAN_SIDE = ("lavrov", "putin")


def make_documents(tokens: pd.DataFrame, window: int = WINDOW) -> pd.DataFrame:
    """Assign each token to a document: ``window`` consecutive sentences of one turn.

    Returns the tokens with a ``document`` column: the source file's name (without its
    extension), the turn and the window number, ``<source>:t<turn>:w<k>`` - unique because
    file names are.
    """
    sent = tokens[["source", "turn", "sentence_id"]].drop_duplicates()
    sent = sent.assign(_n=sent["sentence_id"].str.rsplit(":", n=1).str[1].astype(int))
    sent = sent.sort_values(["source", "_n"])
    k = sent.groupby(["source", "turn"]).cumcount() // window
    stem = sent["source"].map(lambda f: Path(f).stem)
    sent["document"] = stem + ":t" + sent["turn"].astype(str) + ":w" + k.astype(str)
    return tokens.merge(sent[["sentence_id", "document"]], on="sentence_id", how="left")


@cache.memoize
def fit_nmf(x, k: int, seed: int = config.SEED, max_iter: int = 1000):
    """Fit NMF on a TF-IDF matrix; return (document-topic W, topic-term H)."""
    with threadpool_limits(1):
        model = NMF(n_components=k, init="random", random_state=seed, max_iter=max_iter,
                    tol=1e-4)
        w = model.fit_transform(x)
    return w, model.components_


@cache.memoize
def fit_lda(x, k: int, seed: int = config.SEED, max_iter: int = 20):
    """Fit LDA (batch variational Bayes) on counts; return (document-topic, topic-term)."""
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


def exclusivity(h: np.ndarray, n: int = N_TOP) -> np.ndarray:
    """Mean share of each top-``n`` term's weight (over all topics) that is in its topic."""
    share = h / np.clip(h.sum(axis=0, keepdims=True), 1e-12, None)
    return np.array([share[t, top].mean() for t, top in enumerate(top_term_indices(h, n))])


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
    """Mean and seed-to-seed standard deviation of coherence and stability per model and k."""
    out = scores.groupby(["model", "k"])[["coherence", "stability"]].agg(["mean", "std"])
    out.columns = [f"{a}_{b}" for a, b in out.columns]
    return out.reset_index()


def choose_k(summary: pd.DataFrame, model: str, min_stability: float = 0.8) -> int:
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


def weightless_documents(fits, documents: pd.DataFrame) -> list[str]:
    """Ids of documents that some refit gives no topic weight at all (a row of zeros in W):
    they have no topic shares and are left out of prevalence and validation."""
    zero = np.zeros(len(documents), dtype=bool)
    for w, _ in fits:
        zero |= np.asarray(w).sum(axis=1) <= 0
    return documents.loc[zero, "document"].tolist()


def _turn_draws(documents: pd.DataFrame, n_boot: int, seed: int) -> list[np.ndarray]:
    """Bootstrap draws of row positions, resampling whole turns (source, turn)."""
    clusters, _ = pd.factorize(pd.MultiIndex.from_frame(documents[["source", "turn"]]))
    members = [np.flatnonzero(clusters == c) for c in range(clusters.max() + 1)]
    rng = np.random.default_rng(seed)
    return [np.concatenate([members[c] for c in rng.integers(0, len(members), len(members))])
            for _ in range(n_boot)]


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC (sklearn), NaN without both classes."""
    return float(roc_auc_score(y, score)) if 0 < y.sum() < len(y) else float("nan")


def _auc_ranks(y: np.ndarray, score: np.ndarray) -> float:
    """The same AUC by the Mann-Whitney identity (ties count half): ~50x faster than
    sklearn per call, for bootstrap replicates. NaN without both classes."""
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    return float((rankdata(score)[y].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def label_check(shares: np.ndarray, documents: pd.DataFrame, truth: pd.DataFrame,
                candidates: dict[int, list[str]], npmi: np.ndarray, stable: np.ndarray,
                n_boot: int = 2000, seed: int = config.SEED, level: float = 0.95,
                min_npmi: float = MIN_NPMI) -> pd.DataFrame:
    """Does each topic earn an issue label? One row per (topic, candidate issue).

    ``shares`` is docs × K (averaged over refits), ``documents`` has document, speaker,
    source and turn, ``truth`` the hand-coded issues per coded document
    (:func:`document_issue_truth`), ``candidates`` the issues each topic's carried label maps
    to. For each candidate: the AUC of the topic's share for documents about that issue, and
    for documents of a Russian-side speaker (:data:`RUSSIAN_SIDE`; separation in either
    direction, max(AUC, 1 − AUC)), both with a bootstrap interval resampling whole turns. A
    topic earns the issue when it is stable, its NPMI exceeds ``min_npmi``, the issue AUC's
    interval lies above 0.5, the issue AUC exceeds the speaker separation, and at least
    :data:`MIN_POSITIVE` coded documents are about the issue.
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
    out["issues"] = np.where(has, out["topic"].map(earned).fillna(""), "")
    out["labelled"] = has
    return out


def compare_with_hand(prevalence: pd.DataFrame, labels: pd.DataFrame,
                      salience: pd.DataFrame) -> pd.DataFrame:
    """Each labelled topic's prevalence beside the hand-coded share of its issue(s), per
    speaker-meeting cell, and whether their 95% intervals overlap.

    ``labels`` has topic, label and issues (';'-joined, empty = unlabelled, left out);
    ``salience`` the salience table (its ``hand`` rows are used). A topic with several issues
    is compared with each.
    """
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
        ax.set_title("NPMI coherence (reference: other windows)" if metric == "coherence" else
                     f"Stability (matched cosine), {n_seeds} seeds", fontsize=8)
    axes[0].legend(fontsize=7)
    fig.suptitle(title or "Choosing k", x=0.0, ha="left", fontsize=10, fontweight="bold")
    fig.tight_layout()
    add_source_note(fig)
    return fig


TOPIC_MAP_COLUMNS = ["model", "topic", "label", "issues", "top_terms"]


def read_topic_map(path, known_issues: set[str]) -> pd.DataFrame:
    """Read the hand-made topic labels and topic-to-issue map, validated at the door.

    Columns ``model`` (nmf or lda), ``topic`` (a number), ``label``, ``issues`` (issue ids
    joined by ";", may be empty) and ``top_terms`` (the labelled topic's top ten terms, which
    :func:`carry_labels` matches against new fits); ``note`` and
    ``top_terms_check`` are optional. Errors name the file, the row and what to do.
    """
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
