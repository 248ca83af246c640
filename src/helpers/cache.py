"""Memoise expensive, deterministic steps on disk, keyed on everything they depend on.

Analysts rerun every notebook often. The expensive steps (the topic models' k sweep,
building the corpus, tokenising, the salience intervals and the findings' tests,
drawing figures) are pure functions of their inputs, so a rerun with
unchanged inputs loads their results instead of recomputing them. A result is reused only
when *all* of these are unchanged, so a stale result cannot be served:

- the function (module and qualified name) and the content of its arguments;
- the source code of the whole ``helpers`` package and its bundled resources (any edit to
  any helper invalidates every entry);
- the versions of Python and of the numerical and plotting libraries;
- the bytes of the project's hand-made inputs: ``data/raw``, ``data/annotations`` and
  ``data/lexicons`` (helpers read these implicitly, e.g. meeting labels from the manifest).

Entries are data, never code: each is one file under ``<project>/.cache/helpers/`` (or
``$HELPERS_CACHE_DIR``) holding a JSON header and raw byte blobs (arrays in NumPy's ``.npy``
format, read with ``allow_pickle=False``). Only plain values, tuples, lists, dicts, bytes,
NumPy arrays, pandas frames, series and indexes, and the helpers' own dataclasses are stored;
nothing in an entry can run code when it is read, and the entry's key is checked before any
of its values are decoded. A result of another type is recomputed on every call (with a
warning) rather than pickled. A corrupt or unreadable entry is recomputed.

Warnings go to the terminal, never into notebook outputs: to the file named by
``HELPERS_CACHE_LOG`` when it is set (the notebook runner sets it and relays the lines to
its own stderr), else to the ``helpers.cache`` logger. The cache stays bounded: entries of
other code versions are deleted, and beyond :data:`MAX_ENTRIES` entries or
:data:`MAX_BYTES` bytes the least recently used are evicted.

Set ``HELPERS_CACHE=off`` to bypass the cache; clear it with
``python -m helpers.cache clear``. Cached and recomputed runs give byte-identical outputs
(``tests/test_pipeline.py`` checks this on the notebooks).

Arguments are fingerprinted by content (:func:`fingerprint`): pandas objects through
:func:`pandas.util.hash_pandas_object`, arrays and sparse matrices through their bytes.
A type it does not know raises :class:`TypeError` rather than being hashed by identity.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import inspect
import logging
import os
import re
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Callable, TypeVar

import numpy as np
import pandas as pd
from scipy import sparse

from . import config
from .cache_codec import UnsupportedValue, dump_entry, load_entry
from .io import atomic_path

T = TypeVar("T")

#: Libraries whose versions are part of every key.
LIBRARIES = ("numpy", "pandas", "scipy", "scikit-learn", "matplotlib", "nltk", "adjustText",
             "threadpoolctl", "statsmodels")
#: Folders of hand-made inputs whose bytes are part of every key.
INPUT_FOLDERS = ("raw", "annotations", "lexicons")
#: Hits and misses per function in this process (for tests and curious analysts).
STATS: Counter = Counter()
#: Bounds on the cache: least recently used entries beyond these are evicted.
MAX_ENTRIES = 200
MAX_BYTES = 512 * 1024 * 1024
#: File name suffix of an entry.
SUFFIX = ".entry"
LOG = logging.getLogger("helpers.cache")


def enabled() -> bool:
    """False when ``HELPERS_CACHE`` is ``off``, ``0``, ``false`` or ``no``."""
    return os.environ.get("HELPERS_CACHE", "on").strip().lower() not in {"off", "0", "false",
                                                                         "no"}


def cache_dir(root: Path | None = None) -> Path:
    """The cache folder of the project at ``root`` (default: the current project, or
    ``$HELPERS_CACHE_DIR`` when set and no ``root`` is given)."""
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


# --------------------------------------------------------------------------- fingerprints

def _feed(h, obj: Any) -> None:
    """Feed a type-tagged, content-based encoding of ``obj`` into the hash ``h``."""
    if obj is None or isinstance(obj, (bool, int, float, complex, str)):
        h.update(f"{type(obj).__name__}:{obj!r};".encode())
    elif isinstance(obj, bytes):
        h.update(b"bytes:%d;" % len(obj))
        h.update(obj)
    elif isinstance(obj, Path):
        h.update(f"path:{obj.as_posix()};".encode())
    elif isinstance(obj, re.Pattern):
        h.update(f"regex:{obj.flags}:".encode())
        _feed(h, obj.pattern)
    elif isinstance(obj, np.generic):
        _feed(h, obj.item())
    elif isinstance(obj, np.ndarray):
        h.update(f"ndarray:{obj.dtype.str}:{obj.shape};".encode())
        if obj.dtype.kind == "O":
            for value in obj.ravel():
                _feed(h, value)
        else:
            h.update(np.ascontiguousarray(obj).tobytes())
    elif sparse.issparse(obj):
        m = sparse.csr_matrix(obj, copy=True)
        m.sort_indices()
        h.update(f"sparse:{m.dtype.str}:{m.shape};".encode())
        for part in (m.data, m.indices, m.indptr):
            _feed(h, part)
    elif isinstance(obj, pd.DataFrame):
        h.update(b"frame;")
        _feed(h, obj.index)
        for name in obj.columns:
            _feed(h, name)
            _feed(h, obj[name])
    elif isinstance(obj, pd.Series):
        h.update(f"series:{obj.dtype};".encode())
        _feed(h, obj.name)
        _feed(h, obj.index)
        _feed_values(h, obj)
    elif isinstance(obj, pd.Index):
        h.update(f"index:{type(obj).__name__}:{obj.dtype}:{obj.names};".encode())
        _feed_values(h, obj.to_series(index=range(len(obj))))
    elif isinstance(obj, (list, tuple, range)):
        h.update(f"{type(obj).__name__}:{len(obj)};".encode())
        for value in obj:
            _feed(h, value)
    elif isinstance(obj, dict):
        items = sorted((fingerprint(k), k, v) for k, v in obj.items())
        h.update(b"dict:%d;" % len(items))
        for key_fp, _, value in items:
            h.update(key_fp.encode())
            _feed(h, value)
    elif isinstance(obj, (set, frozenset)):
        h.update(b"set:%d;" % len(obj))
        for value_fp in sorted(fingerprint(v) for v in obj):
            h.update(value_fp.encode())
    elif hasattr(obj, "__dataclass_fields__"):
        h.update(f"dataclass:{type(obj).__module__}.{type(obj).__qualname__};".encode())
        for name in obj.__dataclass_fields__:
            _feed(h, name)
            _feed(h, getattr(obj, name))
    elif callable(obj) and getattr(obj, "__module__", "").startswith("helpers"):
        # Helpers' code is part of every key, so the name identifies the function.
        h.update(f"function:{obj.__module__}.{obj.__qualname__};".encode())
    else:
        raise TypeError(f"cannot fingerprint a {type(obj).__module__}.{type(obj).__qualname__}; "
                        "pass data (frames, arrays, numbers, strings) to cached functions")


def _feed_values(h, values: pd.Series) -> None:
    """Hash a column's values; pandas' row hash only where it cannot conflate values."""
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) not in {
            "string", "empty"}:
        # mixed or unhashable cells (lists, numbers among strings): pandas would hash their
        # str(), so 1 and "1" would collide; encode each cell with its type instead
        for value in values:
            _feed(h, value)
    else:
        h.update(pd.util.hash_pandas_object(values, index=False, categorize=False)
                 .to_numpy().tobytes())


def fingerprint(obj: Any) -> str:
    """Return a hex SHA-256 of ``obj``'s content (the same across processes and machines)."""
    h = hashlib.sha256()
    _feed(h, obj)
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _library_versions() -> tuple[tuple[str, str], ...]:
    from importlib.metadata import PackageNotFoundError, version

    out = [("python", sys.version)]
    for name in LIBRARIES:
        try:
            out.append((name, version(name)))
        except PackageNotFoundError:
            out.append((name, "absent"))
    return tuple(out)


def _hash_files(h, folder: Path, base: Path) -> None:
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(base).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())


def code_fingerprint() -> str:
    """SHA-256 of the helpers package's source and resources, plus library versions."""
    package = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(path.relative_to(package).as_posix().encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    _feed(h, _library_versions())
    return h.hexdigest()


def inputs_fingerprint(root: Path | None = None) -> str:
    """SHA-256 of the bytes of the project's hand-made inputs (raw, annotations, lexicons)."""
    p = config.paths(root)
    h = hashlib.sha256()
    for folder in INPUT_FOLDERS:
        _hash_files(h, p[folder], p["root"])
    return h.hexdigest()


# --------------------------------------------------------------------------- the cache

def cached(namespace: str, key_parts: Any, compute: Callable[[], T],
           root: Path | None = None) -> T:
    """Return ``compute()``, from the cache when ``namespace`` and ``key_parts`` match.

    ``key_parts`` must hold every argument ``compute`` depends on; the helpers' code,
    library versions and the project's hand-made inputs are added here.
    """
    if not enabled():
        return compute()
    code = code_fingerprint()
    key = fingerprint((namespace, key_parts, inputs_fingerprint(root)))
    base = cache_dir(root)
    folder = base / code[:16] / namespace
    path = folder / f"{key[:32]}{SUFFIX}"
    if path.exists():
        try:
            ok, value = load_entry(path, key)
            if ok:
                STATS[f"{namespace}:hit"] += 1
                _touch(path)
                return value
        except Exception as err:  # noqa: BLE001 - any unreadable entry is recomputed
            warn(f"entry {namespace}/{path.name} unreadable ({type(err).__name__}: {err}); "
                 "recomputing")
    value = compute()
    _prune_other_versions(base, keep=code[:16])
    try:
        with atomic_path(path) as tmp:  # streamed: no second in-memory copy of the header
            with open(tmp, "wb") as fh:
                dump_entry(fh, key, value)
    except UnsupportedValue as err:
        warn(f"{namespace}: result not cached, its type is not plain data ({err})")
        STATS[f"{namespace}:uncacheable"] += 1
        return value
    STATS[f"{namespace}:miss"] += 1
    evict(base)
    return value


def _touch(path: Path) -> None:
    try:
        os.utime(path, None)
    except OSError:
        pass


def _entries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(f"*{SUFFIX}") if p.is_file()] if folder.is_dir() else []


def evict(folder: Path, max_entries: int | None = None, max_bytes: int | None = None) -> int:
    """Delete least recently used entries beyond the bounds; return how many went."""
    max_entries = MAX_ENTRIES if max_entries is None else max_entries
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    stats = []
    for p in _entries(folder):
        try:
            st = p.stat()
        except OSError:
            continue
        stats.append((st.st_mtime, st.st_size, p))
    stats.sort(reverse=True)  # newest first
    total, removed = 0, 0
    for k, (_, size, p) in enumerate(stats):
        total += size
        if k >= max_entries or total > max_bytes:
            p.unlink(missing_ok=True)
            removed += 1
    return removed


def _prune_other_versions(folder: Path, keep: str) -> None:
    """Delete entries written by other versions of the helpers' code (never reusable)."""
    if folder.is_dir():
        for child in folder.iterdir():
            if child.is_dir() and child.name != keep:
                shutil.rmtree(child, ignore_errors=True)
            elif child.is_file() and child.suffix in {".pkl", ".tmp"}:
                child.unlink(missing_ok=True)


def memoize(func: Callable[..., T]) -> Callable[..., T]:
    """Decorator: cache ``func``'s result on disk, keyed on its arguments' content.

    Only for deterministic functions whose result depends on nothing but their arguments,
    the helpers' code and the project's hand-made inputs. A ``root`` argument, if the
    function has one, selects the project whose inputs and cache are used.
    """
    signature = inspect.signature(func)
    namespace = f"{func.__module__.removeprefix('helpers.')}.{func.__qualname__}"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        root = bound.arguments.get("root")
        return cached(namespace, dict(bound.arguments), lambda: func(*args, **kwargs),
                      root=root)

    wrapper.uncached = func  # type: ignore[attr-defined]
    return wrapper


def clear(root: Path | None = None) -> int:
    """Delete the project's cache; return the number of entries removed."""
    folder = cache_dir(root)
    n = len(_entries(folder))
    shutil.rmtree(folder, ignore_errors=True)
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.cache", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("clear", help="delete every cached result of this project")
    sub.add_parser("info", help="print the cache's location, entries and size")
    args = parser.parse_args(argv)
    if args.cmd == "clear":
        print(f"removed {clear()} cached results from {cache_dir()}")
    else:
        files = _entries(cache_dir())
        size = sum(f.stat().st_size for f in files)
        print(f"{cache_dir()}: {len(files)} entries, {size / 1e6:.1f} MB; "
              f"{'enabled' if enabled() else 'disabled by HELPERS_CACHE'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
