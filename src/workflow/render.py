"""Render the notebooks for readers: offline HTML pages, an index that leads with the
answer, and a figure catalogue.

``python -m workflow.render`` writes:

- ``reports/html/NN-….html`` for every notebook: images embedded, code hidden, no assets
  fetched from a network; the page's ``<title>`` is the notebook's H1; a viewport tag; every
  figure's alt text is its caption (``reports/figures/<name>.txt``, found from the
  ``save_figure(fig, "<name>", …)`` call in the cell that shows it); a table of contents
  with the h2 and h3 headings; sections with nothing visible (e.g. "Sanity checks" whose
  code is hidden and prints nothing) are left out; tables sit in a horizontally scrollable
  wrapper, so a wide table never widens the page;
- ``reports/html/index.html``: the question, then the headline findings with their figures
  (rows of ``data/processed/findings.csv`` with ``kind`` difference or change and
  ``supported`` True, in file order), a "start here" link to notebook 04 and a link to the
  README, then the notebooks in run order with a one-line summary each;
- ``reports/html/figures.html`` (the rendered catalogue) and ``reports/figures/README.md``
  (the same catalogue in Markdown, for browsing the repository).

Output is deterministic and written atomically.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import nbformat

from helpers import config
from helpers.io import write_text_atomic
from workflow.notebooks import list_notebooks

EXTERNAL_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>\s*", re.I)
EXTERNAL_LINK = re.compile(r"<link[^>]*\bhref=\"https?://[^\"]*\"[^>]*>\s*", re.I)
#: A module script that imports from a network (nbconvert's mermaid loader); an offline
#: itables table imports its library from a blob: URL made in the page and is kept.
MODULE_IMPORT = re.compile(r"<script type=\"module\">(?:(?!</script>).)*?"
                           r"(?:from\s*|import\(\s*)[\"']https?://.*?</script>\s*", re.S)
SCRIPT = re.compile(r"(<script\b.*?</script>)", re.S)
MATHJAX_BLOCK = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->",
                           re.S)
HEADING = re.compile(r"<h([123])\b[^>]*\bid=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S)
MD_HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
SAVE_FIGURE = re.compile(r"save_figure\(\s*[\w.]+\s*,\s*[\"']([^\"']+)[\"']")
DRAWING_REPR = re.compile(r"^<Drawing: (.*)>$", re.S)
NO_ALT = "No description has been provided for this image"
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0">'
#: The notebook a new reader should open first, and the kinds of finding the index shows.
STYLE = """<style>
nav.toc {border: 1px solid #ddd; background: #fafafa; padding: 0.6em 1.2em; margin: 1em 0;
         font-family: sans-serif; font-size: 0.9em; max-width: 60em;}
nav.toc ul {margin: 0.2em 0; padding-left: 1.2em;} nav.toc li.h2 {margin-left: 1em;}
nav.toc li.h3 {margin-left: 2em; font-size: 0.95em;}
nav.toc a {text-decoration: none;}
.jp-Notebook img {max-width: 100%; height: auto;}
.table-wrap {overflow-x: auto; max-width: 100%;
  background: linear-gradient(to right, #fff 30%, rgba(255,255,255,0)),
              linear-gradient(to left, #fff 30%, rgba(255,255,255,0)) 100% 0,
              radial-gradient(farthest-side at 0 50%, rgba(0,0,0,.2), rgba(0,0,0,0)),
              radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.2), rgba(0,0,0,0)) 100% 0;
  background-repeat: no-repeat; background-size: 40px 100%, 40px 100%, 14px 100%, 14px 100%;
  background-attachment: local, local, scroll, scroll;}
.jp-OutputArea-output pre {white-space: pre-wrap; overflow-wrap: anywhere;}
@media (max-width: 600px) {
  body, .jp-Notebook {padding: 0 !important; margin: 0 4px !important;}
  .jp-Cell {padding: 0 !important;}
  .jp-OutputArea-output, .jp-RenderedHTMLCommon {overflow-x: auto; max-width: 100%;}
}
</style>
"""
PAGE_STYLE = """<style>
body {font-family: sans-serif; max-width: 52em; margin: 1.5em auto; padding: 0 1em;
      line-height: 1.45; color: #222;}
li {margin-bottom: 0.8em;} img {max-width: 100%; height: auto;}
.question {font-size: 1.1em; border-left: 4px solid #0072B2; padding-left: 0.8em;}
.finding {margin: 1.5em 0;} .finding p {margin: 0.3em 0 0.6em;}
.start {font-size: 1.05em; background: #f3f7fb; padding: 0.6em 0.9em; border-radius: 4px;}
figure {margin: 1em 0;} figcaption {font-size: 0.9em; color: #555;}
code {overflow-wrap: anywhere;}
</style>
"""


# --------------------------------------------------------------------------- notebooks
def notebook_summary(nb: nbformat.NotebookNode) -> tuple[str, str]:
    """Return (title, one-line summary): the H1, and ``metadata["summary"]`` if set, else
    the first sentence after the H1."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = [ln.strip() for ln in cell.source.splitlines()]
        title = next((ln[2:].strip() for ln in lines if ln.startswith("# ")), "")
        body = " ".join(ln for ln in lines if ln and not ln.startswith("#"))
        first = re.split(r"(?<=[.?!])\s", body, maxsplit=1)[0] if body else ""
        return title, nb.metadata.get("summary") or re.sub(r"[*`]", "", first)
    return "", ""


def _plain(markdown: str) -> str:
    """Markdown inline text as plain text (for titles and alt text)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"[*_`]", "", text).strip()


def _visible_output(output) -> bool:
    if output.get("output_type") == "stream":
        return output.get("name") == "stdout" and bool(output.get("text", "").strip())
    return output.get("output_type") in {"display_data", "execute_result", "error"}


def _cell_blocks(cell) -> list[tuple[str, object]]:
    """A cell as a list of ("heading", (level, text)) and ("content", None) blocks."""
    if cell.cell_type == "code":
        return [("content", None)] if any(_visible_output(o) for o in cell.get("outputs", [])) \
            else []
    if cell.cell_type != "markdown":
        return []
    blocks, in_fence = [], False
    for line in cell.source.splitlines():
        if line.strip().startswith("```"):
            in_fence = not in_fence
        m = None if in_fence else MD_HEADING.match(line)
        if m:
            blocks.append(("heading", (len(m.group(1)), m.group(2))))
        elif line.strip():
            blocks.append(("content", None))
    return blocks


def drop_empty_sections(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` without the headings of sections that show nothing, and
    without code cells that show nothing (their input is hidden on the page).

    A section runs from its heading to the next heading of the same or a higher level; it
    is empty when neither it nor any of its subsections has text, or a cell with output.
    """
    nb = nbformat.from_dict(nb)
    blocks = []  # (cell index, line index within the cell's headings, kind, payload)
    for ci, cell in enumerate(nb.cells):
        for kind, payload in _cell_blocks(cell):
            blocks.append((ci, kind, payload))
    drop = set()  # (cell index, heading text)
    for k, (ci, kind, payload) in enumerate(blocks):
        if kind != "heading":
            continue
        level = payload[0]
        has_content = False
        for _, kind2, payload2 in blocks[k + 1:]:
            if kind2 == "heading" and payload2[0] <= level:
                break
            if kind2 == "content":
                has_content = True
                break
        if not has_content and level > 1:
            drop.add((ci, payload[1]))
    cells = []
    for ci, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and not _cell_blocks(cell):
            continue
        if cell.cell_type == "markdown":
            kept = [ln for ln in cell.source.splitlines()
                    if not ((m := MD_HEADING.match(ln)) and (ci, m.group(2)) in drop)]
            cell.source = "\n".join(kept)
            if not cell.source.strip():
                continue
        cells.append(cell)
    nb.cells = cells
    return nb


def image_alt_texts(nb: nbformat.NotebookNode, figures_dir: Path | None = None) -> list[str]:
    """Alt text for every image output, in page order: the caption of the figure the cell
    saves (``<figures_dir>/<name>.txt``), else the Drawing's title, else a plain label."""
    figures_dir = Path(figures_dir) if figures_dir is not None else config.paths()["figures"]
    def has_image(cell):
        return any("image/png" in o.get("data", {}) or "image/jpeg" in o.get("data", {})
                   for o in cell.get("outputs", []))

    code = [c for c in nb.cells if c.cell_type == "code"]
    alts = []
    for i, cell in enumerate(code):
        if not has_image(cell):
            continue
        names = SAVE_FIGURE.findall(cell.source)
        if not names:  # shown here, saved in a later cell (before the next figure is shown)
            for later in code[i + 1:]:
                names = SAVE_FIGURE.findall(later.source)
                if names or has_image(later):
                    break
        captions = []
        for name in names:
            cap = figures_dir / f"{name}.txt"
            if cap.exists():
                captions.append(cap.read_text(encoding="utf-8").strip())
        k = 0
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "image/png" not in data and "image/jpeg" not in data:
                continue
            plain = data.get("text/plain", "")
            plain = "".join(plain) if isinstance(plain, list) else plain
            m = DRAWING_REPR.match(plain.strip())
            if k < len(captions):
                alts.append(captions[k])
            elif m:
                alts.append(m.group(1))
            else:
                alts.append("Figure")
            k += 1
    return alts


def _toc(headings: list[tuple[str, str, str]]) -> str:
    items = []
    for level, anchor, text in headings:
        label = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("¶", "").strip()
        items.append(f'<li class="h{level}"><a href="#{anchor}">{html.escape(label)}</a></li>')
    return '<nav class="toc"><strong>Contents</strong><ul>' + "".join(items) + "</ul></nav>\n"


def _wrap_tables(body: str) -> str:
    """Put every table in a horizontally scrollable wrapper (pandas tables are not nested)."""
    parts = SCRIPT.split(body)  # odd items are scripts: tables in JS strings stay untouched
    for k in range(0, len(parts), 2):
        parts[k] = re.sub(r"(<table\b.*?</table>)", r'<div class="table-wrap">\1</div>',
                          parts[k], flags=re.S)
    return "".join(parts)


def _set_alts(body: str, alts: list[str]) -> str:
    it = iter(alts)

    def sub(m):
        alt = next(it, "Figure")
        return f'alt="{html.escape(alt, quote=True)}"'
    return re.sub(r'alt="' + re.escape(NO_ALT) + '"', sub, body)


def render_notebook(path: Path, figures_dir: Path | None = None) -> str:
    """Return standalone, offline HTML for one executed notebook (code inputs hidden)."""
    from nbconvert import HTMLExporter

    nb = nbformat.read(path, as_version=4)
    title, _ = notebook_summary(nb)
    nb = drop_empty_sections(nb)
    nb.metadata["title"] = _plain(title) or Path(path).stem
    alts = image_alt_texts(nb, figures_dir)
    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, embed_images=True)
    body, _ = exporter.from_notebook_node(nb)
    body = MATHJAX_BLOCK.sub("", body)
    body = MODULE_IMPORT.sub("", body)  # nbconvert's mermaid loader imports from a CDN
    body = EXTERNAL_SCRIPT.sub("", body)
    body = EXTERNAL_LINK.sub("", body)
    body = _set_alts(body, alts)
    body = _wrap_tables(body)
    if 'name="viewport"' not in body:
        body = body.replace("<head>", "<head>\n" + VIEWPORT, 1)
    back = ('<p style="font-family:sans-serif"><a href="index.html">← all notebooks</a> · '
            '<a href="figures.html">figure catalogue</a></p>\n')
    body = body.replace("</head>", STYLE + "</head>", 1)
    toc = _toc(HEADING.findall(body))
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + back + toc, body, count=1)


def render_all(root: Path | None = None) -> list[Path]:
    """Render every notebook, the index and the figure catalogue; return the pages."""
    from workflow.index import figure_catalogue, figure_catalogue_html, render_index

    p = config.paths(root)
    notebooks = list_notebooks(p["notebooks"])
    pages = []
    for nb in notebooks:
        pages.append(write_text_atomic(p["html"] / f"{nb.stem}.html",
                                       render_notebook(nb, p["figures"])))
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
