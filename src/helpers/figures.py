"""House style, drawing figures once, and the one function that writes them.

Plot functions elsewhere return a :class:`matplotlib.figure.Figure`; only
:func:`save_figure` writes files. Every figure is saved as PNG (300 dpi), SVG and PDF with
the plotted data as CSV beside it. Output bytes are deterministic: no software tag or dates,
a fixed SVG hash salt, and TrueType fonts embedded in the PDF.

Notebooks call plot functions through :func:`draw`, which renders the figure once into a
:class:`Drawing` (the bytes of every format plus a screen-resolution preview) and caches it
on the plot function's inputs (see :mod:`helpers.cache`), so a rerun with unchanged inputs
neither redraws nor re-renders. To adjust a figure by hand, call the plot function directly,
change the returned Figure, and pass it to :func:`save_figure`.
"""

from __future__ import annotations

import io as _io
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import matplotlib
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from . import cache, config  # noqa: E402
from .io import to_csv_text, write_bytes_atomic, write_text_atomic  # noqa: E402

#: Okabe–Ito colour-blind-safe palette.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000"]
#: One colour per speaker, used in every chart (distinct in greyscale as well: dark/mid/light).
SPEAKER_COLOURS = {"pompeo": "#0072B2", "lavrov": "#D55E00", "putin": "#CC79A7",
                   "journalist": "#999999", "moderator": "#999999", "narrator": "#999999"}
SPEAKER_MARKERS = {"pompeo": "o", "lavrov": "s", "putin": "^"}
MISSING_HATCH = "////"

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


def add_source_note(fig: matplotlib.figure.Figure, note: str | None = None) -> None:
    """Write the small source note in the figure's bottom-left corner.

    The default note is made from the manifest (:func:`helpers.sources.source_note`): the
    kinds of source and the meetings, so it changes when a transcript is added.
    """
    if note is None:
        from .sources import source_note

        note = source_note()
    fig.text(0.0, -0.02, note, ha="left", va="top", fontsize=6.5, color="#555555",
             transform=fig.transFigure)


#: Formats written by :func:`save_figure`.
FORMATS = ("png", "svg", "pdf")


def _render(fig, fmt: str, dpi: int = 300) -> bytes:
    metadata = {"png": {"Software": None},
                "pdf": {"CreationDate": None, "ModDate": None, "Producer": None,
                        "Creator": None},
                "svg": {"Date": None, "Creator": None}}[fmt]
    buf = _io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": HOUSE_STYLE["svg.hashsalt"],
                                "pdf.fonttype": 42, "ps.fonttype": 42}):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, bbox_inches="tight")
    return buf.getvalue()


@dataclass(frozen=True, repr=False)
class Drawing:
    """A figure rendered once: the bytes of each saved format and a preview for the screen.

    Notebooks display it like a figure (its ``_repr_png_`` is the preview) and
    :func:`save_figure` writes its bytes.
    """

    title: str
    png: bytes
    svg: bytes
    pdf: bytes
    preview: bytes

    @classmethod
    def from_figure(cls, fig: matplotlib.figure.Figure) -> "Drawing":
        """Render ``fig`` in every format, then close it."""
        title = next((ax.get_title(loc) for ax in fig.axes for loc in ("left", "center")
                      if ax.get_title(loc)), "")
        rendered = {fmt: _render(fig, fmt) for fmt in FORMATS}
        preview = _render(fig, "png", dpi=int(HOUSE_STYLE["figure.dpi"]))
        plt.close(fig)
        return cls(title=title, preview=preview, **rendered)

    def _repr_png_(self) -> bytes:
        return self.preview

    def __repr__(self) -> str:
        return f"<Drawing: {self.title}>"


#: rcParams that cannot change a saved drawing (pyplot switches ``interactive`` on in Jupyter).
_NOT_STYLE = {"backend", "backend_fallback", "interactive", "toolbar"}


def _style_fingerprint() -> str:
    """Every matplotlib setting that can change a drawing."""
    rc = matplotlib.rcParams
    return cache.fingerprint(sorted((k, repr(dict.__getitem__(rc, k)))
                                    for k in dict.__iter__(rc) if k not in _NOT_STYLE))


def draw(plot: Callable[..., matplotlib.figure.Figure], *args, **kwargs) -> Drawing:
    """Call a helpers plot function and render its figure once, as a :class:`Drawing`.

    The drawing is cached on the plot function, its arguments, the matplotlib settings and
    everything :mod:`helpers.cache` adds, so an unchanged figure is not redrawn on a rerun.
    """
    if not getattr(plot, "__module__", "").startswith("helpers"):
        raise TypeError(f"draw() takes a helpers plot function, not {plot!r}; call your own "
                        "function directly and pass its figure to save_figure()")
    return cache.cached("figures.draw", (plot, args, kwargs, _style_fingerprint()),
                        lambda: Drawing.from_figure(plot(*args, **kwargs)))


def save_figure(fig: matplotlib.figure.Figure | Drawing, name: str,
                data: pd.DataFrame | None = None, folder: Path | None = None,
                caption: str | None = None) -> dict[str, Path]:
    """Write ``fig`` as ``name``.png/.svg/.pdf and ``data`` as ``name``.csv, atomically.

    ``fig`` is a Figure or a :class:`Drawing` from :func:`draw`; both give the same bytes.
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
    for fmt in FORMATS:
        content = getattr(fig, fmt) if isinstance(fig, Drawing) else _render(fig, fmt)
        out[fmt] = write_bytes_atomic(folder / f"{name}.{fmt}", content)
    out["csv"] = write_text_atomic(folder / f"{name}.csv", to_csv_text(data))
    if caption is not None:
        out["txt"] = write_text_atomic(folder / f"{name}.txt", caption.strip() + "\n")
    return out


def close(fig) -> None:
    """Close a figure once it has been shown and saved (a Drawing needs no closing)."""
    if not isinstance(fig, Drawing):
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
