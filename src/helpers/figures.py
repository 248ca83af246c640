"""House style, and the one place figures are rendered and written.

Plot functions return a :class:`matplotlib.figure.Figure`. :func:`save_figure` writes it as
PNG (300 dpi), SVG and PDF at :data:`FULL_WIDTH` (``name.*``) and PNG and PDF at
:data:`COLUMN_WIDTH` (``name-column.*``), with the plotted data as CSV. Bytes are
deterministic (no software tag or dates, a fixed SVG hash salt, TrueType fonts in the PDF).
Layout is constrained layout at the export size, done once per size; the canvas is never
grown. Each PNG carries its legibility measurement (:mod:`helpers.legibility`), and the
tests fail on any problem it lists.

Notebooks call plot functions through :func:`draw`, which renders a figure once at both
widths into a :class:`Drawing`, cached (:mod:`helpers.cache`) on the function, its
arguments and the matplotlib settings. A plot function that takes ``width`` is drawn anew
for the column; any other figure is resized.
"""

from __future__ import annotations

import inspect
import io
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

#: Export widths (inches): a report's text width and one column (or a phone).
FULL_WIDTH = 6.5
COLUMN_WIDTH = 3.5
#: CSS pixels per inch of a preview at 1x; previews are rendered at 2x.
SCREEN_DPI = 100
#: The formats of each size: the column version is for print and phones, so it has no SVG.
FORMATS = {"": ("png", "svg", "pdf"), "column": ("png", "pdf")}

#: Okabe–Ito colour-blind-safe palette.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000"]
#: One colour per speaker in every chart (also distinct in greyscale: dark/mid/light).
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
#: The settings that keep saved bytes deterministic, applied even without the house style.
_SAVE_STYLE = {k: HOUSE_STYLE[k] for k in ("svg.hashsalt", "pdf.fonttype", "ps.fonttype",
                                          "savefig.bbox")}
_METADATA = {"png": {"Software": None},
             "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
             "svg": {"Date": None, "Creator": None}}


def use_house_style() -> None:
    matplotlib.rcParams.update(HOUSE_STYLE)


def figure_title(fig, text: str) -> None:
    """Bold, flush left, wrapped to the canvas width."""
    fig.suptitle(text, x=0.01, ha="left", wrap=True)


def add_source_note(fig, note: str | None = None) -> None:
    """The source note (7 pt, grey, wrapped) along the bottom edge; by default made from
    the manifest (:func:`helpers.sources.source_note`), so it follows the corpus."""
    fig.supxlabel(source_note() if note is None else note, x=0.01, ha="left",
                  color="#555555", wrap=True)


def legend_above(ax, **kwargs):
    """A legend above the axes, where it cannot cover the data: one row if its labels are
    short (30 characters in all), else one label a line."""
    handles, labels = ax.get_legend_handles_labels()
    ncols = len(labels) if sum(map(len, labels)) <= 30 else 1
    return ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0, 1.01),
                     borderaxespad=0, columnspacing=1.0, handletextpad=0.3,
                     **{"ncols": ncols, **kwargs})


def interval_dots(ax, rows: pd.DataFrame, ys, lw: float = 0.9, **style):
    """``rows``' ``share`` with its 95% interval (``ci_low``, ``ci_high``), all 0–1 and drawn
    in %, as dots on rows ``ys``."""
    share = rows["share"].to_numpy() * 100
    err = [share - rows["ci_low"].to_numpy() * 100, rows["ci_high"].to_numpy() * 100 - share]
    ax.errorbar(share, ys, xerr=err, capsize=2, lw=lw, ms=5, **style)


def speaker_dots(ax, d: pd.DataFrame, row: str, order: list, speakers, lw: float = 0.9):
    """:func:`interval_dots` of each speaker in ``d``, one row per value of ``d[row]`` in
    ``order``, the speakers side by side within it."""
    y = {value: k for k, value in enumerate(order)}
    for off, sp in zip(np.linspace(-0.15, 0.15, len(speakers)), speakers):
        e = d[d["speaker"] == sp]
        interval_dots(ax, e, e[row].map(y).to_numpy() + off, lw=lw,
                      fmt=SPEAKER_MARKERS.get(sp, "o"), color=SPEAKER_COLOURS.get(sp, "#555555"),
                      label=sp.title())


def _render(fig, fmt: str, measured: str | None = None, dpi: int = 300) -> bytes:
    metadata = dict(_METADATA[fmt], **({legibility.KEY: measured} if fmt == "png" else {}))
    buf = io.BytesIO()
    with matplotlib.rc_context(_SAVE_STYLE):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    return buf.getvalue()


@dataclass(frozen=True, repr=False)
class Rendering:
    """One figure rendered at one size: the bytes of each format, a 2x screen preview,
    and its legibility."""

    width: float
    height: float
    files: dict
    preview: bytes
    smallest_font: float
    problems: tuple[str, ...]

    @classmethod
    def of(cls, fig, width: float, height: float, formats=FORMATS[""]) -> "Rendering":
        """Lay ``fig`` out at ``width`` x ``height`` inches and render it in ``formats``;
        layout warnings count as problems and are not printed."""
        fig.set_size_inches(width, height)
        fig.set_dpi(SCREEN_DPI)
        fig.set_layout_engine("constrained", w_pad=0.03, h_pad=0.03)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.draw_without_rendering()
            measured = legibility.measurement(fig, width, [str(w.message) for w in caught])
            fig.set_layout_engine("none")  # laid out here, not again for every format
            files = {fmt: _render(fig, fmt, measured) for fmt in formats}
            preview = _render(fig, "png", dpi=2 * SCREEN_DPI)
            fig.set_layout_engine("constrained", w_pad=0.03, h_pad=0.03)
        m = json.loads(measured)
        return cls(width, height, files=files, preview=preview,
                   smallest_font=m["smallest_font_pt"], problems=tuple(m["problems"]))


@dataclass(frozen=True, repr=False)
class Drawing:
    """A figure rendered at both sizes (``sizes[""]`` full width, ``sizes["column"]``).

    Jupyter shows it by its 2x preview of the full width, at its physical width in CSS px.
    """

    title: str
    sizes: dict

    @classmethod
    def from_figure(cls, fig, column_fig=None, close: bool = True) -> "Drawing":
        """Render ``fig`` at full width and ``column_fig`` at column width (default: ``fig``
        resized, 0.5 in taller for the wrapped text), then close them; with
        ``close=False`` ``fig`` stays open and gets its size back."""
        size = tuple(fig.get_size_inches())
        title = fig.get_suptitle() or next((ax.get_title(loc) for ax in fig.axes
                                            for loc in ("left", "center") if ax.get_title(loc)), "")
        sizes = {"": Rendering.of(fig, FULL_WIDTH, size[1])}
        col = column_fig or fig
        sizes["column"] = Rendering.of(col, COLUMN_WIDTH,
                                       col.get_figheight() + (0 if column_fig else 0.5),
                                       FORMATS["column"])
        if column_fig is not None:
            plt.close(column_fig)
        if close:
            plt.close(fig)
        else:
            fig.set_size_inches(size)
        return cls(title=title, sizes=sizes)

    @property
    def full(self) -> Rendering:
        return self.sizes[""]

    def _repr_png_(self):
        return self.full.preview, {"width": round(self.full.width * SCREEN_DPI),
                                   "height": round(self.full.height * SCREEN_DPI)}

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
    """Call a helpers plot function and render its figure at both widths (cached on the
    function, its arguments and the matplotlib settings)."""
    if not getattr(plot, "__module__", "").startswith("helpers"):
        raise TypeError(f"draw() takes a helpers plot function, not {plot!r}; call your own "
                        "function directly and pass its figure to save_figure()")
    rc = matplotlib.rcParams  # read as a plain dict: reading "backend" would resolve it
    style = {k: dict.__getitem__(rc, k) for k in sorted(dict.keys(rc)) if k not in _NOT_STYLE}
    return _draw(plot, args, kwargs, style)


def save_figure(fig, name: str, data: pd.DataFrame | None = None, folder: Path | None = None,
                caption: str | None = None) -> dict[str, Path]:
    """Write ``fig`` (a Figure or a :class:`Drawing`) as ``name``.png/.svg/.pdf and
    ``name-column``.png/.pdf, ``data`` as ``name``.csv and ``caption`` (one sentence,
    for the figure catalogue and the pages' alt text) as ``name``.txt, atomically.

    ``name`` starts with its notebook's number (``"04-salience-heatmap"``). Returns the
    paths by extension (``"column-png"`` etc. for the column). A Drawing and its live
    figure give the same bytes at full width.
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
        for fmt, content in r.files.items():
            out[f"{key}-{fmt}" if key else fmt] = write_bytes_atomic(folder / f"{stem}.{fmt}",
                                                                     content)
    out["csv"] = write_text_atomic(folder / f"{name}.csv", to_csv_text(data))
    if caption is not None:
        out["txt"] = write_text_atomic(folder / f"{name}.txt", caption.strip() + "\n")
    return out


def plot_share_heatmap(grid: pd.DataFrame, row_labels, title: str, row_height: float = 0.3,
                       totals=None, ci_low: pd.DataFrame | None = None,
                       ci_high: pd.DataFrame | None = None, wide: float = 0.2,
                       scale_by=config.PRINCIPALS, width: float = FULL_WIDTH):
    """Heatmap of shares (0–1, shown in %) with (speaker, meeting) columns.

    Missing is never drawn as zero: a column without data is left out and named in a note,
    any other cell without data is hatched. The colour scale ends at the largest cell of
    the speakers in ``scale_by`` (all cells if none is present); a cell above it is marked
    "▲". Optional: ``totals`` (one count per column, Series or list) shown as "n = …";
    ``ci_low``/``ci_high`` (shaped like ``grid``) mark with "†" each cell whose interval is
    wider than ``wide``. Column labels stand upright when there are more than one per inch.
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
