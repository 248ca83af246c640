"""Notebook prose holds no number about the data: readings are generated from the tables."""

import json
import re

import pytest

from workflow.notebooks import list_notebooks

#: Digits that do not describe the data: code spans and file names (`04-…`), notebook
#: numbers, standards (SHA-256, UTF-8), numbered list items, the 5% threshold's z (1.96),
#: 95% intervals, and the ends of scales (0, 0.5, 1).
ALLOWED = re.compile(r"`[^`]*`|(?i:\bnotebooks? \d\d\b)|\b\d\d-[a-z-]+|SHA-256|UTF-8|^\s*\d\. |"
                     r"1\.96|\b95%|\b2019\b|\b2008\b|\[0, 0\]|"
                     r"(?<![\d.,])(?:0|1|0\.5|0\.05)(?![\d%]|[.,]\d)", re.M)


@pytest.mark.parametrize("path", list_notebooks(), ids=lambda p: p.name)
def test_markdown_cells_hold_no_data_digits(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    offenders = []
    summary = ALLOWED.sub("", nb["metadata"].get("summary", ""))  # shown on the index page
    if re.search(r"\d", summary):
        offenders.append(f"metadata summary: {summary}")
    for k, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        text = ALLOWED.sub("", "".join(cell["source"]))
        for line in text.splitlines():
            if re.search(r"\d", line):
                offenders.append(f"cell {k}: {line.strip()[:100]}")
    assert not offenders, "generate these numbers from the tables:\n" + "\n".join(offenders)


@pytest.mark.parametrize("path", list_notebooks(), ids=lambda p: p.name)
def test_each_notebook_has_one_tagged_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1 and tagged[0]["cell_type"] == "code"
