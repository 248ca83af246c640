"""Render the notebooks for readers: offline HTML pages, the index and the figure catalogue.

``python -m workflow.render`` rewrites the README's generated parts (:mod:`workflow.readme`),
then writes into ``reports/html/`` a page per notebook (nbconvert and the ``page`` template
in ``templates/``, which extends JupyterLab's: code hidden, images embedded, nothing
fetched from a network, a contents list, previous/next links, each figure's caption as its
alt text, sections that show nothing left out, a note on parameters a run changed, a footer
with a content hash), ``index.html`` (the question, the supported
findings with their figures, the notebooks), ``figures.html`` and ``readme.html``; and the
Markdown figure catalogue ``reports/figures/README.md``. Output is deterministic.
"""

from __future__ import annotations

import ast
import base64
import csv
import hashlib
import html
import importlib
import re
import sys
from pathlib import Path

import jinja2
import nbformat
from markupsafe import Markup
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbconvert.preprocessors import TagRemovePreprocessor

from helpers import config, parameters
from helpers.io import write_text_atomic
from helpers.sources import load_manifest
from workflow.notebooks import list_notebooks
from workflow import readme

TEMPLATES = Path(__file__).with_name("templates")
SITE = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES / "site"),
    autoescape=jinja2.select_autoescape(["html.j2"]), keep_trailing_newline=True,
    trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
HEADING = re.compile(r"<h([123])\b[^>]*\bid=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S)
MD_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
SAVE_FIGURE = re.compile(r"save_figure\(\s*[\w.]+\s*,\s*[\"']([^\"']+)[\"']")
SVG_TEXT = re.compile(r"<!-- (.*?) -->")
DRAWING_REPR = re.compile(r"^<Drawing: (.*)>$", re.S)
CONSTANT = re.compile(r"`((?:(\w+)\.)?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|(?:(\w+)\.)?[A-Z]{3,}\d*)`")
#: What a page is built from (hashed for its footer), besides the notebooks' code.
BUILT_FROM = ("data/raw", "data/annotations", "data/lexicons", "src", "pyproject.toml",
              "requirements.lock")
#: The notebook the index tells a reader to start with, and the findings it leads with.
START_HERE = "04"
HEADLINE_KINDS = ("difference", "change")


def _words(text: str) -> str:
    return " ".join(html.unescape(text).split())


def _shows_something(cell) -> bool:
    return any(o.get("output_type") in {"display_data", "execute_result", "error"} or
               (o.get("name") == "stdout" and str(o.get("text", "")).strip())
               for o in cell.get("outputs", []))


def drop_empty_sections(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without code cells that show nothing, and without the headings (below
    the H1) of sections that show nothing. A section runs to the next heading of the same or
    a higher level, so one whose subsection shows something is kept."""
    nb = nbformat.from_dict(nb)
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or _shows_something(c)]
    lines = [c.source.splitlines() if c.cell_type == "markdown" else [] for c in nb.cells]
    blocks = []  # (cell, line, heading level or 0 for content), in reading order
    for ci, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            blocks.append((ci, None, 0))
        in_fence = False
        for li, line in enumerate(lines[ci]):
            in_fence ^= line.strip().startswith("```")
            m = None if in_fence else MD_HEADING.match(line)
            if m or line.strip():
                blocks.append((ci, li, len(m.group(1)) if m else 0))
    highest = 0  # the highest heading between here and the next content; 0 when none follows
    for ci, li, level in reversed(blocks):
        if level == 0:
            highest = 7
            continue
        if level > 1 and level >= highest:
            lines[ci][li] = None
        highest = min(highest, level)
    for cell, kept in zip(nb.cells, lines):
        if cell.cell_type == "markdown":
            cell.source = "\n".join(line for line in kept if line is not None)
    nb.cells = [c for c in nb.cells if c.cell_type != "markdown" or c.source.strip()]
    return nb


def add_alt_texts(nb: nbformat.NotebookNode, figures_dir: Path) -> None:
    """Set ``alt`` in the metadata of every PNG output to the caption of its figure
    (``<name>.txt``), and ``column`` to the base64 of ``<name>-column.png`` if it exists.

    The figure is the one its cell saves under a literal name (``save_figure(fig, "<name>",
    …)``; a figure shown before it is saved takes the next cell's); when the name is a
    variable (a loop), the one whose SVG text holds the Drawing's title. Else the alt text
    is the Drawing's title, else "Figure"."""
    def images(cell):
        return [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]

    figures_dir = Path(figures_dir)
    texts = {f.stem: _words(" ".join(SVG_TEXT.findall(f.read_text(encoding="utf-8"))))
             for f in sorted(figures_dir.glob(f"{nb.metadata.stem[:2]}*.svg"))
             if not f.stem.endswith("-column") and (figures_dir / f"{f.stem}.txt").exists()}
    code = [c for c in nb.cells if c.cell_type == "code"]
    for i, cell in enumerate(code):
        names = SAVE_FIGURE.findall(cell.source)
        for later in code[i + 1:] if images(cell) and "save_figure(" not in cell.source else []:
            names = SAVE_FIGURE.findall(later.source)
            if "save_figure(" in later.source or images(later):
                break
        for k, out in enumerate(images(cell)):
            m = DRAWING_REPR.match("".join(out.data.get("text/plain", "")).strip())
            title = _words(m.group(1)) if m else ""
            stem = names[k] if k < len(names) else next(
                (s for s, t in texts.items() if title and title in t), None)
            caption, column = figures_dir / f"{stem}.txt", figures_dir / f"{stem}-column.png"
            meta = out.setdefault("metadata", {})
            meta["alt"] = (caption.read_text(encoding="utf-8").strip()
                           if stem and caption.exists() else title or "Figure")
            if stem and column.exists():
                meta["column"] = base64.b64encode(column.read_bytes()).decode("ascii")


def _assigned(source: str) -> dict[str, str]:
    """A cell's top-level ``NAME = value`` assignments, as source text; for ``NAME =
    parameters.NAME`` the value in ``helpers.parameters``."""
    def text(v: ast.expr) -> str:
        if (isinstance(v, ast.Attribute) and isinstance(v.value, ast.Name)
                and v.value.id == "parameters" and hasattr(parameters, v.attr)):
            return repr(getattr(parameters, v.attr))
        return ast.get_source_segment(source, v)

    return {t.id: text(node.value) for node in ast.parse(source).body
            if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}


def parameters_note(nb: nbformat.NotebookNode) -> None:
    """Replace papermill's ``injected-parameters`` cell by a note naming each value that
    differs from the notebook's ``parameters`` cell."""
    tagged = {tag: c for c in nb.cells for tag in c.metadata.get("tags", [])}
    cell = tagged.get("injected-parameters")
    if cell is None:
        return
    defaults = _assigned(tagged["parameters"].source) if "parameters" in tagged else {}
    changed = [f"`{k} = {v}` (default `{defaults.get(k, 'none')}`)"
               for k, v in _assigned(cell.source).items() if defaults.get(k) != v]
    note = ("This page was run with parameters that differ from the notebook's defaults: "
            + "; ".join(changed) + ". Every result below follows from them."
            if changed else "This page was run with the notebook's default parameters.")
    cell.cell_type, cell.source, cell.metadata = "markdown", f"> **Parameters.** {note}", {}
    for key in ("outputs", "execution_count"):
        cell.pop(key, None)


def show_constants(nb: nbformat.NotebookNode) -> None:
    """In Markdown cells, follow each constant named in backticks (`` `N_SEEDS` ``,
    `` `kn.MIN_TOKENS_TESTED` ``) by its value: from the parameters cell (or the injected
    values), else from the helpers module imported under that name."""
    values, modules = {}, {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if {"parameters", "injected-parameters"} & set(cell.metadata.get("tags", [])):
            values.update(_assigned(cell.source))
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("helpers"):
                for a in node.names:
                    modules[a.asname or a.name] = (f"{node.module}.{a.name}"
                                                   if node.module == "helpers" else None)

    def value(m):
        name, alias = m.group(1), m.group(2) or m.group(3)
        attr = name.split(".")[-1]
        try:
            if alias is None:
                v = values.get(name)
            elif hasattr(parameters, attr):  # every setting lives there (no module import)
                v = repr(getattr(parameters, attr))
            else:
                v = repr(getattr(importlib.import_module(modules.get(alias)
                                                         or f"helpers.{alias}"), attr))
        except (ImportError, AttributeError):
            v = None
        return m.group(0) if v is None else f"{m.group(0)} (= {v})"

    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = CONSTANT.sub(value, cell.source)


def build_stamp(root: Path) -> str:
    """The footer of every page: the newest source's publication date and a short hash of
    the inputs, the code and the notebooks' code cells (the same files give the same
    stamp)."""
    root = Path(root)
    h = hashlib.sha256()
    files = sorted(f for name in BUILT_FROM for f in
                   ([root / name] if (root / name).is_file() else (root / name).rglob("*"))
                   if f.is_file() and not any(part.endswith(".egg-info") or part in
                                              ("__pycache__", ".ipynb_checkpoints")
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


def render_notebook(path: Path, figures_dir: Path | None = None) -> str:
    """Standalone, offline HTML for one executed notebook, with links to the notebooks
    before and after it in its folder and the footer of :func:`build_stamp` (the project is
    the notebooks folder's parent)."""
    path = Path(path)
    siblings = [p.name for p in list_notebooks(path.parent)]
    k = siblings.index(path.name)
    pager = {"prev": siblings[k - 1][:-6] if k > 0 else None,
             "next": siblings[k + 1][:-6] if k + 1 < len(siblings) else None}
    nb = nbformat.read(path, as_version=4)
    title = re.sub(r"[*_`]", "", re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1",
                                        notebook_summary(nb)[0])).strip()
    nb.metadata.update(title=title or path.stem, stem=path.stem)
    show_constants(nb)
    parameters_note(nb)
    nb, _ = TagRemovePreprocessor(remove_cell_tags={"remove-cell"},
                                  remove_input_tags={"remove-input"},
                                  remove_all_outputs_tags={"remove-output"}).preprocess(nb, {})
    nb = drop_empty_sections(nb)
    add_alt_texts(nb, figures_dir if figures_dir is not None else config.paths()["figures"])
    exporter = HTMLExporter(template_name="page", extra_template_basedirs=[str(TEMPLATES)],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    body, _ = exporter.from_notebook_node(nb, resources={
        "toc": "<!-- toc -->", "build": build_stamp(path.resolve().parents[1]),
        "pager": pager})
    return body.replace("<!-- toc -->", _toc(body), 1)


# --------------------------------------------------------------------------- the site pages
def notebook_summary(nb: nbformat.NotebookNode) -> tuple[str, str]:
    """(title, one-line summary): the H1, and ``metadata["summary"]`` if set, else the first
    sentence after the H1."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            lines = [ln.strip() for ln in cell.source.splitlines()]
            title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), "")
            body = " ".join(ln for ln in lines if ln and not ln.startswith("#"))
            first = re.split(r"(?<=[.?!])\s", body, maxsplit=1)[0]
            return title, nb.metadata.get("summary") or re.sub(r"[*`]", "", first)
    return "", ""


def _figure(figures_dir: Path, stem: str, notebooks: list[Path] = ()) -> dict:
    """What the templates show of a figure: caption, notebook, data columns, column variant."""
    caption, data = figures_dir / f"{stem}.txt", figures_dir / f"{stem}.csv"
    return {"stem": stem,
            "caption": caption.read_text(encoding="utf-8").strip() if caption.exists() else None,
            "notebook": next((p.stem for p in notebooks if p.name[:2] == stem[:2]), None),
            "columns": data.read_text(encoding="utf-8").splitlines()[0] if data.exists() else "",
            "column": (figures_dir / f"{stem}-column.png").exists()}


def figure_catalogue(root: Path | None = None, template: str = "figures.md.j2") -> str:
    """Every figure with its caption, notebook, files and data columns: Markdown (for
    ``reports/figures/README.md``), or the HTML page with ``template="figures.html.j2"``."""
    p = config.paths(root)
    notebooks = list_notebooks(p["notebooks"])
    return SITE.get_template(template).render(figures=[
        _figure(p["figures"], f.stem, notebooks)
        for f in sorted(p["figures"].glob("*.png")) if not f.stem.endswith("-column")])


def markdown_html(text: str, figures_dir: Path) -> Markup:
    """Markdown written for the project's root as HTML for ``reports/html/``: links
    rebased, and each figure with a ``-column.png`` served in that version below 600 px."""
    def rebase(m):
        link = m.group(1)
        if re.match(r"[a-z]+:|#", link) or link.startswith("reports/html/"):
            link = link.removeprefix("reports/html/")
        else:
            link = "../" + link.removeprefix("reports/") if link.startswith("reports/") \
                else "../../" + link
        return f"]({link})"

    def column(m):
        if not (figures_dir / f"{m.group(1)}-column.png").exists():
            return m.group(0)
        return (f'<picture><source media="(max-width: 600px)" srcset="../figures/'
                f'{m.group(1)}-column.png">{m.group(0)}</picture>')

    body = markdown2html_mistune(re.sub(r"\]\(([^)\s]+)\)", rebase, text))
    return Markup(re.sub(r'<img [^>]*src="\.\./figures/([\w.-]+)\.png"[^>]*>', column, body))


def render_index(root: Path | None = None) -> str:
    """The index page: the question (the README's "**Question.**" paragraph), the supported
    differences and changes of ``findings.csv`` with their figures (each figure once), or
    what the data do show when none is supported, then the notebooks in run order."""
    p = config.paths(root)
    question = re.search(r"\*\*Question\.\*\*\s*(.*?)(?:\n\s*\n)",
                         (p["root"] / "README.md").read_text(encoding="utf-8"), re.S)
    notebooks = [{"stem": nb.stem, **dict(zip(("title", "summary"),
                                              notebook_summary(nbformat.read(nb, 4))))}
                 for nb in list_notebooks(p["notebooks"])]
    findings, story, shown = None, "", set()
    if (p["processed"] / "findings.csv").exists():
        with open(p["processed"] / "findings.csv", encoding="utf-8", newline="") as fh:
            findings = [r for r in csv.DictReader(fh) if r["kind"].strip() in HEADLINE_KINDS
                        and r["supported"].strip().lower() == "true"]
    for r in findings or []:
        stem, r["text"], r["figure"] = r["figure"].strip(), r["text"].strip(), None
        if stem and stem not in shown and (p["figures"] / f"{stem}.png").exists():
            shown.add(stem)
            r["figure"] = _figure(p["figures"], stem)
    if findings == []:  # what the data do show, as the README says it
        section = readme.findings_section(root) or ""
        story = markdown_html(section.split("\n", 1)[1] if section.startswith("#") else section,
                              p["figures"])
    return SITE.get_template("index.html.j2").render(
        question=" ".join(question.group(1).split()) if question else "", findings=findings,
        story=story, notebooks=notebooks,
        start=next((n for n in notebooks if n["stem"].startswith(START_HERE)), None))


def render_all(root: Path | None = None) -> list[Path]:
    """Write every notebook's page, the index, the figure catalogue and the README (as a
    page, so that it is there when the reports are published alone); return the pages."""
    p = config.paths(root)
    pages = [write_text_atomic(p["html"] / f"{nb.stem}.html", render_notebook(nb, p["figures"]))
             for nb in list_notebooks(p["notebooks"])]
    body = markdown_html((p["root"] / "README.md").read_text(encoding="utf-8"), p["figures"])
    for name, text in (("index", render_index(root)),
                       ("readme", SITE.get_template("readme.html.j2").render(body=body)),
                       ("figures", figure_catalogue(root, "figures.html.j2"))):
        pages.append(write_text_atomic(p["html"] / f"{name}.html", text))
    write_text_atomic(p["figures"] / "README.md", figure_catalogue(root))
    return pages


if __name__ == "__main__":
    readme.main()  # first: the README is one of the pages
    print(f"rendered {len(render_all())} pages into reports/html/ and the figure catalogue")
    sys.exit(0)
