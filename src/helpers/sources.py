"""The raw sources and their manifest, ``data/raw/sources.csv``.

Raw files are read-only. Every load checks that each file has exactly one manifest row,
that its SHA-256 matches, and that it is non-empty UTF-8; any failure raises
:class:`~helpers.io.InputError` naming the file and the manifest row.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from . import config
from .clean import normalise_line
from .io import (InputError, raise_all, read_bytes, read_csv_records, read_text_utf8,
                 text_from_bytes)

MANIFEST = "sources.csv"
#: Files in data/raw/ that are not sources.
NOT_SOURCES = {MANIFEST, "README.md", "SHA256SUMS"}
COLUMNS = ["file", "sha256", "outlet", "title", "source_kind", "translation", "format",
           "default_speaker", "meeting", "event_date", "published", "note"]
#: Optional columns, explained in the README ("How to add a transcript"). An empty
#: ``meeting_name`` is made from the meeting id and date; an empty ``setting`` is the
#: meeting's main event.
OPTIONAL_COLUMNS = ["meeting_name", "drop_lines", "drop_pattern", "speech_starts_at",
                    "setting", "incomplete"]
#: Source kinds in order of authority (rank 1 is best), as the canonical-source policy uses.
SOURCE_RANK = {"official transcript": 1, "third-party copy of a transcript": 2,
               "broadcast captions": 3, "news article": 4}
TRANSLATIONS = ["live interpreter", "official translation", "original English"]
FORMATS = ["article", "captions", "labelled"]
MEETING_ID = re.compile(r"^[a-z][a-z-]*-\d{4}-\d{2}-\d{2}$")


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
    meeting_name: str = ""
    drop_lines: str = ""
    drop_pattern: str = ""
    speech_starts_at: str = ""
    setting: str = ""
    incomplete: str = ""

    @property
    def rank(self) -> int:
        return SOURCE_RANK[self.source_kind]

    def read_text(self) -> str:
        """The file's text, its checksum and encoding checked. A byte-order mark at the
        start is read as one space, so offsets into the text are offsets into the file."""
        data = read_bytes(self.path)
        digest = hashlib.sha256(data).hexdigest()
        if digest != self.sha256:
            raise InputError(self.path, f"checksum mismatch: manifest row {self.row} says "
                                        f"{self.sha256[:12]}…, file is {digest[:12]}… "
                                        "(raw files must never be edited; if this is a new "
                                        "version of the source, record its sha256sum)")
        return text_from_bytes(self.path, data, bom="blank")

    def start_line(self, text: str) -> int | None:
        """The first line of speech (from 1) that ``speech_starts_at`` gives in ``text``,
        the file's text, or None."""
        value = self.speech_starts_at
        if not value or value.isdigit():
            return int(value) if value else None
        want = normalise_line(value)
        for n, line in enumerate(text.split("\n"), start=1):
            if normalise_line(line) == want:
                return n
        raise InputError(self.path, f"speech_starts_at {value!r} is not a line of this file; "
                                    "give the first line of speech exactly, or its line number")


def load_manifest(raw_dir: Path | None = None,
                  errors: list[InputError] | None = None) -> list[Source]:
    """Read and validate the manifest; return the sources in file-name order.

    Every row's problems raise :class:`InputError` (all at once), naming the manifest, the
    row and what to do; given a list ``errors``, they are added to it instead and the valid
    rows returned.
    """
    raw_dir = Path(raw_dir) if raw_dir is not None else config.paths()["raw"]
    path = raw_dir / MANIFEST
    if not path.exists():
        raise InputError(path, "manifest is missing")
    records = read_csv_records(path, COLUMNS, OPTIONAL_COLUMNS, allow_unknown=False)
    sources, seen, found = [], {}, []
    for i, line, rec in records:
        try:
            def bad(msg: str, i=i, line=line, rec=rec) -> InputError:
                return InputError(path, f"{msg} (file {rec.get('file')!r})", row=i, line=line)
            rec = {k: (rec.get(k) or "").strip() for k in COLUMNS + OPTIONAL_COLUMNS}
            name = rec["file"]
            if not name:
                raise bad("empty file name")
            if ("/" in name or "\\" in name or name.startswith(".")
                    or Path(name).is_absolute() or "\0" in name):
                raise bad("the file name must be a plain file name inside data/raw/ (no folders, "
                          "no '..', no absolute path, not hidden); copy the file into data/raw/ "
                          "and give its name only")
            if name in NOT_SOURCES:
                raise bad(f"{name!r} is not a source file")
            if name in seen:
                raise bad(f"file listed twice (also in row {seen[name]}); give each file one row")
            seen[name] = i
            for col, allowed in (("source_kind", list(SOURCE_RANK)),
                                 ("translation", TRANSLATIONS), ("format", FORMATS)):
                if rec[col] not in allowed:
                    raise bad(f"unknown {col} {rec[col]!r}; use one of {allowed}")
            if rec["default_speaker"] and rec["default_speaker"] not in config.SPEAKERS:
                raise bad(f"unknown default_speaker {rec['default_speaker']!r}; use one of "
                          f"{list(config.SPEAKERS)} or leave it empty")
            problem = _date_problem(rec["event_date"])
            if problem:
                raise bad(f"event_date {rec['event_date']!r} {problem}")
            if not MEETING_ID.match(rec["meeting"]):
                raise bad(f"meeting id {rec['meeting']!r} must look like 'place-YYYY-MM-DD' "
                          "(lower-case place, then the event date)")
            if rec["meeting"][-10:] != rec["event_date"]:
                raise bad(f"meeting id {rec['meeting']!r} ends in a date that is not the "
                          f"event_date {rec['event_date']!r}; a meeting id ends in its event date")
            if not re.fullmatch(r"[0-9a-f]{64}", rec["sha256"]):
                raise bad("sha256 must be 64 lower-case hex digits (the output of sha256sum)")
            pattern = rec["drop_pattern"]
            try:
                if pattern and re.fullmatch(pattern, ""):
                    raise bad(f"drop_pattern: pattern {pattern!r} matches an empty line; it "
                              "must match whole furniture lines only")
            except re.error as err:
                raise bad(f"drop_pattern: invalid regular expression {pattern!r} ({err})") \
                    from None
            start = rec["speech_starts_at"]
            if start.isdigit() and int(start) < 1:
                raise bad("speech_starts_at must be a line number from 1, or the text of the "
                          "first line of speech")
            file_path = raw_dir / name
            if not file_path.is_file():
                raise bad("manifest row has no file in data/raw/; copy the file there or delete "
                          "the row")
            src = Source(**rec, path=file_path, row=i)
            if start and not start.isdigit():
                try:
                    src.start_line(read_text_utf8(file_path, bom="blank"))
                except InputError as err:
                    raise bad(str(err)) from None
            sources.append(src)
        except InputError as err:
            found.append(err)
    found += [InputError(f, f"file in data/raw/ has no row in the manifest ({MANIFEST}); "
                             "add one with its sha256")
              for f in sorted(raw_dir.iterdir()) if f.is_file() and not f.name.startswith(".")
              and f.name not in NOT_SOURCES and f.name not in seen]
    if errors is None:
        raise_all(found)
    else:
        errors += found
    return sorted(sources, key=lambda s: s.file)


def _date_problem(value: str) -> str:
    """What is wrong with a manifest date ('' if it is a real 'YYYY-MM-DD' date)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return "is not written as YYYY-MM-DD; write it so (e.g. 2019-05-14)"
    try:
        dt.date.fromisoformat(value)
    except ValueError as err:
        return f"is not a real date ({err}); check the day and the month"
    return ""


def _default_meeting_name(meeting: str, event_date: str) -> str:
    """'sochi-2019-05-14', '2019-05-14' → 'Sochi, 14 May 2019'."""
    place = meeting[:-11].replace("-", " ").title()
    day = dt.date.fromisoformat(event_date)
    return f"{place}, {day.day} {day:%b %Y}"


def load_meetings(raw_dir: Path | None = None) -> list[dict]:
    """Return the meetings of the manifest in order of event date.

    Each is ``{"meeting", "name", "event_date"}``; ``name`` is the manifest's
    ``meeting_name`` (or one made from the id and date). Two sources of one meeting that
    disagree on its date or name are an error naming both rows. The manifest is read again
    only when its bytes change.
    """
    raw_dir = Path(raw_dir) if raw_dir is not None else config.paths()["raw"]
    path = raw_dir / MANIFEST
    return [dict(m) for m in _meetings(raw_dir, path.read_bytes() if path.exists() else b"")]


@functools.lru_cache(maxsize=8)
def _meetings(raw_dir: Path, manifest: bytes) -> tuple[dict, ...]:  # noqa: ARG001 - the key
    out: dict[str, dict] = {}
    for src in load_manifest(raw_dir):
        name = src.meeting_name or _default_meeting_name(src.meeting, src.event_date)
        seen = out.setdefault(src.meeting, {"meeting": src.meeting, "name": name,
                                            "event_date": src.event_date, "row": src.row})
        for key, value in (("event_date", src.event_date), ("name", name)):
            if seen[key] != value and (key == "event_date" or src.meeting_name):
                raise InputError(raw_dir / MANIFEST, f"meeting {src.meeting!r} has {key} "
                                 f"{value!r} here but {seen[key]!r} in row {seen['row']}; "
                                 "give every source of a meeting the same value", row=src.row)
    return tuple({k: m[k] for k in ("meeting", "name", "event_date")}
                 for m in sorted(out.values(), key=lambda m: (m["event_date"], m["meeting"])))


def manifest_rows(sources: list[Source]) -> dict[str, dict[str, str]]:
    """Each source's manifest row by file name, without its path or row number: the same in
    every copy of the project, so a step cached on it is found again."""
    return {s.file: {k: v for k, v in vars(s).items() if k not in ("path", "row")}
            for s in sources}


def order_meetings(meetings, raw_dir: Path | None = None) -> list[str]:
    """Return the given meeting ids in order of event date (unknown ids last, by id)."""
    rank = {m["meeting"]: k for k, m in enumerate(load_meetings(raw_dir))}
    return sorted(set(meetings), key=lambda m: (rank.get(m, len(rank)), m))


def meeting_label(meeting: str, raw_dir: Path | None = None) -> str:
    """Return a meeting's display name from the manifest ('Sochi, 14 May 2019')."""
    for m in load_meetings(raw_dir):
        if m["meeting"] == meeting:
            return m["name"]
    return _default_meeting_name(meeting, meeting[-10:])


def source_note(raw_dir: Path | None = None) -> str:
    """The source note every figure carries: the kinds of source and the meetings."""
    sources = load_manifest(raw_dir)
    kinds = sorted({s.source_kind for s in sources}, key=lambda k: SOURCE_RANK[k])
    plural = {"official transcript": "official transcripts",
              "third-party copy of a transcript": "copies of transcripts",
              "broadcast captions": "broadcast captions", "news article": "news articles"}
    meetings = "; ".join(m["name"] for m in load_meetings(raw_dir))
    return f"Source: {len(sources)} sources ({', '.join(plural[k] for k in kinds)}) of {meetings}."
