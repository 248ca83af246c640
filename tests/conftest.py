"""Shared fixtures: the project root and small temporary projects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_cache_unless_asked(monkeypatch):
    """Tests compute everything afresh (a cache hit would make a determinism test vacuous);
    tests of the cache itself switch it back on with the ``cache_on`` fixture."""
    monkeypatch.setenv("HELPERS_CACHE", "off")


@pytest.fixture
def cache_on(monkeypatch):
    monkeypatch.setenv("HELPERS_CACHE", "on")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def tmp_project(tmp_path, monkeypatch) -> Path:
    """A scratch copy of the project's data folders, with HELPERS_PROJECT_ROOT pointing at it."""
    proj = tmp_path / "proj"
    for sub in ("data/raw", "data/annotations", "data/lexicons"):
        src = ROOT / sub
        if src.exists():
            shutil.copytree(src, proj / sub)
    (proj / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (proj / "pyproject.toml").write_text("")
    monkeypatch.setenv("HELPERS_PROJECT_ROOT", str(proj))
    return proj
