"""House style and the one function that writes figures.

Plot functions elsewhere return a :class:`matplotlib.figure.Figure`; only
:func:`save_figure` writes files. Every figure is saved as PNG (300 dpi), SVG and PDF with
the plotted data as CSV beside it. Output bytes are deterministic: no software tag or dates,
a fixed SVG hash salt, and TrueType fonts embedded in the PDF.
"""

from __future__ import annotations

import io as _io
from pathlib import Path

import matplotlib


import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from . import config  # noqa: E402
from .io import to_csv_text, write_bytes_atomic, write_text_atomic  # noqa: E402

#: Okabe–Ito colour-blind-safe palette.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000"]
#: One colour per speaker, used in every chart (distinct in greyscale as well: dark/mid/light).
SPEAKER_COLOURS = {"pompeo": "#0072B2", "lavrov": "#D55E00", "putin": "#CC79A7",
                   "journalist": "#999999", "moderator": "#999999", "narrator": "#999999"}
SPEAKER_MARKERS = {"pompeo": "o", "lavrov": "s", "putin": "^"}
MEETING_LABELS = {m: v["label"] for m, v in config.MEETINGS.items()}
MISSING_HATCH = "////"
#: Source note for every figure: the corpus and its date range.
SOURCE_NOTE = ("Source: State Dept., Russian MFA, Kremlin transcripts, C-SPAN captions and "
               "news quotes; meetings of 14 May and 10 Dec 2019.")

HOUSE_STYLE = {
    "figure.figsize": (6.5, 4.0),  # one report column at 6.5 in
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    "image.cmap": "cividis",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "pompeo-lavrov-2019",
}


def use_house_style() -> None:
    """Apply the house style to matplotlib's global settings."""
    matplotlib.rcParams.update(HOUSE_STYLE)


def add_source_note(fig: matplotlib.figure.Figure, note: str = SOURCE_NOTE) -> None:
    """Write the small source note in the figure's bottom-left corner."""
    fig.text(0.0, -0.02, note, ha="left", va="top", fontsize=6.5, color="#555555",
             transform=fig.transFigure)


def _render(fig, fmt: str) -> bytes:
    metadata = {"png": {"Software": None},
                "pdf": {"CreationDate": None, "ModDate": None, "Producer": None,
                        "Creator": None},
                "svg": {"Date": None, "Creator": None}}[fmt]
    buf = _io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": HOUSE_STYLE["svg.hashsalt"],
                                "pdf.fonttype": 42, "ps.fonttype": 42}):
        fig.savefig(buf, format=fmt, dpi=300, metadata=metadata, bbox_inches="tight")
    return buf.getvalue()


def save_figure(fig: matplotlib.figure.Figure, name: str, data: pd.DataFrame | None = None,
                folder: Path | None = None, caption: str | None = None) -> dict[str, Path]:
    """Write ``fig`` as ``name``.png/.svg/.pdf and ``data`` as ``name``.csv, atomically.

    ``name`` must start with its notebook's number, e.g. ``"04-salience-dotplot"``.
    ``caption`` (one sentence) is stored in ``name``.txt for the generated figure catalogue.
    Returns the written paths keyed by extension.
    """
    if not name[:2].isdigit():
        raise ValueError(f"figure name {name!r} must start with its notebook number")
    if data is None:
        raise ValueError(f"figure {name!r}: pass the plotted data as `data=`")
    folder = Path(folder) if folder is not None else config.paths()["figures"]
    out = {}
    for fmt in ("png", "svg", "pdf"):
        out[fmt] = write_bytes_atomic(folder / f"{name}.{fmt}", _render(fig, fmt))
    out["csv"] = write_text_atomic(folder / f"{name}.csv", to_csv_text(data))
    if caption is not None:
        out["txt"] = write_text_atomic(folder / f"{name}.txt", caption.strip() + "\n")
    return out


def close(fig) -> None:
    """Close a figure once it has been shown and saved."""
    plt.close(fig)


def plot_share_heatmap(grid: pd.DataFrame, row_labels, title: str, row_height: float = 0.3):
    """Heatmap of shares (0–1) with (speaker, meeting) columns, shown as percentages.

    Cells without data (NaN) are hatched and marked "no data", never drawn as zero.
    """
    import numpy as np

    from .sources import meeting_label

    values = grid.to_numpy(dtype=float) * 100
    fig, ax = plt.subplots(figsize=(6.5, row_height * len(grid) + 1.6))
    vmax = np.nanmax(values)
    ax.imshow(np.ma.masked_invalid(values), cmap="cividis", vmin=0, vmax=vmax, aspect="auto")
    for (r, c), v in np.ndenumerate(values):
        if np.isnan(v):
            ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False,
                                       hatch=MISSING_HATCH, edgecolor="#999999", lw=0))
            if r == len(grid) // 2:
                ax.text(c, r, "no\ndata", ha="center", va="center", fontsize=7)
        else:
            ax.text(c, r, f"{v:.0f}", ha="center", va="center", fontsize=7,
                    color="white" if v < 0.6 * vmax else "black")
    ax.set_yticks(range(len(grid)), list(row_labels))
    ax.set_xticks(range(grid.shape[1]), [f"{sp.title()}\n{meeting_label(m).split(',')[0]}"
                                         for sp, m in grid.columns])
    ax.xaxis.tick_top()
    ax.grid(False)
    ax.set_title(title, loc="left", pad=28)
    add_source_note(fig)
    return fig
