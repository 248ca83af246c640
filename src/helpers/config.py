"""Project paths and fixed constants.

Paths are found from this file, never hard-coded, so notebooks run from any working
directory. Set ``HELPERS_PROJECT_ROOT`` to point the helpers at another copy of the
project (the staleness check and the tests run the notebooks inside a temporary copy).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from joblib import Parallel, delayed

from .parameters import PRINCIPALS, SEED  # noqa: F401 - read as config.SEED elsewhere

#: ``other``: anyone a news report quotes who is none of the above (an institution, a
#: spokesperson, an unnamed official), kept apart from the principals.
SPEAKERS = ("pompeo", "lavrov", "putin", "moderator", "journalist", "narrator", "other")


def workers() -> int:
    """Workers (threads or processes) for parallel steps: ``HELPERS_WORKERS``, else the
    machine's cores (at most 8)."""
    env = os.environ.get("HELPERS_WORKERS", "").strip()
    if env:
        if not env.isdigit() or int(env) < 1:
            raise ValueError(f"HELPERS_WORKERS must be a whole number >= 1, got {env!r}")
        return int(env)
    return max(1, min(8, os.cpu_count() or 1))


def map_threads(fn, items: list, n: int | None = None) -> list:
    """``[fn(x) for x in items]``, spread over ``n`` threads (default :func:`workers`).

    Only for functions whose result depends on their item alone; the order is kept. A
    single item runs in the calling thread.
    """
    n = workers() if n is None else n
    if n < 2 or len(items) < 2:
        return [fn(x) for x in items]

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(fn, items))


def map_processes(fn, items: list, n: int | None = None) -> list:
    """``[fn(x) for x in items]``, spread over ``n`` worker processes (default :func:`workers`).

    For pure-Python work that threads cannot speed up. ``fn`` must be a module-level function
    whose result depends on its item alone; the order is kept. Workers are joblib's ``loky``
    processes: fresh interpreters that import ``fn``'s module, so a script that calls this
    needs no ``if __name__ == "__main__"`` guard, and a notebook kernel is never forked.
    With one worker or one item, runs in this process.
    """
    n = workers() if n is None else n
    if n < 2 or len(items) < 2:
        return [fn(x) for x in items]

    return Parallel(n_jobs=min(n, len(items)), backend="loky", max_nbytes=None)(
        delayed(fn)(x) for x in items)


def _find_root() -> Path:
    env = os.environ.get("HELPERS_PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").exists() and (parent / "data").is_dir():
            return parent
    # An installed (non-editable) copy: fall back to the working directory.
    return Path.cwd().resolve()


def project_root() -> Path:
    """Return the project root (re-read each call so tests can redirect it)."""
    return _find_root()


def paths(root: Path | None = None) -> dict[str, Path]:
    """Return the project's standard folders, keyed by role."""
    root = Path(root) if root is not None else project_root()
    return {
        "root": root,
        "raw": root / "data" / "raw",
        "annotations": root / "data" / "annotations",
        "lexicons": root / "data" / "lexicons",
        "processed": root / "data" / "processed",
        "notebooks": root / "notebooks",
        "reports": root / "reports",
        "figures": root / "reports" / "figures",
        "html": root / "reports" / "html",
    }

