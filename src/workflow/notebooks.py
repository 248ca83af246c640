"""Execute the numbered notebooks in order, each in a fresh ``python3`` kernel: all or nothing.

``python -m workflow.notebooks run`` copies the project's ``data/``, ``notebooks/`` and
``reports/figures/`` into a staging folder (``.cache/run-*``), executes every notebook there
(``HELPERS_PROJECT_ROOT`` points the helpers at the copy), and only when every notebook
succeeded moves the changed outputs (``data/processed/*``, ``reports/figures/*``,
``notebooks/*.ipynb``) into place. A failing cell, a kernel that does not start, Ctrl-C or
SIGTERM stops the run with the notebook's name and the error and leaves every committed
file as it was. No per-cell timeout is set and no timing metadata is recorded: two runs give
byte-identical notebooks. Stray ``.*.tmp`` files from interrupted atomic writes, and staging
folders of runs that were killed, are removed at the start of a run. Warnings of the helpers'
cache are relayed to this process's stderr, never written into notebooks.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from helpers import config
from helpers.io import write_text_atomic

NOTEBOOK_NAME = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: Folders the notebooks write; a run replaces their files only when every notebook succeeded.
OUTPUTS = ("data/processed", "reports/figures", "notebooks")
#: Folders copied into the staging area (inputs and the outputs they start from).
STAGED = ("data", "notebooks", "reports/figures")
#: Folders searched for stray temporary files of interrupted atomic writes.
TMP_FOLDERS = ("data", "reports", "notebooks")
TMP_FILE = re.compile(r"^\..+\.tmp$")


class NotebookError(RuntimeError):
    """A notebook failed; the message names the notebook and the failing cell's error."""


def list_notebooks(folder: Path | None = None) -> list[Path]:
    """Return the numbered notebooks in run order; reject misnamed ones."""
    folder = Path(folder) if folder is not None else config.paths()["notebooks"]
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    bad = [p.name for p in found if not NOTEBOOK_NAME.match(p.name)]
    if bad:
        raise NotebookError(f"notebook names must look like '01-verb-object.ipynb': {bad}")
    numbers = [p.name[:2] for p in found]
    if len(set(numbers)) != len(numbers):
        raise NotebookError(f"two notebooks share a number in {folder}: {numbers}")
    return found


def inject_parameters(nb: nbformat.NotebookNode, values: dict, name: str) -> None:
    """Insert ``NAME = value`` lines after the cell tagged ``parameters`` (papermill's way).

    Every name must be assigned in that cell; a name it does not define is an error naming
    the notebook and the names it does define.
    """
    import ast

    cells = [k for k, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise NotebookError(f"{name}: needs exactly one cell tagged 'parameters' to set "
                            f"{sorted(values)}")
    defined = {t.id for node in ast.parse(nb.cells[cells[0]].source).body
               if isinstance(node, ast.Assign) for t in ast.walk(node)
               if isinstance(t, ast.Name)}
    unknown = sorted(set(values) - defined)
    if unknown:
        raise NotebookError(f"{name}: no parameter {', '.join(unknown)}; its parameters "
                            f"are {', '.join(sorted(defined))}")
    cell = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in values.items()))
    cell.metadata["tags"] = ["injected-parameters"]
    cell.id = "injected-parameters"
    nb.cells.insert(cells[0] + 1, cell)


def parse_assignment(text: str) -> tuple[str, object]:
    """'N_BOOT=500' → ('N_BOOT', 500); a value that is not a Python literal is a string."""
    import ast

    name, sep, value = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name.strip(), ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name.strip(), value


def execute_notebook(path: Path, out_path: Path | None = None,
                     parameters: dict | None = None) -> nbformat.NotebookNode:
    """Execute one notebook in a fresh kernel, working directory = its folder.

    Writes the executed notebook atomically to ``out_path`` (default: in place) only if
    every cell succeeds; otherwise raises :class:`NotebookError` (also when the kernel
    cannot start or dies). ``parameters`` override values of the notebook's tagged
    ``parameters`` cell (see :func:`inject_parameters`).
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    if parameters:
        inject_parameters(nb, parameters, path.name)
    client = NotebookClient(nb, timeout=None, kernel_name="python3", record_timing=False,
                            allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as err:
        raise NotebookError(f"{path.name} failed:\n{err}") from None
    except Exception as err:  # noqa: BLE001 - kernel start-up or transport failure
        raise NotebookError(f"{path.name} failed: the python3 kernel could not start or "
                            f"died ({type(err).__name__}: {err}). Check the environment "
                            "with `.venv/bin/python -m ipykernel_launcher --help`, or "
                            "rerun `python3 tasks.py reproduce` to reinstall it") from None
    for cell in nb.cells:  # keep the saved file free of per-run state
        cell.get("metadata", {}).pop("execution", None)
    write_text_atomic(out_path or path, nbformat.writes(nb) + "\n")
    return nb


# --------------------------------------------------------------------------- housekeeping
def clean_stray_files(root: Path) -> list[Path]:
    """Delete ``.*.tmp`` files left by interrupted atomic writes, and staging folders of
    runs whose process is gone; return what was removed."""
    removed = []
    for sub in TMP_FOLDERS:
        folder = root / sub
        if folder.is_dir():
            for p in folder.rglob(".*.tmp"):
                if p.is_file() and TMP_FILE.match(p.name):
                    p.unlink(missing_ok=True)
                    removed.append(p)
    cache = root / ".cache"
    if cache.is_dir():
        for d in cache.glob("run-*"):
            if d.is_dir() and not _alive(d / "pid"):
                shutil.rmtree(d, ignore_errors=True)
                removed.append(d)
    return removed


def _alive(pid_file: Path) -> bool:
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    return True


@contextlib.contextmanager
def _environ(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _relay(log: Path) -> None:
    """Print new cache warnings to stderr (the terminal), then empty the log."""
    if log.exists():
        text = log.read_text(encoding="utf-8", errors="replace")
        if text.strip():
            sys.stderr.write(text if text.endswith("\n") else text + "\n")
            sys.stderr.flush()
        log.write_text("")


def stage_project(root: Path, staging: Path) -> None:
    """Copy the project's inputs and current outputs into ``staging``."""
    ignore = shutil.ignore_patterns(".*.tmp", ".ipynb_checkpoints", "__pycache__")
    for sub in STAGED:
        src = root / sub
        if src.is_dir():
            shutil.copytree(src, staging / sub, ignore=ignore)
        else:
            (staging / sub).mkdir(parents=True, exist_ok=True)
    (staging / "pyproject.toml").write_text("")


def promote_outputs(staging: Path, root: Path) -> list[Path]:
    """Move the staged outputs that differ from the project's into place.

    Every changed file is first copied beside its target under a temporary name, then all
    are renamed into place, so the committed outputs change together or not at all.
    """
    pending: list[tuple[Path, Path]] = []
    try:
        for sub in OUTPUTS:
            for src in sorted((staging / sub).rglob("*")):
                if not src.is_file() or src.name.startswith("."):
                    continue
                target = root / src.relative_to(staging)
                if target.exists() and target.read_bytes() == src.read_bytes():
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                           dir=target.parent)
                os.close(fd)
                shutil.copyfile(src, tmp)
                os.chmod(tmp, 0o644)
                pending.append((Path(tmp), target))
    except BaseException:
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, target in pending:
        os.replace(tmp, target)
    return [t for _, t in pending]


def run_all(root: Path | None = None, only: list[str] | None = None,
            parameters: dict | None = None) -> list[Path]:
    """Execute every numbered notebook (or those whose names start with ``only``) in order,
    in a staging copy of the project; replace the outputs only if every one succeeded.

    Returns the output files that changed. Raises :class:`NotebookError` on failure (the
    project's files are then unchanged).
    """
    root = Path(root) if root is not None else config.project_root()
    clean_stray_files(root)
    (root / ".cache").mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="run-", dir=root / ".cache"))
    (staging / "pid").write_text(f"{os.getpid()}\n")
    log = staging / "cache-warnings.log"
    unchanged = ("Nothing was changed: data/processed/, reports/figures/ and notebooks/ "
                 "are as they were.")
    try:
        stage_project(root, staging / "project")
        proj = staging / "project"
        env = {"HELPERS_PROJECT_ROOT": str(proj), "HELPERS_CACHE_LOG": str(log),
               "HELPERS_CACHE_DIR": os.environ.get("HELPERS_CACHE_DIR")
               or str(root / ".cache" / "helpers")}
        with _environ(**env):
            for nb_path in list_notebooks(proj / "notebooks"):
                if only and not any(nb_path.name.startswith(o) for o in only):
                    continue
                print(f"executing {nb_path.name} ...", flush=True)
                try:
                    execute_notebook(nb_path, parameters=parameters)
                except NotebookError as err:
                    raise NotebookError(f"{err}\n\n{unchanged}") from None
                finally:
                    _relay(log)
        changed = promote_outputs(proj, root)
    except KeyboardInterrupt:
        print(f"\ninterrupted. {unchanged}", file=sys.stderr, flush=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return changed


def _stop(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workflow.notebooks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="execute the notebooks (staged; all or nothing)")
    run.add_argument("only", nargs="*", help="notebook name prefixes, e.g. 01 02")
    run.add_argument("--set", dest="values", action="append", type=parse_assignment,
                     default=[], metavar="NAME=VALUE",
                     help="override a value of the notebooks' parameters cell, e.g. "
                          "--set N_BOOT=500 (repeatable; use with one notebook)")
    args = parser.parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _stop)
    try:
        changed = run_all(only=args.only or None, parameters=dict(args.values) or None)
    except NotebookError as err:
        print(f"\nERROR: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    print(f"all notebooks succeeded; {len(changed)} output file(s) updated", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
