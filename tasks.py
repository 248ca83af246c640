#!/usr/bin/env python3
"""Set up, rerun and test the project with nothing but Python 3.11 and pip.

    python3 tasks.py reproduce   # venv + install, run every notebook, render HTML
    python3 tasks.py test        # venv + install, run the whole test suite
    python3 tasks.py bench       # benchmark: rerun vs its floor, helper scaling
    python3 tasks.py lab         # open JupyterLab from the project's environment
    python3 tasks.py lock        # re-pin requirements.lock and environment.yml

Uses only the standard library, so it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".installed-lock-sha256"


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if tasks.py dies, even by SIGKILL (Linux)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _stop_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop a child and everything it started (its process group)."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _on_signal(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt(f"signal {signum}")


def sh(*args: str | os.PathLike, **kw) -> None:
    """Run a command in its own process group; stopping tasks.py stops the whole group."""
    print("+", " ".join(str(a) for a in args), flush=True)
    cmd = [str(a) for a in args]
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, preexec_fn=preexec, **kw)
    try:
        code = proc.wait()
    except BaseException:
        _stop_group(proc)
        raise
    if code:
        raise subprocess.CalledProcessError(code if code > 0 else 128 - code, cmd)


def ensure_env() -> None:
    """Create .venv if missing and install the lock plus the package (only when changed)."""
    if sys.version_info[:2] != (3, 11):
        print(f"warning: the lock was made for Python 3.11, this is {sys.version.split()[0]}",
              file=sys.stderr)
    if not PY.exists():
        print(f"creating virtual environment in {VENV.name}/", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    want = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == want:
        return
    sh(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", LOCK)
    sh(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
       "-e", ".")
    STAMP.write_text(want + "\n")


def reproduce() -> None:
    ensure_env()
    sh(PY, "-m", "workflow.notebooks", "run")
    sh(PY, "-m", "workflow.render")
    sh(PY, "-m", "workflow.readme")


def test(extra: list[str]) -> None:
    ensure_env()
    sh(PY, "-m", "workflow.browser", "ensure")
    sh(PY, "-m", "pytest", *extra)


def bench(extra: list[str]) -> None:
    ensure_env()
    sh(PY, ROOT / "benchmarks" / "bench.py", *extra)


def lab(extra: list[str]) -> None:
    """Start JupyterLab on notebooks/; extra arguments go to ``jupyter lab`` (e.g.
    ``--port 8890 --no-browser``; as root in a container add ``--allow-root``, and
    ``--ip 0.0.0.0`` to reach it from outside)."""
    ensure_env()
    sh(PY, "-m", "jupyter", "lab", "--notebook-dir", ROOT / "notebooks", *extra)


def lock() -> None:
    ensure_env()
    sh(PY, "-m", "pip", "install", "--quiet", "uv")
    sh(VENV / "bin" / "uv", "pip", "compile", "pyproject.toml", "--extra", "test",
       "--python-version", "3.11", "--no-header", "--no-annotate", "--quiet", "-o", LOCK)
    sh(PY, "-m", "workflow.environment", "write")


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"reproduce", "test", "bench", "lab", "lock"}:
        print(__doc__)
        return 2
    cmd, extra = sys.argv[1], sys.argv[2:]
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    try:
        {"reproduce": lambda: reproduce(), "test": lambda: test(extra),
         "bench": lambda: bench(extra), "lab": lambda: lab(extra), "lock": lambda: lock()}[cmd]()
    except subprocess.CalledProcessError as err:
        print(f"\n{cmd} failed (exit {err.returncode}): {' '.join(map(str, err.cmd))}",
              file=sys.stderr)
        return err.returncode or 1
    except KeyboardInterrupt:
        print(f"\n{cmd} stopped; the run's processes were stopped too", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
