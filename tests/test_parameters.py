"""Every analysis setting is defined once, in helpers.parameters, and documented from there."""

import ast
import re
from pathlib import Path

import nbformat
import pytest

from helpers import parameters
from workflow import readme
from workflow.notebooks import execute_notebook, list_notebooks

SETTINGS = {n for n in vars(parameters) if n.isupper()}


def _parameters_cell(nb_path: Path) -> tuple[int, list]:
    cells = nbformat.read(nb_path, as_version=4).cells
    i = next(i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", []))
    return i, cells


def test_the_parameters_table_is_current(root):
    assert (root / "docs" / "parameters.md").read_text(encoding="utf-8") == \
        readme.parameters_markdown(root), "stale: docs/parameters.md — rerun reproduce"


def test_the_table_gives_each_setting_its_meaning_and_users(root):
    rows = {r.split(" | ")[0].strip("| `"): r.split(" | ")
            for r in readme.parameters_markdown(root).splitlines() if r.startswith("| `")}
    assert set(rows) == SETTINGS
    assert all(r[2].strip() for r in rows.values()), "a setting lacks its #: comment"
    assert rows["N_BOOT"][1] == "`2000`" and "notebook 04" in rows["N_BOOT"][3]


@pytest.mark.parametrize("package", ["helpers", "workflow"])
def test_no_module_defines_a_setting_again(root, package):
    for path in (root / "src" / package).glob("*.py"):
        if path.name == "parameters.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assigned = {t.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
                    for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                    if isinstance(t, ast.Name)}
        assert not assigned & SETTINGS, f"{path.name} defines {assigned & SETTINGS} again"


@pytest.mark.parametrize("nb_path", list_notebooks(Path(__file__).parents[1] / "notebooks"),
                         ids=lambda p: p.name[:2])
def test_parameters_cells_read_the_settings_and_the_code_uses_their_names(nb_path):
    """Each name of a parameters cell is ``NAME = parameters.NAME``, and later cells use the
    name, never ``parameters.NAME`` or ``module.NAME`` itself: an injected value reaches the
    code instead of being bypassed by the module's constant."""
    i, cells = _parameters_cell(nb_path)
    names = []
    for node in ast.parse(cells[i].source).body:
        assert isinstance(node, ast.Assign), f"{nb_path.name}: only settings in the cell"
        name = node.targets[0].id
        assert ast.unparse(node.value) == f"parameters.{name}", f"{nb_path.name}: {name}"
        names.append(name)
    assert names, f"{nb_path.name} has an empty parameters cell"
    later = "\n".join(c.source for c in cells[i + 1:] if c.cell_type == "code")
    for name in names:
        assert re.search(rf"(?<![\w.]){name}\b", later), f"{nb_path.name} never uses {name}"
        assert not re.search(rf"\w\.{name}\b", later), f"{nb_path.name} bypasses {name}"


@pytest.mark.parametrize("number, probe", [
    ("02", 'sorted(set(canonical["speaker"]))'),
    ("03", 'sorted(set(canonical["speaker"]))'),
])
def test_an_injected_setting_reaches_the_result(root, tmp_path, number, probe):
    """``--set SPEAKERS_MEASURED=...`` changes whose sentences the notebook reads: its cells
    up to the first that uses the setting are executed with the value injected."""
    path = next((root / "notebooks").glob(f"{number}-*.ipynb"))
    i, cells = _parameters_cell(path)
    end = next(k for k in range(i + 1, len(cells))
               if "SPEAKERS_MEASURED" in cells[k].source and cells[k].cell_type == "code")
    nb = nbformat.v4.new_notebook(cells=[c for c in cells[:end + 1] if c.cell_type == "code"])
    nb.cells.append(nbformat.v4.new_code_cell(f"print({probe})"))
    nb.metadata = nbformat.read(path, as_version=4).metadata
    nbformat.write(nb, tmp_path / path.name)
    out = execute_notebook(tmp_path / path.name, parameters={"SPEAKERS_MEASURED": ["lavrov"]})
    assert out.cells[-1].outputs[0]["text"].strip() == "['lavrov']"
