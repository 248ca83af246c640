"""Execute the numbered notebooks in order, each in a fresh ``python3`` kernel.

``python -m workflow.notebooks run`` executes every notebook in place. A notebook is
rewritten only when all its cells succeed, so a failing cell leaves the committed notebook
untouched and stops the run with the notebook's name and the cell's error. No per-cell
timeout is set and no timing metadata is recorded: two runs give byte-identical notebooks.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from helpers import config
from helpers.io import write_text_atomic

NOTEBOOK_NAME = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.ipynb$")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


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


def execute_notebook(path: Path, out_path: Path | None = None) -> nbformat.NotebookNode:
    """Execute one notebook in a fresh kernel, working directory = its folder.

    Writes the executed notebook atomically to ``out_path`` (default: in place) only if
    every cell succeeds; otherwise raises :class:`NotebookError`.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    client = NotebookClient(nb, timeout=None, kernel_name="python3", record_timing=False,
                            allow_errors=False,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as err:
        raise NotebookError(f"{path.name} failed:\n{err}") from None
    for cell in nb.cells:  # keep the saved file free of per-run state
        cell.get("metadata", {}).pop("execution", None)
    write_text_atomic(out_path or path, nbformat.writes(nb) + "\n")
    return nb


def run_all(folder: Path | None = None, only: list[str] | None = None) -> list[Path]:
    """Execute every numbered notebook (or those whose names start with ``only``) in order."""
    done = []
    for nb_path in list_notebooks(folder):
        if only and not any(nb_path.name.startswith(o) for o in only):
            continue
        print(f"executing {nb_path.name} ...", flush=True)
        execute_notebook(nb_path)
        done.append(nb_path)
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workflow.notebooks", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="execute the notebooks in place, in order")
    run.add_argument("only", nargs="*", help="notebook name prefixes, e.g. 01 02")
    args = parser.parse_args(argv)
    try:
        run_all(only=args.only or None)
    except NotebookError as err:
        print(f"\nERROR: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
