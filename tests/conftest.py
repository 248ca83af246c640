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


SMALL_LEXICON = r"""
- id: arms_control
  label: Arms control
  description: Treaties.
  patterns: ['\bnew start\b', '\barms control\b']
- id: syria
  label: Syria
  description: Syria.
  patterns: ['\bsyria\w*']
  exclude: ['\bsyriana\b']
"""


@pytest.fixture
def lexicon(tmp_path):
    """A two-issue lexicon (arms control, Syria with an exclude pattern)."""
    from helpers.lexicon import load_lexicon

    p = tmp_path / "issues.yml"
    p.write_text(SMALL_LEXICON)
    return load_lexicon(p)


def make_sentences(rows):
    """A sentences table from (source, turn, speaker, meeting, text) tuples."""
    import pandas as pd

    df = pd.DataFrame(rows, columns=["source", "turn", "speaker", "meeting", "text"])
    return df.assign(sentence=range(len(df)), n_words=df["text"].str.split().str.len(),
                     sentence_id=[f"s:{i}" for i in range(len(df))], char_start=0,
                     char_end=1)


#: A short labelled transcript of a third meeting, for tests that add a source.
THIRD_MEETING = """A test transcript

Sergey Lavrov: We discussed New START and strategic stability. Syria was on the agenda too.

QUESTION: Will you meet again?

SECRETARY POMPEO: We talked about North Korea. President Putin has also commented on it.
Lines without a label continue the speaker.
"""


def add_source(proj, name, text, **fields):
    """Add a raw file and its manifest row (copied from the MFA transcript's, with ``fields``
    changed) to a scratch project, as the README's "How to add a transcript" says."""
    import csv
    import hashlib

    raw = proj / "data" / "raw"
    (raw / name).write_text(text, encoding="utf-8")
    with open(raw / "sources.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows.append({**rows[2], "file": name, "sha256": hashlib.sha256(text.encode()).hexdigest(),
                 "default_speaker": "", "title": "A test transcript", **fields})
    with open(raw / "sources.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
