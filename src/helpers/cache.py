"""Keep the results of the few slow steps on disk (:class:`joblib.Memory`).

A result is reused only while the function and its arguments, every byte of the ``helpers``
source (a change in a callee counts), the versions of Python and of :data:`LIBRARIES`, and
the project's hand-made inputs (:data:`INPUT_FOLDERS`) are unchanged; the last three name
the subfolder of ``<project>/.cache/helpers/`` (or ``$HELPERS_CACHE_DIR``), and the folders
of other versions are deleted. The folder is the user's own and git-ignored, as trusted as
the code beside it: its entries are pickles, so copy none in from elsewhere. An entry that
cannot be read is recomputed with a warning on the terminal (the file named by
``HELPERS_CACHE_LOG``, which the notebook runner relays, else the ``helpers.cache``
logger), never in a notebook's outputs. ``HELPERS_CACHE=off`` bypasses the cache;
``python -m helpers.cache clear`` deletes it.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import os
import shutil
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import joblib

from . import config

LIBRARIES = ("joblib", "numpy", "pandas", "scipy", "scikit-learn", "nltk", "threadpoolctl",
             "statsmodels", "matplotlib", "adjustText", "pillow", "fonttools")
INPUT_FOLDERS = ("raw", "annotations", "lexicons")
#: The name of the file that holds one cached result.
SUFFIX = "output.pkl"
PACKAGE = Path(__file__).resolve().parent
LOG = logging.getLogger("helpers.cache")


def enabled() -> bool:
    return os.environ.get("HELPERS_CACHE", "on").strip().lower() not in {"off", "0", "false",
                                                                         "no"}


def cache_dir(root: Path | None = None) -> Path:
    """The cache folder of the project at ``root`` (default: ``$HELPERS_CACHE_DIR`` if set,
    else the current project's)."""
    env = os.environ.get("HELPERS_CACHE_DIR")
    if env and root is None:
        return Path(env)
    return config.paths(root)["root"] / ".cache" / "helpers"


def warn(message: str) -> None:
    """Report a cache problem on the terminal, never in a notebook's outputs."""
    log = os.environ.get("HELPERS_CACHE_LOG")
    if log:
        try:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(f"helpers.cache: {message}\n")
            return
        except OSError:
            pass
    LOG.warning(message)


def _hash_files(h, folder: Path) -> None:
    for path in sorted(p for p in folder.rglob("*") if p.is_file()
                       and "__pycache__" not in p.parts):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())


def version_key(root: Path | None = None) -> str:
    """A digest of the helpers' source, the library versions and the project's inputs."""
    h = hashlib.sha256(sys.version.encode())
    for name in LIBRARIES:
        try:
            h.update(f"{name}={version(name)};".encode())
        except PackageNotFoundError:
            h.update(f"{name} absent;".encode())
    _hash_files(h, PACKAGE)
    folders = config.paths(root)
    for folder in INPUT_FOLDERS:
        h.update(folder.encode() + b"\0")
        if folders[folder].is_dir():
            _hash_files(h, folders[folder])
    return h.hexdigest()[:16]


def memory(root: Path | None = None) -> joblib.Memory:
    """The :class:`joblib.Memory` of the current code and inputs; deletes other versions'."""
    base = cache_dir(root)
    key = version_key(root)
    if base.is_dir():
        for child in base.iterdir():
            if child.name != key:
                shutil.rmtree(child, ignore_errors=True) if child.is_dir() else child.unlink()
    return joblib.Memory(base / key, compress=("zlib", 3), verbose=0)


def memoize(func):
    """Decorator: cache ``func``'s result on disk (see the module's docstring).

    Only for deterministic functions whose result depends on nothing but their arguments,
    the helpers' code and the project's hand-made inputs. A ``root`` argument, if the
    function has one, selects the project whose inputs and cache are used.
    """
    signature = inspect.signature(func)
    name = f"{func.__module__.removeprefix('helpers.')}.{func.__qualname__}"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        if not enabled():
            return func(*args, **kwargs)
        cached = memory(signature.bind(*args, **kwargs).arguments.get("root")).cache(func)
        try:
            if cached.check_call_in_cache(*args, **kwargs):
                return cached.call_and_shelve(*args, **kwargs).get()
        except Exception as err:  # noqa: BLE001 - a damaged entry is recomputed, not fatal
            warn(f"{name}: a cached result could not be read ({type(err).__name__}: "
                 f"{err}); recomputing it")
            return cached.call(*args, **kwargs)[0]
        return cached(*args, **kwargs)

    wrapper.uncached = func
    return wrapper


def clear(root: Path | None = None) -> None:
    shutil.rmtree(cache_dir(root), ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:] != ["clear"]:
        sys.exit("usage: python -m helpers.cache clear")
    clear()
    print(f"removed {cache_dir()}")
