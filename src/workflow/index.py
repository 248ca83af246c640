"""The index page, which leads with the findings, and the figure catalogue.

Used by :func:`workflow.render.render_all`: ``index.html`` opens with the question, the
headline findings of ``data/processed/findings.csv`` with their figures, a "start here" link
and the README, then the notebooks in run order; the catalogue lists every figure with its
caption, in HTML (``reports/html/figures.html``) and Markdown (``reports/figures/README.md``).
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import nbformat
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from helpers import config
from workflow.readme import findings_section

START_HERE = "04"
HEADLINE_KINDS = ("difference", "change")
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0">'
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


def read_question(readme: Path) -> str:
    """The research question: the README's "**Question.**" paragraph, as plain text."""
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        m = re.search(r"\*\*Question\.\*\*\s*(.*?)(?:\n\s*\n)", text, re.S)
        if m:
            return " ".join(m.group(1).split())
    return ("Which issues do Mike Pompeo and Sergey Lavrov stress, how do they differ, and "
            "how did that change between their two 2019 meetings?")


def headline_findings(path: Path) -> list[dict] | None:
    """Rows of ``findings.csv`` to lead with: kind difference or change, supported True,
    in file order. None when the file does not exist (findings not yet computed)."""
    if not Path(path).exists():
        return None
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r for r in rows if (r.get("kind") or "").strip() in HEADLINE_KINDS
            and (r.get("supported") or "").strip().lower() == "true"]


def findings_html(root: Path) -> str:
    """The README's generated findings section as HTML (figures linked from reports/html/)."""
    section = findings_section(root, figure_dir="../figures") or ""
    body = section.split("\n", 1)[1] if section.startswith("#") else section  # own heading
    return f'<div class="story">{markdown2html_mistune(body)}</div>'


def _caption(figures_dir: Path, stem: str) -> str:
    cap = figures_dir / f"{stem}.txt"
    return cap.read_text(encoding="utf-8").strip() if cap.exists() else stem


def _figure_html(figures_dir: Path, stem: str, href_prefix: str) -> str:
    """A <figure> with the PNG, its caption as alt text and caption, and on narrow screens
    the single-column variant (``<stem>-column.png``) when there is one."""
    caption = _caption(figures_dir, stem)
    alt = html.escape(caption, quote=True)
    src = f"{href_prefix}{stem}.png"
    img = f'<img src="{src}" alt="{alt}" width="650">'
    if (figures_dir / f"{stem}-column.png").exists():
        img = (f'<picture><source media="(max-width: 600px)" '
               f'srcset="{href_prefix}{stem}-column.png">{img}</picture>')
    return (f'<figure id="fig-{html.escape(stem)}">{img}'
            f"<figcaption>{html.escape(caption)} "
            f'<a href="{href_prefix}{stem}.pdf">PDF</a> · '
            f'<a href="{href_prefix}{stem}.csv">data</a></figcaption></figure>')


def render_index(notebooks: list[Path], findings: Path | None = None,
                 figures_dir: Path | None = None, readme: Path | None = None) -> str:
    """Return the index page: the question, the headline findings with their figures, a
    "start here" link, then the notebooks in run order with a one-line summary each."""
    p = config.paths()
    findings = Path(findings) if findings is not None else p["processed"] / "findings.csv"
    figures_dir = Path(figures_dir) if figures_dir is not None else p["figures"]
    readme = Path(readme) if readme is not None else p["root"] / "README.md"
    start = next((nb for nb in notebooks if nb.name.startswith(START_HERE)), None)
    parts = ["<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">", VIEWPORT,
             "<title>Pompeo and Lavrov in 2019: which issues each man stressed</title>",
             PAGE_STYLE, "</head><body>",
             "<h1>Pompeo and Lavrov in 2019: which issues each man stressed</h1>",
             f'<p class="question"><strong>Question.</strong> '
             f"{html.escape(read_question(readme))}</p>"]
    links = []
    if start is not None:
        links.append(f'<strong>Start here:</strong> <a href="{start.stem}.html">'
                     f"{html.escape(notebook_summary(nbformat.read(start, 4))[0] or start.stem)}"
                     "</a>")
    links.append('<a href="../../README.md">README</a> (method, caveats, how to rerun)')
    parts.append(f'<p class="start">{" · ".join(links)}</p>')
    parts.append('<h2 id="findings">Headline findings</h2>')
    rows = headline_findings(findings)
    if rows is None:
        parts.append("<p>Findings are not yet computed: <code>data/processed/findings.csv"
                     "</code> does not exist. Run the notebooks "
                     "(<code>python3 tasks.py reproduce</code>).</p>")
    elif not rows:
        parts.append("<p>No difference or change is supported by the data at the chosen "
                     "level. What the data do show, generated from the tables:</p>")
        parts.append(findings_html(findings.parents[2]))
    else:
        parts.append("<p>Each is a difference or change that the data support (95% "
                     "intervals; p-values adjusted for the number of comparisons); the "
                     "notebooks give every estimate.</p>")
        shown: set[str] = set()
        items = []
        for r in rows:
            stem = (r.get("figure") or "").strip()
            item = f'<li class="finding"><p>{html.escape((r.get("text") or "").strip())}</p>'
            if stem and stem not in shown and (figures_dir / f"{stem}.png").exists():
                shown.add(stem)
                item += _figure_html(figures_dir, stem, "../figures/")
            items.append(item + "</li>")
        parts.append("<ol>\n" + "\n".join(items) + "\n</ol>")
    parts.append('<h2 id="notebooks">The notebooks, in run order</h2>')
    parts.append("<p>Each page shows the results; the code is in the repository.</p>")
    rows_html = []
    for nb_path in notebooks:
        title, summary = notebook_summary(nbformat.read(nb_path, as_version=4))
        rows_html.append(f'<li><a href="{nb_path.stem}.html"><strong>'
                         f"{html.escape(nb_path.stem)}</strong></a> — {html.escape(title)}"
                         f"<br><span>{html.escape(summary)}</span></li>")
    parts.append("<ol>\n" + "\n".join(rows_html) + "\n</ol>")
    parts.append('<p><a href="figures.html">Figure catalogue</a>: every figure with its '
                 "caption, files and data.</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


# --------------------------------------------------------------------------- catalogue
def _figure_stems(figures_dir: Path) -> list[str]:
    return [p.stem for p in sorted(Path(figures_dir).glob("*.png"))
            if not p.stem.endswith("-column")]


def figure_catalogue(figures_dir: Path, notebooks: list[Path]) -> str:
    """Return the Markdown catalogue of every figure: caption, notebook, files, data columns."""
    by_number = {p.name[:2]: p.stem for p in notebooks}
    out = ["# Figure catalogue", "",
           "Generated by `python -m workflow.render` from the figures and their caption files; "
           "do not edit by hand. Each figure comes as PNG (300 dpi), SVG and PDF at 6.5 in "
           "wide, with the plotted data as CSV; headline figures also at 3.5 in "
           "(`-column`).", ""]
    for name in _figure_stems(figures_dir):
        cap_file = figures_dir / f"{name}.txt"
        caption = cap_file.read_text(encoding="utf-8").strip() if cap_file.exists() else \
            "(no caption)"
        csv = figures_dir / f"{name}.csv"
        cols = csv.read_text(encoding="utf-8").splitlines()[0] if csv.exists() else ""
        nb = by_number.get(name[:2], "?")
        files = (f"[PNG]({name}.png) · [SVG]({name}.svg) · [PDF]({name}.pdf) · "
                 f"[data]({name}.csv)")
        if (figures_dir / f"{name}-column.png").exists():
            files += f" · 3.5 in: [PNG]({name}-column.png) · [PDF]({name}-column.pdf)"
        out += [f"## {name}", "", caption, "",
                f"- Notebook: `notebooks/{nb}.ipynb`",
                f"- Files: {files}",
                f"- Data columns: `{cols}`", "", f"![{caption}]({name}.png)", ""]
    return "\n".join(out)


def figure_catalogue_html(figures_dir: Path, notebooks: list[Path]) -> str:
    """Return the figure catalogue as an HTML page for ``reports/html/``."""
    by_number = {p.name[:2]: p.stem for p in notebooks}
    parts = ["<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">", VIEWPORT,
             "<title>Figure catalogue</title>", PAGE_STYLE, "</head><body>",
             '<p><a href="index.html">← all notebooks</a></p>',
             "<h1>Figure catalogue</h1>",
             "<p>Every figure, as PNG (300 dpi), SVG and PDF at 6.5 in wide with the plotted "
             "data as CSV; headline figures also at 3.5 in for one report column.</p>",
             "<ul>" + "".join(f'<li><a href="#fig-{html.escape(s)}">{html.escape(s)}</a></li>'
                              for s in _figure_stems(figures_dir)) + "</ul>"]
    for name in _figure_stems(figures_dir):
        nb = by_number.get(name[:2])
        where = (f'from <a href="{nb}.html">{html.escape(nb)}</a>' if nb else "")
        csv = figures_dir / f"{name}.csv"
        cols = csv.read_text(encoding="utf-8").splitlines()[0] if csv.exists() else ""
        extra = ""
        if (figures_dir / f"{name}-column.png").exists():
            extra = (f' · 3.5 in: <a href="../figures/{name}-column.png">PNG</a>, '
                     f'<a href="../figures/{name}-column.pdf">PDF</a>')
        parts += [f'<h2 id="h-{html.escape(name)}">{html.escape(name)}</h2>',
                  _figure_html(figures_dir, name, "../figures/"),
                  f"<p>{where} · files: "
                  f'<a href="../figures/{name}.png">PNG</a>, '
                  f'<a href="../figures/{name}.svg">SVG</a>, '
                  f'<a href="../figures/{name}.pdf">PDF</a>, '
                  f'<a href="../figures/{name}.csv">data</a>{extra}<br>'
                  f"data columns: <code>{html.escape(cols)}</code></p>"]
    parts.append("</body></html>\n")
    return "\n".join(parts)
