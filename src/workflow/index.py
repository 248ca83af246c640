"""The index page, which leads with the findings, and the figure catalogue.

Written by :func:`workflow.render.render_all` from the Jinja templates in
``templates/site/``: ``index.html`` opens with the question, the headline findings of
``data/processed/findings.csv`` with their figures, a "start here" link and the README, then
the notebooks in run order; the catalogue lists every figure with its caption, in HTML
(``reports/html/figures.html``) and Markdown (``reports/figures/README.md``); ``readme.html``
is the README, so that the pages link to it even when ``reports/`` is published alone.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import jinja2
import nbformat
from markupsafe import Markup
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from helpers import config
from workflow.readme import findings_section

START_HERE = "04"
HEADLINE_KINDS = ("difference", "change")
SITE = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates") / "site"),
    autoescape=jinja2.select_autoescape(["html.j2"]), keep_trailing_newline=True,
    trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


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
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    m = re.search(r"\*\*Question\.\*\*\s*(.*?)(?:\n\s*\n)", text, re.S)
    return " ".join(m.group(1).split()) if m else (
        "Which issues do Mike Pompeo and Sergey Lavrov stress, how do they differ, and how "
        "did that change between their two 2019 meetings?")


def headline_findings(path: Path) -> list[dict] | None:
    """Rows of ``findings.csv`` to lead with: kind difference or change, supported True,
    in file order. None when the file does not exist (findings not yet computed)."""
    if not Path(path).exists():
        return None
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r for r in rows if (r.get("kind") or "").strip() in HEADLINE_KINDS
            and (r.get("supported") or "").strip().lower() == "true"]


def figure_info(figures_dir: Path, stem: str, notebooks: list[Path] = ()) -> dict:
    """What the templates show of a figure: caption, notebook, data columns, column variant."""
    cap, data = figures_dir / f"{stem}.txt", figures_dir / f"{stem}.csv"
    return {"stem": stem,
            "caption": cap.read_text(encoding="utf-8").strip() if cap.exists() else None,
            "notebook": next((p.stem for p in notebooks if p.name[:2] == stem[:2]), None),
            "columns": data.read_text(encoding="utf-8").splitlines()[0] if data.exists() else "",
            "column": (figures_dir / f"{stem}-column.png").exists()}


def render_index(notebooks: list[Path], findings: Path | None = None,
                 figures_dir: Path | None = None, readme: Path | None = None) -> str:
    """Return the index page: the question, the headline findings with their figures, a
    "start here" link, then the notebooks in run order with a one-line summary each."""
    p = config.paths()
    findings = Path(findings) if findings is not None else p["processed"] / "findings.csv"
    figures_dir = Path(figures_dir) if figures_dir is not None else p["figures"]
    readme = Path(readme) if readme is not None else p["root"] / "README.md"
    listed = [{"stem": nb.stem, **dict(zip(("title", "summary"),
                                           notebook_summary(nbformat.read(nb, 4))))}
              for nb in notebooks]
    rows, shown, story = headline_findings(findings), set(), ""
    for r in rows or []:  # each figure once, beside the first finding it shows
        stem = (r.get("figure") or "").strip()
        r["text"] = (r.get("text") or "").strip()
        r["figure"] = None
        if stem and stem not in shown and (figures_dir / f"{stem}.png").exists():
            shown.add(stem)
            r["figure"] = figure_info(figures_dir, stem)
    if rows == []:  # nothing supported: what the data do show, as the README says it
        section = findings_section(findings.parents[2], figure_dir="../figures") or ""
        body = section.split("\n", 1)[1] if section.startswith("#") else section
        story = Markup(column_sources(markdown2html_mistune(body), figures_dir))
    start = next((n for n in listed if n["stem"].startswith(START_HERE)), None)
    return SITE.get_template("index.html.j2").render(
        question=read_question(readme), start=start, findings=rows, story=story,
        notebooks=listed)


def _figures(figures_dir: Path, notebooks: list[Path]) -> list[dict]:
    return [figure_info(figures_dir, p.stem, notebooks)
            for p in sorted(Path(figures_dir).glob("*.png")) if not p.stem.endswith("-column")]


def figure_catalogue(figures_dir: Path, notebooks: list[Path]) -> str:
    """Return the Markdown catalogue of every figure: caption, notebook, files, data columns."""
    return SITE.get_template("figures.md.j2").render(figures=_figures(figures_dir, notebooks))


def figure_catalogue_html(figures_dir: Path, notebooks: list[Path]) -> str:
    """Return the figure catalogue as an HTML page for ``reports/html/``."""
    return SITE.get_template("figures.html.j2").render(figures=_figures(figures_dir, notebooks))


def _from_html(link: str) -> str:
    """A README link as seen from ``reports/html/``."""
    if re.match(r"[a-z]+:|#", link):
        return link
    if link.startswith("reports/html/"):
        return link.removeprefix("reports/html/")
    return "../" + link.removeprefix("reports/") if link.startswith("reports/") \
        else "../../" + link


def render_readme_page(readme: Path) -> str:
    """Return the README as an HTML page for ``reports/html/`` (links rebased)."""
    text = re.sub(r"\]\(([^)\s]+)\)", lambda m: f"]({_from_html(m.group(1))})",
                  Path(readme).read_text(encoding="utf-8"))
    html = column_sources(markdown2html_mistune(text), Path(readme).parent / "reports/figures")
    return SITE.get_template("readme.html.j2").render(body=Markup(html))


def column_sources(html: str, figures_dir: Path) -> str:
    """Wrap each ``<img src="../figures/<name>.png" …>`` whose ``<name>-column.png`` exists in
    a ``<picture>`` that serves the 3.5-in version below 600 px."""
    def wrap(m):
        stem = m.group(1)
        if not (Path(figures_dir) / f"{stem}-column.png").exists():
            return m.group(0)
        return (f'<picture><source media="(max-width: 600px)" srcset="../figures/{stem}'
                f'-column.png">{m.group(0)}</picture>')
    return re.sub(r'<img [^>]*src="\.\./figures/([\w.-]+)\.png"[^>]*>', wrap, html)
