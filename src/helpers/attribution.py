"""Attribution: split one source into speaker turns by its format, then into sentences.

- ``labelled``: speaker labels at the start of a line ("SECRETARY POMPEO:"), from
  ``speaker_labels.csv``; a label-like prefix not in it is an error; text before the first
  label is the manifest's ``default_speaker``.
- ``captions``: turns start at the anchors of ``caption_turns.csv``, each matching once.
- ``article``: the narrator's prose, and direct quotes given to their speaker
  (:mod:`helpers.quotes`).

This module reads no file: :mod:`helpers.corpus` reads the texts and the annotation tables
and passes their rows (as :func:`helpers.io.read_csv_records` gives them) and the path that
errors name.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from . import config
from .clean import (WORD, MappedText, find_inline_drops, furniture_rule, normalise,
                    normalise_line, split_sentences)
from .io import InputError
from .parameters import MIN_QUOTE_WORDS
from .quotes import segment_article
from .sources import Source

#: A speaker label: a capitalised name (and a note in brackets) ending in a colon.
LABEL = re.compile(r"[ \t]*(?P<label>[A-Z][A-Za-z.'’ -]{0,70}?)"
                   r"(?P<paren>[ \t]*\([^)\n]{0,80}\))?:(?=\s|$)")
LABEL_CONNECTORS = {"of", "the", "and", "de", "for", "to"}
SPEAKER_COLUMNS = ["name", "speaker", "kind"]
ANCHOR_COLUMNS = ["source", "anchor", "speaker"]
STAGE_COLUMNS = ["pattern", "kind"]


@dataclass
class Segment:
    """A stretch of one paragraph spoken (or written) by one speaker."""

    start: int
    end: int
    speaker: str
    turn: int


# --------------------------------------------------------------------------- annotations
def speaker_names(records, path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """({label: speaker}, {alias: speaker}) from the rows of ``speaker_labels.csv``.

    Names are compared case-insensitively; a name given twice for one kind is an error
    naming both rows, even when both rows agree.
    """
    labels, aliases, where = {}, {}, {}
    for i, line, rec in records:
        name, speaker, kind = (rec[k].strip() for k in SPEAKER_COLUMNS)
        if speaker not in config.SPEAKERS:
            raise InputError(path, f"unknown speaker id {speaker!r} for {name!r}; use one of "
                                   f"{list(config.SPEAKERS)}", row=i, line=line)
        if kind not in {"label", "alias"} or not name:
            raise InputError(path, f"kind must be 'label' or 'alias' and name non-empty "
                                   f"(got {kind!r}, {name!r})", row=i, line=line)
        key = (kind, name.casefold())
        if key in where:
            raise InputError(path, f"{kind} {name!r} is listed twice (also row {where[key]}); "
                                   "keep one row per name", row=i, line=line)
        where[key] = i
        (labels if kind == "label" else aliases)[name.casefold()] = speaker
    return labels, aliases


def stage_direction_pattern(records, path: Path) -> re.Pattern | None:
    """One pattern for every stage direction of ``stage_directions.csv`` (None if no rows).

    Each row's ``pattern`` is a regular expression for the words inside round or square
    brackets ("speaking (?:in )?russian" drops "(Speaking Russian.)"), matched whole and
    case-insensitively; the span dropped runs from bracket to bracket, with a full stop
    after it.
    """
    parts = []
    for i, line, rec in records:
        pattern = rec["pattern"].strip()
        try:
            re.compile(pattern)
        except re.error as e:
            raise InputError(path, f"pattern {pattern!r} is not a valid regular expression "
                                   f"({e}); fix or delete the row", row=i, line=line)
        if not pattern:
            raise InputError(path, "empty pattern; give the words of the stage direction "
                                   "or delete the row", row=i, line=line)
        parts.append(f"(?:{pattern})")
    return (re.compile(r"[(\[]\s*(?:" + "|".join(parts) + r")\s*[.:]?\s*[)\]]\.?", re.I)
            if parts else None)


def check_caption_turns(records, path: Path, sources: list[Source]) -> None:
    """Check every row of ``caption_turns.csv``: a captions source of the manifest, a
    known speaker, a non-empty anchor, not given twice for its source."""
    by_file = {s.file: s for s in sources}
    seen: dict[tuple[str, str], int] = {}
    for i, line, rec in records:
        source, anchor, speaker = rec["source"].strip(), rec["anchor"], rec["speaker"].strip()
        if source not in by_file:
            raise InputError(path, f"anchor for {source!r}, which is not a source in the "
                                   "manifest (data/raw/sources.csv); fix the file name or "
                                   "delete the row", row=i, line=line)
        if by_file[source].format != "captions":
            raise InputError(path, f"anchor for {source!r}, whose format is "
                                   f"{by_file[source].format!r}; turn anchors are only for "
                                   "captions sources", row=i, line=line)
        if not anchor.strip():
            raise InputError(path, f"empty anchor for {source}; give a phrase that occurs "
                                   "exactly once in the source", row=i, line=line)
        if speaker not in config.SPEAKERS:
            raise InputError(path, f"unknown speaker {speaker!r} for anchor {anchor!r}; use "
                                   f"one of {list(config.SPEAKERS)}", row=i, line=line)
        if (source, anchor) in seen:
            raise InputError(path, f"anchor {anchor!r} for {source} is listed twice (also row "
                                   f"{seen[(source, anchor)]})", row=i, line=line)
        seen[(source, anchor)] = i


def caption_anchors(records, path: Path, source: str, text: str) -> list[tuple[int, str]]:
    """Sorted (position, speaker) turn starts of ``source`` from the rows of
    ``caption_turns.csv`` (checked by :func:`check_caption_turns`); each anchor must occur
    once in ``text``."""
    found = []
    for i, line, rec in records:
        if rec["source"].strip() != source:
            continue
        anchor = rec["anchor"]
        n = text.count(anchor)
        if n != 1:
            problem = "is missing from" if n == 0 else f"matches {n} times in"
            raise InputError(path, f"anchor {anchor!r} {problem} {source}; an anchor "
                                   "must match exactly once", row=i, line=line)
        found.append((text.index(anchor), rec["speaker"].strip()))
    if not found:
        raise InputError(path, f"no turn anchors for captions source {source}; add rows "
                               "(source, anchor, speaker) for its turns")
    return sorted(found)


def line_dropper(src: Source, text: str):
    """``drop(line_no, line) -> rule or None`` for the stripped, non-empty lines of one
    source's ``text``: first the manifest's rules (``speech_starts_at``, ``drop_lines``,
    ``drop_pattern``), then the title, then :data:`helpers.clean.LINE_RULES`."""
    start = src.start_line(text)
    literal = {normalise_line(x) for x in src.drop_lines.split(";")} - {""}
    pattern = re.compile(src.drop_pattern) if src.drop_pattern else None
    title = normalise_line(src.title)

    def drop(n: int, line: str) -> str | None:
        normal = normalise_line(line)
        if start is not None and n < start:
            return "speech_starts_at"
        if normal in literal:
            return "drop_lines"
        if pattern is not None and pattern.fullmatch(line):
            return "drop_pattern"
        if title and normal == title:
            return "title"
        return furniture_rule(line, src.format)
    return drop


# --------------------------------------------------------------------------- segmenting
def _speech_lines(src: Source, text: str, dropped: list):
    """Yield (line number, start, end) of the stripped content of each non-empty line that
    is not furniture; log the dropped lines, with their rule, in ``dropped``."""
    drop = line_dropper(src, text)
    pos = 0
    for n, line in enumerate(text.split("\n"), start=1):
        a, b = pos + len(line) - len(line.lstrip()), pos + len(line.rstrip())
        pos += len(line) + 1
        if a >= b:
            continue
        rule = drop(n, text[a:b])
        if rule:
            dropped.append((a, b, rule))
        else:
            yield n, a, b


def _label_like(label: str) -> bool:
    words = label.split()
    return 0 < len(words) <= 9 and all(w[0].isupper() or w.lower() in LABEL_CONNECTORS
                                       for w in words)


def segment_labelled(src: Source, text: str, labels: dict[str, str], dropped: list):
    """Split a labelled transcript into segments; log labels and furniture in ``dropped``."""
    segments: list[Segment] = []
    speaker, turn = src.default_speaker or None, -1
    for n, a, b in _speech_lines(src, text, dropped):
        body = a
        m = LABEL.match(text, a, b)
        if m and _label_like(m.group("label")):
            name = m.group("label").strip().casefold()
            if name not in labels:
                raise InputError(
                    src.path, f"unknown speaker label {m.group('label')!r}. If it is a "
                    "speaker, add it to data/annotations/speaker_labels.csv (kind 'label'); "
                    "if it is a heading or other page furniture, add the line to the "
                    f"drop_lines column of this source's row (row {src.row}) in "
                    "data/raw/sources.csv", line=n)
            speaker, turn = labels[name], turn + 1
            body = m.end()
            while body < b and text[body].isspace():
                body += 1
            dropped.append((a, body, "speaker_label"))
        if speaker is None:
            raise InputError(src.path, "speech before the first speaker label, and the "
                                       "manifest gives no default_speaker. If these are "
                                       "header lines, drop them with speech_starts_at or "
                                       "drop_lines in this source's row (row "
                                       f"{src.row}) of data/raw/sources.csv; if they are "
                                       "speech, set default_speaker", line=n)
        turn = max(turn, 0)
        if body < b:
            segments.append(Segment(body, b, speaker, turn))
    return segments


def segment_captions(src: Source, text: str, anchors: list[tuple[int, str]], dropped: list):
    """Split unlabelled captions at the annotated turn anchors; text before the first
    anchor is dropped as preamble."""
    segments: list[Segment] = []
    starts = [p for p, _ in anchors]
    for n, a, b in _speech_lines(src, text, dropped):
        cuts = [a] + [p for p in starts if a < p < b] + [b]
        for s, e in zip(cuts, cuts[1:]):
            k = bisect.bisect_right(starts, s) - 1
            if k >= 0:
                segments.append(Segment(s, e, anchors[k][1], k))
                continue
            drops = find_inline_drops(text, s, e, src.format)
            dropped.extend(drops)
            dropped.extend((x, y, "preamble") for x, y in _subtract(s, e, drops)
                           if text[x:y].strip())
    return segments


def _subtract(start: int, end: int, drops) -> list[tuple[int, int]]:
    """The pieces of ``start:end`` outside the sorted spans ``drops``."""
    pieces, pos = [], start
    for s, e, _ in drops:
        if s > pos:
            pieces.append((pos, s))
        pos = max(pos, e)
    if pos < end:
        pieces.append((pos, end))
    return pieces


def _number_turns(segments: list[Segment]) -> None:
    """Renumber turns: a new turn at every change of speaker or of the format's turn mark."""
    turn, prev = -1, None
    for seg in segments:
        if (seg.speaker, seg.turn) != prev:
            turn += 1
            prev = (seg.speaker, seg.turn)
        seg.turn = turn


# --------------------------------------------------------------------------- sentences
def sentences_from_source(src: Source, text: str, labels, aliases, anchors,
                          stage: re.Pattern | None = None):
    """(sentence rows, dropped rows) of one source; ``anchors`` are a captions source's turn
    starts (:func:`caption_anchors`), ``stage`` the stage directions
    (:func:`stage_direction_pattern`)."""
    dropped: list[tuple[int, int, str]] = []
    if src.format == "labelled":
        segments = segment_labelled(src, text, labels, dropped)
    elif src.format == "captions":
        segments = segment_captions(src, text, anchors, dropped)
    else:
        spans = segment_article(text, _speech_lines(src, text, dropped), aliases, dropped)
        segments = [Segment(a, b, speaker, 0) for a, b, speaker in spans]
    _number_turns(segments)
    rows = []
    for seg in segments:
        drops = find_inline_drops(text, seg.start, seg.end, src.format)
        if stage is not None:
            drops += [(m.start(), m.end(), "stage_direction")
                      for m in stage.finditer(text, seg.start, seg.end)
                      if not any(s < m.end() and m.start() < e for s, e, _ in drops)]
        drops.sort()
        dropped.extend(drops)
        pieces = [(s, e) for s, e in _subtract(seg.start, seg.end, drops) if text[s:e].strip()]
        if not pieces:
            continue
        mt = normalise(MappedText.from_pieces(text, pieces))
        for a, b in split_sentences(mt.text):
            s, e = mt.raw_span(a, b)
            sent = mt.text[a:b]
            if not WORD.search(sent):
                continue
            if (src.format == "article" and seg.speaker != "narrator"
                    and len(WORD.findall(sent)) < MIN_QUOTE_WORDS):
                dropped.append((s, e, "quote_fragment"))
                continue
            rows.append({"source": src.file, "meeting": src.meeting, "speaker": seg.speaker,
                         "turn": seg.turn, "char_start": s, "char_end": e, "text": sent})
    drop_rows = [{"source": src.file, "char_start": s, "char_end": e, "rule": r,
                  "text": text[s:e]} for s, e, r in sorted(set(dropped))]
    return rows, drop_rows
