"""The raw sources and their manifest, ``data/raw/sources.csv``.

Raw files are read-only. Every load checks that each file has exactly one manifest row,
that its SHA-256 matches, and that it is non-empty UTF-8; any failure raises
:class:`~helpers.io.InputError` naming the file and the manifest row.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from . import config
from .io import InputError, read_text_utf8, sha256_file

MANIFEST = "sources.csv"
#: Files in data/raw/ that are not sources.
NOT_SOURCES = {MANIFEST, "README.md", "SHA256SUMS"}
COLUMNS = ["file", "sha256", "outlet", "title", "source_kind", "translation", "format",
           "default_speaker", "meeting", "event_date", "published", "note"]
#: Source kinds in order of authority (rank 1 is best), as the canonical-source policy uses.
SOURCE_RANK = {"official transcript": 1, "third-party copy of a transcript": 2,
               "broadcast captions": 3, "news article": 4}
TRANSLATIONS = {"official translation", "live interpreter", "original English"}
FORMATS = {"labelled", "captions", "article"}
MEETING_ID = re.compile(r"^[a-z][a-z-]*-\d{4}-\d{2}-\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Source:
    """One raw file and its manifest row."""

    file: str
    sha256: str
    outlet: str
    title: str
    source_kind: str
    translation: str
    format: str
    default_speaker: str
    meeting: str
    event_date: str
    published: str
    note: str
    path: Path
    row: int

    @property
    def rank(self) -> int:
        return SOURCE_RANK[self.source_kind]

    @property
    def stem(self) -> str:
        return Path(self.file).stem

    def read_text(self) -> str:
        """Return the file's text after checking its checksum and encoding."""
        digest = sha256_file(self.path)
        if digest != self.sha256:
            raise InputError(self.path, f"checksum mismatch: manifest row {self.row} says "
                                        f"{self.sha256[:12]}…, file is {digest[:12]}… "
                                        "(raw files must never be edited)")
        return read_text_utf8(self.path)


def load_manifest(raw_dir: Path | None = None) -> list[Source]:
    """Read and validate the manifest; return the sources in file-name order."""
    raw_dir = Path(raw_dir) if raw_dir is not None else config.paths()["raw"]
    path = raw_dir / MANIFEST
    if not path.exists():
        raise InputError(path, "manifest is missing")
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(path, f"missing columns {missing}", line=1)
        records = list(reader)
    sources, seen = [], set()
    for i, rec in enumerate(records, start=1):
        def bad(msg: str) -> InputError:
            return InputError(path, f"{msg} (file {rec.get('file')!r})", row=i)
        rec = {k: (rec.get(k) or "").strip() for k in COLUMNS}
        if not rec["file"]:
            raise bad("empty file name")
        if rec["file"] in seen:
            raise bad("file listed twice")
        seen.add(rec["file"])
        if rec["source_kind"] not in SOURCE_RANK:
            raise bad(f"unknown source_kind {rec['source_kind']!r}; use one of "
                      f"{list(SOURCE_RANK)}")
        if rec["translation"] not in TRANSLATIONS:
            raise bad(f"unknown translation {rec['translation']!r}")
        if rec["format"] not in FORMATS:
            raise bad(f"unknown format {rec['format']!r}; use one of {sorted(FORMATS)}")
        if rec["default_speaker"] and rec["default_speaker"] not in config.SPEAKERS:
            raise bad(f"unknown default_speaker {rec['default_speaker']!r}")
        if not MEETING_ID.match(rec["meeting"]):
            raise bad(f"meeting id {rec['meeting']!r} must look like 'place-YYYY-MM-DD'")
        if not DATE.match(rec["event_date"]):
            raise bad(f"event_date {rec['event_date']!r} must be YYYY-MM-DD")
        if not re.fullmatch(r"[0-9a-f]{64}", rec["sha256"]):
            raise bad("sha256 must be 64 lower-case hex digits")
        file_path = raw_dir / rec["file"]
        if not file_path.exists():
            raise bad("manifest row has no file in data/raw/")
        sources.append(Source(**rec, path=file_path, row=i))
    listed = {s.file for s in sources}
    for f in sorted(raw_dir.iterdir()):
        if f.is_file() and not f.name.startswith(".") and f.name not in NOT_SOURCES \
                and f.name not in listed:
            raise InputError(f, "file in data/raw/ has no row in the manifest "
                                f"({MANIFEST}); add one with its sha256")
    return sorted(sources, key=lambda s: s.file)


def meeting_label(meeting: str) -> str:
    """Return a human label for a meeting id ('Sochi, 14 May 2019'), known or new."""
    if meeting in config.MEETINGS:
        return config.MEETINGS[meeting]["label"]
    place, date = meeting[:-11], meeting[-10:]
    return f"{place.replace('-', ' ').title()}, {date}"
