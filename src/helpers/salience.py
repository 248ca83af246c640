"""Issue salience: each speaker's agenda at each meeting, from coded sentences.

``compute_salience`` gives, for every speaker-meeting cell with data and for each measure
(``lexicon``: the automatic coding, corrected for its estimated coding error; ``hand``: the
hand coding, where a cell has one), the share of the speaker's sentences that concern each
issue, with intervals from :mod:`helpers.inference`. ``salience_evidence`` lists the
sentences behind every number; ``compare_with_topics`` sets the shares beside the topic
model's prevalence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import inference
from .coding import code_sentences
from .lexicon import Issue, issue_ids
from .parameters import BLOCK, HAND_MIN_COVERAGE, LEVEL, MIN_TURNS, N_BOOT, SEED, SPEAKERS_MEASURED
from .sources import order_meetings


MEASURES = ("lexicon", "hand")


def measure_cells(coded: pd.DataFrame, ids: list[str], gold: pd.DataFrame | None = None,
                  speakers=SPEAKERS_MEASURED, block: int | None = BLOCK) -> dict:
    """Resampling cells of every measure: ``{measure: {(meeting, speaker): (Cell, rates)}}``.

    ``lexicon``: the coded labels, with coding rates (:class:`~helpers.inference.CodingRates`)
    estimated from the hand-coded sentences of *other* sources than the cell's, so that no
    cell is corrected with its own hand codes (``None`` without hand codes).
    ``hand``: the hand codes (``gold``, sentence_id × issue), for every cell with at least
    ``HAND_MIN_COVERAGE`` of its sentences coded; only those sentences count.
    """
    d = coded[coded["speaker"].isin(list(speakers))]
    lex = inference.cell_blocks(d[ids], d, block)
    if gold is None:
        return {"lexicon": {key: (cell, None) for key, cell in lex.items()}}
    out = {"lexicon": {}}
    pred = d.set_index("sentence_id")[ids]
    coded_ids = gold.index.intersection(pred.index)
    coded_sources = d.set_index("sentence_id")["source"].loc[coded_ids]
    rates_for: dict[tuple, inference.CodingRates | None] = {}  # by the cell's sources
    for key, cell in lex.items():
        if cell.sources not in rates_for:
            train = coded_ids[~coded_sources.isin(cell.sources).to_numpy()]
            rates_for[cell.sources] = (inference.estimate_rates(pred.loc[train],
                                                                gold.loc[train, ids])
                                       if len(train) else None)
        out["lexicon"][key] = (cell, rates_for[cell.sources])
    has = d["sentence_id"].isin(coded_ids)
    cover = has.groupby([d["meeting"], d["speaker"]]).mean()
    h = d[has]
    labels = gold.loc[h["sentence_id"], ids].set_axis(h.index)
    out["hand"] = {key: (cell, None)
                   for key, cell in inference.cell_blocks(labels, h, block).items()
                   if cover.get(key, 0) >= HAND_MIN_COVERAGE}
    return out


def compute_salience(coded: pd.DataFrame, lexicon: list[Issue], gold: pd.DataFrame | None = None,
                     speakers=SPEAKERS_MEASURED, seed: int = SEED,
                     n_boot: int = N_BOOT, level: float = LEVEL,
                     held_out_sources: tuple[str, ...] = ()) -> pd.DataFrame:
    """Salience of each issue for each speaker at each meeting, by measure, with intervals.

    ``share`` is the share of the cell's canonical sentences that concern the issue: for
    ``lexicon`` corrected for coding error (``share_uncorrected`` is the raw share), for
    ``hand`` from the hand coding. Only cells with data have rows (a missing cell has no
    rows, never zeros). ``estimable`` is false for a cell of fewer than ``MIN_TURNS`` turns;
    ``validated`` is false for a cell with a source that has no hand codes (in ``gold``, or a
    completed held-out sheet of ``held_out_sources``).
    """
    ids = issue_ids(lexicon)
    words = coded.groupby(["meeting", "speaker"])["n_words"].sum()
    cells_rows, issue_values = [], []
    for measure, cells in measure_cells(coded, ids, gold, speakers).items():
        estimates = inference.estimate_cells(cells, seed, measure, n_boot, level)
        for ((meeting, speaker), (cell, rates)), (point, lo, hi) in zip(cells.items(),
                                                                         estimates):
            cells_rows.append((meeting, speaker, measure, rates is not None, cell.n,
                               int(words[(meeting, speaker)]), len(cell.sizes)))
            issue_values.append((cell.counts.sum(axis=0), point, lo, hi))
    per_cell = pd.DataFrame(cells_rows, columns=["meeting", "speaker", "measure", "corrected",
                                                 "total_sentences", "total_words", "n_turns"])
    out = per_cell.loc[per_cell.index.repeat(len(ids))].reset_index(drop=True)
    k, share, lo, hi = (np.concatenate(v) for v in zip(*issue_values))
    out = out.assign(issue=np.tile(ids, len(per_cell)), n_sentences=k, share=share, ci_low=lo,
                     ci_high=hi, share_uncorrected=k / out["total_sentences"].to_numpy())
    out = out[["meeting", "speaker", "issue", "measure", "corrected", "n_sentences",
               "total_sentences", "share", "ci_low", "ci_high", "share_uncorrected",
               "total_words", "n_turns"]]
    out["estimable"] = out["n_turns"] >= MIN_TURNS
    checked = set(held_out_sources)
    if gold is not None:
        checked |= set(coded.loc[coded["sentence_id"].isin(gold.index), "source"])
    unchecked = coded[~coded["source"].isin(checked)].groupby(["meeting", "speaker"]).size()
    out["validated"] = [(m, sp) not in unchecked.index
                        for m, sp in zip(out["meeting"], out["speaker"])]
    rank = {**{m: i for i, m in enumerate(MEASURES)},
            **{m: i for i, m in enumerate(order_meetings(out["meeting"]))}}
    return out.sort_values(["measure", "meeting", "speaker"], kind="stable",
                           key=lambda c: c.map(rank) if c.name != "speaker" else c
                           ).reset_index(drop=True)


def salience_evidence(coded: pd.DataFrame, lexicon: list[Issue],
                      speakers=SPEAKERS_MEASURED) -> pd.DataFrame:
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
    long = long.assign(_o=long["issue"].map(order))
    return long.sort_values(["meeting", "speaker", "_o", "source", "char_start"])[cols] \
        .reset_index(drop=True)


def salience_grid(sal: pd.DataFrame, speakers=SPEAKERS_MEASURED,
                  value: str = "share") -> pd.DataFrame:
    """``value`` per issue (rows) × speaker-meeting cell (columns); NaN where there is no data."""
    meetings = order_meetings(sal["meeting"].unique())
    cols = [(sp, m) for sp in speakers for m in meetings]
    grid = sal.pivot_table(index="issue", columns=["speaker", "meeting"], values=value,
                           aggfunc="first", dropna=False)
    grid = grid.reindex(columns=pd.MultiIndex.from_tuples(cols, names=["speaker", "meeting"]))
    return grid.reindex(sal["issue"].drop_duplicates().tolist())


def compare_with_topics(coded: pd.DataFrame, topic_table: pd.DataFrame,
                        prevalence: pd.DataFrame, model: str = "nmf",
                        speakers=SPEAKERS_MEASURED) -> tuple[pd.DataFrame, pd.Series]:
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


def compare_renderings(sentences: pd.DataFrame, lexicon: list[Issue], inherit: str,
                       speakers=SPEAKERS_MEASURED) -> pd.DataFrame:
    """Issue shares of the same passage in two renderings (e.g. translation vs interpreter).

    For each lower-ranked source that repeats a speaker's canonical sentences (``duplicate_of``),
    codes the repeated sentences and the canonical sentences they repeat, each in its own
    source order, and returns one row per (meeting, speaker, source, issue) with both shares.
    """
    ids = issue_ids(lexicon)
    rep = sentences[~sentences["canonical"] & sentences["speaker"].isin(list(speakers))
                    & sentences["duplicate_of"].notna()]
    rows = []
    for (m, sp, src), part in rep.groupby(["meeting", "speaker", "source"], sort=True):
        canon = sentences[sentences["sentence_id"].isin(set(part["duplicate_of"]))]
        a = code_sentences(part, lexicon, inherit)[ids].mean()
        b = code_sentences(canon, lexicon, inherit)[ids].mean()
        for issue in ids:
            rows.append({"meeting": m, "speaker": sp, "source": src,
                         "rendering": part["translation"].iloc[0],
                         "canonical_rendering": canon["translation"].iloc[0],
                         "sentences": len(part), "canonical_sentences": len(canon),
                         "issue": issue, "share_rendering": float(a[issue]),
                         "share_canonical": float(b[issue])})
    return pd.DataFrame(rows)
