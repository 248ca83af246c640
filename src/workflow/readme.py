"""Generated sections of README.md: the data dictionary, from the table schemas.

``python -m workflow.readme`` rewrites the text between the ``data-dictionary`` markers;
``python -m workflow.readme check`` exits non-zero if README.md is out of date.
"""

from __future__ import annotations

import sys

from helpers import config
from helpers.io import write_text_atomic
from helpers.schemas import SCHEMAS

START, END = "<!-- data-dictionary:start -->", "<!-- data-dictionary:end -->"


def data_dictionary_markdown() -> str:
    """Return a Markdown data dictionary of every processed table, from the schemas."""
    out = []
    for name in sorted(SCHEMAS):
        out.append(f"**`data/processed/{name}.csv`**\n")
        out.append("| column | type | meaning |\n|---|---|---|")
        for col, spec in SCHEMAS[name].columns.items():
            dtype = str(spec.dtype).replace("string[python]", "str")
            null = " (may be empty)" if spec.nullable else ""
            out.append(f"| `{col}` | {dtype} | {spec.description}{null} |")
        out.append("")
    return "\n".join(out)


def render_readme(text: str) -> str:
    """Return README text with the generated section replaced."""
    if START not in text or END not in text:
        raise ValueError("README.md lacks the data-dictionary markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{data_dictionary_markdown()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path = config.project_root() / "README.md"
    text = path.read_text(encoding="utf-8")
    new = render_readme(text)
    if argv[:1] == ["check"]:
        if new != text:
            print("stale: README.md data dictionary — rerun `python3 tasks.py reproduce`",
                  file=sys.stderr)
            return 1
        return 0
    if new != text:
        write_text_atomic(path, new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
