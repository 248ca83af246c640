"""Keyness: a turn-level test of rates within one meeting, and Fightin' Words as a ranking.

**The test.** A term is distinctive of speaker a against b at one meeting when the
difference of its rates per content token, |r_a − r_b|, exceeds what relabelling whole turns
(answers) allows: a speaker is not distinctive by his brevity. All relabellings are used when
they are few (:func:`scipy.stats.permutation_test`), else a sample; the smallest attainable p
is reported beside the p-values, and Benjamini–Hochberg controls the false discovery rate.
Meetings are never pooled (that would confound speaker with meeting).

**The ranking.** The log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi
and Quinn (2008), "Fightin' Words", eq. 16 and 22: with counts y_aw, y_bw in corpora of n_a,
n_b tokens and prior pseudo-counts α_w (summing to α_0),

    δ_w = log[(y_aw + α_w) / (n_a + α_0 − y_aw − α_w)] − log[(y_bw + α_w) / (n_b + α_0 − y_bw − α_w)]
    σ²(δ_w) ≈ 1 / (y_aw + α_w) + 1 / (y_bw + α_w),      z_w = δ_w / σ(δ_w)

It orders terms for the charts; it is not the test (z moves with a group's size). The prior
is general English word frequency (``wordfreq``, offline), summed over the surface words of a
term and floored at :data:`BACKGROUND_FLOOR`, scaled to a stated α_0.
"""

from __future__ import annotations

from math import comb

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from adjustText import adjust_text
from scipy.stats import permutation_test, spearmanr
from sklearn.feature_extraction.text import CountVectorizer
from statsmodels.stats.multitest import multipletests
from wordfreq import word_frequency

from . import cache
from .features import document_term_matrix, overlap_at_k
from .figures import SPEAKER_COLOURS, add_source_note, figure_title
from .parameters import BACKGROUND_FLOOR, FDR, KEYNESS_N_PERM, MIN_TOKENS_TESTED, SEED
from .tokens import display_forms, tokenize_sentences, word_types

#: Turns that make one unit of the permutation test (whole turns keep their tokens together).
TURN = ["meeting", "source", "turn"]


def background_frequency(tokens: pd.DataFrame, vocabulary) -> np.ndarray:
    """General-English frequency of each term of ``vocabulary`` (wordfreq, floored).

    ``tokens`` has ``term`` and ``word`` columns: a term's frequency is the sum over the
    distinct surface words that it stands for in ``tokens`` ('_' read as a space).
    """
    pairs = word_types(tokens)[["term", "word"]]
    freq = pairs.assign(f=[float(word_frequency(w.replace("_", " "), "en"))
                           for w in pairs["word"]])
    by_term = freq.groupby("term")["f"].sum()
    f = by_term.reindex(pd.Index(vocabulary)).fillna(0.0).to_numpy(dtype=float)
    return np.maximum(f, BACKGROUND_FLOOR)


def background_prior(frequency: np.ndarray, alpha0: float) -> np.ndarray:
    """Prior pseudo-counts α_w = α_0 · f_w / Σ f (sum to α_0)."""
    f = np.asarray(frequency, float)
    return alpha0 * f / f.sum()


def fightin_words(counts_a, counts_b, alpha0: float | None = None, prior=None):
    """Log-odds ratio with informative Dirichlet prior; return (delta, variance, z).

    ``prior`` holds the pseudo-counts α_w; without it, the pooled counts scaled to
    ``alpha0`` (default: their total), as the benchmark's baseline uses. Counts may be 2-D
    (one row per comparison), with one prior for all rows.
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


def relabellings(units: pd.DataFrame) -> int:
    """How many ways the turns of ``units`` (one meeting) can be split as observed."""
    return comb(len(units), int(units["is_a"].sum()))


def smallest_p(units: pd.DataFrame, n_perm: int) -> float:
    """The smallest p-value :func:`turn_test` can give: 1 / relabellings when they are all
    enumerated, else 1 / (n_perm + 1)."""
    n = relabellings(units)
    return 1 / n if n <= n_perm else 1 / (n_perm + 1)


def turn_test(x, units: pd.DataFrame, n_perm: int = KEYNESS_N_PERM, seed: int = SEED) -> np.ndarray:
    """p-value of each term's |c_a / n_a − c_b / n_b| when whole turns are relabelled.

    ``x`` is turns × terms (counts), ``units`` has ``is_a`` and ``n_tokens`` per turn, all of
    one meeting (else ValueError). Exact when the relabellings number at most ``n_perm``.
    """
    if units["meeting"].nunique() > 1:
        raise ValueError("turn_test relabels turns within one meeting; got "
                         f"{sorted(units['meeting'].unique())}: test each meeting alone")
    counts = np.asarray(x.todense() if hasattr(x, "todense") else x, dtype=float)
    size = units["n_tokens"].to_numpy(dtype=float)
    is_a = units["is_a"].to_numpy(dtype=bool)
    idx = np.arange(len(size), dtype=float)
    out = np.empty(counts.shape[1])
    for j in range(counts.shape[1]):
        c = counts[:, j]

        def statistic(a, b, axis=-1, c=c):
            a, b = a.astype(int), b.astype(int)
            return np.abs(c[a].sum(axis=-1) / size[a].sum(axis=-1)
                          - c[b].sum(axis=-1) / size[b].sum(axis=-1))

        res = permutation_test((idx[is_a], idx[~is_a]), statistic, vectorized=True,
                               permutation_type="independent", n_resamples=n_perm,
                               alternative="greater", rng=np.random.default_rng([seed, j]))
        out[j] = res.pvalue
    return out


def bh_fdr(p: np.ndarray, level: float = FDR):
    """Benjamini–Hochberg over the non-missing p-values; return (q, passes)."""
    p = np.asarray(p, float)
    q = np.full(len(p), np.nan)
    ok = ~np.isnan(p)
    passes = np.zeros(len(p), dtype=bool)
    if ok.any():
        passes[ok], q[ok], _, _ = multipletests(p[ok], alpha=level, method="fdr_bh")
    return q, passes


@cache.memoize
def keyness_table(tokens: pd.DataFrame, comparison: str, alpha0: float,
                  a: str = "pompeo", b: str = "lavrov", display: dict | None = None,
                  n_perm: int = KEYNESS_N_PERM, seed: int = SEED,
                  background: np.ndarray | None = None,
                  vocabulary=None) -> pd.DataFrame:
    """Keyness of speaker a against b: rates per 1,000 tokens, the turn-level test and the
    Fightin' Words z, one row per term, sorted by z.

    Terms used fewer than :data:`MIN_TOKENS_TESTED` times are not tested (p and q empty,
    never passing); with ``n_perm=0`` no term is. Testing needs tokens of one meeting.
    ``background`` (aligned to ``vocabulary``) replaces the wordfreq lookup.
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
    rate_a, rate_b = 1000 * ca / max(ca.sum(), 1), 1000 * cb / max(cb.sum(), 1)
    tested = total >= MIN_TOKENS_TESTED
    p = np.full(len(vocab), np.nan)
    p_min = np.nan
    if tested.any() and n_perm > 0:
        p[tested] = turn_test(x[:, tested], units, n_perm, seed)
        p_min = smallest_p(units, n_perm)
    q, passes = bh_fdr(p)
    out = pd.DataFrame({
        "comparison": comparison,
        "term": [(display or {}).get(t, t) for t in vocab],
        f"count_{a}": ca.astype(int), f"count_{b}": cb.astype(int),
        f"per_1000_{a}": np.round(rate_a, 3), f"per_1000_{b}": np.round(rate_b, 3),
        "rate_difference": np.round(rate_a - rate_b, 3),
        "per_1000_words": np.round(1000 * total / total.sum(), 3),
        "background_per_million": np.round(background * 1e6, 4),
        "prior": np.round(prior, 4),
        "delta": np.round(delta, 4), "var": np.round(var, 4), "z": np.round(z, 4),
        "n_turns": np.asarray((x > 0).sum(axis=0)).ravel().astype(int),
        "p_perm": np.round(p, 5), "p_min": np.round(p_min, 9), "q_fdr": np.round(q, 5),
        "passes_fdr": passes})
    return out.sort_values(["z", "term"], ascending=[False, True], ignore_index=True)


def independent_agreement(sentences: pd.DataFrame, table: pd.DataFrame, a: str = "pompeo",
                          b: str = "lavrov", min_count: int = MIN_TOKENS_TESTED):
    """Compare the project's rate differences with ``CountVectorizer``'s (its own tokens and
    English stop list) on the same sentences, matching terms by displayed word.

    Returns (Spearman ρ over terms used at least ``min_count`` times, their number, the
    share of passing terms whose difference has the same sign, the number of passing terms).
    """
    d = sentences[sentences["speaker"].isin([a, b])]
    cv = CountVectorizer(stop_words="english")
    m = cv.fit_transform(d["text"])
    ya = np.asarray(m[(d["speaker"] == a).to_numpy()].sum(axis=0)).ravel()
    yb = np.asarray(m[(d["speaker"] == b).to_numpy()].sum(axis=0)).ravel()
    diff = pd.Series(1000 * ya / ya.sum() - 1000 * yb / yb.sum(),
                     index=cv.get_feature_names_out())
    shared = table[table["term"].isin(diff.index)]
    ranked = shared[shared[f"count_{a}"] + shared[f"count_{b}"] >= min_count]
    rho = float(spearmanr(ranked["rate_difference"], ranked["term"].map(diff)).statistic) \
        if len(ranked) > 2 else float("nan")
    s = shared[shared["passes_fdr"]]
    signs = float((np.sign(s["rate_difference"]) == np.sign(s["term"].map(diff))).mean()) \
        if len(s) else float("nan")
    return rho, len(ranked), signs, len(s)


# --------------------------------------------------------------------------- charts
def plot_keyness_scatter(table: pd.DataFrame, n_labels: int = 12, title: str | None = None,
                         width: float = 6.5):
    """Frequency (log) against z; terms passing the clustered FDR test coloured; the
    ``n_labels`` most distinctive terms each way labelled (fewer in a narrower figure)."""
    t = table[(table["count_pompeo"] + table["count_lavrov"]) > 0]
    colour = np.where(~t["passes_fdr"], "#bbbbbb",
                      np.where(t["z"] > 0, SPEAKER_COLOURS["pompeo"], SPEAKER_COLOURS["lavrov"]))
    fig, ax = plt.subplots(figsize=(width, 4.6))
    n_labels = max(1, round(n_labels * min(1.0, width / 6.5) ** 2))
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
                  "test (FDR 5%)", fontsize=8, wrap=True)
    ax.set_ylabel("z (positive: more Pompeo's; negative: more Lavrov's)", wrap=True)
    figure_title(fig, title or "Distinctive terms")
    add_source_note(fig)
    return fig


def plot_keyness_bars(table: pd.DataFrame, n: int = 15, title: str | None = None):
    """Diverging bars of the top ``n`` terms each way by z; hatched if not passing the FDR."""
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
                  "turn-level test", fontsize=8, wrap=True)
    figure_title(fig, title or "Top distinctive terms")
    add_source_note(fig)
    return fig


def rendering_tables(sentences: pd.DataFrame, canonical: pd.DataFrame, a: str, b: str,
                     n_perm: int = KEYNESS_N_PERM) -> tuple[dict[str, pd.DataFrame], int, int]:
    """Keyness of ``a`` against each of ``b``'s two renderings of the same passages (official
    translation and live interpreter) at the meeting where they are; ``{}`` when none is in
    both. Also returns the numbers of official and interpreter sentences."""
    b_all = sentences[sentences["speaker"] == b]
    interp = b_all[(b_all["translation"] == "live interpreter") & b_all["duplicate_of"].notna()]
    official = b_all[b_all["sentence_id"].isin(interp["duplicate_of"])
                     & (b_all["translation"] == "official translation")]
    interp = interp[interp["duplicate_of"].isin(official["sentence_id"])]
    if not (len(official) and len(interp)):
        return {}, len(official), len(interp)
    m = official["meeting"].mode().iloc[0]
    a_m = canonical[(canonical["speaker"] == a) & (canonical["meeting"] == m)]
    out = {}
    for name, part in {"official translation": official, "live interpreter": interp}.items():
        t = tokenize_sentences(pd.concat([a_m, part[part["meeting"] == m]]))
        out[name] = keyness_table(t, name, float(len(t)), a=a, b=b, display=display_forms(t),
                                  n_perm=n_perm)
    return out, len(official), len(interp)


def rendering_overlap(tables: dict[str, pd.DataFrame], top_k: int) -> tuple[dict, int]:
    """The passing terms of each rendering, and how many of the ``top_k`` terms of one
    rendering (most distinctive of speaker b) are among the ``top_k`` of the other."""
    passing = {n: t.loc[t["passes_fdr"], "term"].tolist() for n, t in tables.items()}
    top = [t.nsmallest(top_k, "z")["term"].tolist() for t in tables.values()]
    return passing, overlap_at_k(*top, top_k)
