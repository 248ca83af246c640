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
:class:`Drawing` (the bytes of every format plus a 2x preview for the screen) and caches it
on the plot function's inputs (see :mod:`helpers.cache`), so a rerun with unchanged inputs
neither redraws nor re-renders. To adjust a figure by hand, call the plot function directly,
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
import pandas as pd  # noqa: E402
from matplotlib.text import Text

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

#: Physical export widths (inches): a report's full text width and a single column.
FULL_WIDTH = 6.5
COLUMN_WIDTH = 3.5
#: No text in an exported figure is smaller than this (points at the export size).
MIN_FONT_PT = 7.0
#: Screen pixels per inch of a preview at 1x (CSS px); previews are rendered at 2x.
SCREEN_DPI = 100
PREVIEW_DPI = 2 * SCREEN_DPI
#: Margin kept free at the canvas edges, and the gap between title/note and the plot (in).
MARGIN_IN = 0.06
GAP_IN = 0.08
#: Marker and line style given, in order, to labelled lines that would otherwise look alike.
LINE_STYLES = [("o", "-"), ("s", "--"), ("^", ":"), ("D", "-."), ("v", (0, (5, 1, 1, 1)))]
#: ``gid`` of the figure title and the source note (how :func:`fit_figure` finds them).
TITLE_GID = "figure-title"
NOTE_GID = "source-note"

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
        from .sources import source_note

        note = source_note()
    fig.text(MARGIN_IN / fig.get_figwidth(), MARGIN_IN / fig.get_figheight(), note,
             ha="left", va="bottom", fontsize=MIN_FONT_PT, color="#555555",
             transform=fig.transFigure, gid=NOTE_GID)


# --------------------------------------------------------------------------- layout
def _renderer(fig):
    return fig._get_renderer()  # noqa: SLF001 (public API has no renderer getter for Agg)


def _text_width_px(renderer, text: str, prop) -> float:
    return renderer.get_text_width_height_descent(text, prop, ismath=False)[0]


def wrap_text(t: Text, width_in: float, renderer=None) -> str:
    """Wrap a Text artist's words so that each line is at most ``width_in`` wide.

    Lines are measured with the artist's font, not counted in characters; words are never
    split (a single word wider than the width stays on its own line). Explicit line breaks
    are kept. The unwrapped text is remembered, so wrapping again to another width starts
    from the original. Returns the wrapped text (also set on the artist).
    """
    fig = t.get_figure(root=True)
    renderer = renderer or _renderer(fig)
    original = getattr(t, "_house_unwrapped", None)
    if original is None:
        original = t.get_text()
        t._house_unwrapped = original
    limit = width_in * fig.dpi
    prop = t.get_fontproperties()
    lines = []
    for para in original.split("\n"):
        line = ""
        for word in para.split(" "):
            candidate = f"{line} {word}" if line else word
            if line and _text_width_px(renderer, candidate, prop) > limit:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    wrapped = "\n".join(lines)
    t.set_text(wrapped)
    return wrapped


def _figure_title(fig) -> Text | None:
    """The figure's title as one left-aligned figure text (created from a suptitle or from
    the only axes' title on first use)."""
    for t in fig.texts:
        if t.get_gid() == TITLE_GID:
            return t
    text, size, weight = "", matplotlib.rcParams["axes.titlesize"], "bold"
    sup = getattr(fig, "_suptitle", None)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    if sup is not None and sup.get_text().strip():
        text, size, weight = sup.get_text(), sup.get_fontsize(), sup.get_fontweight()
        sup.set_text("")
        sup.set_visible(False)
    elif len(axes) == 1:
        ax = axes[0]
        for loc in ("left", "center", "right"):
            if ax.get_title(loc).strip():
                title = getattr(ax, {"left": "_left_title", "center": "title",
                                     "right": "_right_title"}[loc])
                text, size, weight = title.get_text(), title.get_fontsize(), \
                    title.get_fontweight()
                ax.set_title("", loc=loc)
                break
    if not text.strip():
        return None
    return fig.text(0, 1, text, ha="left", va="top", fontsize=max(size, MIN_FONT_PT),
                    fontweight=weight, transform=fig.transFigure, gid=TITLE_GID)


def _note(fig) -> Text | None:
    return next((t for t in fig.texts if t.get_gid() == NOTE_GID), None)


def _drawn_ticklabels(axis) -> list[Text]:
    """Tick labels that are actually drawn (inside the view limits, visible, not empty)."""
    out = []
    for tick in axis._update_ticks():  # noqa: SLF001 (the ticks draw() would draw)
        for lab in (tick.label1, tick.label2):
            if lab.get_visible() and lab.get_text().strip():
                out.append(lab)
    return out


def _all_ticklabels(fig) -> set[int]:
    ids = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ids.update((id(tick.label1), id(tick.label2)))
    return ids


def visible_texts(fig) -> list[Text]:
    """Every text that is drawn: titles, labels, drawn tick labels, annotations, legends."""
    fig.draw_without_rendering()
    ticklabels = _all_ticklabels(fig)
    drawn = {id(t) for ax in fig.axes if ax.get_visible()
             for axis in (ax.xaxis, ax.yaxis) for t in _drawn_ticklabels(axis)}
    out = []
    for t in fig.findobj(Text, include_self=False):
        if not t.get_visible() or not t.get_text().strip():
            continue
        if id(t) in ticklabels and id(t) not in drawn:
            continue
        parent = t.axes
        if parent is not None and not parent.get_visible():
            continue
        out.append(t)
    # findobj can reach one artist twice (e.g. a legend's title); keep the first
    seen, unique = set(), []
    for t in out:
        if id(t) not in seen:
            seen.add(id(t))
            unique.append(t)
    return unique


def smallest_font(fig) -> float:
    """The smallest font size (pt) of any drawn text, at the figure's current size."""
    return min((t.get_fontsize() for t in visible_texts(fig)), default=float("inf"))


def _label(t: Text) -> str:
    return t.get_text().replace("\n", " ")[:40]


def overlapping_texts(fig, tolerance_px: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose bounding boxes intersect (overprinting), as text pairs.

    Boxes are compared at the figure's own dpi; an overlap counts when it is deeper than
    ``tolerance_px`` in both directions, so texts that merely touch do not count.
    """
    renderer = _renderer(fig)
    texts = visible_texts(fig)
    boxes = [t.get_window_extent(renderer) for t in texts]
    pairs = []
    for i in range(len(texts)):
        a = boxes[i]
        if a.width <= 0 or a.height <= 0:
            continue
        for j in range(i + 1, len(texts)):
            b = boxes[j]
            dx = min(a.x1, b.x1) - max(a.x0, b.x0)
            dy = min(a.y1, b.y1) - max(a.y0, b.y0)
            if dx > tolerance_px and dy > tolerance_px:
                pairs.append((_label(texts[i]), _label(texts[j])))
    return pairs


def texts_outside(fig, tolerance_px: float = 1.0) -> list[str]:
    """Drawn texts that stick out of the canvas (they would be cut off in the file)."""
    renderer = _renderer(fig)
    w, h = fig.bbox.width, fig.bbox.height
    out = []
    for t in visible_texts(fig):
        b = t.get_window_extent(renderer)
        if b.x0 < -tolerance_px or b.y0 < -tolerance_px or b.x1 > w + tolerance_px or \
                b.y1 > h + tolerance_px:
            out.append(_label(t))
    return out


def layout_problems(fig) -> list[str]:
    """Overprinted text, text outside the canvas and text under :data:`MIN_FONT_PT`."""
    problems = [f"overprinted: {a!r} and {b!r}" for a, b in overlapping_texts(fig)]
    problems += [f"cut off by the canvas: {t!r}" for t in texts_outside(fig)]
    small = smallest_font(fig)
    if small < MIN_FONT_PT - 1e-9:
        problems.append(f"text smaller than {MIN_FONT_PT:g} pt: {small:g} pt")
    return problems


def _enforce_min_font(fig) -> None:
    for ax in fig.axes:
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            for which, ticks in (("major", axis.get_major_ticks()),
                                 ("minor", axis.get_minor_ticks())):
                sizes = [t.label1.get_fontsize() for t in ticks]
                if sizes and min(sizes) < MIN_FONT_PT:
                    ax.tick_params(axis=name, which=which, labelsize=MIN_FONT_PT)
    for t in fig.findobj(Text, include_self=False):
        if t.get_fontsize() < MIN_FONT_PT:
            t.set_fontsize(MIN_FONT_PT)


def _distinguish_lines(fig) -> None:
    """Give labelled lines of one axes distinct markers and line styles if they share them,
    and redraw the legend so that it shows the new styles."""
    for ax in fig.axes:
        lines = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
        if len(lines) < 2:
            continue
        styles = [(ln.get_marker(), ln.get_linestyle()) for ln in lines]
        if len(set(styles)) == len(styles):
            continue
        for ln, (marker, ls) in zip(lines, LINE_STYLES * (len(lines) // len(LINE_STYLES) + 1)):
            ln.set_marker(marker)
            ln.set_linestyle(ls)
            ln.set_markersize(max(ln.get_markersize(), 4))
        legend = ax.get_legend()
        if legend is not None:
            title = legend.get_title().get_text() or None
            ax.legend(loc=legend._loc, title=title)  # noqa: SLF001 (keep its placement)


def _wrap_ticklabels(fig, max_width_in: float, renderer) -> None:
    """Wrap y tick labels wider than ``max_width_in`` at word boundaries."""
    for ax in fig.axes:
        labels = ax.yaxis.get_ticklabels()
        if not labels or not any(lab.get_text() for lab in labels):
            continue
        prop = labels[0].get_fontproperties()
        texts = [lab.get_text() for lab in labels]
        if max(_text_width_px(renderer, s, prop) for s in texts) <= max_width_in * fig.dpi:
            continue
        wrapped = []
        for lab in labels:
            probe = Text(text=lab.get_text(), fontproperties=prop)
            probe.set_figure(fig)
            wrapped.append(wrap_text(probe, max_width_in, renderer))
        ax.yaxis.set_ticks(ax.get_yticks(), wrapped)


def _unrotate_crowded_xticks(fig, renderer) -> bool:
    """Turn crowded x tick labels upright (90°); return True if any axes changed."""
    changed = False
    for ax in fig.axes:
        labels = _drawn_ticklabels(ax.xaxis)
        boxes = sorted((lab.get_window_extent(renderer) for lab in labels), key=lambda b: b.x0)
        if any(b.x0 < a.x1 + 2 for a, b in zip(boxes, boxes[1:])) and \
                all(lab.get_rotation() == 0 for lab in labels):
            top = ax.xaxis.get_ticks_position() == "top"
            ax.tick_params(axis="x", labelrotation=90)
            for lab in labels:
                lab.set_verticalalignment("bottom" if top else "top")
            changed = True
    return changed


def _wrap_axes_texts(fig, renderer) -> bool:
    """Wrap axes titles and x labels to their axes' width, y labels to its height."""
    w, h = fig.get_figwidth(), fig.get_figheight()
    changed = False
    for ax in fig.axes:
        pos = ax.get_position()
        # a left-aligned title may run on to where the next axes to the right starts
        right = min([o.get_position().x0 for o in fig.axes if o is not ax
                     and o.get_position().x0 > pos.x0 + 1e-6
                     and o.get_position().y0 < pos.y1 and o.get_position().y1 > pos.y0]
                    + [1 - MARGIN_IN / w])
        left_room = max(pos.width, right - pos.x0 - GAP_IN / w) * w
        for t, limit in ((ax.title, pos.width * w), (ax._left_title, left_room),  # noqa
                         (ax._right_title, pos.width * w),  # noqa: SLF001
                         (ax.xaxis.label, pos.width * w), (ax.yaxis.label, pos.height * h)):
            if t.get_text().strip():
                before = t.get_text()
                if wrap_text(t, limit, renderer) != before:
                    changed = True
    return changed


def _separate_labels(fig, renderer, max_rounds: int = 200) -> None:
    """Push apart data labels (texts inside an axes) whose boxes overlap, vertically, and
    move the leader lines (adjustText's arrows) that start at them."""
    from matplotlib.patches import FancyArrowPatch

    for ax in fig.axes:
        texts = [t for t in ax.texts if t.get_visible() and t.get_text().strip()
                 and t.get_rotation() == 0]
        if len(texts) < 2:
            continue
        moved = set()
        for _ in range(max_rounds):
            boxes = [t.get_window_extent(renderer) for t in texts]
            clash = False
            for i in range(len(texts)):
                for j in range(i + 1, len(texts)):
                    a, b = boxes[i], boxes[j]
                    dx = min(a.x1, b.x1) - max(a.x0, b.x0)
                    dy = min(a.y1, b.y1) - max(a.y0, b.y0)
                    if dx > 0 and dy > 0:
                        clash = True
                        up, down = (i, j) if (a.y0 + a.y1) >= (b.y0 + b.y1) else (j, i)
                        _shift(texts[up], dy / 2 + 1)
                        _shift(texts[down], -(dy / 2 + 1))
                        moved.update((id(texts[up]), id(texts[down])))
                        boxes[up] = texts[up].get_window_extent(renderer)
                        boxes[down] = texts[down].get_window_extent(renderer)
            if not clash:
                break
        for p in ax.patches:
            if isinstance(p, FancyArrowPatch) and id(getattr(p, "patchA", None)) in moved:
                text = p.patchA
                p.set_positions(text.get_position(), p._posA_posB[1])  # noqa: SLF001


def _shift(t: Text, dy_px: float) -> None:
    trans = t.get_transform()
    x, y = trans.transform(t.get_position())
    t.set_position(tuple(trans.inverted().transform((x, y + dy_px))))


def _layout(fig, rect) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "not compatible with tight_layout"
        fig.set_layout_engine("none")
        fig.tight_layout(pad=0.3, h_pad=0.8, w_pad=0.8, rect=rect)


def _height_in(t: Text | None, renderer) -> float:
    if t is None:
        return 0.0
    return t.get_window_extent(renderer).height / t.get_figure(root=True).dpi


def fit_figure(fig: matplotlib.figure.Figure, width: float = FULL_WIDTH,
               height: float | None = None) -> matplotlib.figure.Figure:
    """Lay ``fig`` out at a fixed physical size (see the module docstring); return it.

    ``width`` is :data:`FULL_WIDTH` or :data:`COLUMN_WIDTH`; ``height`` defaults to the
    height the plot function chose. Calling it again re-lays the figure out from scratch.
    """
    fig.set_size_inches(width, height or fig.get_figheight(), forward=False)
    fig.set_dpi(SCREEN_DPI)
    renderer = _renderer(fig)
    _enforce_min_font(fig)
    _distinguish_lines(fig)
    title, note = _figure_title(fig), _note(fig)
    w, h = fig.get_figwidth(), fig.get_figheight()
    for t in (title, note):
        if t is not None:
            wrap_text(t, width - 2 * MARGIN_IN, renderer)
    if title is not None:
        title.set_position((MARGIN_IN / w, 1 - MARGIN_IN / h))
        title.set_verticalalignment("top")
    if note is not None:
        note.set_position((MARGIN_IN / w, MARGIN_IN / h))
        note.set_verticalalignment("bottom")
    _wrap_ticklabels(fig, 0.4 * width, renderer)
    top = 1 - (MARGIN_IN + _height_in(title, renderer) + GAP_IN) / h if title else 1
    bottom = (MARGIN_IN + _height_in(note, renderer) + GAP_IN) / h if note else 0
    rect = (0, bottom, 1, top)
    _layout(fig, rect)
    if _unrotate_crowded_xticks(fig, renderer):
        _layout(fig, rect)
    # axes titles (small multiples) and axis labels: wrap each to its axes, lay out again
    if _wrap_axes_texts(fig, renderer):
        _layout(fig, rect)
    _separate_labels(fig, renderer)
    return fig


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
        """The same plot laid out and rendered at another physical width (cached)."""
        if not self.figure:
            raise ValueError(f"{self!r} keeps no figure to lay out at another width")

        def compute():
            fig = pickle.loads(self.figure)
            return Drawing.from_figure(fig, width, height or _column_height(fig))
        return cache.cached("figures.at_width", (self.png, self.figure, width, height),
                            compute)

    def _repr_png_(self):
        size = {"width": round(self.width * SCREEN_DPI), "height": round(self.height *
                                                                        SCREEN_DPI)}
        return self.preview, size

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
    import numpy as np

    from .sources import meeting_label

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
    ax.set_xticks(range(grid.shape[1]), labels)
    ax.xaxis.tick_top()
    ax.grid(False)
    if flagged.any():
        ax.set_xlabel(f"† 95% interval wider than {wide * 100:.0f} points: read with care",
                      loc="left", fontsize=MIN_FONT_PT)
    ax.set_title(title, loc="left", pad=28)
    add_source_note(fig)
    return fig
