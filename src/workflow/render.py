"""Render the notebooks for readers: offline HTML pages, the index and the figure catalogue.

``python -m workflow.render`` writes ``reports/html/NN-….html`` for every notebook with
nbconvert and the ``page`` template beside this module (extends JupyterLab's): code hidden,
images embedded, nothing fetched from a network, the page's ``<title>`` the notebook's H1, a
contents list of the h2 and h3 headings, every figure's alt text its caption
(``reports/figures/<name>.txt``, found from the ``save_figure(fig, "<name>", …)`` call in the
cell that shows it), cells tagged ``remove-cell``/``remove-input``/``remove-output`` treated
as those tags say, and sections with nothing visible (e.g. "Sanity checks" whose code is
hidden and prints nothing) left out; prose in a column of about 70 characters,
previous/next links at top and bottom, a figure's 3.5-in version (``<name>-column.png``)
served below 600 px, a note naming the parameters a run changed (papermill's
``injected-parameters`` cell), and a footer with what the page was built from
(:func:`build_stamp`). Then the index page and the figure catalogue
(:mod:`workflow.index`). Output is deterministic and written atomically.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import html
import importlib
import re
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from helpers import config, parameters
from helpers.io import write_text_atomic
from helpers.sources import load_manifest
from workflow.index import (figure_catalogue, figure_catalogue_html, notebook_summary,
                            render_index, render_readme_page)
from workflow.notebooks import list_notebooks

TEMPLATES = Path(__file__).with_name("templates")
HEADING = re.compile(r"<h([123])\b[^>]*\bid=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S)
MD_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
SAVE_FIGURE = re.compile(r"save_figure\(\s*[\w.]+\s*,\s*[\"']([^\"']+)[\"']")
SVG_TEXT = re.compile(r"<!-- (.*?) -->")
CONSTANT = re.compile(r"`((?:(\w+)\.)?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|(?:(\w+)\.)?[A-Z]{3,}\d*)`")
#: What a page is built from (hashed for its footer): inputs, code and notebook code.
BUILT_FROM = ("data/raw", "data/annotations", "data/lexicons", "src", "pyproject.toml",
              "requirements.lock")
SKIP = ("__pycache__", ".ipynb_checkpoints")
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


def _words(text: str) -> str:
    return " ".join(html.unescape(text).split())


def add_alt_texts(nb: nbformat.NotebookNode, figures_dir: Path) -> None:
    """Set ``alt`` in the metadata of every PNG output to the caption of the figure it
    shows (``<figures_dir>/<name>.txt``), and ``column`` to the base64 of its 3.5-in
    version when ``<name>-column.png`` exists.

    The figure is the one its cell saves under a literal name (``save_figure(fig,
    "<name>", …)``); when the name is a variable (a loop), the saved figure whose text
    holds the Drawing's title; a figure shown before it is saved takes the next cell's.
    Else the alt text is the Drawing's title, else "Figure"."""
    def images(cell):
        return [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]

    figures_dir = Path(figures_dir)
    prefix = (nb.metadata.get("stem") or "")[:2]
    texts = {f.stem: _words(" ".join(SVG_TEXT.findall(f.read_text(encoding="utf-8"))))
             for f in sorted(figures_dir.glob(f"{prefix}*.svg")) if
             not f.stem.endswith("-column") and (figures_dir / f"{f.stem}.txt").exists()}
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        names = SAVE_FIGURE.findall(cell.source)
        saves = "save_figure(" in cell.source
        for later in code[i + 1:] if images(cell) and not saves else []:
            names = SAVE_FIGURE.findall(later.source)
            if "save_figure(" in later.source or images(later):
                break
        for k, out in enumerate(images(cell)):
            plain = "".join(out.get("data", {}).get("text/plain", ""))
            m = DRAWING_REPR.match(plain.strip())
            title = _words(m.group(1)) if m else ""
            stem = names[k] if k < len(names) else next(
                (s for s, t in texts.items() if title and title in t), None)
            cap = figures_dir / f"{stem}.txt"
            meta = out.setdefault("metadata", {})
            meta["alt"] = (cap.read_text(encoding="utf-8").strip() if stem and cap.exists()
                           else title or "Figure")
            column = figures_dir / f"{stem}-column.png"
            if stem and column.exists():
                meta["column"] = base64.b64encode(column.read_bytes()).decode("ascii")


def parameters_note(nb: nbformat.NotebookNode) -> None:
    """Replace papermill's ``injected-parameters`` cell by a note naming each value that
    differs from the notebook's ``parameters`` cell (the defaults)."""
    tagged = {tag: c for c in nb.cells for tag in c.metadata.get("tags", [])}
    if "injected-parameters" not in tagged:
        return
    defaults = _assigned(tagged["parameters"].source) if "parameters" in tagged else {}
    changed = [f"`{k} = {v}` (default `{defaults.get(k, 'none')}`)"
               for k, v in _assigned(tagged["injected-parameters"].source).items()
               if defaults.get(k) != v]
    note = ("This page was run with parameters that differ from the notebook's defaults: "
            + "; ".join(changed) + ". Every result below follows from them."
            if changed else "This page was run with the notebook's default parameters.")
    cell = tagged["injected-parameters"]
    cell.cell_type, cell.source, cell.metadata = "markdown", f"> **Parameters.** {note}", {}
    for key in ("outputs", "execution_count"):
        cell.pop(key, None)


def _assigned(source: str) -> dict[str, str]:
    """Top-level ``NAME = value`` assignments of a cell (the value's source text; for
    ``NAME = parameters.NAME``, the setting's value in ``helpers.parameters``)."""
    tree = ast.parse(source)

    def text(v: ast.expr) -> str:
        if (isinstance(v, ast.Attribute) and isinstance(v.value, ast.Name)
                and v.value.id == "parameters" and hasattr(parameters, v.attr)):
            return repr(getattr(parameters, v.attr))
        return ast.get_source_segment(source, v)

    return {t.id: text(node.value) for node in tree.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


def show_constants(nb: nbformat.NotebookNode) -> None:
    """In the Markdown cells, follow each constant named in backticks (`` `N_SEEDS` ``,
    `` `kn.MIN_TOKENS_TESTED` ``) by its value: from the ``parameters`` cell (or the values
    injected by a run), else from the helpers module the notebook imports under that name (or of that name)."""
    values, modules = {}, {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        if {"parameters", "injected-parameters"} & set(tags):
            values.update(_assigned(cell.source))
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
                for a in node.names:
                    modules[a.asname or a.name] = (f"{node.module}.{a.name}"
                                                   if node.module == "helpers" else None)

    def value(m):
        name, alias = m.group(1), m.group(2) or m.group(3)
        if alias is None:
            v = values.get(name)
        else:
            try:
                v = repr(getattr(importlib.import_module(modules.get(alias) or f"helpers.{alias}"),
                                  name.split(".")[1]))
            except (KeyError, TypeError, ImportError, AttributeError):
                v = None
        return m.group(0) if v is None else f"{m.group(0)} (= {v})"

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = CONSTANT.sub(value, cell.source)


def build_stamp(root: Path) -> str:
    """The footer of every page: the newest source's publication date (from the manifest)
    and a short hash of the bytes of the inputs, the code and the notebooks' code cells;
    a rerun from the same files gives the same stamp."""
    root = Path(root)
    h = hashlib.sha256()
    files = sorted(f for name in BUILT_FROM for f in
                   ([root / name] if (root / name).is_file() else (root / name).rglob("*"))
                   if f.is_file() and not any(part.endswith(".egg-info") or part in SKIP
                                              for part in f.relative_to(root).parts))
    for f in files:
        h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    for f in list_notebooks(root / "notebooks"):
        for cell in nbformat.read(f, as_version=4).cells:
            h.update(cell.source.encode() + b"\0")
    raw = root / "data" / "raw"
    newest = max((s.published[:10] for s in load_manifest(raw)), default="unknown") \
        if (raw / "sources.csv").exists() else "unknown"
    return (f"Built from sources published up to {newest}; content hash "
            f"<code>{h.hexdigest()[:12]}</code> of the raw data, annotations, lexicons, "
            "code and notebook code (the same files give the same hash).")


def _toc(body: str) -> str:
    items = "".join(
        f'<li class="h{level}"><a href="#{anchor}">'
        f'{html.escape(html.unescape(re.sub(r"<[^>]+>", "", text)).replace("¶", "").strip())}'
        "</a></li>" for level, anchor, text in HEADING.findall(body))
    return f'<nav class="toc"><strong>Contents</strong><ul>{items}</ul></nav>'


def _link(path: Path | None) -> dict | None:
    return None if path is None else {"href": f"{path.stem}.html", "label": path.stem}


def render_notebook(path: Path, figures_dir: Path | None = None) -> str:
    """Return standalone, offline HTML for one executed notebook (code inputs hidden), with
    links to the notebooks before and after it in its folder and the footer of
    :func:`build_stamp` (the project is the notebooks folder's parent)."""
    path = Path(path)
    siblings = list_notebooks(path.parent)
    k = next((i for i, p in enumerate(siblings) if p.name == path.name), -1)
    pager = {"prev": _link(siblings[k - 1] if k > 0 else None),
             "next": _link(siblings[k + 1] if -1 < k < len(siblings) - 1 else None)}
    figures_dir = Path(figures_dir) if figures_dir is not None else config.paths()["figures"]
    nb = nbformat.read(path, as_version=4)
    title, _ = notebook_summary(nb)
    nb.metadata["title"] = _plain(title) or Path(path).stem
    nb.metadata["stem"] = Path(path).stem
    show_constants(nb)
    parameters_note(nb)
    tags = TagRemovePreprocessor(remove_cell_tags={"remove-cell"},
                                 remove_input_tags={"remove-input"},
                                 remove_all_outputs_tags={"remove-output"})
    nb, _ = tags.preprocess(nb, {})
    nb = drop_empty_sections(nb)
    add_alt_texts(nb, figures_dir)
    exporter = HTMLExporter(template_name="page", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    body, _ = exporter.from_notebook_node(nb, resources={
        "toc": "<!-- toc -->", "build": build_stamp(path.resolve().parents[1]),
        "pager": pager})
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
    pages.append(write_text_atomic(p["html"] / "readme.html",
                                   render_readme_page(p["root"] / "README.md")))
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
