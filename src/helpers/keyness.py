"""Keyness: Fightin' Words with a background prior, and a permutation test over turns.

The log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi and Quinn (2008),
"Fightin' Words", eq. 16 and 22: for word w with counts y_aw, y_bw in corpora of n_a, n_b
tokens and prior pseudo-counts α_w (summing to α_0),

    δ_w = log[(y_aw + α_w) / (n_a + α_0 − y_aw − α_w)] − log[(y_bw + α_w) / (n_b + α_0 − y_bw − α_w)]
    σ²(δ_w) ≈ 1 / (y_aw + α_w) + 1 / (y_bw + α_w),      z_w = δ_w / σ(δ_w)

The prior comes from a corpus that is *not* the data: general English word frequencies from
the ``wordfreq`` package (its data ships with it; no network). A term's background frequency
is the sum of ``wordfreq.word_frequency`` over the surface words it stands for in the data
(a stem "propos" is "proposal" + "proposals"; a multiword term "north_korea" is looked up as
"north korea", which wordfreq combines from its parts), floored at :data:`BACKGROUND_FLOOR`
so that a word wordfreq does not know ("weve", "dprk") still has a small prior. The shares
over the vocabulary are scaled to a stated α_0: α_w = α_0 · f_w / Σ f.

z treats every token as independent, but tokens cluster in turns (a word repeated within one
answer). :func:`permutation_test` shuffles the speaker labels of whole turns within each
meeting, recomputes z, and gives each term a two-sided permutation p-value; Benjamini–
Hochberg then controls the false discovery rate over the terms tested.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import sparse

from . import config
from .features import document_term_matrix
from .tokens import word_types

#: wordfreq's English lists stop near 1e-8 per word; unknown words get this frequency.
BACKGROUND_FLOOR = 1e-8
#: Turns that make one unit of the permutation test (whole turns keep their tokens together).
TURN = ["meeting", "source", "turn"]
#: Terms with fewer tokens than this (both men together) are not tested: their p-values
#: cannot be small under the permutation, and testing them only dilutes the FDR. The filter
#: uses the total count, which the permutation does not change (independent filtering).
MIN_TOKENS_TESTED = 5
FDR = 0.05


@lru_cache(maxsize=None)
def _wordfreq(word: str) -> float:
    from wordfreq import word_frequency

    return float(word_frequency(word, "en"))


def background_frequency(tokens: pd.DataFrame, vocabulary) -> np.ndarray:
    """General-English frequency of each term of ``vocabulary`` (wordfreq, floored).

    ``tokens`` has ``term`` and ``word`` columns: a term's frequency is the sum over the
    distinct surface words that it stands for in ``tokens`` ('_' read as a space).
    """
    pairs = word_types(tokens)[["term", "word"]]
    freq = pairs.assign(f=[_wordfreq(w.replace("_", " ")) for w in pairs["word"]])
    by_term = freq.groupby("term")["f"].sum()
    f = by_term.reindex(pd.Index(vocabulary)).fillna(0.0).to_numpy(dtype=float)
    return np.maximum(f, BACKGROUND_FLOOR)


def background_prior(frequency: np.ndarray, alpha0: float) -> np.ndarray:
    """Prior pseudo-counts α_w = α_0 · f_w / Σ f (sum to α_0)."""
    f = np.asarray(frequency, float)
    return alpha0 * f / f.sum()


def fightin_words(counts_a, counts_b, alpha0: float | None = None, prior=None):
    """Log-odds ratio with informative Dirichlet prior; return (delta, variance, z).

    ``prior`` is the vector of pseudo-counts α_w (its sum is α_0). Without it, the prior is
    the pooled counts of the two corpora scaled to ``alpha0`` (default: their total), the
    project's former, data-based prior, kept for comparison.
    Counts may be 2-D (rows are permutations), with one prior for all rows.
    """
    ya, yb = np.asarray(counts_a, float), np.asarray(counts_b, float)
    if prior is None:
        pooled = ya + yb
        alpha0 = pooled.sum() if alpha0 is None else alpha0
        alpha = alpha0 * pooled / pooled.sum()
    else:
        alpha = np.asarray(prior, float)
        alpha0 = alpha.sum()
    na, nb = ya.sum(axis=-1, keepdims=True), yb.sum(axis=-1, keepdims=True)
    la = np.log(ya + alpha) - np.log(na + alpha0 - ya - alpha)
    lb = np.log(yb + alpha) - np.log(nb + alpha0 - yb - alpha)
    delta = la - lb
    var = 1 / (ya + alpha) + 1 / (yb + alpha)
    return delta, var, delta / np.sqrt(var)


def turn_counts(tokens: pd.DataFrame, a: str, b: str):
    """Counts per turn of speakers a and b: (X turns × terms, turns table, vocabulary).

    The turns table has the :data:`TURN` columns, ``speaker`` and ``is_a``.
    """
    d = tokens[tokens["speaker"].isin([a, b])]
    x, units, vocab = document_term_matrix(d, TURN + ["speaker"])
    return x, units.assign(is_a=(units["speaker"] == a).to_numpy()), vocab


def permutation_test(x, units: pd.DataFrame, prior: np.ndarray, n_perm: int = 10000,
                     seed: int = config.SEED, strata: str = "meeting") -> np.ndarray:
    """Two-sided permutation p-value of each term's z, shuffling whole turns' speakers.

    ``x`` is turns × terms, ``units`` says which turns are speaker a's (``is_a``). In each
    permutation the labels are shuffled among the turns of the same ``strata`` value (a
    meeting), so a meeting where only one man speaks contributes no shuffling. All
    permutations are computed at once (one sparse product). p = (1 + #{|z*| ≥ |z|}) /
    (n_perm + 1).
    """
    rng = np.random.default_rng(seed)
    is_a = units["is_a"].to_numpy()
    labels = np.empty((n_perm, len(units)), dtype=bool)
    for _, idx in sorted(units.groupby(strata).indices.items()):
        labels[:, idx] = rng.permuted(np.tile(is_a[idx], (n_perm, 1)), axis=1)
    x = sparse.csr_matrix(x, dtype=float)
    total = np.asarray(x.sum(axis=0)).ravel()
    obs_a = np.asarray(x[is_a].sum(axis=0)).ravel()
    _, _, z_obs = fightin_words(obs_a, total - obs_a, prior=prior)
    perm_a = np.asarray((x.T @ sparse.csr_matrix(labels.T.astype(float))).T.todense())
    _, _, z_perm = fightin_words(perm_a, total - perm_a, prior=prior)
    exceed = (np.abs(z_perm) >= np.abs(z_obs) - 1e-9).sum(axis=0)
    return (1 + exceed) / (n_perm + 1)


def bh_fdr(p: np.ndarray, level: float = FDR):
    """Benjamini–Hochberg over the non-missing p-values; return (q, passes)."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, float)
    q = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    passes = np.zeros(len(p), dtype=bool)
    if ok.any():
        passes[ok], q[ok], _, _ = multipletests(p[ok], alpha=level, method="fdr_bh")
    return q, passes


def keyness_table(tokens: pd.DataFrame, comparison: str, alpha0: float,
                  a: str = "pompeo", b: str = "lavrov", display: dict | None = None,
                  n_perm: int = 10000, seed: int = config.SEED,
                  background: np.ndarray | None = None,
                  vocabulary=None) -> pd.DataFrame:
    """Fightin' Words table, speaker a vs b, background prior scaled to ``alpha0``.

    Columns: comparison, term, counts, frequency, background frequency (per million words),
    prior pseudo-count, delta, var, z, turns using the term, permutation p-value, BH q-value
    and whether the term passes the FDR. ``z > 0`` means more a's. Terms used fewer than
    :data:`MIN_TOKENS_TESTED` times are not tested (p and q empty, never passing); with
    ``n_perm=0`` no term is.
    """
    x, units, vocab = turn_counts(tokens, a, b)
    if background is None:
        background = background_frequency(tokens, vocab)
    else:  # a frequency vector aligned to ``vocabulary``
        background = pd.Series(background, index=vocabulary).reindex(vocab).to_numpy()
    prior = background_prior(background, alpha0)
    is_a = units["is_a"].to_numpy()
    ca = np.asarray(x[is_a].sum(axis=0)).ravel()
    cb = np.asarray(x[~is_a].sum(axis=0)).ravel()
    delta, var, z = fightin_words(ca, cb, prior=prior)
    total = ca + cb
    tested = total >= MIN_TOKENS_TESTED
    p = np.full(len(vocab), np.nan)
    if tested.any() and n_perm > 0:
        p[tested] = permutation_test(x[:, tested], units, prior[tested], n_perm, seed)
    q, passes = bh_fdr(p)
    out = pd.DataFrame({
        "comparison": comparison,
        "term": [(display or {}).get(t, t) for t in vocab],
        f"count_{a}": ca.astype(int), f"count_{b}": cb.astype(int),
        "per_1000_words": np.round(1000 * total / total.sum(), 3),
        "background_per_million": np.round(background * 1e6, 4),
        "prior": np.round(prior, 4),
        "delta": np.round(delta, 4), "var": np.round(var, 4), "z": np.round(z, 4),
        "n_turns": np.asarray((x > 0).sum(axis=0)).ravel().astype(int),
        "p_perm": np.round(p, 5), "q_fdr": np.round(q, 5), "passes_fdr": passes})
    return out.sort_values(["z", "term"], ascending=[False, True], ignore_index=True)


def alpha_sensitivity(tokens: pd.DataFrame, alphas: dict[str, float], reference: str,
                      a: str = "pompeo", b: str = "lavrov", n: int = 20) -> pd.DataFrame:
    """How many of the top ``n`` terms each way survive other priors.

    ``alphas`` maps a name to α_0 for the background prior; two more rows use the former
    data-based prior (pooled counts, α_0 = N) and a uniform prior of 0.01 per term. Returns
    one row per prior: α_0, top-``n`` overlap with the ``reference`` prior for each side, and
    how many terms reach |z| ≥ 1.96.
    """
    x, units, vocab = turn_counts(tokens, a, b)
    is_a = units["is_a"].to_numpy()
    ca = np.asarray(x[is_a].sum(axis=0)).ravel()
    cb = np.asarray(x[~is_a].sum(axis=0)).ravel()
    bg = background_frequency(tokens, vocab)
    priors = {name: background_prior(bg, a0) for name, a0 in alphas.items()}
    priors["data-based (pooled counts, α0 = N)"] = (ca + cb).astype(float)
    priors["uniform (0.01 per term)"] = np.full(len(vocab), 0.01)
    tops = {}
    for name, prior in priors.items():
        z = pd.Series(fightin_words(ca, cb, prior=prior)[2], index=vocab)
        order = z.sort_index().sort_values(kind="stable")
        tops[name] = (list(order.index[::-1][:n]), list(order.index[:n]),
                      int((z.abs() >= 1.96).sum()), float(prior.sum()))
    ref = tops[reference]
    return pd.DataFrame([{"prior": name, "alpha0": round(t[3], 1),
                          f"top{n}_{a}_shared": len(set(t[0]) & set(ref[0])),
                          f"top{n}_{b}_shared": len(set(t[1]) & set(ref[1])),
                          "terms_abs_z_1.96": t[2]} for name, t in tops.items()])


def independent_agreement(sentences: pd.DataFrame, table: pd.DataFrame, a: str = "pompeo",
                          b: str = "lavrov", prior: float = 0.1, strong: float = 1.96):
    """Compare the project's z with a Fightin' Words computed independently.

    The independent side tokenises the same sentences with scikit-learn's
    ``CountVectorizer`` (its own word pattern and English stop list, no stemming, no
    multiword terms) and applies Monroe et al.'s formula term by term with ConvoKit's
    default uniform prior (0.1 per term). Terms are matched by the project's displayed
    surface word. Returns (Spearman ρ over shared terms, number shared, sign agreement among
    the project's terms with |z| ≥ ``strong``, number of those strong terms present).
    """
    from scipy.stats import spearmanr
    from sklearn.feature_extraction.text import CountVectorizer

    d = sentences[sentences["speaker"].isin([a, b])]
    cv = CountVectorizer(stop_words="english")
    m = cv.fit_transform(d["text"])
    ya = np.asarray(m[(d["speaker"] == a).to_numpy()].sum(axis=0)).ravel()
    yb = np.asarray(m[(d["speaker"] == b).to_numpy()].sum(axis=0)).ravel()
    na, nb, a0 = ya.sum(), yb.sum(), prior * len(ya)
    z_ind = {}
    for word, i in cv.vocabulary_.items():  # the paper's equations, one term at a time
        da = np.log((ya[i] + prior) / (na + a0 - ya[i] - prior))
        db = np.log((yb[i] + prior) / (nb + a0 - yb[i] - prior))
        z_ind[word] = (da - db) / np.sqrt(1 / (ya[i] + prior) + 1 / (yb[i] + prior))
    shared = table[table["term"].isin(z_ind)]
    other = shared["term"].map(z_ind)
    rho = float(spearmanr(shared["z"], other).statistic)
    s = shared[shared["z"].abs() >= strong]
    signs = float((np.sign(s["z"]) == np.sign(s["term"].map(z_ind))).mean()) if len(s) \
        else float("nan")
    return rho, len(shared), signs, len(s)


# --------------------------------------------------------------------------- schema


# --------------------------------------------------------------------------- charts
def plot_keyness_scatter(table: pd.DataFrame, n_labels: int = 12, title: str | None = None):
    """Frequency (log) against z; terms passing the clustered FDR test coloured."""
    import matplotlib.pyplot as plt
    from adjustText import adjust_text

    from .figures import SPEAKER_COLOURS, add_source_note

    t = table[(table["count_pompeo"] + table["count_lavrov"]) > 0]
    colour = np.where(~t["passes_fdr"], "#bbbbbb",
                      np.where(t["z"] > 0, SPEAKER_COLOURS["pompeo"], SPEAKER_COLOURS["lavrov"]))
    fig, ax = plt.subplots(figsize=(6.5, 4.6))
    ax.scatter(t["per_1000_words"], t["z"], s=10, c=colour, alpha=0.8, linewidths=0)
    ax.set_xscale("log")
    ax.axhline(0, color="#888888", lw=0.6)
    for lim in (1.96, -1.96):
        ax.axhline(lim, color="#bbbbbb", lw=0.6, ls="--")
    lab = pd.concat([t.nlargest(n_labels, "z"), t.nsmallest(n_labels, "z")])
    texts = [ax.text(f, z, term, fontsize=7) for f, z, term in
             zip(lab["per_1000_words"], lab["z"], lab["term"])]
    adjust_text(texts, ax=ax, iter_lim=300,  # a fixed number of steps, not 1 s of time
                arrowprops=dict(arrowstyle="-", color="#999999", lw=0.5))
    ax.set_xlabel("Frequency per 1,000 words (log scale); coloured: passes the turn-level "
                  "test (FDR 5%)", fontsize=8)
    ax.set_ylabel("z (positive: more Pompeo's; negative: more Lavrov's)")
    ax.set_title(title or "Distinctive terms", loc="left")
    add_source_note(fig)
    return fig


def plot_keyness_bars(table: pd.DataFrame, n: int = 15, title: str | None = None):
    """Diverging bars of the top ``n`` terms each way by z; hatched if not passing the FDR."""
    import matplotlib.pyplot as plt

    from .figures import SPEAKER_COLOURS, add_source_note

    top = pd.concat([table.nlargest(n, "z"), table.nsmallest(n, "z")]).sort_values("z")
    fig, ax = plt.subplots(figsize=(6.5, 0.17 * len(top) + 1.2))
    colours = np.where(top["z"] > 0, SPEAKER_COLOURS["pompeo"], SPEAKER_COLOURS["lavrov"])
    bars = ax.barh(range(len(top)), top["z"], color=colours)
    for bar, ok in zip(bars, top["passes_fdr"]):
        if not ok:
            bar.set_alpha(0.45)
            bar.set_hatch("///")
    ax.set_yticks(range(len(top)), top["term"], fontsize=7)
    ax.axvline(0, color="#333333", lw=0.6)
    ax.set_xlabel("z  (← more Lavrov's | more Pompeo's →); hatched: does not pass the "
                  "turn-level test", fontsize=8)
    ax.set_title(title or "Top distinctive terms", loc="left")
    add_source_note(fig)
    return fig
