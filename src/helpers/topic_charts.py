"""Charts of the topic models: prevalence per speaker and meeting, and the k sweep."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd

from .figures import (OKABE_ITO, add_source_note, figure_title, legend_above, plot_share_heatmap,
                      speaker_dots)
from .sources import order_meetings


def _wrapped(labels, width: int = 24) -> list[str]:
    """Long topic labels ("unlabelled: word, word, word") on lines of ``width`` characters."""
    return [textwrap.fill(str(lab), width) for lab in labels]


def plot_prevalence_heatmap(prev: pd.DataFrame, speakers=("pompeo", "lavrov", "putin"),
                            title: str | None = None, width: float = 6.5):
    """Topic share for every speaker-meeting cell; cells without data hatched, not 0."""
    meetings = order_meetings(prev["meeting"].unique())
    cols = [(sp, m) for sp in speakers for m in meetings]
    grid = prev.pivot_table(index="label", columns=["speaker", "meeting"], values="share",
                            aggfunc="first").reindex(
        columns=pd.MultiIndex.from_tuples(cols))
    order = prev.drop_duplicates("topic").sort_values("topic")["label"]
    grid = grid.reindex(order)
    return plot_share_heatmap(grid, _wrapped(grid.index), title or "Topic prevalence (%)",
                              row_height=0.35, width=width)


def plot_prevalence_dots(prev: pd.DataFrame, meeting: str, speakers=("pompeo", "lavrov"),
                         title: str | None = None):
    """Dot plot with intervals of topic prevalence, speakers side by side, at one meeting."""
    d = prev[(prev["meeting"] == meeting) & prev["speaker"].isin(speakers)]
    order = d.groupby("label")["share"].max().sort_values().index.tolist()
    fig, ax = plt.subplots(figsize=(6.5, 0.35 * len(order) + 1.2))
    speaker_dots(ax, d, "label", order, speakers, lw=1)
    ax.set_yticks(range(len(order)), _wrapped(order))
    ax.set_xlabel("Mean share of the speaker's documents (%), with 95% bootstrap interval",
                  wrap=True)
    legend_above(ax)
    figure_title(fig, title or "Topic prevalence")
    add_source_note(fig)
    return fig


def plot_k_curve(scores: pd.DataFrame, chosen: dict, title: str | None = None,
                 width: float = 6.5):
    """Coherence and stability against k, mean ± sd over seeds; the chosen k circled. The
    two panels sit side by side, or one above the other in a narrow (< 5 in) figure."""
    n_seeds = scores.groupby(["model", "k"]).size().max()
    wide = width >= 5
    fig, axes = plt.subplots(1 if wide else 2, 2 if wide else 1,
                             figsize=(width, 2.9 if wide else 4.8))
    for ax, metric in zip(axes, ("coherence", "stability")):
        for c, marker, off, (model, d) in zip((OKABE_ITO[4], OKABE_ITO[5]), "os", (-0.08, 0.08),
                                              scores.groupby("model")):
            g = d.groupby("k")[metric]
            ax.scatter(d["k"] + off, d[metric], s=6, color=c, alpha=0.35, linewidths=0)
            ax.errorbar(g.mean().index + off, g.mean(), yerr=g.std(), color=c, marker=marker,
                        ms=3, capsize=2, lw=1, label=model.upper())
            k = chosen.get(model)
            if k is not None:
                ax.scatter([k + off], [g.mean()[k]], s=70, facecolors="none", edgecolors=c)
        ax.set_xlabel("number of topics k")
        ax.set_ylabel("NPMI coherence\n(reference: other windows)" if metric == "coherence"
                      else f"Stability (matched\ncosine), {n_seeds} seeds")
    legend_above(axes[0])
    figure_title(fig, title or "Choosing k")
    add_source_note(fig)
    return fig
