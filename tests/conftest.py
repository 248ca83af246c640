"""Shared fixtures: the project root, small temporary projects, and the two executed copies
of the whole project that every end-to-end test shares (one per session, made in the
background while the other tests run; the tests that read them run last):

- ``clean_clone``: the repository's tracked files (what a fresh clone holds), rerun with
  ``python3 tasks.py reproduce``'s steps; the determinism check compares every file of it
  with the committed bytes.
- ``added_project``: the same, with two transcripts added by the README's "How to add a
  transcript" steps alone (a third meeting, and Lavrov's Sochi remarks in a file that shares
  the prefix ``002_`` with a committed one), run twice (the second time the notebooks alone,
  from the cache, with one damaged cache entry); the output tests run on it as on the
  repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import cache

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import tasks  # noqa: E402  (beside the package, not part of it)


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


#: The five transcripts the project started from. Tests of behaviour on real text read these
#: alone (``seed_root``), so that they hold whatever transcripts a user adds to data/raw.
SEEDS = ("000_df1a256d48d856ee.txt", "001_7735bcb4b27e75de.txt", "002_9b2d3718502c6310.txt",
         "003_9ebc94e3619d2ce7.txt", "004_e53a42b407c7c2fa.txt")


def _keep_rows(path: Path, keep) -> None:
    """Rewrite a CSV with only the rows for which ``keep(row)`` holds."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, [r for r in reader if keep(r)]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def copy_seeds(dest: Path) -> Path:
    """The project's input folders restricted to the ``SEEDS`` (manifest, raw files,
    annotations and hand codes of other sources left out)."""
    for sub in ("data/raw", "data/annotations", "data/lexicons"):
        shutil.copytree(ROOT / sub, dest / sub)
    stems = tuple(f.removesuffix(".txt") + ":" for f in SEEDS)
    for f in (dest / "data" / "raw").iterdir():
        if f.name != "sources.csv" and f.name not in SEEDS:
            f.unlink()
    _keep_rows(dest / "data" / "raw" / "sources.csv", lambda r: r["file"] in SEEDS)
    for name in ("annotations/caption_turns.csv", "annotations/known_repeats.csv",
                 "lexicons/validation.csv"):
        _keep_rows(dest / "data" / name, lambda r: r["source"] in SEEDS)
    _keep_rows(dest / "data" / "lexicons" / "second_coding.csv",
               lambda r: r["sentence_id"].startswith(stems))
    (dest / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (dest / "pyproject.toml").write_text("")
    return dest


@pytest.fixture(scope="session")
def seed_root(tmp_path_factory) -> Path:
    """A read-only project of the ``SEEDS`` alone (do not modify: use ``tmp_project``)."""
    return copy_seeds(tmp_path_factory.mktemp("seeds") / "proj")


@pytest.fixture
def tmp_project(seed_root, tmp_path, monkeypatch) -> Path:
    """A scratch copy of the seeds' data folders, with HELPERS_PROJECT_ROOT pointing at it."""
    proj = tmp_path / "proj"
    shutil.copytree(seed_root, proj)
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
#: The two transcripts the end-to-end copy adds: (file, text, manifest fields).
ADDED = (
    ("005_third_meeting.txt", THIRD,
     dict(title="Press conference, Moscow", meeting="moscow-2020-06-01",
          event_date="2020-06-01", published="2020-06-01", meeting_name="",
          note="test transcript")),
    ("002_lavrov_sochi.txt", LAVROV_SOCHI,  # shares its prefix with a committed file
     dict(title="Joint press conference, Sochi", meeting="sochi-2019-05-14",
          event_date="2019-05-14", published="2019-05-14", meeting_name="",
          note="test transcript")),
)
#: Folders that a run may fill but that are not outputs (git-ignored).
NOT_OUTPUTS = {".cache", ".venv", ".git", "__pycache__", ".pytest_cache", "screenshots",
               "bench"}


def tracked_files(root: Path) -> list[str]:
    """The files a fresh clone of ``root`` would hold once the work is committed: git's
    tracked files that exist, and new files that git does not ignore (a transcript just
    added)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                         cwd=root, capture_output=True, check=True)
    return [f for f in out.stdout.decode().split("\0") if f and (root / f).is_file()]


def copy_tracked(root: Path, dest: Path) -> Path:
    for rel in tracked_files(root):
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / rel, dest / rel)
    return dest


def snapshot(proj: Path) -> dict[str, bytes]:
    """Every file of a project copy but the git-ignored run folders, by relative path."""
    return {p.relative_to(proj).as_posix(): p.read_bytes() for p in sorted(proj.rglob("*"))
            if p.is_file() and not NOT_OUTPUTS & set(p.relative_to(proj).parts)}


def differences(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """Files changed, added or deleted between two snapshots, each with what happened."""
    return ([f"{f} (changed)" for f in sorted(before.keys() & after.keys())
             if before[f] != after[f]]
            + [f"{f} (new)" for f in sorted(after.keys() - before.keys())]
            + [f"{f} (deleted)" for f in sorted(before.keys() - after.keys())])


@dataclass
class Run:
    """An executed copy of the project: its folder, snapshots and what its runs printed."""
    path: Path
    before: dict[str, bytes]
    after: dict[str, bytes]
    stderr: str
    rerun: dict[str, bytes] | None = None
    rerun_stderr: str = ""
    cache_entries: tuple[list[Path], list[Path]] = ([], [])


class BackgroundRuns:
    """The two executed copies, made in two threads (one process each) while the tests that
    do not need them run:

    - the clean clone, reproduced once from an empty cache;
    - the copy with the ``ADDED`` transcripts, reproduced from an empty cache, then its
      notebooks run again from the cache after one cache entry's bytes were flipped (the
      README and page steps, which use no cache, are not repeated: the clean clone shows
      that they give the same bytes from the same notebooks).

    The environment is taken when the runs start, so that no test's monkeypatch reaches
    them; ``stop()`` ends the runs' processes (a session that stops early).
    """

    def __init__(self, tmp_path_factory):
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("HELPERS_CACHE_DIR", "HELPERS_CACHE_LOG")}
        self.env["HELPERS_CACHE"] = "on"
        self.procs: list[subprocess.Popen] = []
        self.lock = threading.Lock()
        self.stopped = False
        pool = ThreadPoolExecutor(2)
        self.clone = pool.submit(self._clean_clone, tmp_path_factory.mktemp("clone") / "proj")
        self.added = pool.submit(self._added_project, tmp_path_factory.mktemp("added") / "proj")
        pool.shutdown(wait=False)

    def reproduce(self, proj: Path, steps: tuple | None = None) -> str:
        """Run ``python3 tasks.py reproduce``'s steps (or ``steps`` of them) in ``proj`` with
        this interpreter (the project's venv) and the cache on; return what the run printed
        to stderr."""
        err = []
        for step in steps or tasks.REPRODUCE:
            with self.lock:
                if self.stopped:
                    raise RuntimeError("the session stopped before the run ended")
                proc = subprocess.Popen([sys.executable, *step], cwd=proj, text=True,
                                        env={**self.env, "HELPERS_PROJECT_ROOT": str(proj)},
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                self.procs.append(proc)
            out, stderr = proc.communicate()
            if proc.returncode:
                pytest.fail(f"reproduce failed in {proj} at {' '.join(step)}:\n"
                            f"{out[-3000:]}\n{stderr[-5000:]}", pytrace=False)
            err.append(stderr)
        return "".join(err)

    def _first_run(self, proj: Path) -> Run:
        before = snapshot(proj)
        t0 = time.perf_counter()
        stderr = self.reproduce(proj)
        print(f"\n[{proj.parent.name}] reproduce took {time.perf_counter() - t0:.0f} s")
        return Run(proj, before, snapshot(proj), stderr)

    def _clean_clone(self, proj: Path) -> Run:
        return self._first_run(copy_tracked(ROOT, proj))

    def _added_project(self, proj: Path) -> Run:
        copy_tracked(ROOT, proj)
        for name, text, fields in ADDED:
            add_source(proj, name, text, **fields)
        run = self._first_run(proj)
        entries = sorted(cache.cache_dir(proj).rglob(f"*{cache.SUFFIX}"))
        damaged = next(e for e in entries if "figures" in e.parts)
        data = bytearray(damaged.read_bytes())
        data[len(data) // 2] ^= 0x01
        damaged.write_bytes(bytes(data))
        t0 = time.perf_counter()
        run.rerun_stderr = self.reproduce(proj, tuple(s for s in tasks.REPRODUCE
                                                      if "workflow.notebooks" in s))
        print(f"\n[added] the rerun from the cache took {time.perf_counter() - t0:.0f} s")
        run.rerun = snapshot(proj)
        run.cache_entries = (entries, sorted(cache.cache_dir(proj).rglob(f"*{cache.SUFFIX}")))
        return run

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()  # the runner stops its kernel and removes its staging
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _needs_runs(item) -> int:
    """0 if a test needs no executed copy, 1 if the clean clone only, 2 if the added one."""
    names = set(item.fixturenames)
    params = item.callspec.params.values() if hasattr(item, "callspec") else ()
    if "added_project" in names or "added-transcripts" in params:
        return 2
    return 1 if "clean_clone" in names else 0


def pytest_collection_modifyitems(items):
    """The tests that read an executed copy run last, in the order the copies are ready."""
    items.sort(key=_needs_runs)  # stable: the order within each group is kept


@pytest.fixture(scope="session", autouse=True)
def background_runs(request, tmp_path_factory):
    """Starts the executed copies with the session, when a collected test needs them."""
    runs = None
    if any(_needs_runs(item) for item in request.session.items):
        runs = BackgroundRuns(tmp_path_factory)
    yield runs
    if runs is not None:
        runs.stop()


@pytest.fixture(scope="session")
def clean_clone(background_runs) -> Run:
    """The repository's tracked files in a fresh folder, reproduced once."""
    return background_runs.clone.result()


@pytest.fixture(scope="session")
def added_project(background_runs) -> Run:
    """The copy with the two ``ADDED`` transcripts, reproduced, then its notebooks run again
    from the cache after one cache entry's bytes were flipped."""
    return background_runs.added.result()


@pytest.fixture(params=["repository", "added-transcripts"])
def project(request, monkeypatch) -> Path:
    """The project whose committed outputs a test checks: the repository itself, and the
    copy with two added transcripts (so that no output test assumes the five seed files)."""
    path = ROOT if request.param == "repository" else request.getfixturevalue(
        "added_project").path
    monkeypatch.setenv("HELPERS_PROJECT_ROOT", str(path))
    return path
