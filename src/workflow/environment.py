"""Keep ``environment.yml`` (for conda users) in step with ``requirements.lock``.

``pyproject.toml`` states the dependencies; ``requirements.lock`` pins every package
exactly; ``environment.yml`` is generated from the lock: ``python -m workflow.environment
write``. ``python -m workflow.environment check`` exits non-zero if they disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from helpers import config
from helpers.io import write_text_atomic

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;]+)(\s*;.*)?$")
ENV_NAME = "pompeo-lavrov-2019"


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock_pins(path: Path) -> dict[str, str]:
    """Return ``{normalised name: version}`` from a pip requirements lock file."""
    pins = {}
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = PIN.match(line)
        if not m:
            raise ValueError(f"{Path(path).name}, line {n}: not an exact pin: {line!r}")
        pins[_norm(m.group(1))] = m.group(3)
    return pins


def read_environment_pins(path: Path) -> tuple[str | None, dict[str, str], list[str]]:
    """Return (python pin, pip pins, other pip lines) from ``environment.yml``."""
    env = yaml.safe_load(Path(path).read_text())
    python = None
    pip_lines: list[str] = []
    for dep in env.get("dependencies", []):
        if isinstance(dep, str) and dep.startswith("python"):
            python = dep
        elif isinstance(dep, dict) and "pip" in dep:
            pip_lines = list(dep["pip"])
    pins, other = {}, []
    for line in pip_lines:
        m = PIN.match(line.strip())
        if m:
            pins[_norm(m.group(1))] = m.group(3)
        else:
            other.append(line.strip())
    return python, pins, other


def render_environment(pins: dict[str, str]) -> str:
    """Return the text of ``environment.yml`` for the given pins."""
    lines = [
        "# Generated from requirements.lock by `python -m workflow.environment write`.",
        "# Do not edit by hand: change pyproject.toml and run `python3 tasks.py lock`.",
        f"name: {ENV_NAME}",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {name}=={version}" for name, version in sorted(pins.items())]
    lines.append("      - -e .")
    return "\n".join(lines) + "\n"


def diff_environment(root: Path | None = None) -> list[str]:
    """Return human-readable disagreements between the lock and ``environment.yml``."""
    root = Path(root) if root is not None else config.project_root()
    lock = read_lock_pins(root / "requirements.lock")
    python, env, other = read_environment_pins(root / "environment.yml")
    problems = []
    if python != "python=3.11":
        problems.append(f"environment.yml pins {python!r}, expected 'python=3.11'")
    if "-e ." not in other:
        problems.append("environment.yml's pip section lacks '-e .' (the helpers package)")
    for name in sorted(set(lock) | set(env)):
        if lock.get(name) != env.get(name):
            problems.append(f"{name}: lock has {lock.get(name)}, environment.yml has "
                            f"{env.get(name)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = config.project_root()
    if argv[:1] == ["write"]:
        text = render_environment(read_lock_pins(root / "requirements.lock"))
        write_text_atomic(root / "environment.yml", text)
        return 0
    problems = diff_environment(root)
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
