"""Charts of issue salience: dot plots, change between meetings, heatmap, agenda overlap.

Every function returns a Matplotlib figure; :func:`helpers.figures.save_figure` writes it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .lexicon import Issue
from .salience import salience_grid


def _labels(lexicon):
    return {i.id: i.label for i in lexicon}


def plot_salience_dots(sal: pd.DataFrame, lexicon: list[Issue], meeting: str,
                       speakers=("pompeo", "lavrov"), title: str | None = None):
    """Dot plot with intervals: each speaker's share of sentences per issue at one meeting."""
    import matplotlib.pyplot as plt

    from .figures import SPEAKER_COLOURS, SPEAKER_MARKERS, add_source_note

    d = sal[(sal["meeting"] == meeting) & sal["speaker"].isin(speakers)]
    order = (d.groupby("issue")["share"].max().sort_values().index.tolist())
    y = {iid: k for k, iid in enumerate(order)}
    labels = _labels(lexicon)
    fig, ax = plt.subplots(figsize=(6.5, 0.32 * len(order) + 1.2))
    offsets = np.linspace(-0.15, 0.15, len(speakers))
    for off, sp in zip(offsets, speakers):
        e = d[d["speaker"] == sp]
        ys = e["issue"].map(y).to_numpy() + off
        ax.errorbar(e["share"] * 100, ys, xerr=[(e["share"] - e["ci_low"]) * 100,
                                                (e["ci_high"] - e["share"]) * 100],
                    fmt=SPEAKER_MARKERS.get(sp, "o"), color=SPEAKER_COLOURS[sp], ms=5,
                    capsize=2, lw=1, label=sp.title())
    ax.set_yticks(range(len(order)), [labels[i] for i in order])
    ax.set_xlabel("Share of the speaker's sentences (%), with 95% bootstrap interval")
    ax.set_title(title or "Issue salience", loc="left")
    ax.legend(loc="lower right")
    add_source_note(fig)
    return fig


def plot_pompeo_change(sal: pd.DataFrame, lexicon: list[Issue], speaker: str = "pompeo",
                       meetings=("sochi-2019-05-14", "washington-2019-12-10"),
                       title: str | None = None):
    """Dumbbell chart: one speaker's share per issue at two meetings, with intervals."""
    import matplotlib.pyplot as plt

    from .figures import OKABE_ITO, add_source_note
    from .sources import meeting_label

    d = sal[(sal["speaker"] == speaker) & sal["meeting"].isin(meetings)]
    wide = d.pivot(index="issue", columns="meeting", values="share")
    order = (wide[meetings[1]] - wide[meetings[0]]).sort_values().index.tolist()
    labels = _labels(lexicon)
    fig, ax = plt.subplots(figsize=(6.5, 0.32 * len(order) + 1.2))
    for k, iid in enumerate(order):
        ax.plot(wide.loc[iid, list(meetings)] * 100, [k, k], color="#bbbbbb", lw=2, zorder=1)
    colours = [OKABE_ITO[1], OKABE_ITO[4]]
    for c, m, marker in zip(colours, meetings, ("o", "D")):
        e = d[d["meeting"] == m].set_index("issue").loc[order]
        ax.errorbar(e["share"] * 100, range(len(order)),
                    xerr=[(e["share"] - e["ci_low"]) * 100, (e["ci_high"] - e["share"]) * 100],
                    fmt=marker, color=c, ms=5, capsize=2, lw=0.8, label=meeting_label(m),
                    zorder=2)
    ax.set_yticks(range(len(order)), [labels[i] for i in order])
    ax.set_xlabel(f"Share of {speaker.title()}'s sentences (%), with 95% bootstrap interval")
    ax.set_title(title or f"{speaker.title()}: Sochi to Washington", loc="left")
    ax.legend(loc="lower right")
    add_source_note(fig)
    return fig


def plot_salience_heatmap(sal: pd.DataFrame, lexicon: list[Issue],
                          speakers=("pompeo", "lavrov", "putin"), title: str | None = None):
    """Heatmap of every speaker-meeting cell by issue; cells without data hatched, not 0."""
    from .figures import plot_share_heatmap

    grid = salience_grid(sal, speakers)
    labels = _labels(lexicon)
    return plot_share_heatmap(grid, [labels[i] for i in grid.index],
                              title or "Share of sentences by issue (%)", row_height=0.3)


def plot_agenda_overlap(overlaps: pd.DataFrame, title: str | None = None):
    """Point-and-interval chart of agenda similarity (1 − Jensen–Shannon distance)."""
    import matplotlib.pyplot as plt

    from .figures import OKABE_ITO, add_source_note

    fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(overlaps) + 1.2))
    y = np.arange(len(overlaps))
    ax.errorbar(overlaps["similarity"], y, xerr=[overlaps["similarity"] - overlaps["ci_low"],
                                                  overlaps["ci_high"] - overlaps["similarity"]],
                fmt="o", color=OKABE_ITO[4], capsize=3)
    ax.set_yticks(y, overlaps["comparison"])
    ax.set_xlim(0, 1)
    ax.set_xlabel("Agenda similarity: 1 − Jensen–Shannon distance (0 = disjoint, 1 = same)")
    ax.set_title(title or "Agenda overlap", loc="left")
    add_source_note(fig)
    return fig
