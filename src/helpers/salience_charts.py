"""Charts of issue salience: speakers at a meeting, a speaker across meetings, every cell,
and agenda overlap. Speakers, meetings and labels come from the data and the manifest."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .figures import (OKABE_ITO, add_source_note, figure_title, interval_dots, legend_above,
                      plot_share_heatmap, speaker_dots)
from .lexicon import Issue
from .salience import salience_grid
from .sources import meeting_label


def _finish(fig, ax, order, lexicon, xlabel, title):
    labels = {i.id: i.label for i in lexicon}
    ax.set_yticks(range(len(order)), [labels[i] for i in order])
    ax.set_xlabel(xlabel, wrap=True)
    ax.set_xlim(left=0)
    legend_above(ax)
    figure_title(fig, title)
    add_source_note(fig)
    return fig


def plot_salience_dots(sal: pd.DataFrame, lexicon: list[Issue], meeting: str, speakers,
                       measure: str = "hand", title: str | None = None):
    """Each speaker's share of sentences per issue at one meeting, with 95% intervals."""
    d = sal[(sal["meeting"] == meeting) & sal["speaker"].isin(speakers)
            & (sal["measure"] == measure)]
    order = d.groupby("issue")["share"].max().sort_values(kind="stable").index.tolist()
    fig, ax = plt.subplots(figsize=(6.5, 0.32 * len(order) + 1.4))
    speaker_dots(ax, d, "issue", order, speakers)
    return _finish(fig, ax, order, lexicon,
                   f"Share of the speaker's sentences (%), {measure} coding, 95% interval",
                   title or f"Issue salience at {meeting_label(meeting)}")


def plot_change(sal: pd.DataFrame, lexicon: list[Issue], speaker: str, meetings,
                measure: str = "hand", title: str | None = None):
    """One speaker's share per issue at two meetings (earlier, later), with 95% intervals."""
    early, late = meetings
    d = sal[(sal["speaker"] == speaker) & sal["meeting"].isin(meetings)
            & (sal["measure"] == measure)]
    wide = d.pivot(index="issue", columns="meeting", values="share")
    order = (wide[late] - wide[early]).sort_values(kind="stable").index.tolist()
    fig, ax = plt.subplots(figsize=(6.5, 0.32 * len(order) + 1.4))
    for k, iid in enumerate(order):
        ax.plot(wide.loc[iid, [early, late]] * 100, [k, k], color="#bbbbbb", lw=2, zorder=1)
    for colour, m, marker in ((OKABE_ITO[1], early, "o"), (OKABE_ITO[4], late, "D")):
        e = d[d["meeting"] == m].set_index("issue").loc[order]
        interval_dots(ax, e, np.arange(len(order)), fmt=marker, color=colour,
                      label=meeting_label(m), zorder=2)
    return _finish(fig, ax, order, lexicon,
                   f"Share of {speaker.title()}'s sentences (%), {measure} coding, 95% interval",
                   title or f"{speaker.title()}: {meeting_label(early)} to {meeting_label(late)}")


def plot_salience_heatmap(sal: pd.DataFrame, lexicon: list[Issue], speakers,
                          measure: str = "lexicon", title: str | None = None,
                          width: float = 6.5):
    """Heatmap of every speaker-meeting cell by issue; cells without data hatched, not 0."""
    d = sal[sal["measure"] == measure]
    grid = salience_grid(d, speakers)
    totals = (d.drop_duplicates(["speaker", "meeting"]).set_index(["speaker", "meeting"])
              ["total_sentences"].reindex(grid.columns))
    labels = {i.id: i.label for i in lexicon}
    return plot_share_heatmap(grid, [labels[i] for i in grid.index],
                              title or f"Share of sentences by issue (%), {measure} coding",
                              row_height=0.3, totals=totals,
                              ci_low=salience_grid(d, speakers, "ci_low"),
                              ci_high=salience_grid(d, speakers, "ci_high"), width=width)


def plot_agenda_overlap(overlaps: pd.DataFrame, title: str | None = None):
    """Agenda similarity with 95% intervals, against what identical agendas would score.

    ``overlaps`` has ``comparison``, ``estimate`` (1 − Jensen–Shannon distance),
    ``ci_low``, ``ci_high``, and ``ceiling``, ``ceiling_low``, ``ceiling_high``: the mean and
    central range of the similarity of two samples of one agenda at the same sizes.
    """
    fig, ax = plt.subplots(figsize=(6.5, 0.5 * len(overlaps) + 2.0))
    y = np.arange(len(overlaps))
    ax.barh(y, overlaps["ceiling_high"] - overlaps["ceiling_low"], left=overlaps["ceiling_low"],
            height=0.5, color="#dddddd", label="two samples of one agenda\n(95% of draws)")
    ax.plot(overlaps["ceiling"], y, "|", color="#555555", ms=14, mew=2)
    est = overlaps["estimate"].to_numpy()
    ax.errorbar(est, y, xerr=[est - overlaps["ci_low"], overlaps["ci_high"] - est], fmt="o",
                color=OKABE_ITO[4], capsize=3, label="observed similarity,\n95% interval")
    ax.set_yticks(y, [textwrap.fill(c, 24) for c in overlaps["comparison"]])
    ax.set_xlim(0, 1.02)
    ax.set_ylim(-0.6, len(overlaps) - 0.4)
    ax.set_xlabel("Agenda similarity: 1 − Jensen–Shannon distance (0 = disjoint, 1 = same)",
                  wrap=True)
    legend_above(ax, ncols=1)
    figure_title(fig, title or "Agenda overlap")
    add_source_note(fig)
    return fig
