"""End to end, on the two executed copies of the project (``clean_clone`` and
``added_project`` in conftest.py):

- a fresh clone's rerun leaves every file byte for byte as committed (tables, figures in
  PNG, SVG and PDF, notebooks, pages, README and docs);
- two transcripts added by the README's steps alone flow through every notebook and into
  the README's prose, and a second run of the notebooks, served from the cache (one entry
  damaged), changes no byte;
- no executed notebook shows a path, a temporary folder, a process id or a raw warning.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, differences
from helpers.sources import load_manifest
from workflow.notebooks import list_notebooks

pytestmark = pytest.mark.notebooks


def test_a_fresh_clones_rerun_changes_no_byte_of_any_committed_file(clean_clone):
    """CI runs this: `python3 tasks.py reproduce` on a fresh clone must leave `git status`
    empty."""
    changed = differences(clean_clone.before, clean_clone.after)
    assert not changed, (
        "a rerun of the committed tree changes these files (committed outputs are stale or "
        "not deterministic):\n  " + "\n  ".join(changed) + "\nRun `python3 tasks.py "
        "reproduce`, commit what it changes, and run it again: a second run must change "
        "nothing (if it does, an output depends on something other than the inputs).")


def test_added_transcripts_rerun_from_the_cache_byte_identical(added_project):
    """The notebooks' second run is served from the cache (all but one damaged entry, recomputed with a
    warning to the terminal, not into a notebook) and changes no byte of any output."""
    run = added_project
    changed = differences(run.after, run.rerun)
    assert not changed, ("a second run, served from the cache, changed these outputs (an "
                         "output depends on the run, not only on the inputs):\n  "
                         + "\n  ".join(changed))
    first, second = run.cache_entries
    assert len(first) >= 10 and first == second  # nothing recomputed under a new key
    assert run.rerun_stderr.count("could not be read") == 1


def test_added_transcripts_change_every_output_that_depends_on_the_corpus(added_project):
    changed = {f.split(" ")[0] for f in differences(added_project.before, added_project.after)}
    for name in ("data/processed/sentences.csv", "data/processed/salience.csv",
                 "data/processed/findings.csv", "README.md", "reports/html/index.html",
                 *(f"notebooks/{nb.name}" for nb in list_notebooks(ROOT / "notebooks"))):
        assert name in changed, name


def _markdown_outputs(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join("".join(o["data"]["text/markdown"]) for c in nb.cells
                     if c.cell_type == "code" for o in c.get("outputs", [])
                     if "text/markdown" in o.get("data", {}))


def test_a_lavrov_sochi_transcript_and_a_third_meeting_flow_through_every_notebook(
        added_project):
    """The README's "How to add a transcript" steps only: no code changes."""
    proj = added_project.path
    processed = proj / "data" / "processed"
    salience = (processed / "salience.csv").read_text()
    assert "moscow-2020-06-01,lavrov,arms_control" in salience
    assert "moscow-2020-06-01,pompeo,north_korea" in salience
    assert "sochi-2019-05-14,lavrov,arms_control" in salience  # the gap is filled
    for name in ("005_third_meeting", "002_lavrov_sochi"):  # no hand codes: a coding sheet
        assert (proj / "data" / "validation" / f"{name}.csv").exists(), name
    findings = (processed / "findings.csv").read_text()
    # Lavrov now has a change across three meetings, and a Sochi difference with Pompeo
    for fid in ("change:lexicon:lavrov:sochi-2019-05-14-to-washington-2019-12-10:syria",
                "change:lexicon:lavrov:washington-2019-12-10-to-moscow-2020-06-01:syria",
                "difference:lexicon:sochi-2019-05-14:pompeo-vs-lavrov:syria"):
        assert fid in findings
    sentences = (processed / "sentences.csv").read_text()
    assert "002_lavrov_sochi.txt" in sentences and "002_9b2d3718502c6310.txt" in sentences
    prose = _markdown_outputs(proj / "notebooks" / "04-measure-issue-salience.ipynb")
    assert "Moscow, 1 Jun 2020" in prose
    assert "Lavrov at Sochi, 14 May 2019: none of his words" not in prose
    assert "Lavrov, Sochi, 14 May 2019" in prose  # his Sochi agenda is reported
    assert "Moscow, 1 Jun 2020" in _markdown_outputs(
        proj / "notebooks" / "01-clean-and-attribute.ipynb")
    readme = (proj / "README.md").read_text(encoding="utf-8")
    assert "Lavrov at Sochi, 14 May 2019: none" not in readme
    manifest = load_manifest(proj / "data" / "raw")
    n_sources, n_meetings = len(manifest), len({s.meeting for s in manifest})
    assert f"{n_sources} public records of {n_meetings} meetings" in readme  # follows the data
    assert "Moscow, 1 Jun 2020 (1 source)" in readme
    assert (proj / "reports" / "figures" /
            "04-lavrov-sochi-2019-05-14-to-washington-2019-12-10.png").exists()


#: What a reader of a notebook must never see: where the run happened, or a raw warning.
LEAKS = re.compile(r"(?P<path>(?<![\w.])/(?:tmp|home|root|work|usr|var|opt|proc)/[^\s'\"]*)"
                   r"|(?P<tmp>tmp[a-z0-9_]{6,}|pytest-\d+|\.cache/run-)"
                   r"|(?P<pid>\bpid[ =:]+\d+|\bprocess (?:id )?\d+)"
                   r"|(?P<warning>\b[A-Z]\w*Warning: )")


def notebook_leaks(folder: Path) -> list[str]:
    """Every executed notebook output that shows a path, a temporary name, a process id, or
    a warning as printed by Python's warnings module (stderr, or a Warning: line)."""
    found = []
    for path in list_notebooks(folder):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("name") == "stderr":
                    found.append(f"{path.name} cell {i}: stderr: {''.join(out['text'])[:200]}")
                    continue
                texts = [out.get("text", "")] + [v for k, v in out.get("data", {}).items()
                                                  if k.startswith("text/")]
                for text in texts:
                    text = "".join(text) if isinstance(text, list) else text
                    for m in LEAKS.finditer(text):
                        found.append(f"{path.name} cell {i}: {m.lastgroup}: "
                                     f"{text[max(0, m.start() - 60):m.end() + 60]!r}")
    return found


@pytest.mark.parametrize("which", ["repository", "added-transcripts"])
def test_no_notebook_output_shows_a_path_a_process_or_a_raw_warning(which, request):
    folder = (ROOT if which == "repository" else request.getfixturevalue(
        "added_project").path) / "notebooks"
    leaks = notebook_leaks(folder)
    assert not leaks, ("notebook outputs a reader should not see (a warning for the reader "
                       "goes through the notebook's own text, with no path or process id):\n"
                       + "\n".join(leaks))


def test_the_leak_scan_catches_paths_pids_and_warnings(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="saved /tmp/x.png, tmpab12cd34\n"),
        nbformat.v4.new_output("stream", name="stderr", text="/x.py:3: ConvergenceWarning: "
                                                              "max_iter reached\n"),
        nbformat.v4.new_output("display_data", data={
            "text/plain": "layout.py:9: FigureLayoutWarning: cut off in kernel pid 4242"}),
        nbformat.v4.new_output("stream", name="stdout", text="Shares are of 95 sentences.\n")])]
    nbformat.write(nb, tmp_path / "01-any.ipynb")
    kinds = [line.split(": ")[1] for line in notebook_leaks(tmp_path)]
    assert kinds == ["path", "tmp", "stderr", "warning", "pid"]
