"""The notebook runner: in-place on success, untouched on failure, byte-identical reruns."""

from pathlib import Path

import nbformat
import pytest

from workflow.notebooks import KERNELSPEC, NotebookError, execute_notebook, list_notebooks


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
    with pytest.raises(NotebookError, match=r"02-fail-here\.ipynb failed in cell \[2\]: "
                                            r"ValueError: lexicon is broken"):
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


# --------------------------------------------------------------------------- all or nothing

WRITE_TABLE = ("from helpers import config\n"
               "p = config.paths()['processed'] / 'table.csv'\n"
               "p.write_text('a\\n{value}\\n')")


def _tiny_project(tmp_path, second_cell: str):
    """A project whose notebook 01 writes a table and a figure, and 02 runs ``second_cell``."""
    proj = tmp_path / "proj"
    for sub in ("data/raw", "data/processed", "reports/figures", "notebooks"):
        (proj / sub).mkdir(parents=True)
    (proj / "pyproject.toml").write_text("")
    (proj / "data" / "processed" / "table.csv").write_text("a\nold\n")
    (proj / "reports" / "figures" / "01-x.svg").write_text("<svg>old</svg>")
    _write(proj / "notebooks" / "01-write-table.ipynb", [
        WRITE_TABLE.format(value="new"),
        "(config.paths()['figures'] / '01-x.svg').write_text('<svg>new</svg>')"])
    _write(proj / "notebooks" / "02-second-step.ipynb", [second_cell])
    return proj


def _snapshot(proj):
    return {str(p.relative_to(proj)): p.read_bytes() for sub in ("data", "reports", "notebooks")
            for p in sorted((proj / sub).rglob("*")) if p.is_file()}


SHEETS = ("from helpers import config\n"
          "folder = config.paths()['root'] / 'data' / 'validation'\n"
          "folder.mkdir(exist_ok=True)\n"
          "for name in ('005_new.csv', '004_old.csv'):\n"
          "    (folder / name).write_text('sentence_id,issues\\nx,\\n')")


@pytest.fixture(scope="module")
def successful_run(tmp_path_factory):
    """One successful run of a tiny project, shared by the tests of what a run does: notebook
    02 writes coding sheets (a new one, and one an analyst has begun), and the project holds
    a stray temporary file and the staging folder of a killed run."""
    from workflow.notebooks import run_all

    proj = _tiny_project(tmp_path_factory.mktemp("run"), SHEETS)
    (proj / "data" / "validation").mkdir()
    (proj / "data" / "validation" / "004_old.csv").write_text("sentence_id,issues\nx,syria\n")
    stray = proj / "data" / "processed" / ".table.csv.abc123.tmp"
    stray.write_text("half written")
    dead = proj / ".cache" / "run-dead"
    dead.mkdir(parents=True)
    (dead / "pid").write_text("999999999\n")
    return proj, run_all(root=proj)


def test_a_run_replaces_outputs_only_when_every_notebook_succeeds(successful_run):
    proj, changed = successful_run
    assert (proj / "data" / "processed" / "table.csv").read_text() == "a\nnew\n"
    assert (proj / "reports" / "figures" / "01-x.svg").read_text() == "<svg>new</svg>"
    assert {p.name for p in changed} >= {"table.csv", "01-x.svg", "02-second-step.ipynb"}
    assert [p.name for p in (proj / ".cache").glob("run-*")] == []  # staging removed


def test_a_run_adds_new_coding_sheets_and_never_replaces_one(successful_run):
    """Sheets for sources without hand codes are written in the staging copy: a successful
    run adds the new ones to data/validation/, and leaves one that exists (an analyst may be
    filling it in) as it is, even if the run's copy differs."""
    proj, _ = successful_run
    assert (proj / "data" / "validation" / "005_new.csv").read_text() == "sentence_id,issues\nx,\n"
    assert (proj / "data" / "validation" / "004_old.csv").read_text() == \
        "sentence_id,issues\nx,syria\n"


def test_stray_temporary_files_are_cleaned_at_the_start(successful_run):
    proj, _ = successful_run
    assert not (proj / "data" / "processed" / ".table.csv.abc123.tmp").exists()
    assert not (proj / ".cache" / "run-dead").exists()


def test_a_late_failure_changes_nothing_and_says_so(tmp_path):
    from workflow.notebooks import run_all

    proj = _tiny_project(tmp_path, "raise RuntimeError('notebook 02 broke late')")
    before = _snapshot(proj)
    with pytest.raises(NotebookError, match=r"(?s)02-second-step\.ipynb failed.*broke late"
                                            r".*Nothing was changed"):
        run_all(root=proj)
    assert _snapshot(proj) == before  # table, figure and notebook 01 all still old
    assert not list((proj / ".cache").glob("run-*"))


def test_kernel_start_failure_is_the_runners_error(tmp_path, monkeypatch):
    """A python3 kernel that cannot start: an error naming the notebook, the file unchanged."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text('{"argv": ["/nonexistent/python", "-f", '
                                      '"{connection_file}"], "display_name": "broken", '
                                      '"language": "python"}')
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb_path = tmp_path / "01-any.ipynb"
    _write(nb_path, ["1"])
    before = nb_path.read_bytes()
    with pytest.raises(NotebookError, match=r"01-any\.ipynb failed: the python3 kernel could "
                                            r"not start"):
        execute_notebook(nb_path)
    assert nb_path.read_bytes() == before


def test_a_killed_kernel_is_reported_as_stopped_not_as_a_broken_environment(tmp_path):
    nb_path = tmp_path / "01-killed.ipynb"
    _write(nb_path, ["import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"])
    before = nb_path.read_bytes()
    with pytest.raises(NotebookError, match=r"01-killed\.ipynb was stopped: its kernel died"):
        execute_notebook(nb_path)
    assert nb_path.read_bytes() == before


def test_stopping_tasks_py_stops_the_whole_process_group(tmp_path):
    """SIGTERM to tasks.py's sh(): the child and its grandchild are gone afterwards."""
    import subprocess
    import sys
    import time

    from conftest import ROOT

    pidfile = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys, time\n"
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(p.pid))\n"
        "time.sleep(60)\n")
    driver = (
        "import sys, signal\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "import tasks\n"
        "signal.signal(signal.SIGTERM, tasks._on_signal)\n"
        "try:\n"
        f"    tasks.sh(sys.executable, '-c', {script!r})\n"
        "except KeyboardInterrupt:\n"
        "    sys.exit(130)\n")
    proc = subprocess.Popen([sys.executable, "-c", driver])
    for _ in range(100):
        if pidfile.exists() and pidfile.read_text():
            break
        time.sleep(0.1)
    grandchild = int(pidfile.read_text())
    proc.terminate()
    assert proc.wait(timeout=30) == 130
    def alive(pid):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state != "Z"  # a zombie has exited; only its parent has not reaped it

    for _ in range(50):
        if not alive(grandchild):
            break
        time.sleep(0.1)
    assert not alive(grandchild)


def test_parameters_are_injected_after_the_tagged_cell_and_unknown_names_refused(tmp_path):
    from workflow.notebooks import parse_assignment

    nb_path = tmp_path / "04-params.ipynb"
    _write(nb_path, ["import math\nN_BOOT = 2000\nMEASURE = 'lexicon'", "print(N_BOOT, MEASURE)"])
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nbformat.write(nb, nb_path)
    out = execute_notebook(nb_path, parameters=dict([parse_assignment("N_BOOT=500"),
                                                     parse_assignment("MEASURE=hand")]))
    assert out.cells[1].metadata["tags"] == ["injected-parameters"]
    assert out.cells[1].id == "injected-parameters"
    assert out.cells[2].outputs[0]["text"] == "500 hand\n"
    assert "papermill" not in nb_path.read_text()  # no run-time metadata saved
    saved = nb_path.read_bytes()
    with pytest.raises(NotebookError, match=r"04-params\.ipynb: no parameter N_BOTO; its "
                                            r"parameters are MEASURE, N_BOOT$"):
        execute_notebook(nb_path, parameters={"N_BOTO": 1})  # the import is no parameter
    assert nb_path.read_bytes() == saved
    assert parse_assignment("MEASURE=hand") == ("MEASURE", "hand")
    back = execute_notebook(nb_path)  # a run without --set goes back to the defaults
    assert "injected-parameters" not in [c.id for c in back.cells]
    assert back.cells[1].outputs[0]["text"] == "2000 lexicon\n"


def _tasks():
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT))
    import tasks

    return tasks


def test_tasks_py_describes_its_own_commands(capsys):
    """`tasks.py lab --help` is tasks.py's help for lab, not JupyterLab's."""
    tasks = _tasks()

    with pytest.raises(SystemExit) as stop:
        tasks.main(["lab", "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: python3 tasks.py lab") and "--allow-root" in out


def test_a_killed_run_says_it_was_stopped_and_changed_nothing(monkeypatch, capsys):
    import sys

    tasks = _tasks()

    def killed(extra):
        """A run whose process is killed."""
        tasks.sh(sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")

    monkeypatch.setitem(tasks.COMMANDS, "reproduce", killed)
    assert tasks.main(["reproduce"]) == 137
    err = capsys.readouterr().err
    assert "reproduce stopped: a process of the run was killed (signal 9)" in err
    assert "Nothing was changed" in err and "environment" not in err


# --------------------------------------------------------------------------- run order
def _markdown_first(path, first_cell: str, code: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(first_cell), nbformat.v4.new_code_cell(code)]
    nbformat.write(nb, path)


def test_prerequisites_are_the_notebooks_the_reads_line_names(tmp_path):
    from workflow.notebooks import prerequisites

    path = tmp_path / "04-x.ipynb"
    _markdown_first(path, "# Q\n\nNotebook 05 comes later.\n\n**Reads:** `a.csv` (notebook "
                    "01), `b.csv` and `c.csv` (notebook 03).\n**Writes:** `d.csv` (notebook 02 "
                    "reads it).", "1")
    assert prerequisites(path, ["01", "02", "03"]) == {"01", "03"}
    assert prerequisites(path, ["03"]) == {"03"}  # a run of some notebooks only
    _markdown_first(path, "# Q\n\nNo reads line.", "1")
    assert prerequisites(path, ["01", "02", "03"]) == {"01", "02", "03"}


def test_notebooks_that_read_only_earlier_ones_run_side_by_side(tmp_path):
    """01 first; then 02 and 03 (both read only 01) together; 04 (reads 03) after 03."""
    import time

    from workflow.notebooks import execute_in_order

    log = tmp_path / "log"
    step = ("import time, pathlib\nlog = pathlib.Path({log!r})\n"
            "with log.open('a') as f: f.write(f'{name} start {{time.time()}}\\n')\n"
            "time.sleep({sleep})\n"
            "with log.open('a') as f: f.write(f'{name} end {{time.time()}}\\n')")
    reads = {"01": "", "02": "**Reads:** `x.csv` (notebook 01).",
             "03": "**Reads:** `x.csv` (notebook 01).", "04": "**Reads:** `y.csv` (notebook 03)."}
    paths = []
    for name, line in reads.items():
        paths.append(tmp_path / f"{name}-step.ipynb")
        _markdown_first(paths[-1], f"# {name}\n\n{line}",
                        step.format(log=str(log), name=name, sleep=3 if name == "02" else 1))
    start = time.time()
    execute_in_order(paths)
    t = {tuple(line.split()[:2]): float(line.split()[2]) - start
         for line in log.read_text().splitlines()}
    assert t["01", "end"] < t["02", "start"] and t["01", "end"] < t["03", "start"]
    assert t["02", "start"] < t["03", "end"] and t["03", "start"] < t["02", "end"]  # together
    assert t["03", "end"] < t["04", "start"] < t["02", "end"]  # 04 need not wait for 02


def test_each_notebook_reads_tables_only_from_the_notebooks_its_reads_line_names(root):
    """The run order rests on the Reads lines: every processed table a notebook reads is
    written by a notebook that its Reads line names."""
    import re

    from workflow.notebooks import prerequisites

    notebooks = list_notebooks(root / "notebooks")
    writes = {}
    for path in notebooks:
        first = nbformat.read(path, as_version=4).cells[0].source
        for table in re.findall(r"data/processed/(\w+)\.csv",
                                first.split("**Writes:**", 1)[1].split("\n\n")[0]):
            writes[table] = path.name[:2]
    for k, path in enumerate(notebooks):
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                         if c.cell_type == "code")
        needs = prerequisites(path, [p.name[:2] for p in notebooks[:k]])
        for table in re.findall(r"read_table\(\"(\w+)\"", code):
            assert writes.get(table) in needs, (
                f"{path.name} reads {table}.csv, which its Reads line does not say comes "
                f"from notebook {writes.get(table)}")


def test_a_failure_stops_the_notebook_running_beside_it_and_its_kernel(tmp_path):
    """02 and 03 both read only 01; 03 fails at once while 02 is still working: the run
    fails naming 03, without waiting for 02, whose kernel is shut down."""
    import os
    import time

    from workflow.notebooks import execute_in_order

    pid, end = tmp_path / "02.pid", tmp_path / "02.end"
    notebooks = [tmp_path / f"{n}-step.ipynb" for n in ("01", "02", "03")]
    _markdown_first(notebooks[0], "# 01", "1")
    _markdown_first(notebooks[1], "# 02\n\n**Reads:** `x.csv` (notebook 01).",
                    f"import os, time, pathlib\npathlib.Path({str(pid)!r}).write_text("
                    f"str(os.getpid()))\ntime.sleep(60)\npathlib.Path({str(end)!r}).touch()")
    _markdown_first(notebooks[2], "# 03\n\n**Reads:** `x.csv` (notebook 01).",
                    f"import pathlib, time\nwhile not pathlib.Path({str(pid)!r}).exists():\n"
                    "    time.sleep(0.1)\nraise RuntimeError('03 broke')")
    with pytest.raises(NotebookError, match=r"03-step\.ipynb failed.*03 broke"):
        execute_in_order(notebooks)
    kernel = int(pid.read_text())
    for _ in range(100):
        try:
            os.kill(kernel, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the kernel of 02 is still running")
    assert not end.exists()
