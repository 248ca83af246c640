"""The notebook runner: in-place on success, untouched on failure, byte-identical reruns."""

import nbformat
import pytest

from workflow.notebooks import NotebookError, execute_notebook, list_notebooks


def _write(path, sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "some-other-kernel", "display_name": "x"}
    nbformat.write(nb, path)


def test_success_writes_outputs_and_is_byte_identical(tmp_path):
    nb_path = tmp_path / "01-do-thing.ipynb"
    _write(nb_path, ["x = 21", "print(x * 2)"])
    execute_notebook(nb_path)
    first = nb_path.read_bytes()
    nb = nbformat.reads(first.decode(), as_version=4)
    assert nb.cells[1].outputs[0]["text"] == "42\n"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert b'"execution"' not in first  # no timing metadata
    execute_notebook(nb_path)
    assert nb_path.read_bytes() == first


def test_failure_names_notebook_and_error_and_leaves_file(tmp_path):
    nb_path = tmp_path / "02-fail-here.ipynb"
    _write(nb_path, ["1 + 1", "raise ValueError('lexicon is broken')"])
    before = nb_path.read_bytes()
    with pytest.raises(NotebookError, match=r"(?s)02-fail-here\.ipynb failed.*lexicon is broken"):
        execute_notebook(nb_path)
    assert nb_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["02-fail-here.ipynb"]


def test_list_notebooks_checks_names(tmp_path):
    for name in ("02-b.ipynb", "01-a.ipynb"):
        _write(tmp_path / name, [])
    assert [p.name for p in list_notebooks(tmp_path)] == ["01-a.ipynb", "02-b.ipynb"]
    _write(tmp_path / "Untitled.ipynb", [])
    with pytest.raises(NotebookError, match="Untitled"):
        list_notebooks(tmp_path)


def test_project_notebooks_are_numbered_and_use_python3(root):
    for path in list_notebooks(root / "notebooks"):
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata["kernelspec"]["name"] == "python3", path.name
