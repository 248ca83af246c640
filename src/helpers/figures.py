"""House style, drawing figures once at both report sizes, and the one function that writes them.

Plot functions elsewhere return a :class:`matplotlib.figure.Figure`; only
:func:`save_figure` writes files. Every figure is saved as PNG (300 dpi), SVG and PDF at
two physical widths, :data:`FULL_WIDTH` (6.5 in, a report's text width) as ``name.*`` and
:data:`COLUMN_WIDTH` (3.5 in, one column or a phone) as ``name-column.*``, with the plotted
data as CSV beside them. Output bytes are deterministic: no software tag or dates, a fixed
SVG hash salt, and TrueType fonts embedded in the PDF.

Layout is matplotlib's constrained layout at the export size (the canvas is never grown,
no ``bbox_inches="tight"``). Plot functions give the figure its title with
:func:`figure_title` and its source note with :func:`add_source_note`; both wrap to the
canvas width. A plot function that takes a ``width`` argument is drawn anew for the
column, so it can rearrange its panels; any other figure is resized.

**Legibility is measured, not fixed** (:mod:`helpers.legibility`): each saved PNG carries
in its metadata what :func:`helpers.legibility.layout_problems` found (overprinted text, a
legend over data, text cut off, text under 6 pt); the tests fail on any such figure.

Notebooks call plot functions through :func:`draw`, which renders the figure once into a
:class:`Drawing` (the bytes of every format at both widths plus a 2x preview for the
screen), cached (:mod:`helpers.cache`) on the plot function, its arguments and the
matplotlib settings. To adjust a figure by hand, call the plot function directly, change
the returned Figure, and pass it to :func:`save_figure`.
"""

from __future__ import annotations

import inspect
import io as _io
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import cache, config, legibility
from .io import to_csv_text, write_bytes_atomic, write_text_atomic
from .sources import meeting_label, source_note

#: Physical export widths (inches): a report's full text width and a single column.
FULL_WIDTH = 6.5
COLUMN_WIDTH = 3.5
#: The two sizes every figure is saved at, by file-name suffix.
WIDTHS = {"": FULL_WIDTH, "column": COLUMN_WIDTH}
#: Screen pixels per inch of a preview at 1x (CSS px); previews are rendered at 2x.
SCREEN_DPI = 100
PREVIEW_DPI = 2 * SCREEN_DPI
#: Formats written by :func:`save_figure`.
FORMATS = ("png", "svg", "pdf")

#: Okabe–Ito colour-blind-safe palette.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000"]
#: One colour per speaker, used in every chart (distinct in greyscale as well: dark/mid/light).
SPEAKER_COLOURS = {"pompeo": "#0072B2", "lavrov": "#D55E00", "putin": "#CC79A7",
                   "journalist": "#999999", "moderator": "#999999", "narrator": "#999999",
                   "other": "#999999"}
SPEAKER_MARKERS = {"pompeo": "o", "lavrov": "s", "putin": "^"}
MISSING_HATCH = "////"

HOUSE_STYLE = {
    "figure.figsize": (FULL_WIDTH, 4.0),
    "figure.dpi": SCREEN_DPI,
    "figure.titlesize": 10,
    "figure.titleweight": "bold",
    "figure.labelsize": 7,  # the source note (a supxlabel)
    "savefig.dpi": 300,
    "savefig.bbox": "standard",  # the canvas is the export size
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
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


def figure_title(fig, text: str) -> None:
    """Give ``fig`` its title: bold, flush left, wrapped to the canvas width."""
    fig.suptitle(text, x=0.01, ha="left", wrap=True)


def add_source_note(fig, note: str | None = None) -> None:
    """Write the source note (7 pt, grey) along the figure's bottom edge, wrapped.

    The default note is made from the manifest (:func:`helpers.sources.source_note`): the
    kinds of source and the meetings, so it changes when a transcript is added.
    """
    fig.supxlabel(source_note() if note is None else note, x=0.01, ha="left",
                  color="#555555", wrap=True)


def legend_above(ax, **kwargs):
    """A legend above the axes, where it cannot cover the data: in one row if its labels
    are short (30 characters in all), else one label a line."""
    handles, labels = ax.get_legend_handles_labels()
    ncols = len(labels) if sum(map(len, labels)) <= 30 else 1
    return ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0, 1.01),
                     borderaxespad=0, columnspacing=1.0, handletextpad=0.3,
                     **{"ncols": ncols, **kwargs})


# --------------------------------------------------------------------------- rendering
def _render(fig, fmt: str, measured: str | None = None, dpi: int = 300) -> bytes:
    """The bytes of ``fig`` in one format, as it is laid out now."""
    metadata = {"png": {"Software": None, legibility.KEY: measured},
                "pdf": {"CreationDate": None, "ModDate": None, "Producer": None,
                        "Creator": None},
                "svg": {"Date": None, "Creator": None}}[fmt]
    buf = _io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": HOUSE_STYLE["svg.hashsalt"],
                                "pdf.fonttype": 42, "ps.fonttype": 42,
                                "savefig.bbox": "standard"}):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buf.getvalue()


def _title_of(fig) -> str:
    if fig.get_suptitle():
        return fig.get_suptitle()
    return next((ax.get_title(loc) for ax in fig.axes for loc in ("left", "center")
                 if ax.get_title(loc)), "")


@dataclass(frozen=True, repr=False)
class Rendering:
    """One figure rendered at one physical size, with its legibility measured."""

    width: float
    height: float
    png: bytes
    svg: bytes
    pdf: bytes
    preview: bytes
    smallest_font: float
    problems: tuple[str, ...]

    @classmethod
    def of(cls, fig, width: float, height: float) -> "Rendering":
        """Lay ``fig`` out (constrained layout) at ``width`` x ``height`` inches, measure and
        render it; layout warnings count as problems, they are not printed."""
        fig.set_size_inches(width, height)
        fig.set_dpi(SCREEN_DPI)
        fig.set_layout_engine("constrained", w_pad=0.03, h_pad=0.03)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.draw_without_rendering()
            measured = legibility.measurement(fig, width, [str(w.message) for w in caught])
            files = {fmt: _render(fig, fmt, measured if fmt == "png" else None)
                     for fmt in FORMATS}
            preview = _render(fig, "png", dpi=PREVIEW_DPI)
        m = json.loads(measured)
        return cls(width, height, preview=preview, smallest_font=m["smallest_font_pt"],
                   problems=tuple(m["problems"]), **files)


@dataclass(frozen=True, repr=False)
class Drawing:
    """A figure rendered once at both report sizes (``""`` full width, ``"column"``).

    Notebooks display it like a figure: its ``_repr_png_`` is a 2x preview of the full
    width that Jupyter (and the HTML pages) show at its physical width in CSS pixels.
    """

    title: str
    sizes: dict

    @classmethod
    def from_figure(cls, fig, column_fig=None, close: bool = True) -> "Drawing":
        """Render ``fig`` at both widths (``column_fig``, if given, for the column; else
        ``fig`` resized and a little taller for the wrapped text), then close them (unless
        ``close=False``, when ``fig`` gets its size back)."""
        size = tuple(fig.get_size_inches())
        sizes = {"": Rendering.of(fig, FULL_WIDTH, size[1])}
        col = column_fig or fig
        sizes["column"] = Rendering.of(col, COLUMN_WIDTH, col.get_figheight()
                                       + (0 if column_fig else 0.5))
        if column_fig is not None:
            plt.close(column_fig)
        if close:
            plt.close(fig)
        else:
            fig.set_size_inches(size)
        return cls(title=_title_of(fig), sizes=sizes)

    @property
    def full(self) -> Rendering:
        return self.sizes[""]

    def _repr_png_(self):
        full = self.full
        return full.preview, {"width": round(full.width * SCREEN_DPI),
                              "height": round(full.height * SCREEN_DPI)}

    def __repr__(self) -> str:
        return f"<Drawing: {self.title}>"


#: rcParams that cannot change a saved drawing (pyplot switches ``interactive`` on in Jupyter).
_NOT_STYLE = {"backend", "backend_fallback", "interactive", "toolbar"}


@cache.memoize
def _draw(plot, args: tuple, kwargs: dict, style: dict) -> Drawing:  # noqa: ARG001
    """``style`` (the current settings) is only part of the cache key."""
    column = plot(*args, width=COLUMN_WIDTH, **kwargs) \
        if "width" in inspect.signature(plot).parameters else None
    return Drawing.from_figure(plot(*args, **kwargs), column)


def draw(plot: Callable[..., matplotlib.figure.Figure], *args, **kwargs) -> Drawing:
    """Call a helpers plot function and render its figure once at both widths, as a
    :class:`Drawing` (cached on the function, its arguments and the matplotlib settings)."""
    if not getattr(plot, "__module__", "").startswith("helpers"):
        raise TypeError(f"draw() takes a helpers plot function, not {plot!r}; call your own "
                        "function directly and pass its figure to save_figure()")
    rc = matplotlib.rcParams  # read as a plain dict: reading "backend" would resolve it
    style = {k: dict.__getitem__(rc, k) for k in sorted(dict.keys(rc)) if k not in _NOT_STYLE}
    return _draw(plot, args, kwargs, style)


def save_figure(fig, name: str, data: pd.DataFrame | None = None, folder: Path | None = None,
                caption: str | None = None) -> dict[str, Path]:
    """Write ``fig`` as ``name``.png/.svg/.pdf (6.5 in wide) and ``name-column``.png/.svg/.pdf
    (3.5 in), and ``data`` as ``name``.csv, atomically.

    ``fig`` is a Figure or a :class:`Drawing` from :func:`draw`; both give the same bytes at
    full width (the column of a Figure is that figure resized, while :func:`draw` redraws a
    plot function that takes ``width``).
    ``name`` must start with its notebook's number, e.g. ``"04-salience-dotplot"``.
    ``caption`` (one sentence) is stored in ``name``.txt for the generated figure catalogue
    and the pages' alt text. Each PNG carries its legibility measurement (see the module
    docstring); nothing is printed. Returns the written paths keyed by extension
    (``"column-png"`` etc. for the column size).

    Example::

        fig = figures.draw(charts.plot_salience_dots, salience, lexicon, WASHINGTON)
        figures.save_figure(fig, "04-washington-pompeo-vs-lavrov", data=data,
                            caption="Share of each man's sentences ...")
    """
    if not name[:2].isdigit():
        raise ValueError(f"figure name {name!r} must start with its notebook number")
    if data is None:
        raise ValueError(f"figure {name!r}: pass the plotted data as `data=`")
    folder = Path(folder) if folder is not None else config.paths()["figures"]
    drawing = fig if isinstance(fig, Drawing) else Drawing.from_figure(fig, close=False)
    out = {}
    for key, r in drawing.sizes.items():
        stem = f"{name}-{key}" if key else name
        for fmt in FORMATS:
            out[f"{key}-{fmt}" if key else fmt] = write_bytes_atomic(folder / f"{stem}.{fmt}",
                                                                     getattr(r, fmt))
    out["csv"] = write_text_atomic(folder / f"{name}.csv", to_csv_text(data))
    if caption is not None:
        out["txt"] = write_text_atomic(folder / f"{name}.txt", caption.strip() + "\n")
    return out


def close(fig) -> None:
    """Close a figure once it has been shown and saved (a Drawing needs no closing)."""
    if not isinstance(fig, Drawing):
        plt.close(fig)


def plot_share_heatmap(grid: pd.DataFrame, row_labels, title: str, row_height: float = 0.3,
                       totals=None, ci_low: pd.DataFrame | None = None,
                       ci_high: pd.DataFrame | None = None, wide: float = 0.2,
                       scale_by=config.PRINCIPALS, width: float = FULL_WIDTH):
    """Heatmap of shares (0–1) with (speaker, meeting) columns, shown as percentages,
    ``width`` inches wide (column labels stand upright when more than one per inch).

    Missing is never drawn as zero: a column with no data at all is left out and named in
    a note under the map ("no data, not zero"), so it takes no width; any other cell without
    data is hatched. The colour scale runs from 0 to the largest cell of the speakers in
    ``scale_by`` (the principals; all cells if none is present), so that a small cell of
    another speaker cannot darken the rest; a cell above it gets the top colour and "▲".
    Reading aids, all optional: ``totals`` (one count per column, e.g. the speaker's
    sentences at the meeting, as a Series indexed like ``grid.columns`` or a list) is shown
    as "n = …" under each column label; ``ci_low`` and ``ci_high`` (shares, shaped like
    ``grid``) mark with "†" every cell whose interval is wider than ``wide`` (0.2 = 20
    points).
    """
    if totals is not None and not hasattr(totals, "reindex"):
        totals = pd.Series(list(totals), index=grid.columns)
    empty = [c for c in grid.columns if grid[c].isna().all()]
    grid = grid.drop(columns=empty)
    values = grid.to_numpy(dtype=float) * 100
    scaled = [k for k, (sp, _) in enumerate(grid.columns) if sp in scale_by]
    vmax = np.nanmax(values[:, scaled] if scaled else values)
    if ci_low is not None and ci_high is not None:
        spread = (ci_high.reindex_like(grid).to_numpy(dtype=float)
                  - ci_low.reindex_like(grid).to_numpy(dtype=float))
        flagged = np.nan_to_num(spread, nan=0.0) > wide
    else:
        flagged = np.zeros(values.shape, dtype=bool)
    crowded = grid.shape[1] > width  # many cells: one upright line per column
    fig, ax = plt.subplots(figsize=(width, row_height * len(grid) + (3.0 if crowded else 1.6)))
    ax.imshow(np.ma.masked_invalid(values), cmap="cividis", vmin=0, vmax=vmax, aspect="auto")
    for (r, c), v in np.ndenumerate(values):
        if np.isnan(v):
            ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False,
                                       hatch=MISSING_HATCH, edgecolor="#999999", lw=0))
        else:
            mark = ("†" if flagged[r, c] else "") + ("▲" if v > vmax + 1e-9 else "")
            ax.text(c, r, f"{v:.0f}{mark}", ha="center", va="center", fontsize=7,
                    color="white" if v < 0.6 * vmax else "black")
    ax.set_yticks(range(len(grid)), list(row_labels))
    labels = [f"{sp.title()}\n{meeting_label(m).split(',')[0]}" for sp, m in grid.columns]
    if totals is not None:
        labels = [lab if pd.isna(n) else f"{lab}\nn = {int(n)}"
                  for lab, n in zip(labels, totals.reindex(grid.columns))]
    if crowded:
        labels = [lab.replace("\n", " · ") for lab in labels]
    ax.set_xticks(range(grid.shape[1]), labels,
                  **({"rotation": 90, "va": "bottom"} if crowded else {}))
    ax.xaxis.tick_top()
    ax.grid(False)
    notes = []
    if flagged.any():
        notes.append(f"† 95% interval wider than {wide * 100:.0f} points: read with care.")
    if (values > vmax + 1e-9).any():
        who = " or ".join(sp.title() for sp in scale_by)
        notes.append(f"▲ above the colour scale, which ends at the largest {who} cell "
                     f"({vmax:.0f}%).")
    if np.isnan(values).any():
        notes.append("Hatched: no data (not zero).")
    if empty:
        notes.append("No data (not zero), so not shown: " + "; ".join(
            f"{sp.title()} at {meeting_label(m).split(',')[0]}" for sp, m in empty) + ".")
    if notes:
        ax.set_xlabel("\n".join(notes), loc="left", fontsize=7, wrap=True)
    figure_title(fig, title)
    add_source_note(fig)
    return fig
