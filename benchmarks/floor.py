"""The notebook rerun against its floor (part 1 of the benchmark, ``bench.py``).

Executes every notebook in a temporary copy of the project, first with an empty cache (as on
a fresh clone) and then as an analyst's rerun (cache warm), and the same number of "floor"
notebooks that start a kernel and import exactly the modules the real notebook imported
during the rerun, and nothing else. Reruns and floors alternate; the fastest of each is kept.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from unittest import mock

import nbformat
from dateutil.parser import isoparse
from nbclient import NotebookClient

from helpers import config
from workflow.notebooks import execute_notebook, list_notebooks

#: Appended to each timed notebook: record every module the notebook imported.
_RECORD_MODULES = ("import sys as _sys, pathlib as _pl\n"
                   "_pl.Path({path!r}).write_text('\\n'.join(sorted(_sys.modules)))")
#: The floor notebook: import those modules (the stack, as the notebook uses it), nothing else.
_FLOOR = ("import importlib\n"
          "for _name in {modules!r}:\n"
          "    try:\n"
          "        importlib.import_module(_name)\n"
          "    except Exception:\n"
          "        pass")


def _time_notebooks(paths: list[Path], scratch: Path) -> float:
    t = time.perf_counter()
    for path in paths:
        execute_notebook(path, out_path=scratch / path.name)
    return time.perf_counter() - t


def _time_notebooks_by_cell(paths: list[Path]) -> tuple[float, list[dict]]:
    """Execute the notebooks as :func:`_time_notebooks` does, recording each cell's time.

    Returns (total seconds, one row per code cell: notebook, cell number, first line,
    seconds from the kernel's execute-input to its reply).
    """
    cells = []
    t = time.perf_counter()
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=None, kernel_name="python3", record_timing=True,
                       allow_errors=False,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        for i, cell in enumerate(nb.cells):
            ex = cell.get("metadata", {}).get("execution", {})
            if cell.cell_type != "code" or "shell.execute_reply" not in ex:
                continue
            secs = (isoparse(ex["shell.execute_reply"])
                    - isoparse(ex["iopub.execute_input"])).total_seconds()
            first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
            cells.append({"notebook": path.stem, "cell": i, "first_line": first[:60],
                          "seconds": round(secs, 2)})
    return time.perf_counter() - t, cells


def _files(folder: Path) -> int:
    """Files in the cache folder (its entries, whatever their format)."""
    return sum(1 for p in folder.rglob("*") if p.is_file())


def measure_rerun(repeats: int = 2) -> dict:
    """Time the notebooks' first run (empty cache), their rerun (warm cache), and the floor.

    Runs in a temporary copy of the project. Each notebook gets a last cell that records
    the modules it imported. The floor notebooks import exactly the modules the *rerun*
    imported, in a fresh kernel, and do nothing else. The rerun and the floor are timed
    ``repeats`` times, alternating, and the fastest time of each is kept.
    """
    root = config.project_root()
    notebooks = list_notebooks(root / "notebooks")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for sub in ("data", "notebooks"):
            shutil.copytree(root / sub, tmp / sub)
        (tmp / "reports" / "figures").mkdir(parents=True)
        (tmp / "pyproject.toml").write_text("")
        scratch, floor_dir, run_dir = tmp / "scratch", tmp / "floor", tmp / "run"
        for d in (scratch, floor_dir, run_dir):
            d.mkdir()
        runs = []
        for nb_path in notebooks:  # the notebook, plus a last cell recording its imports
            nb = nbformat.read(tmp / "notebooks" / nb_path.name, as_version=4)
            nb.cells.append(nbformat.v4.new_code_cell(
                _RECORD_MODULES.format(path=str(tmp / f"{nb_path.stem}.modules"))))
            nbformat.write(nb, run_dir / nb_path.name)
            runs.append(run_dir / nb_path.name)
        floors = [floor_dir / nb_path.name for nb_path in notebooks]
        cache = tmp / ".cache" / "helpers"
        with mock.patch.dict(os.environ, HELPERS_PROJECT_ROOT=str(tmp),
                             HELPERS_CACHE_DIR=str(cache)):
            cold, cold_cells = _time_notebooks_by_cell(runs)
            entries = _files(cache)
            rerun_times, floor_times, rerun_cells = [], [], []
            for i in range(repeats):
                seconds, cells = _time_notebooks_by_cell(runs)
                rerun_times.append(seconds)
                rerun_cells.append(cells)
                if i == 0:
                    for run, floor_path in zip(runs, floors):
                        modules = (tmp / f"{run.stem}.modules").read_text().split()
                        floor = nbformat.v4.new_notebook()
                        floor.cells = [nbformat.v4.new_code_cell(_FLOOR.format(modules=modules))]
                        nbformat.write(floor, floor_path)
                floor_times.append(_time_notebooks(floors, scratch))
            recomputed = _files(cache) - entries
    rerun, floor_s = min(rerun_times), min(floor_times)
    return {"notebooks": len(notebooks), "cold_s": round(cold, 2), "rerun_s": round(rerun, 2),
            "floor_s": round(floor_s, 2), "ratio": round(rerun / floor_s, 2),
            "cold_ratio": round(cold / floor_s, 2), "cache_entries": entries,
            "recomputed_on_rerun": recomputed,
            "slowest_cold_cells": sorted(cold_cells, key=lambda c: -c["seconds"])[:8],
            "slowest_rerun_cells": sorted(rerun_cells[rerun_times.index(min(rerun_times))],
                                          key=lambda c: -c["seconds"])[:8],
            "rerun_times": [round(t, 2) for t in rerun_times],
            "floor_times": [round(t, 2) for t in floor_times]}
