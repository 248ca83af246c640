"""Issue salience: each speaker's agenda at each meeting, from coded sentences.

``compute_salience`` gives the share of a speaker's sentences at a meeting that concern each
issue; ``compute_agenda_overlap`` compares two agendas; ``salience_evidence`` lists the
sentences behind every number; ``compare_with_topics`` sets the shares beside the topic
model's prevalence.

Bootstrap. Resampling a cell's n sentences with replacement makes each issue's count
Binomial(n, share), so salience intervals come from binomial quantiles (the exact bootstrap
percentile interval). For the agenda overlap, which needs the joint resample, a resample is
a multinomial draw of n over the distinct issue label-sets present (sentences with the same
labels are interchangeable), drawn B times in one vectorised, seeded call.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import config
from .lexicon import Issue, issue_ids
from .sources import order_meetings


def cell_rng(seed: int, *keys: str) -> np.random.Generator:
    """A generator for one cell, from the master seed and the cell's names.

    Each cell's intervals are then the same whichever other cells are computed with it.
    """
    import zlib

    return np.random.default_rng([seed, zlib.crc32("|".join(keys).encode())])


def _label_sets(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (unique label rows, counts) of a boolean matrix."""
    uniq, counts = np.unique(x, axis=0, return_counts=True)
    return uniq, counts


def compute_salience(coded: pd.DataFrame, lexicon: list[Issue],
                     speakers=("pompeo", "lavrov", "putin"),
                     level: float = 0.95) -> pd.DataFrame:
    """Salience of each issue for each speaker at each meeting, with bootstrap intervals.

    ``share`` is the share of the speaker's sentences at the meeting that concern the issue;
    ``share_words`` weights sentences by their words. Rows exist only for (meeting, speaker)
    cells with data. ``ci_low``/``ci_high`` are the percentile interval of the bootstrap over
    the cell's sentences. Resampling n sentences with replacement makes the count of issue
    sentences Binomial(n, share) exactly, so the interval is taken from that distribution's
    quantiles: the Monte Carlo bootstrap's limit as resamples grow, with no sampling noise
    and no seed to depend on. One vectorised pass over all cells and issues.
    """
    from scipy.stats import binom

    ids = issue_ids(lexicon)
    d = coded[coded["speaker"].isin(list(speakers))]
    x = d[ids].astype(np.int64)
    w = d["n_words"].to_numpy(dtype=float)
    grouped = x.groupby([d["meeting"], d["speaker"]], sort=True)
    k = grouped.sum()  # cells × issues
    n = grouped.size().to_numpy()
    words = (x.mul(w, axis=0)).groupby([d["meeting"], d["speaker"]], sort=True).sum()
    total_words = pd.Series(w, index=d.index).groupby([d["meeting"], d["speaker"]],
                                                        sort=True).sum().to_numpy()
    share = k.to_numpy() / n[:, None]
    alpha = (1 - level) / 2
    lo = binom.ppf(alpha, n[:, None], share) / n[:, None]
    hi = binom.ppf(1 - alpha, n[:, None], share) / n[:, None]
    share_words = words.to_numpy() / np.where(total_words > 0, total_words, 1)[:, None]
    cells = k.index.to_frame(index=False)
    n_issues = len(ids)
    out = pd.DataFrame({
        "meeting": np.repeat(cells["meeting"].to_numpy(), n_issues),
        "speaker": np.repeat(cells["speaker"].to_numpy(), n_issues),
        "issue": np.tile(ids, len(cells)),
        "n_sentences": k.to_numpy().ravel(),
        "total_sentences": np.repeat(n, n_issues),
        "share": share.ravel(),
        "share_words": share_words.ravel(),
        "ci_low": np.minimum(lo.ravel(), share.ravel()),
        "ci_high": np.maximum(hi.ravel(), share.ravel()),
        "total_words": np.repeat(total_words.astype(np.int64), n_issues),
    })
    return out


def _js_similarity(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """1 − Jensen–Shannon distance (base 2) between rows of p and q (distributions)."""
    p = p / np.clip(p.sum(axis=-1, keepdims=True), 1e-12, None)
    q = q / np.clip(q.sum(axis=-1, keepdims=True), 1e-12, None)
    m = (p + q) / 2

    def kl(a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(a > 0, a * np.log2(a / np.where(b > 0, b, 1)), 0.0)
        return t.sum(axis=-1)
    return 1 - np.sqrt(np.clip((kl(p, m) + kl(q, m)) / 2, 0, 1))


def compute_agenda_overlap(coded: pd.DataFrame, lexicon: list[Issue], meeting: str,
                           a: str = "pompeo", b: str = "lavrov", n_boot: int = 2000,
                           seed: int = config.SEED, level: float = 0.95) -> dict:
    """Similarity (1 − JS distance) of two speakers' issue distributions at a meeting.

    The distribution is each speaker's issue mentions normalised to sum to one. The
    interval resamples each speaker's sentences independently (multinomial form).
    """
    ids = issue_ids(lexicon)
    dists, boots = [], []
    for speaker in (a, b):
        rng = cell_rng(seed, meeting, speaker, "overlap")
        d = coded[(coded["meeting"] == meeting) & (coded["speaker"] == speaker)]
        if d.empty:
            raise ValueError(f"no sentences for {speaker} at {meeting}")
        x = d[ids].to_numpy(dtype=bool)
        uniq, counts = _label_sets(x)
        dists.append(x.sum(axis=0).astype(float))
        boots.append(rng.multinomial(len(x), counts / len(x), size=n_boot) @ uniq)
    point = float(_js_similarity(dists[0], dists[1]))
    sims = _js_similarity(boots[0].astype(float), boots[1].astype(float))
    alpha = (1 - level) / 2
    lo, hi = np.quantile(sims, [alpha, 1 - alpha])
    return {"meeting": meeting, "a": a, "b": b, "similarity": point, "ci_low": float(lo),
            "ci_high": float(hi)}


def salience_evidence(coded: pd.DataFrame, lexicon: list[Issue],
                      speakers=("pompeo", "lavrov", "putin")) -> pd.DataFrame:
    """Every coded sentence behind every salience number, one row per sentence and issue."""
    ids = issue_ids(lexicon)
    d = coded[coded["speaker"].isin(list(speakers))]
    long = d.melt(id_vars=["meeting", "speaker", "sentence_id", "source", "char_start",
                           "char_end", "via", "text"], value_vars=ids, var_name="issue",
                  value_name="hit")
    long = long[long["hit"]].drop(columns="hit")
    cols = ["meeting", "speaker", "issue", "sentence_id", "source", "char_start", "char_end",
            "via", "text"]
    order = {i: k for k, i in enumerate(ids)}
    long = long.assign(_o=long["issue"].map(order), _s=long["sentence_id"])
    return long.sort_values(["meeting", "speaker", "_o", "source", "char_start"])[cols] \
        .reset_index(drop=True)


def salience_grid(sal: pd.DataFrame, speakers=("pompeo", "lavrov", "putin")) -> pd.DataFrame:
    """Share per issue (rows) × speaker-meeting cell (columns); NaN where there is no data."""
    meetings = order_meetings(sal["meeting"].unique())
    cols = [(sp, m) for sp in speakers for m in meetings]
    grid = sal.pivot_table(index="issue", columns=["speaker", "meeting"], values="share",
                           aggfunc="first")
    grid = grid.reindex(columns=pd.MultiIndex.from_tuples(cols, names=["speaker", "meeting"]))
    return grid.reindex(sal["issue"].drop_duplicates().tolist())


def compare_with_topics(coded: pd.DataFrame, topic_table: pd.DataFrame,
                        prevalence: pd.DataFrame, model: str = "nmf",
                        speakers=("pompeo", "lavrov", "putin")) -> tuple[pd.DataFrame, pd.Series]:
    """Lexicon salience of each topic's mapped issues against that topic's prevalence.

    Returns (table, Spearman correlation per topic across speaker-meeting cells). Topics
    mapped to no issue are left out; with none mapped, both results are empty.
    """
    cols = ["topic", "issues", "meeting", "speaker", "lexicon_share", "topic_share"]
    mapped = topic_table[(topic_table["model"] == model)
                         & topic_table["issues"].fillna("").str.len().gt(0)]
    prev = prevalence[prevalence["model"] == model].set_index(["topic", "meeting", "speaker"])
    rows = []
    cells = coded[coded["speaker"].isin(list(speakers))].groupby(["meeting", "speaker"])
    for t in mapped.itertuples():
        issues_t = [i for i in t.issues.split(";") if i]
        any_issue = coded[issues_t].any(axis=1)
        for (m, sp), d in cells:
            if (t.topic, m, sp) in prev.index:
                rows.append({"topic": t.label, "issues": t.issues, "meeting": m, "speaker": sp,
                             "lexicon_share": float(any_issue[d.index].mean()),
                             "topic_share": float(prev.loc[(t.topic, m, sp), "share"])})
    table = pd.DataFrame(rows, columns=cols)
    corr = pd.Series({topic: g["lexicon_share"].corr(g["topic_share"], method="spearman")
                      for topic, g in table.groupby("topic")}, dtype=float)
    return table, corr
