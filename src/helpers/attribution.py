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
from itertools import takewhile
from pathlib import Path

import numpy as np
import pandas as pd

from . import config
from .clean import (
    SET_ASIDE_RULES,
    MappedText,
    find_inline_drops,
    furniture_rule,
    normalise,
    normalise_line,
    split_sentences,
)
from .io import InputError, read_csv_records
from .sources import Source

WORD = re.compile(r"[A-Za-z0-9]+(?:['.-][A-Za-z0-9]+)*")
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


#: Quotation marks: an opening mark and the marks that close it.
_CLOSES = {'"': '"', "“": "”"}
#: Words before a name that make it the one spoken to or about, not the speaker
#: ('"…," he told Lavrov'; 'Pompeo said he had told Lavrov: "…"').
RECEIVERS = frozenset({"to", "told", "with", "by", "for", "at", "about", "after", "of", "and",
                       "urged", "warned", "thanked", "met", "asked", "reminded", "from", "on"})
PRONOUNS = ("he", "she")
#: A quoted sentence of an article with fewer words than this is a fragment ("Period.").
MIN_QUOTE_WORDS = 2


@dataclass
class Quote:
    """One quotation in an article paragraph; ``end`` is past the closing mark, or the
    paragraph's end when the quote is left open for the next paragraph."""

    start: int
    end: int
    open: bool
    para: int
    continues: bool = False  # opens its paragraph and continues an open quote
    speaker: str | None = None
    reason: str = "quote_no_speaker"

    @property
    def content(self) -> tuple[int, int]:
        return self.start + 1, self.end - (0 if self.open else 1)


def _find_quotes(text: str, a: int, b: int, para: int) -> list[Quote]:
    quotes, i = [], a
    while i < b:
        c = text[i]
        if c in _CLOSES:
            j = text.find(_CLOSES[c], i + 1, b)
            if j < 0:
                quotes.append(Quote(i, b, True, para))
                break
            if j > i + 1:
                quotes.append(Quote(i, j + 1, False, para))
            i = j + 1
        else:
            i += 1
    return quotes


def _is_direct(text: str, q: Quote, a: int, after: Quote | None) -> bool:
    """A quote of someone's words, rather than a phrase quoted inside the narrator's
    sentence: it opens the paragraph or follows ':', ',' or a sentence's end, and it is
    more than a two-word fragment (unless the quote after it goes on with its sentence:
    '"We agreed," Lavrov said, "that …"')."""
    if q.continues:
        return True
    before = text[a:q.start].rstrip()
    if before and before[-1] not in ":,.?!":
        return False
    cs, ce = q.content
    if q.open or len(WORD.findall(text, cs, ce)) > 2:
        return True
    return (after is not None and text[cs:ce].rstrip().endswith(",")
            and text[after.start + 1:after.start + 2].islower())


class _Mentions:
    """Speakers named in narrator text: aliases of speaker_labels.csv and pronouns."""

    def __init__(self, aliases: dict[str, str]):
        names = sorted(map(re.escape, aliases), key=len, reverse=True)
        self.aliases = aliases
        self.rx = re.compile(r"\b(?:" + "|".join(names + list(PRONOUNS)) + r")\b", re.I)

    def find(self, text: str, a: int, b: int):
        return list(self.rx.finditer(text, a, b))

    def speaker(self, m) -> str | None:
        return self.aliases.get(m.group(0).casefold())  # None for a pronoun


#: Words allowed between a quote and the name after it: up to three lower-case words
#: ("shot back", "a senior administration"), then a title ("Secretary of State Mike").
_AFTER_PREFIX = re.compile(r"[\s,]*(?:[a-z]+\s+){0,3}(?:(?:[A-Z][\w'.-]*|of|the)\s+){0,5}")
_UNKNOWN_NAME = re.compile(r"[\s,]*(?:[a-z]+\s+){0,3}?([A-Z][a-z][\w'-]*)")
_BEFORE_TAIL = re.compile(r"(?:\s+[\w'-]+){0,5}\s*[:,]\s*")


def segment_article(src: Source, text: str, aliases: dict[str, str], dropped: list):
    """Split a news article into narrator prose and attributed direct quotes.

    A direct quote goes to the speaker named next to it, with any verb: after it ('"…,"
    Pompeo shot back', '"…," said Lavrov', '"…," he said'), or before it ('Pompeo put it
    bluntly: "…"'). A pronoun stands for the one person named before it in its paragraph.
    A quote with no such frame continues the quote before it in its paragraph, or, when it
    opens a paragraph after one whose quote was left open, that quote (news style for a
    quote over paragraphs); an open quote with no frame takes the speaker of its
    continuation. Institutions and unnamed officials are speakers of their own (``other``).
    Phrases quoted inside the narrator's sentence (scare quotes, fragments of one or two
    words) stay the narrator's. A quote whose speaker is uncertain is set aside in
    ``dropped`` with its reason (:data:`SET_ASIDE_RULES`).
    """
    mentions = _Mentions(aliases)
    paras = list(_speech_lines(src, text, dropped))
    quotes: list[list[Quote]] = []
    prev_open = False
    for k, (n, a, b) in enumerate(paras):
        found = _find_quotes(text, a, b, k)
        if found and found[0].start == a and prev_open:
            found[0].continues = True
        direct = [q for i, q in enumerate(found)
                  if _is_direct(text, q, a, found[i + 1] if i + 1 < len(found) else None)]
        quotes.append(direct)
        prev_open = bool(direct) and direct[-1].open
        for i, q in enumerate(direct):
            lo = direct[i - 1].end if i else a
            hi = direct[i + 1].start if i + 1 < len(direct) else b
            _own_speaker(text, q, a, lo, hi, direct, mentions)
    flat = [q for qs in quotes for q in qs]
    for i, q in enumerate(flat):  # a quote with no frame continues the one before it
        if q.speaker is None and q.reason == "quote_no_speaker" and i:
            before = flat[i - 1]
            if q.continues:
                q.speaker, q.reason = before.speaker, before.reason
            elif before.para == q.para:
                between = {mentions.speaker(m) for m in mentions.find(text, before.end,
                                                                      q.start)}
                if between - {None, before.speaker}:  # someone else named in between
                    q.reason = "quote_ambiguous_speaker"
                else:
                    q.speaker, q.reason = before.speaker, before.reason
    for i in range(len(flat) - 2, -1, -1):  # an open quote takes its continuation's speaker
        q, after = flat[i], flat[i + 1]
        if q.speaker is None and q.open and after.continues and after.speaker:
            q.speaker = after.speaker
            if i and flat[i - 1].para == q.para and flat[i - 1].speaker is None \
                    and flat[i - 1].reason == "quote_no_speaker":
                flat[i - 1].speaker = q.speaker
    segments: list[Segment] = []
    for (n, a, b), direct in zip(paras, quotes):
        pos = a
        for q in direct:
            if text[pos:q.start].strip(" ,.;:") != "":
                segments.append(Segment(pos, q.start, "narrator", 0))
            cs, ce = q.content
            if q.speaker:
                segments.append(Segment(cs, ce, q.speaker, 0))
            elif text[cs:ce].strip():
                dropped.append((cs, ce, q.reason))
            pos = q.end
        if any(c.isalpha() for c in text[pos:b]):
            segments.append(Segment(pos, b, "narrator", 0))
    return segments


def _own_speaker(text: str, q: Quote, a: int, lo: int, hi: int, direct: list[Quote],
                 mentions: _Mentions) -> None:
    """Set ``q.speaker`` (or ``q.reason``) from the frames next to it: the narrator's words
    after it up to the next quote (``hi``), and before it from the previous quote (``lo``)."""
    found: set[str] = set()
    reasons: set[str] = set()
    cs, ce = q.content
    ends = text[cs:ce].rstrip()
    if not q.open and ends and ends[-1] in ",?!-—–":
        hits = mentions.find(text, q.end, hi)
        prefix = text[q.end:hits[0].start()] if hits else ""
        lower = list(takewhile(str.islower, prefix.replace(",", " ").split()))  # not the title
        if hits and _AFTER_PREFIX.fullmatch(prefix) and (
                not RECEIVERS & set(lower) or lower == ["according", "to"]):
            _take(text, hits[0], a, direct, mentions, found, reasons)
            if re.match(r"\s+(?:and|&)\s+", text[hits[0].end():hi]):
                reasons.add("quote_ambiguous_speaker")
        elif _UNKNOWN_NAME.match(text, q.end, hi):
            reasons.add("quote_unknown_speaker")
    frame = text[lo:q.start]
    if frame.rstrip()[-1:] in (":", ",") and not q.continues:
        hits = mentions.find(text, lo, q.start)
        if hits:
            last = hits[-1]
            tail_ok = _BEFORE_TAIL.fullmatch(text, last.end(), q.start) is not None
            words = text[lo:last.start()].split()
            if tail_ok and not (words and words[-1].lower() in RECEIVERS):
                _take(text, last, a, direct, mentions, found, reasons)
    if len(found) == 1 and not reasons:
        q.speaker = found.pop()
    elif len(found) > 1 or "quote_ambiguous_speaker" in reasons:
        q.reason = "quote_ambiguous_speaker"
    elif reasons:
        q.reason = min(reasons)


def _take(text: str, hit, a: int, direct: list[Quote], mentions: _Mentions,
          found: set, reasons: set) -> None:
    """Add the speaker a mention names; a pronoun names the one person (else the one
    institution or official) named before it in its paragraph, outside the quotes."""
    speaker = mentions.speaker(hit)
    if speaker is not None:
        found.add(speaker)
        return
    named, pos = set(), a
    for q in direct:
        if q.start >= hit.start():
            break
        named |= {mentions.speaker(m) for m in mentions.find(text, pos, q.start)}
        pos = q.end
    named |= {mentions.speaker(m) for m in mentions.find(text, pos, hit.start())}
    named.discard(None)
    people = named - {"other"} or named
    if len(people) == 1:
        found.add(people.pop())
    else:
        reasons.add("quote_ambiguous_speaker" if people else "quote_no_speaker")


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
        segments = segment_article(src, text, aliases, dropped)
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
