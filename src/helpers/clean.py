"""Cleaning: drop page furniture, normalise typography, repair caption artefacts.

Every rule is named and documented in :data:`LINE_RULES`, :data:`INLINE_RULES` and
:data:`REPAIRS`. Dropped spans are logged with their rule (``dropped_spans`` table).
Cleaning never loses track of the raw file: :class:`MappedText` carries, for every character
of cleaned text, the raw span it came from, so each sentence maps back to exact raw offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rule:
    """A furniture rule: ``pattern`` matched against a whole stripped line or inline."""

    name: str
    pattern: re.Pattern
    formats: frozenset[str] | None  # None: every source format
    description: str


def _r(p: str, flags: int = 0) -> re.Pattern:
    return re.compile(p, flags)


ALL = None
ARTICLE = frozenset({"article"})
CAPTIONS = frozenset({"captions"})

#: Whole-line rules, tried in order against each stripped line.
LINE_RULES: list[Rule] = [
    Rule("dateline", _r(r"\d{1,2} [A-Z][a-z]+ \d{4}\s*\d{1,2}:\d{2}|"
                        r"\d{1,2}:\d{2} GMT\s*\d{1,2} [A-Z][a-z]+ \d{4}"), ALL,
         "A line holding only a publication date and time."),
    Rule("language_picker", _r(r"[•·]?\s*(?:[a-z]{2}-[A-Z]{2}\d*\s*){2,}"), ALL,
         "The MFA site's list of language versions (de-DE1 en-GB1 …)."),
    Rule("breadcrumb", _r(r"\S.*\s»\s.*"), ALL, "Site navigation trail (Home » News …)."),
    Rule("site_header", _r(r"(?:Transcripts For CSPAN\d?|CSPAN\d?) .*"), CAPTIONS,
         "The caption archive's page title and rebroadcast-date header."),
    Rule("outlet_dateline", _r(r"[A-Z][A-Z .]+ \| [A-Z][A-Z ()]+"), ALL,
         "Outlet name and place in capitals (VOLTAIRE NETWORK | SOCHI …)."),
    Rule("player_widget", _r(r"Listen Live|Get short URL"), ALL,
         "Radio player and short-link buttons."),
    Rule("comment_widget", _r(r"Comments are closed\.?|Community standards.*|"
                              r"Comment via .*"), ALL, "Comment widgets and their notices."),
    Rule("page_widget", _r(r"Additional materials|Advanced settings"), ALL,
         "The MFA page's trailing widgets."),
    Rule("copyright", _r(r"(?:©|\(c\)|Copyright)\s.*", re.I), ALL, "Copyright line."),
    Rule("tags", _r(r"(?:[^,.!?\"“”]{1,40}, ){4,}[^,.!?\"“”]{1,40}"), ARTICLE,
         "The article's comma-separated tag list."),
    Rule("section_heading", _r(r"[A-Z][^.!?\"“”:]{0,60}"), ARTICLE,
         "A short line with no sentence punctuation: the article's section headings."),
    Rule("related_link", _r(r"[A-Z][^.!?\"“”]{60,200}"), ARTICLE,
         "A headline-like line with no sentence punctuation: links to related articles."),
]

#: Inline rules, applied within lines that are kept.
INLINE_RULES: list[Rule] = [
    Rule("broadcaster_promo", _r(r"Forward with resolve.*?Voices from the road on cspan\.\s*",
                                 re.I), CAPTIONS,
         "A C-SPAN promo spot captioned before the programme."),
    Rule("caption_annotation", _r(r"\[[a-z ]{3,60}\]\s*(?:translator|interpreter)?\s*", re.I),
         CAPTIONS, "Captioner's notes such as '[speaking in native tongue] translator'."),
    Rule("interpreter_note", _r(r"\((?:Via|via) inter\w*\)\s*"), ALL,
         "Transcript notes that a turn came through an interpreter."),
    Rule("sic_marker", _r(r"\*(?<=\w\*)"), ALL,  # (?<=\w)\*, found from its literal
         "The repost's asterisks marking [sic] words (Prime* Minister)."),
]

#: Typographic normalisation, one character for one (so offsets are unchanged).
TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"',
                            "–": "-", "—": "-", "‒": "-", "−": "-", "\u00a0": " ",
                            "\u2009": " ", "\u202f": " ", "\t": " "})

#: Repairs that change length: (name, pattern, replacement function, description).
REPAIRS = [
    ("caption_acronym", _r(r"(?<![\w.])[A-Za-z]\.(?: [A-Za-z]\.)+(?![A-Za-z])"),
     lambda m: m.group(0).replace(" ", "").upper(),
     "Speech-recognition splits acronyms: 'u. S.' → 'U.S.', 's. T. A. R. T.' → "
     "'S.T.A.R.T.'"),
    ("space_before_punct", _r(r"\s+(?=[.,?!;:](?:\s|$))"), lambda m: "",
     "Captions put a space before punctuation ('negotiations . Foreign')."),
    ("ellipsis", _r(r"…"), lambda m: "...", "Ellipsis character → three dots."),
    ("whitespace", _r(r"\s{2,}"), lambda m: " ", "Runs of white space → one space."),
]


#: Reasons for setting a news article's quote aside (``dropped_spans.rule``): nobody, or
#: nobody certain, said it. The run goes on; an alias in speaker_labels.csv settles an
#: unknown name.
SET_ASIDE_RULES = {
    "quote_no_speaker": "A direct quote with no speaker named next to it (or a pronoun with "
                        "nobody named before it in its paragraph): set aside.",
    "quote_ambiguous_speaker": "A direct quote that two people could have said (a pronoun "
                               "after two names, or frames naming different speakers): set "
                               "aside.",
    "quote_unknown_speaker": "A direct quote whose speaker is a name not in "
                             "speaker_labels.csv: set aside (add the name as an alias to "
                             "attribute it).",
}


def rules_table() -> list[dict]:
    """Return every cleaning rule with its kind and description (for the notebook)."""
    rows = [{"rule": "title", "kind": "line", "applies_to": "all",
             "description": "A line equal to the source's title in the manifest."},
            {"rule": "speaker_label", "kind": "structure", "applies_to": "labelled",
             "description": "Speaker labels ('SECRETARY POMPEO:'); they set the speaker."},
            {"rule": "preamble", "kind": "structure", "applies_to": "captions",
             "description": "Caption text before the first annotated turn anchor."},
            {"rule": "stage_direction", "kind": "inline", "applies_to": "all",
             "description": "Stage directions and interpreter notes in brackets ('(Speaking "
                            "Russian.)', '[Through interpreter]'), listed in "
                            "data/annotations/stage_directions.csv."},
            {"rule": "quote_fragment", "kind": "structure", "applies_to": "article",
             "description": "A quoted sentence of one word ('Period.'): not a sentence of "
                            "the speaker's."}]
    rows += [{"rule": name, "kind": "set aside", "applies_to": "article", "description": d}
             for name, d in SET_ASIDE_RULES.items()]
    for kind, rules in (("line", LINE_RULES), ("inline", INLINE_RULES)):
        rows += [{"rule": r.name, "kind": kind,
                  "applies_to": "all" if r.formats is None else ", ".join(sorted(r.formats)),
                  "description": r.description} for r in rules]
    rows += [{"rule": "typography", "kind": "normalise", "applies_to": "all",
              "description": "Curly quotes → straight, dashes → '-', odd spaces → space."}]
    rows += [{"rule": name, "kind": "repair", "applies_to": "all", "description": d}
             for name, _, _, d in REPAIRS]
    return rows


#: Quote and dash styles (and odd spaces) that line comparisons ignore.
_LINE_TYPOGRAPHY = {**TYPOGRAPHY, ord("\ufeff"): " "}


def normalise_line(line: str) -> str:
    """A line as the title and page-furniture comparisons see it: quote and dash style
    and runs of white space ignored, surrounding white space stripped."""
    return " ".join(line.translate(_LINE_TYPOGRAPHY).split())


def furniture_rule(s: str, fmt: str) -> str | None:
    """Return the name of the first of :data:`LINE_RULES` that drops the stripped line ``s``
    of a source in format ``fmt``, or None."""
    for rule in LINE_RULES:
        if (rule.formats is None or fmt in rule.formats) and rule.pattern.fullmatch(s):
            return rule.name
    return None


def find_inline_drops(text: str, start: int, end: int, fmt: str) -> list[tuple[int, int, str]]:
    """Return (start, end, rule) spans inside ``text[start:end]`` that inline rules drop."""
    spans = []
    for rule in INLINE_RULES:
        if rule.formats is not None and fmt not in rule.formats:
            continue
        for m in rule.pattern.finditer(text, start, end):
            if m.end() > m.start():
                spans.append((m.start(), m.end(), rule.name))
    spans.sort()
    merged: list[tuple[int, int, str]] = []
    for s, e, r in spans:  # overlapping matches: keep the first
        if merged and s < merged[-1][1]:
            continue
        merged.append((s, e, r))
    return merged


class MappedText:
    """Cleaned text that remembers, for each character, the raw span it came from."""

    __slots__ = ("text", "starts", "ends")

    def __init__(self, text: str, starts: np.ndarray, ends: np.ndarray):
        self.text, self.starts, self.ends = text, starts, ends

    @classmethod
    def from_pieces(cls, raw: str, pieces: list[tuple[int, int]]) -> "MappedText":
        """Join raw ``pieces`` (start, end) with single spaces, keeping the raw offsets."""
        texts, starts, ends = [], [], []
        for i, (s, e) in enumerate(pieces):
            if i:
                texts.append(" ")
                starts.append(np.array([s], dtype=np.int64))
                ends.append(np.array([s], dtype=np.int64))
            texts.append(raw[s:e])
            idx = np.arange(s, e, dtype=np.int64)
            starts.append(idx)
            ends.append(idx + 1)
        if not texts:
            empty = np.zeros(0, dtype=np.int64)
            return cls("", empty, empty)
        return cls("".join(texts), np.concatenate(starts), np.concatenate(ends))

    def translate(self, table: dict) -> "MappedText":
        """Apply a one-for-one character translation (offsets unchanged)."""
        return MappedText(self.text.translate(table), self.starts, self.ends)

    def sub(self, pattern: re.Pattern, repl) -> "MappedText":
        """Regex substitution; replacement characters map to the matched raw span."""
        texts, starts, ends, prev = [], [], [], 0
        for m in pattern.finditer(self.text):
            a, b = m.start(), m.end()
            if a == b:
                continue
            new = repl(m)
            if new == m.group(0):
                continue
            texts.append(self.text[prev:a])
            starts.append(self.starts[prev:a])
            ends.append(self.ends[prev:a])
            if new:
                texts.append(new)
                starts.append(np.full(len(new), self.starts[a], dtype=np.int64))
                ends.append(np.full(len(new), self.ends[b - 1], dtype=np.int64))
            prev = b
        if not texts:
            return self
        texts.append(self.text[prev:])
        starts.append(self.starts[prev:])
        ends.append(self.ends[prev:])
        return MappedText("".join(texts), np.concatenate(starts), np.concatenate(ends))

    def raw_span(self, a: int, b: int) -> tuple[int, int]:
        """Raw (start, end) of cleaned characters ``a:b`` (end exclusive)."""
        return int(self.starts[a]), int(self.ends[b - 1])


def normalise(mt: MappedText) -> MappedText:
    """Apply typography normalisation and the repairs, in documented order."""
    mt = mt.translate(TYPOGRAPHY)
    for name, pattern, repl, _ in REPAIRS:
        if _may_repair(name, mt.text):
            mt = mt.sub(pattern, repl)
    return mt


#: A word: letters and digits, with inner apostrophes, dots or hyphens.
WORD = re.compile(r"[A-Za-z0-9]+(?:['.-][A-Za-z0-9]+)*")
_ACRONYM_HINT = re.compile(r"\. [A-Za-z]\.")
_SPACE_PUNCT_HINT = re.compile(r" [.,?!;:]")


def _may_repair(name: str, text: str) -> bool:
    """False only when the repair ``name`` cannot match ``text``: quick tests that spare
    most texts a slow pattern scan. Every caption acronym contains ". X."; and where a
    text's only white space is single spaces (it is ``isprintable()``: every other white-
    space character is not), a run of white space is "  " and white space before
    punctuation is a space before it."""
    if name == "caption_acronym":
        return _ACRONYM_HINT.search(text) is not None
    if name == "space_before_punct" and text.isprintable():
        return _SPACE_PUNCT_HINT.search(text) is not None
    if name == "whitespace" and text.isprintable():
        return "  " in text
    return True


#: Words after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "prof", "no",
                           "vs", "u.s", "u.n", "u.k", "e.g", "i.e", "etc", "approx"})
_BOUNDARY = re.compile(r"[.?!]+[\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences in ``text``, white space trimmed.

    A sentence ends at '.', '?' or '!' (plus closing quotes or brackets) followed by space
    and a capital or digit, unless the full stop closes an abbreviation (Mr., U.S.) or a
    single initial (Michael R. Pompeo) or a dotted acronym (S.T.A.R.T.).
    """
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if text[m.start()] == ".":
            w = _LAST_WORD.search(text, max(0, m.start() - 20), m.start())
            word = w.group(1).lower().rstrip(".") if w else ""
            if word in ABBREVIATIONS or len(word) == 1 or "." in word:
                continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out
