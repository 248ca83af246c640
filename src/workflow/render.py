"""Render the notebooks for readers: offline HTML pages, the index and the figure catalogue.

``python -m workflow.render`` writes ``reports/html/NN-….html`` for every notebook with
nbconvert and the ``page`` template beside this module (extends JupyterLab's): code hidden,
images embedded, nothing fetched from a network, the page's ``<title>`` the notebook's H1, a
contents list of the h2 and h3 headings, every figure's alt text its caption
(``reports/figures/<name>.txt``, found from the ``save_figure(fig, "<name>", …)`` call in the
cell that shows it), cells tagged ``remove-cell``/``remove-input``/``remove-output`` treated
as those tags say, and sections with nothing visible (e.g. "Sanity checks" whose code is
hidden and prints nothing) left out. Then the index page and the figure catalogue
(:mod:`workflow.index`). Output is deterministic and written atomically.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from helpers import config
from helpers.io import write_text_atomic
from workflow.index import figure_catalogue, figure_catalogue_html, notebook_summary, render_index
from workflow.notebooks import list_notebooks

TEMPLATES = Path(__file__).with_name("templates")
HEADING = re.compile(r"<h([123])\b[^>]*\bid=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S)
MD_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
SAVE_FIGURE = re.compile(r"save_figure\(\s*[\w.]+\s*,\s*[\"']([^\"']+)[\"']")
DRAWING_REPR = re.compile(r"^<Drawing: (.*)>$", re.S)


def _plain(markdown: str) -> str:
    """Markdown inline text as plain text (for titles)."""
    return re.sub(r"[*_`]", "", re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)).strip()


def _shows_something(cell) -> bool:
    """A code cell shows something when it has stdout, a display, a result or an error."""
    return any(o.get("output_type") in {"display_data", "execute_result", "error"} or
               (o.get("name") == "stdout" and str(o.get("text", "")).strip())
               for o in cell.get("outputs", []))


def drop_empty_sections(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` without code cells that show nothing (their input is hidden
    on the page), and without the headings (below the H1) of sections that show nothing.

    A section runs from its heading to the next heading of the same or a higher level; it
    is empty when neither it nor a subsection has text or a cell that shows something.
    """
    nb = nbformat.from_dict(nb)
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or _shows_something(c)]
    blocks = []  # (cell index, heading level or None for content, heading text)
    for ci, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            blocks.append((ci, None, ""))
            continue
        in_fence = False
        for line in cell.source.splitlines():
            in_fence ^= line.strip().startswith("```")
            m = None if in_fence else MD_HEADING.match(line)
            if m:
                blocks.append((ci, len(m.group(1)), m.group(2)))
            elif line.strip():
                blocks.append((ci, None, ""))
    drop = set()
    for k, (ci, level, text) in enumerate(blocks):
        if level is None or level == 1:
            continue
        after = blocks[k + 1:]
        end = next((j for j, b in enumerate(after) if b[1] is not None and b[1] <= level),
                   len(after))
        if all(b[1] is not None for b in after[:end]):
            drop.add((ci, text))
    for ci, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = "\n".join(ln for ln in cell.source.splitlines()
                                    if not ((m := MD_HEADING.match(ln)) and (ci, m.group(2))
                                            in drop))
    nb.cells = [c for c in nb.cells if c.cell_type != "markdown" or c.source.strip()]
    return nb


def add_alt_texts(nb: nbformat.NotebookNode, figures_dir: Path) -> None:
    """Set ``alt`` in the metadata of every PNG output: the caption of the figure the cell
    saves (``<figures_dir>/<name>.txt``; a figure shown before the cell that saves it takes
    that cell's), else the Drawing's title, else "Figure"."""
    def images(cell):
        return [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]

    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        names = SAVE_FIGURE.findall(cell.source)
        for later in code[i + 1:] if images(cell) and not names else []:
            names = SAVE_FIGURE.findall(later.source)
            if names or images(later):
                break
        captions = [(figures_dir / f"{n}.txt").read_text(encoding="utf-8").strip()
                    for n in names if (figures_dir / f"{n}.txt").exists()]
        for k, out in enumerate(images(cell)):
            plain = "".join(out.get("data", {}).get("text/plain", ""))
            m = DRAWING_REPR.match(plain.strip())
            out.setdefault("metadata", {})["alt"] = (
                captions[k] if k < len(captions) else m.group(1) if m else "Figure")


def _toc(body: str) -> str:
    items = "".join(
        f'<li class="h{level}"><a href="#{anchor}">'
        f'{html.escape(html.unescape(re.sub(r"<[^>]+>", "", text)).replace("¶", "").strip())}'
        "</a></li>" for level, anchor, text in HEADING.findall(body))
    return f'<nav class="toc"><strong>Contents</strong><ul>{items}</ul></nav>'


def render_notebook(path: Path, figures_dir: Path | None = None) -> str:
    """Return standalone, offline HTML for one executed notebook (code inputs hidden)."""
    figures_dir = Path(figures_dir) if figures_dir is not None else config.paths()["figures"]
    nb = nbformat.read(path, as_version=4)
    title, _ = notebook_summary(nb)
    nb.metadata["title"] = _plain(title) or Path(path).stem
    tags = TagRemovePreprocessor(remove_cell_tags={"remove-cell"},
                                 remove_input_tags={"remove-input"},
                                 remove_all_outputs_tags={"remove-output"})
    nb, _ = tags.preprocess(nb, {})
    nb = drop_empty_sections(nb)
    add_alt_texts(nb, figures_dir)
    exporter = HTMLExporter(template_name="page", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    body, _ = exporter.from_notebook_node(nb, resources={"toc": "<!-- toc -->"})
    return body.replace("<!-- toc -->", _toc(body), 1)


def render_all(root: Path | None = None) -> list[Path]:
    """Render every notebook, the index and the figure catalogue; return the pages."""
    p = config.paths(root)
    notebooks = list_notebooks(p["notebooks"])
    pages = [write_text_atomic(p["html"] / f"{nb.stem}.html", render_notebook(nb, p["figures"]))
             for nb in notebooks]
    pages.append(write_text_atomic(p["html"] / "index.html",
                                   render_index(notebooks, p["processed"] / "findings.csv",
                                                p["figures"], p["root"] / "README.md")))
    pages.append(write_text_atomic(p["html"] / "figures.html",
                                   figure_catalogue_html(p["figures"], notebooks)))
    write_text_atomic(p["figures"] / "README.md", figure_catalogue(p["figures"], notebooks))
    return pages


def main() -> int:
    pages = render_all()
    print(f"rendered {len(pages)} pages into reports/html/ and the figure catalogue")
    return 0


if __name__ == "__main__":
    sys.exit(main())
