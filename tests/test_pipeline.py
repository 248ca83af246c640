"""End to end: every notebook reruns in a fresh copy and its outputs match the committed
ones; a rerun served from the cache gives byte-identical outputs; and a third meeting flows
through every notebook without code changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workflow.notebooks import execute_notebook, list_notebooks

from conftest import add_source

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
        texts, streams = [], {}
        for o in cell.get("outputs", []):
            if "text" in o:  # a print may arrive in several chunks: merge each stream
                streams[o.get("name", "")] = streams.get(o.get("name", ""), "") + "".join(o["text"])
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in o.get("data", {}) and "Figure size" not in str(o["data"][mime]):
                    texts.append(o["data"][mime])
        out.append([sorted(streams.items())] + texts)
    return out


def _svg_form(path: Path) -> str | None:
    """A rendering-independent form of a figure: its SVG without embedded raster images
    (heatmaps embed a PNG whose bytes depend on the rasteriser), so a change to a plot
    function (a colour, a label, a size) is caught even when its data are unchanged."""
    import re

    if not path.exists():
        return None
    return re.sub(r'(xlink:)?href="data:image/[^"]*"', "", path.read_text(encoding="utf-8"))


def test_rerun_reproduces_committed_tables_figures_and_notebook_text(root, fresh_run):
    proj = fresh_run
    stale = _stale(root / "data" / "processed", proj / "data" / "processed", "*.csv")
    stale += _stale(root / "reports" / "figures", proj / "reports" / "figures", "*.csv")
    stale += _stale(root / "reports" / "figures", proj / "reports" / "figures", "*.txt")
    stale += [f.name for f in sorted((root / "reports" / "figures").glob("*.svg"))
              if _svg_form(f) != _svg_form(proj / "reports" / "figures" / f.name)]
    stale += [f"notebooks/{nb.name}" for nb in list_notebooks(root / "notebooks")
              if _text_outputs(nb) != _text_outputs(proj / "notebooks" / nb.name)]
    assert not stale, ("stale outputs (rerun `python3 tasks.py reproduce` and commit): "
                       + ", ".join(stale))


def test_a_rerun_from_the_cache_is_byte_identical_and_recomputes_nothing(fresh_run, cache_on,
                                                                          monkeypatch, tmp_path):
    """... nothing but an entry whose bytes were damaged: that one is recomputed, with a
    warning to the runner's log (the terminal), not into a notebook."""
    from helpers import cache

    first = _snapshot(fresh_run)
    entries = sorted(cache.cache_dir(fresh_run).rglob(f"*{cache.SUFFIX}"))
    assert len(entries) >= 10  # the k sweep, the findings' tests and every figure
    damaged = next(e for e in entries if "figures" in e.parts)
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    log = tmp_path / "cache.log"
    monkeypatch.setenv("HELPERS_CACHE_LOG", str(log))
    _run_all(fresh_run, monkeypatch)
    second = _snapshot(fresh_run)
    assert sorted(first) == sorted(second)
    assert not [name for name in first if first[name] != second[name]]
    assert sorted(cache.cache_dir(fresh_run).rglob(f"*{cache.SUFFIX}")) == entries
    assert log.read_text().count("could not be read") == 1


THIRD = """Press conference, Moscow

Sergey Lavrov: We discussed New START and strategic stability with our American partners.
We also talked about Syria and the Constitutional Committee. The dialogue will continue.

QUESTION: Will you discuss North Korea?

SECRETARY POMPEO: We talked about North Korea and sanctions enforcement. We also raised
the case of Paul Whelan. Our relationship needs work, and we will keep talking.
"""
#: Lavrov's own Sochi remarks: the gap the seeds leave, filled by a (short, invented) transcript.
LAVROV_SOCHI = """Joint press conference, Sochi

Sergey Lavrov: We discussed strategic stability and the New START treaty with the Secretary.
We also talked about Venezuela, where outside interference must stop, and about Syria.
Sanctions do not help trade between our countries.

QUESTION: Will President Putin meet President Trump?

Sergey Lavrov: Our presidents will decide. We are ready for dialogue on every subject.
"""


def _markdown_outputs(path: Path) -> str:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    return "\n".join("".join(o["data"]["text/markdown"]) for c in nb.cells
                     if c.cell_type == "code" for o in c.get("outputs", [])
                     if "text/markdown" in o.get("data", {}))


def test_a_lavrov_sochi_transcript_and_a_third_meeting_flow_through_every_notebook(
        root, tmp_path, monkeypatch):
    """The README's "How to add a transcript" steps only: no code changes."""
    from workflow import readme

    proj = _copy_project(root, tmp_path / "proj")
    (proj / "README.md").write_text((root / "README.md").read_text(encoding="utf-8"),
                                    encoding="utf-8")
    add_source(proj, "005_third_meeting.txt", THIRD, title="Press conference, Moscow",
               meeting="moscow-2020-06-01", event_date="2020-06-01", published="2020-06-01",
               meeting_name="", note="test transcript")
    add_source(proj, "006_lavrov_sochi.txt", LAVROV_SOCHI, title="Joint press conference, Sochi",
               meeting="sochi-2019-05-14", event_date="2019-05-14", published="2019-05-14",
               meeting_name="", note="test transcript")
    _run_all(proj, monkeypatch)
    processed = proj / "data" / "processed"
    salience = (processed / "salience.csv").read_text()
    assert "moscow-2020-06-01,lavrov,arms_control" in salience
    assert "moscow-2020-06-01,pompeo,north_korea" in salience
    assert "sochi-2019-05-14,lavrov,arms_control" in salience  # the gap is filled
    findings = (processed / "findings.csv").read_text()
    # Lavrov now has a change across three meetings, and a Sochi difference with Pompeo
    for fid in ("change:lexicon:lavrov:sochi-2019-05-14-to-washington-2019-12-10:syria",
                "change:lexicon:lavrov:washington-2019-12-10-to-moscow-2020-06-01:syria",
                "difference:lexicon:sochi-2019-05-14:pompeo-vs-lavrov:syria"):
        assert fid in findings
    prose = _markdown_outputs(proj / "notebooks" / "04-measure-issue-salience.ipynb")
    assert "Moscow, 1 Jun 2020" in prose
    assert "Lavrov at Sochi, 14 May 2019: none of his words" not in prose
    assert "Lavrov, Sochi, 14 May 2019" in prose  # his Sochi agenda is reported
    assert "Moscow, 1 Jun 2020" in _markdown_outputs(
        proj / "notebooks" / "01-clean-and-attribute.ipynb")
    text = readme.render_readme((proj / "README.md").read_text(encoding="utf-8"), proj)
    assert "Moscow, 1 Jun 2020" in text and "Lavrov at Sochi, 14 May 2019: none" not in text
    assert (proj / "reports" / "figures" /
            "04-lavrov-sochi-2019-05-14-to-washington-2019-12-10.png").exists()
