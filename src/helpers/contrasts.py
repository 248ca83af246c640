"""Contrasts between two cells, with the answer (a turn) as the unit of evidence.

- **Test.** Whole turns are exchanged between the two cells; the statistic is the difference
  of shares over its cluster-robust (CR2) standard error, a studentised difference that keeps
  the permutation test valid when cells differ in size and spread (Chung and Romano 2013).
  Every split of the turns is used when there are at most ``N_PERM``, else ``N_PERM`` random
  ones; the p-value is never below the small-sample (Bell–McCaffrey) t-test's.
- **Interval.** The test inverted (d ± q·se), so it excludes zero exactly when
  p < 1 − ``LEVEL``.
- **Detectable difference.** The smallest difference (in steps of 5 points) the same test
  detects with ``POWER`` at the cells' own turn sizes (:func:`detectable_differences`).

``scipy.stats.permutation_test`` is not used: the interval needs the critical value of the
studentised statistic on the very relabellings the p-value uses, for every issue at once.
For the lexicon measure each turn's count is corrected for coding error first
(:func:`turn_values`); the uncertainty of the rates is not carried into the contrast.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy.stats import beta, fisher_exact
from scipy.stats import t as t_dist

from .inference import Cell, CodingRates, rng_for
from .parameters import ICC, LEVEL, MIN_YOUDEN, N_PERM, N_PERM_POWER, N_SIM, POWER

def relabellings(n_a: int, n: int, rng: np.random.Generator,
                 n_perm: int = N_PERM) -> tuple[np.ndarray, bool]:
    """0/1 labellings (rows) of ``n`` units with ``n_a`` in the first cell, and ``exact``:
    all of them (the observed one, the first ``n_a`` units, first) when there are at most
    ``n_perm``, else ``n_perm`` random ones."""
    total = math.comb(n, n_a)
    if total <= n_perm:
        rows = np.array(list(itertools.combinations(range(n), n_a)), dtype=np.int64)
        exact = True
    else:
        rows = np.argsort(rng.random((n_perm, n)), axis=1)[:, :n_a]
        exact = False
    member = np.zeros((len(rows), n))
    np.put_along_axis(member, rows.reshape(len(rows), n_a), 1.0, axis=1)
    return member, exact


def difference_and_se(member: np.ndarray, y: np.ndarray,
                      n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Difference of shares and its standard error (labellings × columns).

    ``y`` (units × columns) holds each unit's count, ``n`` its sentences; a cell's share is
    Σy / Σn. The variance is CR2, Σ (y − p·n)² / (1 − h) / (Σn)² with leverage h = n / Σn,
    floored at the binomial variance of the cell's sentences (share shrunk by half a sentence
    towards 1/2), so that identical turns or no mention never claim zero uncertainty; a cell
    of one unit has infinite variance.
    """
    def share_and_var(m):
        tot = m @ n
        with np.errstate(divide="ignore", invalid="ignore"):
            w = np.where(m > 0, tot[:, None] / (tot[:, None] - n[None, :]), 0.0)
        w = np.where(np.isfinite(w), w, np.where(m > 0, np.inf, 0.0))
        s_y = m @ y
        p = s_y / tot[:, None]
        with np.errstate(invalid="ignore"):
            ss = w @ (y * y) - 2 * p * (w @ (y * n[:, None])) + p * p * (w @ (n * n))[:, None]
        ss = np.where(np.isnan(ss), np.inf, np.clip(ss, 0, None))
        edge = 0.5 / (tot + 1)[:, None]
        shrunk = np.clip((s_y + 0.5) / (tot + 1)[:, None], edge, 1 - edge)
        return p, np.maximum(ss / (tot * tot)[:, None], shrunk * (1 - shrunk) / tot[:, None])

    pa, va = share_and_var(member)
    pb, vb = share_and_var(1 - member)
    return pa - pb, np.sqrt(va + vb)


def bell_mccaffrey_df(sizes_a: np.ndarray, sizes_b: np.ndarray) -> float:
    """Bell–McCaffrey degrees of freedom, (tr A)² / tr(A²), of the CR2 variance of a
    difference of two cells' shares under independent sentences; NaN for a cell of one turn."""
    tr = tr2 = 0.0
    for sizes in (sizes_a, sizes_b):
        s = np.asarray(sizes, dtype=float)
        total, h = s.sum(), s / s.sum()
        if len(s) < 2:
            return float("nan")
        inner = -np.outer(s, s) / total  # u_i'u_j of the turns' residual-maker vectors
        np.fill_diagonal(inner, s * (1 - h))
        w = 1 / (1 - h)
        tr += 1 / total
        tr2 += float((inner ** 2 * np.outer(w, w)).sum()) / total ** 4
    return tr * tr / tr2


def studentised(member: np.ndarray, y: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The difference of shares over its standard error, per labelling and column."""
    diff, se = difference_and_se(member, y, n)
    return diff / se


def _extreme_count(t: np.ndarray, t_obs: np.ndarray) -> np.ndarray:
    return (np.abs(t) >= np.abs(t_obs) * (1 - 1e-9) - 1e-12).sum(0)


def smallest_p(member: np.ndarray, exact: bool) -> float:
    """The smallest p-value any split of the units can give with these relabellings."""
    return 1 / len(member) if exact else 1 / (1 + len(member))


def _p(count, n_labellings, exact):
    return count / n_labellings if exact else (1 + count) / (1 + n_labellings)


def permutation_p(member: np.ndarray, exact: bool, y: np.ndarray, n: np.ndarray,
                  in_a: np.ndarray, df: float = np.inf) -> np.ndarray:
    """Two-sided p-value per column (``in_a``: the observed labelling), as in
    :func:`permutation_test`."""
    t_obs = studentised(in_a[None, :].astype(float), y, n)[0]
    p = _p(_extreme_count(studentised(member, y, n), t_obs), len(member), exact)
    return np.maximum(p, _t_p(t_obs, df))


def _t_p(t_obs, df):
    """The t-test's two-sided p-value; 1 where ``df`` is NaN (a cell of one turn)."""
    return np.ones_like(t_obs) if np.isnan(df) else 2 * t_dist.sf(np.abs(t_obs), df)


def permutation_test(member: np.ndarray, exact: bool, y: np.ndarray, n: np.ndarray,
                     in_a: np.ndarray, df: float = np.inf,
                     level: float = LEVEL) -> dict[str, np.ndarray]:
    """Estimate, p-value and the interval that inverts the test, per column.

    The p-value is the larger of the studentised permutation test's and the t-test's with
    ``df`` degrees of freedom: with a handful of turns of very unequal length neither is
    calibrated alone (about 8% and up to 6% type I error at the project's turn sizes). The
    interval is d ± q·se, q the larger of the two critical values; where no split of the
    units can reach ``level``, q is infinite and the interval is −1 to 1.
    """
    d, se = (x[0] for x in difference_and_se(in_a[None, :].astype(float), y, n))
    t = np.abs(studentised(member, y, n))
    alpha, b = 1 - level, len(member)
    k = math.ceil(alpha * b - 1e-9) if exact else math.ceil(alpha * (1 + b) - 1 - 1e-9)
    q = np.sort(t, axis=0)[b - k] if 1 <= k <= b else np.full(t.shape[1], np.inf)
    q = np.maximum(q, np.inf if np.isnan(df) else t_dist.ppf(1 - alpha / 2, df))
    with np.errstate(invalid="ignore", divide="ignore"):
        t_obs = d / se
        p = np.maximum(_p(_extreme_count(t, t_obs), b, exact), _t_p(t_obs, df))
        lo, hi = np.clip(d - q * se, -1, 1), np.clip(d + q * se, -1, 1)
    return {"estimate": d, "p_value": p, "ci_low": np.minimum(lo, d),
            "ci_high": np.maximum(hi, d)}


def detectable_differences(member: np.ndarray, exact: bool, n: np.ndarray, in_a: np.ndarray,
                           base: np.ndarray, alphas: tuple[float, ...],
                           rng: np.random.Generator, df: float = np.inf, power: float = POWER,
                           icc: float = ICC, n_sim: int = N_SIM,
                           step: float = 0.05) -> dict[float, np.ndarray]:
    """The smallest difference of shares the test detects with ``power``, per base share.

    For each ``base`` share (one per issue) and each difference on a grid of ``step``,
    draws ``n_sim`` pairs of cells at the observed turn sizes: turn shares from a Beta with
    intra-class correlation ``icc``, then sentences; half the draws put the larger share in
    each cell, centred on the base share where it fits in [0, 1]. Common random numbers
    serve every difference, and the grid is searched by bisection. Returns, per level in
    ``alphas``, the smallest difference with power ≥ ``power``: NaN where none is, or where
    no split of the turns can reach the level. Each draw is tested on at most
    ``N_PERM_POWER`` relabellings.
    """
    reachable = smallest_p(member, exact)
    if len(member) > N_PERM_POWER:
        member = member[np.sort(rng.choice(len(member), N_PERM_POWER, replace=False))]
        exact = False
    sizes, base = n.astype(np.int64), np.asarray(base, dtype=float)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    unit_of = np.repeat(np.arange(len(sizes)), sizes)
    u_unit, u_sentence = rng.random((len(sizes), 1, n_sim)), rng.random((sizes.sum(), 1, n_sim))
    high_in_a = (in_a.astype(bool)[:, None] ^ (np.arange(n_sim) % 2 == 1)[None, :])[:, None, :]
    shape = (1 - icc) / icc
    deltas = np.arange(1, int(round(1 / step)) + 1) * step

    def powers(delta):  # power at one difference per issue
        low = np.clip(base - delta / 2, 0, 1 - delta)[None, :, None]
        mu = np.where(high_in_a, (low + delta[None, :, None]), low)  # units × issues × draws
        with np.errstate(all="ignore"):
            theta = beta.ppf(u_unit, mu * shape, (1 - mu) * shape)
        theta = np.where(mu <= 0, 0.0, np.where(mu >= 1, 1.0, theta))
        k = np.add.reduceat((u_sentence < theta[unit_of]).astype(float), starts, axis=0)
        p = permutation_p(member, exact, k.reshape(len(sizes), -1), n, in_a, df)
        return p.reshape(len(base), n_sim)

    found = {}
    top = powers(np.full(len(base), deltas[-1]))
    for alpha in alphas:
        # binary search over the grid, issue by issue: lo fails, hi passes
        lo, hi = np.full(len(base), -1), np.full(len(base), len(deltas) - 1)
        ok = ((top < alpha).mean(axis=1) >= power) & (reachable < alpha)
        while ((hi - lo > 1) & ok).any():
            mid = np.where(ok & (hi - lo > 1), (lo + hi) // 2, hi)
            passes = (powers(deltas[mid]) < alpha).mean(axis=1) >= power
            move = ok & (hi - lo > 1)
            hi = np.where(move & passes, mid, hi)
            lo = np.where(move & ~passes, mid, lo)
        found[alpha] = np.where(ok, deltas[hi], np.nan)
    return found


def turn_values(cell: Cell, rates: CodingRates | None) -> np.ndarray:
    """Each unit's count per issue, corrected turn by turn (Rogan–Gladen, unclipped) when
    ``rates`` are given; NaN columns where the lexicon cannot separate the issue."""
    y = cell.counts.astype(float)
    if rates is None:
        return y
    sens, fpr = rates.point()
    youden = sens - fpr
    with np.errstate(all="ignore"):
        y = (y - fpr[None, :] * cell.sizes[:, None]) / youden[None, :]
    return np.where((youden >= MIN_YOUDEN)[None, :], y, np.nan)


def compare_cells(a: Cell, b: Cell, seed: int, measure: str,
                  rates: tuple[CodingRates | None, CodingRates | None] = (None, None),
                  n_perm: int = N_PERM, level: float = LEVEL,
                  detect_at: tuple[float, ...] = ()) -> pd.DataFrame:
    """Share of ``a`` minus share of ``b``, per issue.

    Columns: ``estimate``, ``ci_low``/``ci_high``, ``p_value`` (:func:`permutation_test`),
    ``p_unclustered`` (Fisher's exact test, every sentence a unit), ``n_turns`` and
    ``n_turns_compare``, ``df``, ``smallest_p`` (the smallest p any split can give) and, per
    level in ``detect_at``, ``mde@<level>`` (:func:`detectable_differences`). Draws are
    seeded by the two cells' names.
    """
    ya, yb = turn_values(a, rates[0]), turn_values(b, rates[1])
    y = np.vstack([ya, yb])
    n = np.concatenate([a.sizes, b.sizes]).astype(float)
    in_a = np.r_[np.ones(len(a.sizes)), np.zeros(len(b.sizes))]
    keys = (a.meeting, a.speaker, b.meeting, b.speaker, measure)
    member, exact = relabellings(len(a.sizes), len(n), rng_for(seed, *keys, "perm"), n_perm)
    usable = np.isfinite(y).all(axis=0)
    df = bell_mccaffrey_df(a.sizes, b.sizes)
    test = permutation_test(member, exact, np.nan_to_num(y), n, in_a, df, level)
    test = {k: np.where(usable, v, np.nan) for k, v in test.items()}
    out = pd.DataFrame({**test,
                        "p_unclustered": np.where(usable, fisher_pvalues(a, b), np.nan),
                        "n_turns": len(a.sizes), "n_turns_compare": len(b.sizes), "df": df,
                        "smallest_p": smallest_p(member, exact)})
    if detect_at:
        base = (a.counts.sum(0) + b.counts.sum(0)) / (a.n + b.n)
        mde = detectable_differences(member, exact, n, in_a, base, detect_at,
                                     rng_for(seed, *keys, "power"), df)
        for alpha, m in mde.items():
            out[f"mde@{alpha:g}"] = np.where(usable, m, np.nan)
    return out


def fisher_pvalues(a: Cell, b: Cell) -> np.ndarray:
    """Fisher's exact test per issue, as if every sentence were independent."""
    ka, kb = a.counts.sum(axis=0), b.counts.sum(axis=0)
    return np.array([fisher_exact([[x, a.n - x], [y, b.n - y]])[1] for x, y in zip(ka, kb)])


