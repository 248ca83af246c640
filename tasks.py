#!/usr/bin/env python3
"""Set up, rerun and test the project with nothing but Python 3.11 and pip.

    python3 tasks.py reproduce   # venv + install, check the inputs, run every notebook, render HTML
    python3 tasks.py test        # venv + install, run the whole test suite
    python3 tasks.py check       # check every input (all problems at once), run nothing
    python3 tasks.py bench       # benchmark: rerun vs its floor, helper scaling
    python3 tasks.py lab         # open JupyterLab from the project's environment
    python3 tasks.py lock        # re-pin requirements.lock and environment.yml

`python3 tasks.py COMMAND --help` describes one command. Uses only the standard library,
so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import ctypes
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
#: The installer (a tool, not a dependency of the project): pinned here.
UV = "uv==0.13.10"
#: Part of the install stamp: a change here reinstalls an existing .venv once.
INSTALL_RECIPE = f"{UV}; bytecode compiled"


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if tasks.py dies, even by SIGKILL (Linux)."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except AttributeError:  # not Linux (macOS has no prctl): the signal handlers remain
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
    want = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()
                          + INSTALL_RECIPE.encode()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == want:
        return
    # uv installs the same pins as pip, several times faster (about 15 s instead of 2 min)
    sh(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", UV)
    # the lock is complete (and leaves out what pyproject.toml's [tool.uv] overrides)
    sh(VENV / "bin" / "uv", "pip", "install", "--quiet", "--python", PY, "--no-deps", "-r", LOCK)
    sh(VENV / "bin" / "uv", "pip", "install", "--quiet", "--python", PY, "--no-deps", "-e", ".")
    # uv writes no bytecode; without it (and with PYTHONDONTWRITEBYTECODE set) every process
    # of a run would compile pandas, sklearn and matplotlib again: 40 s more per rerun
    site = next((VENV / "lib").glob("python3*/site-packages"))
    sh(PY, "-m", "compileall", "-q", "-j", "0", site, stdout=subprocess.DEVNULL)
    STAMP.write_text(want + "\n")


#: The steps of `reproduce`, also run by the tests (render writes the README's generated
#: parts first).
REPRODUCE = (("-m", "workflow.check"), ("-m", "workflow.notebooks", "run"),
             ("-m", "workflow.render"))


def reproduce(extra: list[str]) -> None:
    """Run every notebook in order (all or nothing), then write the HTML pages and the
    README's generated parts. Extra arguments go to the runner: notebook prefixes and
    parameter values, e.g. `reproduce 04 --set N_BOOT=500`. The inputs are checked first
    (the `check` command)."""
    ensure_env()
    for step in REPRODUCE:
        sh(PY, *step, *(extra if step[1] == "workflow.notebooks" else ()))


def check(extra: list[str]) -> None:  # noqa: ARG001
    """Check every input (manifest, raw files and checksums, speaker labels, anchors,
    lexicon, coding guide, hand codes) in seconds, listing all problems at once; warn of a
    lexicon pattern or issue that codes far more than the hand coding supports."""
    ensure_env()
    sh(PY, "-m", "workflow.check")


def test(extra: list[str]) -> None:
    """Run the whole test suite (notebooks end to end and the browser check included).
    Extra arguments go to pytest, e.g. `test tests/test_render.py -x`."""
    ensure_env()
    sh(PY, ROOT / "tests" / "browser_check.py", "ensure")
    sh(PY, "-m", "pytest", *extra)


def bench(extra: list[str]) -> None:
    """Benchmark: the notebooks' rerun against its floor, the inference steps, and the
    helper chain at 1x-1000x the corpus (benchmarks/bench.py; figures in
    docs/performance.md). Extra arguments go to it, e.g. `bench --sizes 1 10`."""
    ensure_env()
    sh(PY, ROOT / "benchmarks" / "bench.py", *extra)


def lab(extra: list[str]) -> None:
    """Start JupyterLab on notebooks/ from the project's environment. Extra arguments go to
    `jupyter lab`, e.g. `--port 8890 --no-browser`; as root in a container add
    `--allow-root`, and `--ip 0.0.0.0` to reach it from outside (docs/development.md)."""
    ensure_env()
    sh(PY, "-m", "jupyter", "lab", "--notebook-dir", ROOT / "notebooks", *extra)


def lock(extra: list[str]) -> None:
    """Re-pin requirements.lock from pyproject.toml (uv) and regenerate environment.yml."""
    ensure_env()
    sh(VENV / "bin" / "uv", "pip", "compile", "pyproject.toml", "--extra", "test",
       "--python-version", "3.11", "--no-header", "--no-annotate", "--quiet", "-o", LOCK)
    (ROOT / "environment.yml").write_text(environment_yml())


def environment_yml() -> str:
    """The text of environment.yml (for conda users): the lock's pins, installed by pip."""
    pins = [line.strip() for line in LOCK.read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    return ("# Generated from requirements.lock by `python3 tasks.py lock`.\n"
            "# Do not edit by hand: change pyproject.toml and run `python3 tasks.py lock`.\n"
            "name: pompeo-lavrov-2019\nchannels:\n  - conda-forge\ndependencies:\n"
            "  - python=3.11\n  - pip\n  - pip:\n"
            + "".join(f"      - {pin}\n" for pin in pins) + "      - -e .\n")


COMMANDS = {"reproduce": reproduce, "test": test, "check": check, "bench": bench, "lab": lab,
            "lock": lock}
STOPPED = ("Nothing was changed: outputs are replaced only when every notebook succeeded, "
           "and the run's processes were stopped too.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 tasks.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", metavar="COMMAND")
    for name, fn in COMMANDS.items():
        sub.add_parser(name, help=fn.__doc__.split(". ")[0], description=fn.__doc__)
    args, extra = parser.parse_known_args(argv)
    if args.cmd is None:
        parser.print_help()
        return 2
    try:
        COMMANDS[args.cmd](extra)
    except subprocess.CalledProcessError as err:
        if err.returncode > 128:  # killed by a signal
            print(f"\n{args.cmd} stopped: a process of the run was killed (signal "
                  f"{err.returncode - 128}). " + (STOPPED if args.cmd == "reproduce" else ""),
                  file=sys.stderr)
        else:
            print(f"\n{args.cmd} failed (exit {err.returncode}): {' '.join(map(str, err.cmd))}",
                  file=sys.stderr)
        return err.returncode or 1
    except KeyboardInterrupt:
        print(f"\n{args.cmd} stopped. " + (STOPPED if args.cmd == "reproduce" else
                                           "The run's processes were stopped too."),
              file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    for _sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(_sig, _on_signal)
    sys.exit(main())
