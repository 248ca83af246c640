"""Inference for issue salience: intervals that carry what is uncertain, and agenda overlap.

- **Clustering.** The unit of every resample is the whole turn (an answer, a statement),
  drawn with replacement; blocks of ``block`` sentences, or single sentences, only serve the
  robustness table.
- **Coding error** (lexicon measure). Sensitivity and false-positive rate per issue are
  estimated from hand-coded sentences of *other* sources (:func:`estimate_rates`), shares are
  corrected for them (Rogan–Gladen, :func:`correct_shares`), and each resample draws the rates
  from their Beta posteriors.
- **Zero counts** get the exact (Clopper–Pearson) interval [0, upper], never [0, 0].

Contrasts between cells are in :mod:`helpers.contrasts`. The intervals do not cover the
choice of lexicon patterns or inheritance rule, disagreement between coders, or which
questions journalists asked.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon
from scipy.stats import beta

from . import config
from .parameters import (BLOCK, LEVEL, MIN_YOUDEN, N_BOOT, PRIOR_STRENGTH, SKIP_ZERO_DRAWS_FROM,
                         WEAK_CORRECTION_POSITIVES, WEAK_CORRECTION_SENTENCES)


def rng_for(seed: int, *keys: str) -> np.random.Generator:
    """A generator for one named computation (the same whichever others run with it)."""
    return np.random.default_rng([seed, zlib.crc32("|".join(keys).encode())])


def unit_weights(rng: np.random.Generator, n_units: int, n_boot: int) -> np.ndarray:
    """How often each of ``n_units`` units is drawn in each of ``n_boot`` resamples with
    replacement (n_boot × n_units)."""
    return rng.multinomial(n_units, np.full(n_units, 1 / n_units), size=n_boot)


@dataclass(frozen=True)
class Cell:
    """One speaker at one meeting: issue counts per resampling unit (turn or block)."""

    meeting: str
    speaker: str
    counts: np.ndarray  # units × issues, sentences per unit that concern each issue
    sizes: np.ndarray   # sentences per unit
    sources: tuple[str, ...]

    @property
    def n(self) -> int:
        return int(self.sizes.sum())

    def shares(self) -> np.ndarray:
        return self.counts.sum(axis=0) / self.n


def block_ids(frame: pd.DataFrame, block: int | None = BLOCK) -> np.ndarray:
    """Each row's unit: its turn (``block=None``), or runs of ``block`` sentences in a turn.

    Rows must be in source order; units are numbered by their first row.
    """
    turn = frame.groupby(["source", "turn"], sort=False, dropna=False).ngroup().to_numpy()
    if block is None:
        return pd.factorize(turn)[0]
    pos = pd.Series(turn).groupby(turn, sort=False).cumcount().to_numpy()
    return pd.factorize(turn * (int(pos.max(initial=0)) // block + 1) + pos // block)[0]


def cell_blocks(labels: pd.DataFrame, frame: pd.DataFrame, block: int | None = BLOCK) -> dict:
    """``{(meeting, speaker): Cell}`` from boolean issue labels aligned with ``frame``.

    ``frame`` holds meeting, speaker, source and turn for the same rows, in source order.
    Cells come sorted, a cell's units in the order of their first sentence; rows without a
    meeting or speaker belong to no cell.
    """
    units = block_ids(frame, block)
    x = labels.to_numpy(dtype=np.int64)
    source = frame["source"].to_numpy()
    cells = {}
    for (meeting, speaker), rows in frame.groupby(["meeting", "speaker"], sort=True).indices.items():
        unit = pd.factorize(units[rows])[0]
        counts = np.zeros((unit.max() + 1, x.shape[1]), dtype=np.int64)
        np.add.at(counts, unit, x[rows])
        cells[(meeting, speaker)] = Cell(meeting, speaker, counts, np.bincount(unit),
                                         tuple(sorted(set(source[rows]))))
    return cells


@dataclass(frozen=True)
class CodingRates:
    """Confusion counts of the lexicon against hand codes, per issue, with a pooled prior."""

    tp: np.ndarray
    fn: np.ndarray
    fp: np.ndarray
    tn: np.ndarray
    strength: float = PRIOR_STRENGTH

    def _beta(self):
        sens0 = (self.tp.sum() + 0.5) / (self.tp.sum() + self.fn.sum() + 1)
        fpr0 = (self.fp.sum() + 0.5) / (self.fp.sum() + self.tn.sum() + 1)
        s = self.strength
        return ((self.tp + s * sens0, self.fn + s * (1 - sens0)),
                (self.fp + s * fpr0, self.tn + s * (1 - fpr0)))

    def point(self) -> tuple[np.ndarray, np.ndarray]:
        """Posterior means of sensitivity and false-positive rate per issue."""
        (a1, b1), (a2, b2) = self._beta()
        return a1 / (a1 + b1), a2 / (a2 + b2)

    def draw(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``n`` posterior draws (n × issues) of sensitivity and false-positive rate."""
        (a1, b1), (a2, b2) = self._beta()
        return rng.beta(a1, b1, size=(n, len(a1))), rng.beta(a2, b2, size=(n, len(a2)))


def estimate_rates(predicted: pd.DataFrame, gold: pd.DataFrame,
                   strength: float = PRIOR_STRENGTH) -> CodingRates:
    """Confusion counts per issue of ``predicted`` against ``gold`` (same index and columns)."""
    p = predicted.loc[gold.index, gold.columns].to_numpy(dtype=bool)
    g = gold.to_numpy(dtype=bool)
    return CodingRates((p & g).sum(0), (~p & g).sum(0), (p & ~g).sum(0), (~p & ~g).sum(0),
                       strength)


def correct_shares(observed: np.ndarray, sens: np.ndarray, fpr: np.ndarray) -> np.ndarray:
    """Rogan–Gladen: the true share π from the observed p = sens·π + fpr·(1 − π), clipped to
    [0, 1]; NaN where sens − fpr < ``MIN_YOUDEN`` (the lexicon cannot separate the issue)."""
    youden = sens - fpr
    with np.errstate(divide="ignore", invalid="ignore"):
        pi = (observed - fpr) / youden
    return np.where(youden >= MIN_YOUDEN, np.clip(pi, 0.0, 1.0), np.nan)


def clopper_pearson_upper(n: np.ndarray | int, level: float = LEVEL) -> np.ndarray:
    """Exact upper bound of a share when 0 of n sentences concern the issue."""
    return 1 - ((1 - level) / 2) ** (1 / np.asarray(n, dtype=float))


def bootstrap_shares(cell: Cell, rng: np.random.Generator, rates: CodingRates | None = None,
                     n_boot: int = N_BOOT, zeros: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(point shares, replicate shares n_boot × issues) of one cell, units drawn with
    replacement.

    With ``rates``, both are corrected for coding error, each replicate drawing the rates.
    An issue with no sentence in the cell is drawn from the Jeffreys posterior
    Beta(0.5, n + 0.5) instead of resampling as 0 every time; ``zeros=False`` leaves it at 0
    (:func:`intervals` gives a zero count its exact bound anyway).
    """
    w = unit_weights(rng, len(cell.sizes), n_boot).astype(float)
    # floating-point products of small counts are exact, and far faster than integer ones
    reps = (w @ cell.counts.astype(float)) / np.maximum(w @ cell.sizes.astype(float), 1)[:, None]
    point = cell.shares()
    zero = cell.counts.sum(axis=0) == 0
    if zeros and zero.any():
        reps[:, zero] = rng.beta(0.5, cell.n + 0.5, size=(n_boot, int(zero.sum())))
    if rates is not None:
        sens, fpr = rates.point()
        point = correct_shares(point, sens, fpr)
        reps = correct_shares(reps, *rates.draw(n_boot, rng))
    return point, reps


def intervals(point: np.ndarray, reps: np.ndarray, counts: np.ndarray, n: np.ndarray,
              n_blocks: np.ndarray, level: float = LEVEL,
              rates: list[CodingRates | None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Percentile intervals of many cells at once (cells × issues; ``reps`` cells ×
    replicates × issues; ``n``, ``n_blocks``, ``rates`` one per cell), never excluding the
    point.

    Three fall-backs: a zero count's upper bound is at least the Clopper–Pearson one (mapped
    through the coding correction when a cell has rates: a lexicon that misses mentions can
    show none while the true share is above zero); a cell of a single unit, which cannot be
    resampled, gets the exact interval of its sentences; and where the correction has little
    information (fewer than ``WEAK_CORRECTION_SENTENCES`` sentences in the cell, or fewer than
    ``WEAK_CORRECTION_POSITIVES`` hand-coded mentions behind the rates) the interval also
    covers the raw lexicon share.
    """
    a = (1 - level) / 2
    rates = [None] * len(point) if rates is None else rates
    lo, hi = point.astype(float), point.astype(float)
    if reps.shape[1]:
        # a cell with a missing replicate (an uncorrectable issue) takes the NaN-aware path
        nan = np.isnan(reps).any(axis=(1, 2))
        # every other (cell, issue) at once; replicates that are all 0 have 0 percentiles
        by_issue = np.moveaxis(reps, 1, 2)  # cells × issues × replicates
        todo = ~nan[:, None] & (reps != 0).any(axis=1)
        lo[~nan], hi[~nan] = 0.0, 0.0
        with np.errstate(all="ignore"):
            if todo.any():
                lo[todo], hi[todo] = np.quantile(by_issue[todo], [a, 1 - a], axis=1)
            for i in np.flatnonzero(nan):
                lo[i], hi[i] = np.nanquantile(reps[i], [a, 1 - a], axis=0)
    lo, hi = np.minimum(lo, point), np.maximum(hi, point)
    # one cell at a time: NumPy's vectorised power may differ in the last bit
    upper = np.repeat(np.array([clopper_pearson_upper(int(m), level) for m in n])[:, None],
                      point.shape[1], axis=1)
    for i, r in enumerate(rates):
        if r is not None:
            upper[i] = np.fmax(upper[i], correct_shares(upper[i], *r.point()))
    zero = counts == 0
    hi = np.where(zero, np.maximum(hi, upper), hi)
    lo = np.where(zero, 0.0, lo)
    single = np.flatnonzero(n_blocks < 2)
    if len(single):  # exact intervals of the sentences of a cell that cannot be resampled
        m = n[single][:, None]
        uncorrected = np.array([rates[i] is None for i in single])[:, None]
        k = np.where(uncorrected, np.rint(point[single] * m), counts[single])
        lo1 = np.where(k > 0, beta.ppf(a, np.maximum(k, 1), m - k + 1), 0.0)
        hi1 = np.where(k < m, beta.ppf(1 - a, k + 1, np.maximum(m - k, 1)), 1.0)
        lo[single] = np.minimum(lo1, point[single])
        hi[single] = np.maximum(hi1, point[single])
    for i, r in enumerate(rates):  # a correction with little information in this cell
        if r is not None:
            weak = (n[i] < WEAK_CORRECTION_SENTENCES) | (r.tp + r.fn < WEAK_CORRECTION_POSITIVES)
            raw = counts[i] / n[i]
            cover = weak & ~np.isnan(point[i])
            lo[i] = np.where(cover, np.minimum(lo[i], raw), lo[i])
            hi[i] = np.where(cover, np.maximum(hi[i], raw), hi[i])
    return lo, hi


def estimate_cells(cells: dict, seed: int, measure: str, n_boot: int = N_BOOT,
                   level: float = LEVEL, chunk: int = 64) -> list[tuple]:
    """``[(point, ci_low, ci_high), …]`` of every cell of ``{key: (Cell, CodingRates or None)}``.

    Each cell has its own generator (:func:`rng_for`), so the result does not depend on the
    other cells or the order of work. Cells are taken ``chunk`` at a time (resampled and
    their intervals computed together), and chunks spread over threads
    (:func:`helpers.config.map_threads`; NumPy releases the interpreter lock).
    """
    def draw(item):
        (meeting, speaker), (cell, rates) = item
        # Without rates, the Jeffreys draws of zero counts pass the exact bound that a zero
        # count gets anyway with probability below 1e-14 at 2,000 replicates: skipped.
        skip = rates is None and n_boot >= SKIP_ZERO_DRAWS_FROM
        return bootstrap_shares(cell, rng_for(seed, meeting, speaker, measure), rates, n_boot,
                                zeros=not skip)

    def one_chunk(part):
        drawn = [draw(item) for item in part]
        group = [cell for _, (cell, _) in part]
        point = np.stack([p for p, _ in drawn])
        lo, hi = intervals(point, np.stack([r for _, r in drawn]),
                           np.stack([c.counts.sum(axis=0) for c in group]),
                           np.array([c.n for c in group]),
                           np.array([len(c.sizes) for c in group]), level,
                           [rates for _, (_, rates) in part])
        return list(zip(point, lo, hi))

    items = list(cells.items())
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    return [row for done in config.map_threads(one_chunk, chunks) for row in done]


def js_similarity(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """1 − Jensen–Shannon distance (base 2) between rows of p and q (non-negative weights);
    NaN where a row has no mass."""
    p, q = np.atleast_2d(p).astype(float), np.atleast_2d(q).astype(float)
    empty = (p.sum(axis=-1) == 0) | (q.sum(axis=-1) == 0)
    with np.errstate(all="ignore"):
        d = jensenshannon(np.where(empty[:, None], 1.0, p), np.where(empty[:, None], 1.0, q),
                          base=2, axis=-1)
    out = np.where(empty, np.nan, 1 - d)
    return out if out.shape[0] > 1 else out[0]


def agenda_overlap(a: Cell, b: Cell, seed: int, n_boot: int = N_BOOT,
                   level: float = LEVEL, measure: str = "") -> dict:
    """Similarity of two agendas (issue mentions), judged against identical agendas.

    1 − JS distance is biased low in small samples, so the plug-in ``similarity`` (also
    ``estimate``) is set against the similarity of two samples of the same sizes drawn from
    the pooled agenda: ``ceiling`` (mean) with ``ceiling_low``/``ceiling_high``,
    ``relative`` = similarity / ceiling, and ``p_identical``, the share of those draws that
    score as low as observed. ``ci_low``/``ci_high``: percentiles over unit resamples of each
    cell (biased low like the estimate). NaN where a cell has no issue mention.
    """
    rng = rng_for(seed, a.meeting, a.speaker, b.meeting, b.speaker, measure, "overlap")
    point = float(js_similarity(a.counts.sum(0), b.counts.sum(0)))

    def draw(counts, nb):
        w = rng.multinomial(nb, np.full(len(counts), 1 / len(counts)), size=n_boot)
        return w @ counts
    sims = js_similarity(draw(a.counts, len(a.counts)), draw(b.counts, len(b.counts)))
    pooled = np.vstack([a.counts, b.counts])
    null = js_similarity(draw(pooled, len(a.counts)), draw(pooled, len(b.counts)))
    al = (1 - level) / 2
    with np.errstate(all="ignore"):
        lo, hi = np.nanquantile(sims, [al, 1 - al]) if np.isfinite(sims).any() else (np.nan,) * 2
        c_lo, c_hi = (np.nanquantile(null, [al, 1 - al]) if np.isfinite(null).any()
                      else (np.nan,) * 2)
        ceiling = float(np.nanmean(null)) if np.isfinite(null).any() else np.nan
    return {"similarity": point, "estimate": point, "ci_low": min(point, float(lo)),
            "ci_high": max(point, float(hi)), "ceiling": ceiling,
            "ceiling_low": float(c_lo), "ceiling_high": float(c_hi),
            "relative": point / ceiling if ceiling else np.nan,
            "p_identical": (float((1 + (null <= point).sum()) / (1 + n_boot))
                            if np.isfinite(point) else np.nan)}
