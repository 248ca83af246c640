"""House style, drawing figures once, and the one function that writes them.

Plot functions elsewhere return a :class:`matplotlib.figure.Figure`; only
:func:`save_figure` writes files. Every figure is saved as PNG (300 dpi), SVG and PDF with
the plotted data as CSV beside it. Output bytes are deterministic: no software tag or dates,
a fixed SVG hash salt, and TrueType fonts embedded in the PDF.

**Report-ready size.** Before it is written, every figure is laid out by :func:`fit_figure`
at a fixed physical size: :data:`FULL_WIDTH` (6.5 in, a report's text width) or, for
headline figures saved with ``save_figure(..., column=True)``, also :data:`COLUMN_WIDTH`
(3.5 in, one column) as ``<name>-column.png/svg/pdf``. The canvas is never grown to fit its
contents (no ``bbox_inches="tight"``); instead the layout makes room inside it:

- the title (a suptitle, or the only axes' title) becomes a figure title flush with the left
  edge, wrapped to the figure width by measuring the text;
- the source note sits inside the bottom edge, wrapped likewise;
- no text is smaller than :data:`MIN_FONT_PT` (7 pt) at the export size;
- long tick labels are wrapped at word boundaries, crowded x tick labels are turned upright;
- labelled lines that share a marker and line style get distinct ones (so a chart reads in
  greyscale, not only in colour);
- axes titles of small multiples are wrapped to their axes' width.

After the layout, :func:`overlapping_texts` lists text boxes that intersect and
:func:`texts_outside` text cut off by the canvas; :func:`save_figure` warns
(:class:`FigureLayoutWarning`) if there are any, or raises with ``strict=True``.

Notebooks call plot functions through :func:`draw`, which renders the figure once into a
:class:`Drawing` (the bytes of every format plus a 2x preview for the screen), cached
(:mod:`helpers.cache`) on the plot function, its arguments and the matplotlib settings:
rendering every figure in every format takes longer than the rest of a rerun. To adjust a figure by hand, call the plot function directly,
change the returned Figure, and pass it to :func:`save_figure`.
"""

from __future__ import annotations

import io as _io
import pickle
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import matplotlib
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np
import pandas as pd  # noqa: E402

from . import cache, config  # noqa: E402
from .io import to_csv_text, write_bytes_atomic, write_text_atomic  # noqa: E402
from .layout import (
    COLUMN_WIDTH,
    FULL_WIDTH,
    MARGIN_IN,
    MIN_FONT_PT,
    NOTE_GID,
    PREVIEW_DPI,
    SCREEN_DPI,
    TITLE_GID,
    fit_figure,
    layout_problems,
)
from .sources import meeting_label, source_note

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
    "figure.figsize": (FULL_WIDTH, 4.0),  # one report column at 6.5 in
    "figure.dpi": SCREEN_DPI,
    "savefig.dpi": 300,
    "savefig.bbox": "standard",  # the canvas is the export size; fit_figure lays it out
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


class FigureLayoutWarning(UserWarning):
    """A saved figure has overprinted text or text cut off by the canvas."""


def use_house_style() -> None:
    """Apply the house style to matplotlib's global settings."""
    matplotlib.rcParams.update(HOUSE_STYLE)


def add_source_note(fig: matplotlib.figure.Figure, note: str | None = None) -> None:
    """Write the source note (7 pt) in the figure's bottom-left corner.

    The default note is made from the manifest (:func:`helpers.sources.source_note`): the
    kinds of source and the meetings, so it changes when a transcript is added.
    :func:`fit_figure` wraps it to the figure's width and keeps it inside the canvas.
    """
    if note is None:
        note = source_note()
    fig.text(MARGIN_IN / fig.get_figwidth(), MARGIN_IN / fig.get_figheight(), note,
             ha="left", va="bottom", fontsize=MIN_FONT_PT, color="#555555",
             transform=fig.transFigure, gid=NOTE_GID)



# --------------------------------------------------------------------------- rendering
#: Formats written by :func:`save_figure`.
FORMATS = ("png", "svg", "pdf")


def _render(fig, fmt: str, dpi: int = 300) -> bytes:
    """The bytes of ``fig`` in one format, at the figure's own size (it is not laid out)."""
    metadata = {"png": {"Software": None},
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
    for t in fig.texts:
        if t.get_gid() == TITLE_GID:
            return getattr(t, "_house_unwrapped", t.get_text())
    sup = getattr(fig, "_suptitle", None)
    if sup is not None and sup.get_text():
        return sup.get_text()
    return next((ax.get_title(loc) for ax in fig.axes for loc in ("left", "center")
                 if ax.get_title(loc)), "")


def _column_height(fig) -> float:
    """Height for the single-column variant: the plot's own height, plus what the title
    and source note need when wrapped to the narrower width."""
    return fig.get_figheight() + 0.35


@dataclass(frozen=True, repr=False)
class Drawing:
    """A figure laid out and rendered once: the bytes of each format and a screen preview.

    Notebooks display it like a figure: its ``_repr_png_`` is a 2x preview that Jupyter
    (and the HTML pages) show at the figure's physical width in CSS pixels, sharp on
    high-density screens. :func:`save_figure` writes its bytes. ``figure`` keeps the plot
    (pickled, before layout) so that :meth:`at_width` can lay it out at another width;
    ``problems`` lists what :func:`layout_problems` found.
    """

    title: str
    png: bytes
    svg: bytes
    pdf: bytes
    preview: bytes
    width: float = FULL_WIDTH
    height: float = 0.0
    figure: bytes = b""
    problems: tuple[str, ...] = field(default=())

    @classmethod
    def from_figure(cls, fig: matplotlib.figure.Figure, width: float = FULL_WIDTH,
                    height: float | None = None, close: bool = True) -> "Drawing":
        """Lay ``fig`` out at ``width`` inches, render it in every format, then close it
        (unless ``close=False``)."""
        try:
            original = pickle.dumps(fig)
        except Exception:  # noqa: BLE001 (an unpicklable artist: no other widths, that's all)
            original = b""
        # lay out a copy, so that the caller's figure is not changed and every save of it
        # starts from the same state (byte-identical files)
        work = pickle.loads(original) if original else fig
        title = _title_of(work)
        fit_figure(work, width, height)
        problems = tuple(layout_problems(work))
        rendered = {fmt: _render(work, fmt) for fmt in FORMATS}
        preview = _render(work, "png", dpi=PREVIEW_DPI)
        w, h = work.get_figwidth(), work.get_figheight()
        plt.close(work)
        if close:
            plt.close(fig)
        return cls(title=title, preview=preview, width=w, height=h, figure=original,
                   problems=problems, **rendered)

    def at_width(self, width: float, height: float | None = None) -> "Drawing":
        """The same plot laid out and rendered at another physical width."""
        if not self.figure:
            raise ValueError(f"{self!r} keeps no figure to lay out at another width")
        fig = pickle.loads(self.figure)
        return Drawing.from_figure(fig, width, height or _column_height(fig))

    def _repr_png_(self):
        size = {"width": round(self.width * SCREEN_DPI), "height": round(self.height *
                                                                        SCREEN_DPI)}
        return self.preview, size

    def __repr__(self) -> str:
        return f"<Drawing: {self.title}>"


#: rcParams that cannot change a saved drawing (pyplot switches ``interactive`` on in Jupyter).
_NOT_STYLE = {"backend", "backend_fallback", "interactive", "toolbar"}


@cache.memoize
def _draw(plot, args: tuple, kwargs: dict, style: dict) -> Drawing:  # noqa: ARG001
    """``style`` (the current settings) is only part of the cache key."""
    return Drawing.from_figure(plot(*args, **kwargs))


def draw(plot: Callable[..., matplotlib.figure.Figure], *args, **kwargs) -> Drawing:
    """Call a helpers plot function and render its figure once, as a :class:`Drawing`
    (cached on the function, its arguments and the matplotlib settings)."""
    if not getattr(plot, "__module__", "").startswith("helpers"):
        raise TypeError(f"draw() takes a helpers plot function, not {plot!r}; call your own "
                        "function directly and pass its figure to save_figure()")
    rc = matplotlib.rcParams  # read as a plain dict: reading "backend" would resolve it
    style = {k: dict.__getitem__(rc, k) for k in sorted(dict.keys(rc)) if k not in _NOT_STYLE}
    return _draw(plot, args, kwargs, style)


def save_figure(fig: matplotlib.figure.Figure | Drawing, name: str,
                data: pd.DataFrame | None = None, folder: Path | None = None,
                caption: str | None = None, column: bool = False,
                strict: bool = False) -> dict[str, Path]:
    """Write ``fig`` as ``name``.png/.svg/.pdf and ``data`` as ``name``.csv, atomically.

    ``fig`` is a Figure or a :class:`Drawing` from :func:`draw`; both give the same bytes.
    The figure is laid out at :data:`FULL_WIDTH` (6.5 in) by :func:`fit_figure`; with
    ``column=True`` it is also written at :data:`COLUMN_WIDTH` (3.5 in) as
    ``name-column.png/.svg/.pdf`` (for headline figures that go into one report column).
    ``name`` must start with its notebook's number, e.g. ``"04-salience-dotplot"``.
    ``caption`` (one sentence) is stored in ``name``.txt for the generated figure catalogue
    and the pages' alt text.
    Overprinted or cut-off text (:func:`layout_problems`) gives a
    :class:`FigureLayoutWarning`, or a ``ValueError`` with ``strict=True``.
    Returns the written paths keyed by extension (``"column-png"`` etc. for the variant).

    Example::

        fig = figures.draw(charts.plot_salience_dots, salience, lexicon, WASHINGTON)
        figures.save_figure(fig, "04-washington-pompeo-vs-lavrov", data=data,
                            caption="Share of each man's sentences ...", column=True)
    """
    if not name[:2].isdigit():
        raise ValueError(f"figure name {name!r} must start with its notebook number")
    if data is None:
        raise ValueError(f"figure {name!r}: pass the plotted data as `data=`")
    folder = Path(folder) if folder is not None else config.paths()["figures"]
    drawing = fig if isinstance(fig, Drawing) else Drawing.from_figure(fig, close=False)
    variants = {"": drawing}
    if column:
        variants["column"] = drawing.at_width(COLUMN_WIDTH)
    problems = [f"{name}{'-' + k if k else ''}: {p}" for k, d in variants.items()
                for p in d.problems]
    if problems:
        if strict:
            raise ValueError("; ".join(problems))
        warnings.warn("; ".join(problems), FigureLayoutWarning, stacklevel=2)
    out = {}
    for key, d in variants.items():
        stem = f"{name}-{key}" if key else name
        for fmt in FORMATS:
            out[f"{key}-{fmt}" if key else fmt] = write_bytes_atomic(folder / f"{stem}.{fmt}",
                                                                     getattr(d, fmt))
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
                       ci_high: pd.DataFrame | None = None, wide: float = 0.2):
    """Heatmap of shares (0–1) with (speaker, meeting) columns, shown as percentages.

    Cells without data (NaN) are hatched and marked "no data", never drawn as zero.
    Reading aids, all optional: ``totals`` (one count per column, e.g. the speaker's
    sentences at the meeting, as a Series indexed like ``grid.columns`` or a list) is shown
    as "n = …" under each column label, so small columns are visible; ``ci_low`` and
    ``ci_high`` (shares, shaped like ``grid``) mark with "†" every cell whose interval is
    wider than ``wide`` (0.2 = 20 points), and a footnote says so.
    """
    values = grid.to_numpy(dtype=float) * 100
    fig, ax = plt.subplots(figsize=(FULL_WIDTH, row_height * len(grid) + 1.6))
    vmax = np.nanmax(values)
    ax.imshow(np.ma.masked_invalid(values), cmap="cividis", vmin=0, vmax=vmax, aspect="auto")
    if ci_low is not None and ci_high is not None:
        width = (ci_high.reindex_like(grid).to_numpy(dtype=float)
                 - ci_low.reindex_like(grid).to_numpy(dtype=float))
        flagged = np.nan_to_num(width, nan=0.0) > wide
    else:
        flagged = np.zeros(values.shape, dtype=bool)
    for (r, c), v in np.ndenumerate(values):
        if np.isnan(v):
            ax.add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False,
                                       hatch=MISSING_HATCH, edgecolor="#999999", lw=0))
            if r == len(grid) // 2:
                ax.text(c, r, "no\ndata", ha="center", va="center", fontsize=MIN_FONT_PT)
        else:
            ax.text(c, r, f"{v:.0f}{'†' if flagged[r, c] else ''}", ha="center",
                    va="center", fontsize=MIN_FONT_PT,
                    color="white" if v < 0.6 * vmax else "black")
    ax.set_yticks(range(len(grid)), list(row_labels))
    labels = [f"{sp.title()}\n{meeting_label(m).split(',')[0]}" for sp, m in grid.columns]
    if totals is not None:
        counts = list(totals.reindex(grid.columns)) if hasattr(totals, "reindex") \
            else list(totals)
        labels = [lab if pd.isna(n) else f"{lab}\nn = {int(n)}"
                  for lab, n in zip(labels, counts)]
    crowded = grid.shape[1] > 6  # many cells: one upright line per column
    if crowded:
        labels = [lab.replace("\n", " · ") for lab in labels]
    ax.set_xticks(range(grid.shape[1]), labels,
                  **({"rotation": 90, "va": "bottom"} if crowded else {}))
    ax.xaxis.tick_top()
    ax.grid(False)
    if flagged.any():
        ax.set_xlabel(f"† 95% interval wider than {wide * 100:.0f} points: read with care",
                      loc="left", fontsize=MIN_FONT_PT)
    ax.set_title(title, loc="left", pad=28)
    add_source_note(fig)
    return fig
