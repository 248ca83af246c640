"""Legibility of a figure at its export size, measured rather than fixed.

:func:`layout_problems` lists what a reader would hit: text overprinted by text, a legend
over plotted data or text, text or a legend cut off by the canvas, and text under
:data:`MIN_FONT_PT`. :func:`helpers.figures.save_figure` stores this measurement in every
PNG (metadata key :data:`KEY`); :func:`table` reads it back for the tests and
:func:`markdown` writes ``docs/figures.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from PIL import Image

from . import config

#: No text in a saved figure may be smaller than this (points at the export size).
MIN_FONT_PT = 6.0
KEY = "Legibility"


def _label(t: Text) -> str:
    return t.get_text().replace("\n", " ")[:40]


def _drawn_texts(fig) -> list[Text]:
    """Every text that is drawn: titles, labels, tick labels in view, annotations, legends."""
    out_of_view = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            slack = 1e-9 * max(abs(hi - lo), 1)
            out_of_view.update(id(label) for tick in axis.get_major_ticks() + axis.get_minor_ticks()
                               if not lo - slack <= tick.get_loc() <= hi + slack
                               for label in (tick.label1, tick.label2))
    texts = {id(t): t for t in fig.findobj(Text, include_self=False)}  # in order, once each
    return [t for t in texts.values() if id(t) not in out_of_view and t.get_visible()
            and t.get_text().strip() and (t.axes is None or t.axes.get_visible())]


def _data_points(ax) -> np.ndarray:
    """Display coordinates of the plotted data of ``ax``: line vertices (and points between
    them), scatter offsets, error bars, and the corners and centres of bars."""
    def along(path_xy, transform):
        return transform.transform(MplPath(path_xy).interpolated(8).vertices
                                   if len(path_xy) > 1 else path_xy)

    pts = [np.empty((0, 2))]
    pts += [along(ln.get_xydata(), ln.get_transform()) for ln in ax.get_lines()
            if ln.get_visible() and len(ln.get_xydata())]
    for c in ax.collections:
        if not c.get_visible():
            continue
        offsets = np.asarray(c.get_offsets())
        if len(offsets) and not (offsets == 0).all():
            pts.append(c.get_offset_transform().transform(offsets))
        elif hasattr(c, "get_segments"):
            pts += [along(seg, c.get_transform()) for seg in c.get_segments() if len(seg) > 1]
    for p in ax.patches:
        b = p.get_window_extent()
        if p.get_visible() and b.width > 0:
            pts.append(np.array([[b.x0, b.y0], [b.x1, b.y1], [b.x0, b.y1], [b.x1, b.y0],
                                 [(b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2]]))
    return np.concatenate(pts)


def _overlap(a, b) -> bool:
    """Two boxes (display pixels) overlap by more than a pixel both ways."""
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and min(a.y1, b.y1) - max(a.y0, b.y0) > 1


def layout_problems(fig) -> list[str]:
    """What a reader would hit (see the module docstring), each naming the text at fault.
    The figure is laid out (drawn) at its current size first."""
    fig.draw_without_rendering()
    texts = _drawn_texts(fig)
    boxes = [t.get_window_extent() for t in texts]
    problems = [f"overprinted: {_label(texts[i])!r} and {_label(texts[j])!r}"
                for i, a in enumerate(boxes) for j in range(i + 1, len(boxes))
                if _overlap(a, boxes[j])]
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    legends += list(fig.legends)
    own = {id(t) for leg in legends for t in leg.findobj(Text)}
    for leg in legends:
        box = leg.get_window_extent()
        problems += [f"legend over text: {_label(t)!r}" for t, b in zip(texts, boxes)
                     if id(t) not in own and _overlap(box, b)]
        for ax in fig.axes:
            x, y = _data_points(ax).T
            if ((x > box.x0) & (x < box.x1) & (y > box.y0) & (y < box.y1)).any():
                names = ", ".join(_label(t) for t in leg.get_texts())
                problems.append(f"legend over data: {names!r}")
                break
    w, h = fig.bbox.width, fig.bbox.height
    for label, b in [(repr(_label(t)), box) for t, box in zip(texts, boxes)] + [
            ("a legend", leg.get_window_extent()) for leg in legends]:
        if b.x0 < -1 or b.y0 < -1 or b.x1 > w + 1 or b.y1 > h + 1:
            problems.append(f"cut off by the canvas: {label}")
    problems += [f"{t.get_fontsize():g} pt, under {MIN_FONT_PT:g} pt: {_label(t)!r}"
                 for t in texts if t.get_fontsize() < MIN_FONT_PT - 1e-9]
    return problems


def measurement(fig, width: float, extra=()) -> str:
    """What a saved PNG carries (JSON): width, smallest font (pt) and problems."""
    problems = layout_problems(fig) + list(extra)
    smallest = min((t.get_fontsize() for t in _drawn_texts(fig)), default=float("inf"))
    return json.dumps({"width_in": width, "smallest_font_pt": smallest, "problems": problems})


def table(folder: Path | None = None) -> pd.DataFrame:
    """One row per saved PNG: ``file``, ``width_in``, ``smallest_font_pt`` and ``problems``
    (``"; "``-joined, empty when clean); a PNG without the measurement says so."""
    folder = Path(folder) if folder is not None else config.paths()["figures"]
    rows = []
    for png in sorted(folder.glob("*.png")):
        with Image.open(png) as im:
            raw = im.text.get(KEY)
        m = json.loads(raw) if raw else {"width_in": None, "smallest_font_pt": None,
                                         "problems": ["not measured when saved"]}
        rows.append({"file": png.name, "width_in": m["width_in"],
                     "smallest_font_pt": m["smallest_font_pt"],
                     "problems": "; ".join(m["problems"])})
    return pd.DataFrame(rows, columns=["file", "width_in", "smallest_font_pt", "problems"])


def markdown(folder: Path | None = None) -> str:
    """``docs/figures.md``: one row per figure (both sizes), from :func:`table`."""
    t = table(folder)
    t["figure"] = t["file"].str.removesuffix(".png").str.removesuffix("-column")
    out = ["# Figures: legibility at both report sizes", "",
           "Generated by `python -m workflow.readme` from the measurement that every PNG in "
           "`reports/figures/` carries (`helpers.legibility.layout_problems`, run when the "
           "figure was saved at that size); do not edit by hand. `tests/test_figures.py` "
           f"fails if a figure has text under {MIN_FONT_PT:g} pt or any problem: text "
           "overprinted by text, a legend over plotted data, or text or a legend cut off by "
           "the canvas.", "",
           "| figure | files | width (in) | smallest font (pt) | check |", "|---|---|---|---|---|"]
    for name, g in t.groupby("figure", sort=True):
        g = g.sort_values("width_in", ascending=False, na_position="last")
        def cell(col):
            return " / ".join("?" if pd.isna(v) else f"{v:g}" for v in g[col])
        problems = "; ".join(f"{f}: {p}" for f, p in zip(g["file"], g["problems"]) if p)
        out.append(f"| `{name}` | {' / '.join(f'`{f}`' for f in g['file'])} | "
                   f"{cell('width_in')} | {cell('smallest_font_pt')} | "
                   f"{(problems or 'clean').replace('|', '/')} |")
    return "\n".join(out) + "\n"
