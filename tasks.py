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
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
LOCK = ROOT / "requirements.lock"
STAMP = VENV / ".installed-lock-sha256"


def sh(*args: str | os.PathLike, **kw) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kw)


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
    sh(PY, "-m", "workflow.bench", *extra)


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
    try:
        {"reproduce": lambda: reproduce(), "test": lambda: test(extra),
         "bench": lambda: bench(extra), "lab": lambda: lab(extra), "lock": lambda: lock()}[cmd]()
    except subprocess.CalledProcessError as err:
        print(f"\n{cmd} failed (exit {err.returncode}): {' '.join(map(str, err.cmd))}",
              file=sys.stderr)
        return err.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
