"""Project paths (found from this file, so notebooks run from any working directory, or
from ``$HELPERS_PROJECT_ROOT``: the tests and the staged runs use a copy), the speaker ids,
and the workers of parallel steps."""

from __future__ import annotations

import functools
import os
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
    """``[fn(x) for x in items]`` over ``n`` threads (default :func:`workers`), in order;
    only for functions whose result depends on their item alone."""
    return _map(fn, items, n, "threading")


def map_processes(fn, items: list, n: int | None = None) -> list:
    """:func:`map_threads` over worker processes, for pure-Python work that threads cannot
    speed up; ``fn`` must be a module-level function. Workers are joblib's ``loky``
    processes (fresh interpreters: no ``__main__`` guard needed, no kernel forked)."""
    return _map(fn, items, n, "loky")


def _map(fn, items: list, n: int | None, backend: str) -> list:
    n = workers() if n is None else n
    if n < 2 or len(items) < 2:  # no pool for one worker or one item
        return [fn(x) for x in items]
    return Parallel(n_jobs=min(n, len(items)), backend=backend, max_nbytes=None)(
        delayed(fn)(x) for x in items)


def project_root() -> Path:
    """``$HELPERS_PROJECT_ROOT``, else the folder above this package that holds
    ``pyproject.toml`` and ``data/``, else (an installed copy) the working directory.
    Read at each call, so that tests can redirect it."""
    return _find_root(os.environ.get("HELPERS_PROJECT_ROOT") or "", os.getcwd())


@functools.lru_cache(maxsize=64)
def _find_root(env: str, cwd: str) -> Path:
    if env:
        return Path(env).resolve()
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").exists() and (parent / "data").is_dir():
            return parent
    return Path(cwd).resolve()


def paths(root: Path | None = None) -> dict[str, Path]:
    """The project's standard folders, keyed by role."""
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

