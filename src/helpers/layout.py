"""Figure layout at a fixed physical size: the machinery behind :func:`helpers.figures.save_figure`.

:func:`fit_figure` lays a figure out at its export width without growing the canvas: it
wraps the title and source note to the width, keeps every text at least
:data:`MIN_FONT_PT`, wraps long tick and axes labels, turns crowded x tick labels upright,
gives look-alike lines distinct markers and styles, and pushes overlapping data labels
apart. :func:`layout_problems` (from :func:`overlapping_texts` and :func:`texts_outside`)
lists what is still overprinted or cut off; tests and ``save_figure`` use it.
"""

from __future__ import annotations

import warnings

import matplotlib
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

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
