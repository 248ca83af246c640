"""Generated text: ``python -m workflow.readme`` rewrites the README between its
``sources``, ``corpus`` and ``findings`` markers (from the manifest and the tables) and
writes ``docs/data-dictionary.md`` (from the schemas), ``docs/parameters.md`` (from
``helpers/parameters.py``) and ``docs/figures.md`` (from the figures' legibility checks).
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import nbformat

from helpers import config, legibility, parameters, story
from helpers.io import write_text_atomic
from helpers.lexicon import load_lexicon
from helpers.schemas import SCHEMAS, read_table, table_path
from helpers.sources import load_manifest, load_meetings, meeting_label

FINDINGS = ("<!-- findings:start -->", "<!-- findings:end -->")
SOURCES = ("<!-- sources:start -->", "<!-- sources:end -->")
CORPUS = ("<!-- corpus:start -->", "<!-- corpus:end -->")


def data_dictionary_markdown() -> str:
    """Return the Markdown data dictionary of every processed table, from the schemas."""
    out = ["# Data dictionary", "",
           "Generated from the table schemas in `src/helpers/schemas.py` by `python -m "
           "workflow.readme` (part of `python3 tasks.py reproduce`); do not edit by hand. "
           "Every table is validated when written and again in the tests.", ""]
    for name in sorted(SCHEMAS):
        out.append(f"**`data/processed/{name}.csv`**\n")
        out.append("| column | type | meaning |\n|---|---|---|")
        for col, spec in SCHEMAS[name].columns.items():
            dtype = str(spec.dtype).replace("string[python]", "str")
            null = " (may be empty)" if spec.nullable else ""
            out.append(f"| `{col}` | {dtype} | {spec.description}{null} |")
        out.append("")
    return "\n".join(out)


def parameters_markdown(root=None) -> str:
    """The table of every analysis setting: name, value, meaning (the comment above it in
    ``helpers/parameters.py``) and the notebooks and modules that use it."""
    source = Path(parameters.__file__)
    lines = source.read_text(encoding="utf-8").splitlines()
    users = {f"`{p.stem}`": p.read_text(encoding="utf-8")
             for p in sorted(source.parent.glob("*.py")) if p != source}
    for nb in sorted(config.paths(root)["notebooks"].glob("[0-9]*.ipynb")):
        cells = nbformat.read(nb, as_version=4).cells
        users[f"notebook {nb.name[:2]}"] = "\n".join(c.source for c in cells if c.cell_type == "code")
    out = ["# Parameters", "",
           "Every analysis setting, from `src/helpers/parameters.py` (the one place to change "
           "one) by `python -m workflow.readme` (part of `python3 tasks.py reproduce`); do not "
           "edit by hand. A notebook's own settings can be changed for one run with "
           "`python3 tasks.py reproduce NN --set NAME=VALUE`.", "",
           "| name | value | meaning | used by |", "|---|---|---|---|"]
    for node in ast.parse("\n".join(lines)).body:
        if not isinstance(node, ast.Assign):
            continue
        name = node.targets[0].id
        k = node.lineno - 2
        while k >= 0 and lines[k].startswith("#:"):
            k -= 1
        meaning = " ".join(line[2:].strip() for line in lines[k + 1:node.lineno - 1])
        used = [u for u, text in users.items() if re.search(rf"\b{name}\b", text)]
        value = ast.get_source_segment("\n".join(lines), node.value)
        out.append(f"| `{name}` | `{value}` | {meaning} | {', '.join(used)} |")
    return "\n".join(out) + "\n"


def sources_markdown(root=None) -> str:
    """The README's table of sources, from the manifest (one row per raw file)."""
    raw = config.paths(root)["raw"]
    out = ["| file | outlet | kind | meeting | translation of Russian speech | note |",
           "|---|---|---|---|---|---|"]
    for s in load_manifest(raw):
        cells = [f"`{s.file}`", s.outlet, s.source_kind, meeting_label(s.meeting, raw),
                 s.translation, s.note]
        out.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(out)


def corpus_markdown(root=None) -> str:
    """The README's sentence on what the sources cover, from the manifest."""
    raw = config.paths(root)["raw"]
    sources = load_manifest(raw)
    counts = [(m["name"], sum(s.meeting == m["meeting"] for s in sources))
              for m in load_meetings(raw)]
    per = [f"{name} ({n} source{'s' * (n != 1)})" for name, n in counts]
    return (f"The sources are {len(sources)} public records of {len(per)} meetings: "
            f"{story.listing(per)}. They are listed under Sources.")


def findings_section(root=None) -> str | None:
    """The README's findings, generated from the tables; None if they are not computed yet."""
    names = ("findings", "salience", "reliability")
    if not all(table_path(n, root).exists() for n in names):
        return None
    findings, salience, rel = (read_table(n, root) for n in names)
    labels = {i.id: i.label for i in load_lexicon(config.paths(root)["lexicons"] / "issues.yml")}
    return story.findings_markdown(findings, salience, labels,
                                   story.quality_summary(rel, salience, labels),
                                   config.PRINCIPALS)


def _replace(text: str, markers: tuple[str, str], body: str) -> str:
    start, end = markers
    if start not in text or end not in text:
        raise ValueError(f"README.md lacks the {start} … {end} markers")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def render_readme(text: str, root=None) -> str:
    """Return README text with the generated sections replaced."""
    text = _replace(text, SOURCES, sources_markdown(root))
    text = _replace(text, CORPUS, corpus_markdown(root))
    findings = findings_section(root)
    return text if findings is None else _replace(text, FINDINGS, findings.rstrip("\n"))


def main() -> int:
    root = config.project_root()
    wanted = {root / "README.md": render_readme((root / "README.md").read_text("utf-8")),
              root / "docs" / "data-dictionary.md": data_dictionary_markdown(),
              root / "docs" / "parameters.md": parameters_markdown(root),
              root / "docs" / "figures.md": legibility.markdown(config.paths()["figures"])}
    for path, text in wanted.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            write_text_atomic(path, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
