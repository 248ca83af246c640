"""Attribution: split one source into speaker turns by its format, then into sentences.

Formats
-------
labelled  Transcripts with speaker labels at the start of a line ("SECRETARY POMPEO:").
          Labels come from ``data/annotations/speaker_labels.csv``; a label-like prefix that
          is not in that table is an error. Unlabelled lines continue the current speaker;
          text before the first label goes to the manifest's ``default_speaker``.
captions  Unlabelled captions; turns start at the anchors of
          ``data/annotations/caption_turns.csv``, each of which must match exactly once.
article   News prose is ``narrator``; direct quotes go to the speaker named in the
          attribution ('"…," Lavrov said').

:func:`sentences_from_source` returns every sentence with its raw-file offsets, and the
spans dropped as furniture with the rule that dropped them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .clean import (
    WORD,
    MappedText,
    find_inline_drops,
    furniture_rule,
    normalise,
    normalise_line,
    split_sentences,
)
from .io import InputError, read_csv_records
from .parameters import MIN_QUOTE_WORDS
from .quotes import segment_article
from .sources import Source

LABEL = re.compile(r"[ \t]*(?P<label>[A-Z][A-Za-z.'’ -]{0,70}?)"
                   r"(?P<paren>[ \t]*\([^)\n]{0,80}\))?:(?=\s)")
LABEL_CONNECTORS = {"of", "the", "and", "de", "for", "to"}
LINE = re.compile(r"[^\n]*\n?")


@dataclass
class Segment:
    """A stretch of one paragraph spoken (or written) by one speaker."""

    start: int
    end: int
    speaker: str
    turn: int


def count_words_series(texts: pd.Series) -> pd.Series:
    """Words per text: the matches of :data:`WORD` (letters and digits, with inner
    apostrophes, dots or hyphens)."""
    return texts.str.count(WORD.pattern).astype(int)


# --------------------------------------------------------------------------- annotations
SPEAKER_COLUMNS = ["name", "speaker", "kind"]


def speaker_names(records, path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Return ({label: speaker}, {alias: speaker}) from the rows of ``speaker_labels.csv``
    (``records`` as :func:`helpers.io.read_csv_records` gives them; ``path`` names the
    file in errors).

    Names are compared case-insensitively; a name given twice for one kind is an error
    naming both rows, even when both rows agree.
    """
    labels, aliases, where = {}, {}, {}
    for i, line, rec in records:
        name, speaker, kind = (rec.get(k, "").strip() for k in ("name", "speaker", "kind"))
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


#: The shared list of stage directions and interpreter notes (``pattern``, ``kind``, ``note``).
STAGE_DIRECTIONS = "stage_directions.csv"


def load_stage_directions(path: Path) -> re.Pattern | None:
    """Return one pattern for every stage direction or interpreter note of ``path``.

    Each row's ``pattern`` is a regular expression for the words inside round or square
    brackets ("speaking (?:in )?russian" drops "(Speaking Russian.)"), matched whole and
    case-insensitively; the span dropped runs from bracket to bracket, with a full stop
    after it. No file, or no rows: None.
    """
    path = Path(path)
    if not path.exists():
        return None
    parts = []
    for i, line, rec in read_csv_records(path, ["pattern", "kind"]):
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


def stage_direction_drops(rx: re.Pattern | None, text: str, start: int, end: int,
                          taken: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """(start, end, "stage_direction") spans in ``text[start:end]`` outside ``taken``."""
    if rx is None:
        return []
    return [(m.start(), m.end(), "stage_direction") for m in rx.finditer(text, start, end)
            if not any(s < m.end() and m.start() < e for s, e, _ in taken)]


ANCHOR_COLUMNS = ["source", "anchor", "speaker"]


def check_caption_turns(records, path: Path, sources: list[Source]) -> None:
    """Validate every row of ``caption_turns.csv`` (``records``) against the manifest.

    Each row must name a source of the manifest whose format is ``captions``, a known
    speaker and a non-empty anchor; the same anchor may not be given twice for a source.
    """
    by_file = {s.file: s for s in sources}
    seen: dict[tuple[str, str], int] = {}
    for i, line, rec in records:
        source, anchor = rec["source"].strip(), rec["anchor"]
        speaker = rec["speaker"].strip()
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
    """Return sorted (position, speaker) turn starts for ``source`` from the rows of
    ``caption_turns.csv``; each anchor must match once."""
    found = []
    for i, line, rec in records:
        if rec.get("source", "").strip() != source:
            continue
        anchor, speaker = rec.get("anchor", ""), rec.get("speaker", "").strip()
        if speaker not in config.SPEAKERS:
            raise InputError(path, f"unknown speaker {speaker!r} for anchor {anchor!r}",
                             row=i, line=line)
        n = text.count(anchor) if anchor else 0
        if n != 1:
            problem = "is missing from" if n == 0 else f"matches {n} times in"
            raise InputError(path, f"anchor {anchor!r} {problem} {source}; an anchor "
                                   "must match exactly once", row=i, line=line)
        found.append((text.index(anchor), speaker))
    if not found:
        raise InputError(path, f"no turn anchors for captions source {source}; add rows "
                               "(source, anchor, speaker) for its turns")
    return sorted(found)


def anchor_table(path: Path, sentences: pd.DataFrame) -> pd.DataFrame:
    """Each turn anchor with the first sentence of its turn, for every captions source.

    (For notebook 01: works with any number of captions sources and anchors.)
    """
    rows = []
    by_source: dict[str, list[dict]] = {}
    for _, _, rec in read_csv_records(path, ANCHOR_COLUMNS):
        by_source.setdefault(rec["source"].strip(), []).append(rec)
    for source, recs in by_source.items():
        firsts = (sentences[sentences["source"] == source].sort_values("sentence")
                  .groupby("turn")["text"].first().tolist())
        for k, rec in enumerate(recs):
            rows.append({"source": source, "speaker": rec["speaker"], "anchor": rec["anchor"],
                         "first_sentence": firsts[k][:70] if k < len(firsts) else "",
                         "note": rec.get("note", "")})
    return pd.DataFrame(rows, columns=["source", "speaker", "anchor", "first_sentence", "note"])


def line_dropper(src: Source):
    """Return ``drop(line_no, line) -> rule or None`` for one source's furniture.

    Rules come first from the manifest (``speech_starts_at``, ``drop_lines``,
    ``drop_pattern``), then from :mod:`helpers.clean` (title and line rules).
    """
    start = src.start_line
    literal = src.drop_line_set
    rx = src.drop_regex
    title = normalise_line(src.title) if src.title else None

    def drop(n: int, line: str) -> str | None:
        stripped = line.strip()
        if start is not None and n < start and stripped:
            return "speech_starts_at"
        if literal or rx is not None:
            s = normalise_line(line)
            if s and s in literal:
                return "drop_lines"
            if rx is not None and s and rx.fullmatch(stripped):
                return "drop_pattern"
        if not stripped:
            return None
        if title is not None and normalise_line(stripped) == title:
            return "title"
        return furniture_rule(stripped, src.format)
    return drop


# --------------------------------------------------------------------------- segmenting
def _lines(text: str):
    """Yield (line number, start, end) of each line's stripped content."""
    for n, m in enumerate(LINE.finditer(text), start=1):
        if m.start() == m.end():
            break
        line = m.group(0)
        b = m.start() + len(line.rstrip())
        a = min(m.start() + (len(line) - len(line.lstrip())), b)
        yield n, a, b


def _speech_lines(src: Source, text: str, dropped: list):
    """Yield (line number, start, end) of each non-empty line that is not furniture; log the
    dropped lines, with the rule that dropped them, in ``dropped``."""
    drop = line_dropper(src)
    for n, a, b in _lines(text):
        if a == b:
            continue
        rule = drop(n, text[a:b])
        if rule:
            dropped.append((a, b, rule))
            continue
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
        if m is None:  # a label alone on its line ("Europe and Eurasia:"): the colon ends it
            m = LABEL.match(text[:b] + " ", a, b + 1)
            if m is not None and m.end() != b:
                m = None
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
            body = min(m.end(), b)
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
    """Split unlabelled captions at the annotated turn anchors."""
    segments: list[Segment] = []
    starts = [p for p, _ in anchors]
    for n, a, b in _speech_lines(src, text, dropped):
        cuts = [a] + [p for p in starts if a < p < b] + [b]
        for s, e in zip(cuts, cuts[1:]):
            k = int(np.searchsorted(starts, s, side="right")) - 1
            if k < 0:  # before the first anchor: not part of the event
                for ds, de, r in find_inline_drops(text, s, e, src.format):
                    dropped.append((ds, de, r))
                rest = _subtract(s, e, find_inline_drops(text, s, e, src.format))
                dropped.extend((x, y, "preamble") for x, y in rest if text[x:y].strip())
                continue
            segments.append(Segment(s, e, anchors[k][1], k))
    return segments


def _subtract(start: int, end: int, drops) -> list[tuple[int, int]]:
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
        key = (seg.speaker, seg.turn)
        if key != prev:
            turn += 1
            prev = key
        seg.turn = turn


# --------------------------------------------------------------------------- sentences
def sentences_from_source(src: Source, text: str, labels, aliases, anchors,
                          stage: re.Pattern | None = None):
    """Return (sentence rows, dropped rows) for one source; ``anchors`` are the turn starts
    of a captions source (:func:`caption_anchors`), ``stage`` the stage directions
    (:func:`load_stage_directions`)."""
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
        drops = sorted(drops + stage_direction_drops(stage, text, seg.start, seg.end, drops))
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
