"""Execute the numbered notebooks in order with papermill: all or nothing.

``python -m workflow.notebooks run [NN ...] [--set NAME=VALUE ...]`` runs every notebook in a
staging copy of ``data/``, ``notebooks/`` and ``reports/figures/`` (``.cache/run-*``;
``HELPERS_PROJECT_ROOT`` points the helpers at it) and, only when all succeeded, moves the
changed outputs into place together. New coding sheets in ``data/validation/`` are added;
an existing one is never replaced. A failure, a dead kernel, Ctrl-C or SIGTERM changes no
committed file. The helpers' cache warnings are relayed to stderr, never into a notebook.

A notebook starts once the notebooks its first cell's **Reads:** line names ("notebook 01")
are done (without such a line, once every earlier one is), as many at once as there are
cores.
"""

from __future__ import annotations

import argparse
import ast
import multiprocessing
import os
import queue
import re
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from unittest import mock

import nbformat
import papermill
from nbclient.exceptions import DeadKernelError
from traitlets.config import Config

from helpers import config
from helpers.io import write_text_atomic

NOTEBOOK_NAME = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$")
#: The kernelspec saved in every notebook (a custom kernel name fails elsewhere).
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: Folders whose changed files a successful run replaces.
OUTPUTS = ("data/processed", "reports/figures", "notebooks")
#: Folders whose new files a successful run adds, never replacing one (coding sheets that an
#: analyst may be filling in).
NEW_FILES_ONLY = ("data/validation",)
STAGED = ("data", "notebooks", "reports/figures")
#: Without it the kernel prints "KeyboardInterrupt caught in kernel" at some shutdowns.
QUIET_KERNEL = ["--IPKernelApp.log_level=CRITICAL"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
UNCHANGED = ("Nothing was changed: data/processed/, reports/figures/ and notebooks/ are as "
             "they were.")


class NotebookError(RuntimeError):
    """A notebook failed; the message names the notebook and the failing cell's error."""


def list_notebooks(folder: Path | None = None) -> list[Path]:
    """The numbered notebooks in run order; raises NotebookError for a misnamed one."""
    folder = Path(folder) if folder is not None else config.paths()["notebooks"]
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    bad = [p.name for p in found if not NOTEBOOK_NAME.match(p.name)]
    if bad:
        raise NotebookError(f"notebook names must look like '01-verb-object.ipynb': {bad}")
    numbers = [p.name[:2] for p in found]
    if len(set(numbers)) != len(numbers):
        raise NotebookError(f"two notebooks share a number in {folder}: {numbers}")
    return found


def prerequisites(path: Path, earlier: list[str]) -> set[str]:
    """The numbers of the ``earlier`` notebooks that notebook ``path`` reads from: those its
    first cell's **Reads:** paragraph names, or all of them if it has none."""
    cells = nbformat.read(path, as_version=4).cells
    reads = re.search(r"\*\*Reads:\*\*(.*?)(?:\*\*Writes:\*\*|\n\n|$)",
                      cells[0].source if cells else "", re.S)
    if reads is None:
        return set(earlier)
    return set(re.findall(r"notebooks? (\d\d)", reads.group(1))) & set(earlier)


def parse_assignment(text: str) -> tuple[str, object]:
    """'N_BOOT=500' -> ('N_BOOT', 500); a value that is not a Python literal is a string."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name.strip(), ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name.strip(), value


def execute_notebook(path: Path, out_path: Path | None = None,
                     parameters: dict | None = None) -> nbformat.NotebookNode:
    """Execute one notebook with papermill in a fresh kernel, in the notebook's folder.

    Writes it atomically to ``out_path`` (default: in place) only if every cell succeeds,
    keeping the source's cell metadata (no timings); else raises NotebookError naming the
    notebook, the cell and the error. An unknown parameter name is refused.
    """
    path = Path(path)
    parameters = parameters or {}
    known = sorted(papermill.inspect_notebook(str(path))) if parameters else []
    unknown = sorted(set(parameters) - set(known))
    if unknown:
        raise NotebookError(f"{path.name}: no parameter {', '.join(unknown)}; its parameters "
                            f"are {', '.join(known) or '(none: no cell tagged parameters)'}")
    source = nbformat.read(path, as_version=4)
    # a run without --set goes back to the defaults: drop the values an earlier run injected
    source.cells = [c for c in source.cells
                    if parameters or "injected-parameters" not in c.metadata.get("tags", [])]
    try:
        # Unix sockets in a short-lived folder: no TCP port can collide with another kernel
        with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:
            ipc = Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/k"}})
            nb = papermill.execute_notebook(source, None, parameters=parameters,
                                            kernel_name="python3", cwd=str(path.parent),
                                            progress_bar=False, record_timing=False,
                                            config=ipc, extra_arguments=QUIET_KERNEL)
    except papermill.PapermillExecutionError as err:
        trace = ANSI.sub("", "\n".join(err.traceback))
        raise NotebookError(f"{path.name} failed in cell [{err.exec_count}]: {err.ename}: "
                            f"{err.evalue}\n\n{trace}") from None
    except DeadKernelError:
        raise NotebookError(f"{path.name} was stopped: its kernel died while running (killed "
                            "from outside, or out of memory)") from None
    except Exception as err:  # noqa: BLE001 - kernel start-up or transport failure
        raise NotebookError(f"{path.name} failed: the python3 kernel could not start "
                            f"({type(err).__name__}: {err}). Check the environment with "
                            "`.venv/bin/python -m ipykernel_launcher --help`, or rerun "
                            "`python3 tasks.py reproduce` to reinstall it") from None
    nb.metadata.pop("papermill", None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    meta = {c.id: c.metadata for c in source.cells}
    for cell in nb.cells:
        if cell.id in meta:
            cell.metadata = meta[cell.id]
        else:  # the cell papermill injected
            cell.id, cell.metadata = "injected-parameters", {"tags": ["injected-parameters"]}
    write_text_atomic(out_path or path, nbformat.writes(nb) + "\n")
    return nb


def clean_stray_files(root: Path) -> None:
    """Delete ``.*.tmp`` files of interrupted writes, and staging folders of dead runs."""
    for sub in ("data", "reports", "notebooks"):
        for p in (root / sub).rglob(".*.tmp"):
            p.unlink(missing_ok=True)
    for d in (root / ".cache").glob("run-*"):
        try:
            os.kill(int((d / "pid").read_text()), 0)
        except (OSError, ValueError):
            shutil.rmtree(d, ignore_errors=True)


def promote_outputs(staging: Path, root: Path) -> list[Path]:
    """Move the staged outputs that differ into place, all together or none: each is copied
    beside its target under a temporary name first, then all are renamed."""
    pending: list[tuple[Path, Path]] = []
    try:
        for sub in OUTPUTS + NEW_FILES_ONLY:
            for src in sorted((staging / sub).rglob("*")):
                target = root / src.relative_to(staging)
                if not src.is_file() or src.name.startswith(".") or (target.exists() and (
                        sub in NEW_FILES_ONLY or target.read_bytes() == src.read_bytes())):
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                           dir=target.parent)
                os.close(fd)
                pending.append((Path(tmp), target))
                shutil.copyfile(src, tmp)
                os.chmod(tmp, 0o644)
    except BaseException:
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, target in pending:
        os.replace(tmp, target)
    return [target for _, target in pending]


def execute_in_order(notebooks: list[Path], parameters: dict | None = None) -> None:
    """Execute each notebook once those it reads from (:func:`prerequisites`, among
    ``notebooks``) are done, one worker process per core. The first failure is raised and
    the notebooks still running are stopped (their kernels shut down), as on Ctrl-C."""
    numbers = [p.name[:2] for p in notebooks]
    needs = {p: prerequisites(p, numbers[:k]) for k, p in enumerate(notebooks)}
    finished: queue.SimpleQueue = queue.SimpleQueue()
    done: set[str] = set()
    started: set[Path] = set()
    workers = max(1, min(os.cpu_count() or 1, len(notebooks)))
    # forking is quick but safe only from a single thread (a test runner may have more)
    fork = sys.platform.startswith("linux") and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if fork else "spawn")
    with context.Pool(workers, initializer=_worker_signals) as pool:
        while len(done) < len(notebooks):
            for p in notebooks:
                if p not in started and needs[p] <= done:
                    print(f"executing {p.name} ...", flush=True)
                    started.add(p)
                    pool.apply_async(_execute, (p, parameters), callback=finished.put,
                                     error_callback=finished.put)
            result = finished.get()
            if isinstance(result, BaseException):
                raise result
            done.add(result)
        pool.close()
        pool.join()


def _worker_signals() -> None:
    """In a worker: Ctrl-C reaches the runner, which stops the workers with SIGTERM, and
    SIGTERM simply ends an idle worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _execute(path: Path, parameters: dict | None) -> str:
    """In a worker: execute one notebook; SIGTERM stops it and shuts its kernel down."""
    signal.signal(signal.SIGTERM, _stop)
    try:
        execute_notebook(path, parameters=parameters)
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # an idle worker just ends
    return path.name[:2]


def run_all(root: Path | None = None, only: list[str] | None = None,
            parameters: dict | None = None) -> list[Path]:
    """Execute the notebooks (those whose names start with one of ``only``) in a staging
    copy; replace the outputs only if every one succeeded. Returns the changed files;
    raises NotebookError (the project's files then unchanged)."""
    root = Path(root) if root is not None else config.project_root()
    clean_stray_files(root)
    (root / ".cache").mkdir(exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="run-", dir=root / ".cache"))
    (staging / "pid").write_text(f"{os.getpid()}\n")
    proj, log = staging / "project", staging / "cache-warnings.log"
    env = {"HELPERS_PROJECT_ROOT": str(proj), "HELPERS_CACHE_LOG": str(log),
           "HELPERS_CACHE_DIR": os.environ.get("HELPERS_CACHE_DIR")
           or str(root / ".cache" / "helpers"),
           # notebooks run side by side, so their maths libraries get one thread each:
           # more only contend for the same cores
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    try:
        ignore = shutil.ignore_patterns(".*.tmp", ".ipynb_checkpoints", "__pycache__")
        for sub in STAGED:
            if (root / sub).is_dir():
                shutil.copytree(root / sub, proj / sub, ignore=ignore)
            (proj / sub).mkdir(parents=True, exist_ok=True)
        (proj / "pyproject.toml").write_text("")
        notebooks = [p for p in list_notebooks(proj / "notebooks")
                     if not only or p.name.startswith(tuple(only))]
        with mock.patch.dict(os.environ, env):
            try:
                execute_in_order(notebooks, parameters)
            except NotebookError as err:
                raise NotebookError(f"{err}\n\n{UNCHANGED}") from None
            finally:  # the cache's warnings go to the terminal
                warnings = log.read_text("utf-8").strip() if log.exists() else ""
                if warnings:
                    print(warnings, file=sys.stderr, flush=True)
        return promote_outputs(proj, root)
    except KeyboardInterrupt:
        print(f"\nstopped. {UNCHANGED}", file=sys.stderr, flush=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
