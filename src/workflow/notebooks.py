"""Execute the numbered notebooks in order with papermill: all or nothing.

``python -m workflow.notebooks run [NN ...] [--set NAME=VALUE ...]`` copies the project's
``data/``, ``notebooks/`` and ``reports/figures/`` into a staging folder (``.cache/run-*``),
executes every notebook there in a fresh ``python3`` kernel (``HELPERS_PROJECT_ROOT`` points
the helpers at the copy; ``--set`` values are injected by papermill after the cell tagged
``parameters``), and only when every notebook succeeded moves the changed outputs
(``data/processed/*``, ``reports/figures/*``, ``notebooks/*.ipynb``, and new coding sheets
in ``data/validation/``) into place. A failing
cell, a kernel that dies, Ctrl-C or SIGTERM stops the run with the notebook's name and the
error and leaves every committed file as it was. Papermill's run-time metadata is removed
before a notebook is saved, so two runs give byte-identical notebooks. Stray ``.*.tmp`` files
and staging folders of killed runs are removed at the start of a run. Warnings of the
helpers' cache (``HELPERS_CACHE_LOG``) are relayed to this process's stderr, never written
into notebooks.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import nbformat
import papermill
from nbclient.exceptions import DeadKernelError
from traitlets.config import Config

from helpers import config
from helpers.io import write_text_atomic

NOTEBOOK_NAME = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$")
#: The kernelspec saved in every notebook (a custom kernel name fails elsewhere).
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
#: Folders the notebooks write; a run replaces their files only when every notebook succeeded.
OUTPUTS = ("data/processed", "reports/figures", "notebooks")
#: Folders whose new files a successful run adds, never replacing one that exists: the
#: coding sheets of sources without hand codes, which an analyst may be filling in.
NEW_FILES_ONLY = ("data/validation",)
#: Folders copied into the staging area (inputs and the outputs they start from).
STAGED = ("data", "notebooks", "reports/figures")
#: The kernel's own log stays quiet: the SIGINT that jupyter_client sends at every shutdown
#: would otherwise print "KeyboardInterrupt caught in kernel" now and then. Cell errors are
#: reported by the runner.
QUIET_KERNEL = ["--IPKernelApp.log_level=CRITICAL"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
UNCHANGED = ("Nothing was changed: data/processed/, reports/figures/ and notebooks/ are as "
             "they were.")


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


def parse_assignment(text: str) -> tuple[str, object]:
    """'N_BOOT=500' -> ('N_BOOT', 500); a value that is not a Python literal is a string."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name.strip(), ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return name.strip(), value


def check_parameters(path: Path, values: dict) -> None:
    """Refuse a name that the notebook's ``parameters`` cell does not assign."""
    known = sorted(papermill.inspect_notebook(str(path)))
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise NotebookError(f"{path.name}: no parameter {', '.join(unknown)}; its parameters "
                            f"are {', '.join(known) or '(none: no cell tagged parameters)'}")


def execute_notebook(path: Path, out_path: Path | None = None,
                     parameters: dict | None = None) -> nbformat.NotebookNode:
    """Execute one notebook with papermill in a fresh kernel, working directory its folder.

    Writes the executed notebook atomically to ``out_path`` (default: in place) only if every
    cell succeeds, with the source's cell metadata (papermill's timings and tags removed);
    otherwise raises :class:`NotebookError` naming the notebook, the cell and the error.
    """
    path = Path(path)
    if parameters:
        check_parameters(path, parameters)
    source = nbformat.read(path, as_version=4)
    # a run without --set goes back to the defaults: drop the values injected by an earlier run
    source.cells = [c for c in source.cells if parameters
                    or "injected-parameters" not in c.metadata.get("tags", [])]
    try:
        # Unix sockets in a short-lived folder: no TCP port can collide with another kernel
        with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:
            ipc = Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/k"}})
            nb = papermill.execute_notebook(source, None, parameters=parameters or {},
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
    for cell in nb.cells:  # the source's metadata: no timings, no added empty tags
        if cell.id in meta:
            cell.metadata = meta[cell.id]
        else:  # the cell papermill injected
            cell.id, cell.metadata = "injected-parameters", {"tags": ["injected-parameters"]}
    write_text_atomic(out_path or path, nbformat.writes(nb) + "\n")
    return nb


# --------------------------------------------------------------------------- staging
def clean_stray_files(root: Path) -> None:
    """Delete ``.*.tmp`` files of interrupted atomic writes, and staging folders of runs
    whose process is gone."""
    for sub in ("data", "reports", "notebooks"):
        for p in (root / sub).rglob(".*.tmp"):
            p.unlink(missing_ok=True)
    for d in (root / ".cache").glob("run-*"):
        try:
            os.kill(int((d / "pid").read_text()), 0)
        except (OSError, ValueError):
            shutil.rmtree(d, ignore_errors=True)


def promote_outputs(staging: Path, root: Path) -> list[Path]:
    """Move the staged outputs that differ from the project's into place: each is first
    copied beside its target under a temporary name, then all are renamed, so the committed
    outputs change together or not at all."""
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


def _relay(log: Path) -> None:
    """Print the helpers' cache warnings to stderr (the terminal), then empty the log."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    if text.strip():
        print(text.rstrip("\n"), file=sys.stderr, flush=True)
        log.write_text("")


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
    proj, log = staging / "project", staging / "cache-warnings.log"
    env = {"HELPERS_PROJECT_ROOT": str(proj), "HELPERS_CACHE_LOG": str(log),
           "HELPERS_CACHE_DIR": os.environ.get("HELPERS_CACHE_DIR")
           or str(root / ".cache" / "helpers")}
    saved = {k: os.environ.get(k) for k in env}
    try:
        ignore = shutil.ignore_patterns(".*.tmp", ".ipynb_checkpoints", "__pycache__")
        for sub in STAGED:
            if (root / sub).is_dir():
                shutil.copytree(root / sub, proj / sub, ignore=ignore)
            (proj / sub).mkdir(parents=True, exist_ok=True)
        (proj / "pyproject.toml").write_text("")
        os.environ.update(env)
        for nb_path in list_notebooks(proj / "notebooks"):
            if only and not nb_path.name.startswith(tuple(only)):
                continue
            print(f"executing {nb_path.name} ...", flush=True)
            try:
                execute_notebook(nb_path, parameters=parameters)
            except NotebookError as err:
                raise NotebookError(f"{err}\n\n{UNCHANGED}") from None
            finally:
                _relay(log)
        return promote_outputs(proj, root)
    except KeyboardInterrupt:
        print(f"\nstopped. {UNCHANGED}", file=sys.stderr, flush=True)
        raise
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
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
