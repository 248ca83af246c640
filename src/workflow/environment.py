"""Keep ``environment.yml`` (for conda users) in step with ``requirements.lock``.

``pyproject.toml`` states the dependencies; ``requirements.lock`` pins every package
exactly; ``environment.yml`` is generated from the lock: ``python -m workflow.environment
write``. ``python -m workflow.environment check`` exits non-zero if they disagree.
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

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
    """The lines of ``environment.yml`` that differ from what the lock gives ("-" in the
    file, "+" wanted); empty when they agree."""
    root = Path(root) if root is not None else config.project_root()
    want = render_environment(read_lock_pins(root / "requirements.lock")).splitlines()
    have = (root / "environment.yml").read_text().splitlines()
    return [line for line in difflib.unified_diff(have, want, lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


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
