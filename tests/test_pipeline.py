"""End to end: every notebook reruns in a fresh copy and its outputs match the committed
ones; a rerun served from the cache gives byte-identical outputs; and a third meeting flows
through every notebook without code changes."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

from workflow.notebooks import execute_notebook, list_notebooks

pytestmark = pytest.mark.notebooks


def _copy_project(root: Path, dest: Path) -> Path:
    for sub in ("data", "notebooks"):
        shutil.copytree(root / sub, dest / sub)
    (dest / "reports" / "figures").mkdir(parents=True)
    (dest / "pyproject.toml").write_text("")
    return dest


def _run_all(proj: Path, monkeypatch) -> None:
    monkeypatch.setenv("HELPERS_PROJECT_ROOT", str(proj))
    for nb in list_notebooks(proj / "notebooks"):
        execute_notebook(nb)


@pytest.fixture(scope="module")
def fresh_run(root, tmp_path_factory) -> Path:
    """A copy of the project with every notebook run once, from an empty cache."""
    proj = _copy_project(root, tmp_path_factory.mktemp("fresh") / "proj")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HELPERS_CACHE", "on")
        _run_all(proj, mp)
    return proj


def _snapshot(proj: Path) -> dict[str, bytes]:
    return {str(p.relative_to(proj)): p.read_bytes()
            for sub in ("data/processed", "reports/figures", "notebooks")
            for p in sorted((proj / sub).rglob("*")) if p.is_file()}


def _stale(committed: Path, fresh: Path, pattern: str) -> list[str]:
    out = []
    for f in sorted(committed.glob(pattern)):
        g = fresh / f.name
        if not g.exists() or g.read_bytes() != f.read_bytes():
            out.append(f.name)
    return out


def _text_outputs(path: Path) -> list:
    """Each code cell's text outputs (stream, plain text, HTML, Markdown), not images."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts = []
        for o in cell.get("outputs", []):
            if "text" in o:
                texts.append(o["text"])
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in o.get("data", {}) and "Figure size" not in str(o["data"][mime]):
                    texts.append(o["data"][mime])
        out.append(texts)
    return out


def test_rerun_reproduces_committed_tables_figure_data_and_notebook_text(root, fresh_run):
    proj = fresh_run
    stale = _stale(root / "data" / "processed", proj / "data" / "processed", "*.csv")
    stale += _stale(root / "reports" / "figures", proj / "reports" / "figures", "*.csv")
    stale += [f"notebooks/{nb.name}" for nb in list_notebooks(root / "notebooks")
              if _text_outputs(nb) != _text_outputs(proj / "notebooks" / nb.name)]
    assert not stale, ("stale outputs (rerun `python3 tasks.py reproduce` and commit): "
                       + ", ".join(stale))


def test_a_rerun_from_the_cache_is_byte_identical_and_recomputes_nothing(fresh_run, cache_on,
                                                                          monkeypatch):
    from helpers import cache

    first = _snapshot(fresh_run)
    entries = sorted(cache.cache_dir(fresh_run).rglob("*.pkl"))
    assert len(entries) >= 10  # the corpus, the k sweep and every figure
    _run_all(fresh_run, monkeypatch)
    second = _snapshot(fresh_run)
    assert sorted(first) == sorted(second)
    assert not [name for name in first if first[name] != second[name]]
    assert sorted(cache.cache_dir(fresh_run).rglob("*.pkl")) == entries


THIRD = """Press conference, Moscow

Sergey Lavrov: We discussed New START and strategic stability with our American partners.
We also talked about Syria and the Constitutional Committee. The dialogue will continue.

QUESTION: Will you discuss North Korea?

SECRETARY POMPEO: We talked about North Korea and sanctions enforcement. We also raised
the case of Paul Whelan. Our relationship needs work, and we will keep talking.
"""


def test_a_third_meeting_flows_through_every_notebook(root, tmp_path, monkeypatch):
    proj = _copy_project(root, tmp_path / "proj")
    raw = proj / "data" / "raw"
    (raw / "005_third_meeting.txt").write_text(THIRD, encoding="utf-8")
    with open(raw / "sources.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows.append(dict(rows[2], file="005_third_meeting.txt",
                     sha256=hashlib.sha256(THIRD.encode()).hexdigest(),
                     title="Press conference, Moscow", default_speaker="",
                     meeting="moscow-2020-06-01", event_date="2020-06-01",
                     published="2020-06-01", note="test transcript"))
    with open(raw / "sources.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    _run_all(proj, monkeypatch)
    salience = (proj / "data" / "processed" / "salience.csv").read_text()
    assert "moscow-2020-06-01,lavrov,arms_control" in salience
    assert "moscow-2020-06-01,pompeo,north_korea" in salience
    assert "sochi-2019-05-14,lavrov" not in salience  # still absent, not zero
