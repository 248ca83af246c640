"""Shared fixtures: the project root, small temporary projects, and the two executed copies
of the whole project that every end-to-end test shares (one session each):

- ``clean_clone``: the repository's tracked files (what a fresh clone holds), rerun with
  ``python3 tasks.py reproduce``'s steps; the determinism check compares every file of it
  with the committed bytes.
- ``added_project``: the same, with two transcripts added by the README's "How to add a
  transcript" steps alone (a third meeting, and Lavrov's Sochi remarks in a file that shares
  the prefix ``002_`` with a committed one), run twice (the second time from the cache, with
  one damaged cache entry); the output tests run on it as on the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tasks.py


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


def reproduce(proj: Path) -> str:
    """Run ``python3 tasks.py reproduce``'s steps in ``proj`` with this interpreter (the
    project's venv) and the cache on; return what the run printed to stderr."""
    import tasks

    env = {k: v for k, v in os.environ.items()
           if k not in ("HELPERS_CACHE_DIR", "HELPERS_CACHE_LOG")}
    env.update(HELPERS_PROJECT_ROOT=str(proj), HELPERS_CACHE="on")
    err = []
    for step in tasks.REPRODUCE:
        res = subprocess.run([sys.executable, *step], cwd=proj, env=env, capture_output=True,
                             text=True)
        if res.returncode:
            pytest.fail(f"reproduce failed in {proj} at {' '.join(step)}:\n"
                        f"{res.stdout[-3000:]}\n{res.stderr[-5000:]}", pytrace=False)
        err.append(res.stderr)
    return "".join(err)


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
    seconds: float
    rerun: dict[str, bytes] | None = None
    rerun_stderr: str = ""
    cache_entries: tuple[list[Path], list[Path]] = ([], [])


def _timed_reproduce(proj: Path) -> tuple[str, float]:
    t0 = time.perf_counter()
    err = reproduce(proj)
    return err, time.perf_counter() - t0


@pytest.fixture(scope="session")
def first_runs(tmp_path_factory) -> tuple[Run, Run]:
    """The clean clone and the copy with added transcripts, each reproduced once from an
    empty cache; the two runs go side by side (one process each, on two cores)."""
    clone = copy_tracked(ROOT, tmp_path_factory.mktemp("clone") / "proj")
    added = copy_tracked(ROOT, tmp_path_factory.mktemp("added") / "proj")
    for name, text, fields in ADDED:
        add_source(added, name, text, **fields)
    before = [snapshot(clone), snapshot(added)]
    with ThreadPoolExecutor(2) as pool:
        done = [f.result() for f in [pool.submit(_timed_reproduce, p) for p in (clone, added)]]
    print(f"\n[first_runs] reproduce took {done[0][1]:.0f} s (clean clone) and "
          f"{done[1][1]:.0f} s (added transcripts), side by side")
    return tuple(Run(p, b, snapshot(p), err, seconds)
                 for p, b, (err, seconds) in zip((clone, added), before, done))


@pytest.fixture(scope="session")
def clean_clone(first_runs) -> Run:
    """The repository's tracked files in a fresh folder, reproduced once."""
    return first_runs[0]


@pytest.fixture(scope="session")
def added_project(first_runs) -> Run:
    """The copy with the two ``ADDED`` transcripts, reproduced, then reproduced again from
    the cache after one cache entry's bytes were flipped."""
    from helpers import cache

    run = first_runs[1]
    entries = sorted(cache.cache_dir(run.path).rglob(f"*{cache.SUFFIX}"))
    damaged = next(e for e in entries if "figures" in e.parts)
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    run.rerun_stderr, seconds = _timed_reproduce(run.path)
    print(f"\n[added_project] the rerun from the cache took {seconds:.0f} s")
    run.rerun = snapshot(run.path)
    run.cache_entries = (entries, sorted(cache.cache_dir(run.path).rglob(f"*{cache.SUFFIX}")))
    run.seconds += seconds
    return run


@pytest.fixture(params=["repository", "added-transcripts"])
def project(request, monkeypatch) -> Path:
    """The project whose committed outputs a test checks: the repository itself, and the
    copy with two added transcripts (so that no output test assumes the five seed files)."""
    path = ROOT if request.param == "repository" else request.getfixturevalue(
        "added_project").path
    monkeypatch.setenv("HELPERS_PROJECT_ROOT", str(path))
    return path
