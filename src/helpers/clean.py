"""Cleaning: drop page furniture, normalise typography, repair caption artefacts.

Every rule is named in :data:`LINE_RULES`, :data:`INLINE_RULES` and :data:`REPAIRS`, and
each dropped span is logged with its rule. :class:`MappedText` keeps, for every character of
cleaned text, the raw span it came from, so each sentence maps back to exact raw offsets.
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


ALL = None
ARTICLE = frozenset({"article"})
CAPTIONS = frozenset({"captions"})

#: Whole-line rules, tried in order against each stripped line.
LINE_RULES: list[Rule] = [
    Rule("dateline", re.compile(r"\d{1,2} [A-Z][a-z]+ \d{4}\s*\d{1,2}:\d{2}|"
                        r"\d{1,2}:\d{2} GMT\s*\d{1,2} [A-Z][a-z]+ \d{4}"), ALL,
         "A line holding only a publication date and time."),
    Rule("language_picker", re.compile(r"[•·]?\s*(?:[a-z]{2}-[A-Z]{2}\d*\s*){2,}"), ALL,
         "The MFA site's list of language versions (de-DE1 en-GB1 …)."),
    Rule("breadcrumb", re.compile(r"\S.*\s»\s.*"), ALL,
         "Site navigation trail (Home » News …)."),
    Rule("site_header", re.compile(r"(?:Transcripts For CSPAN\d?|CSPAN\d?) .*"), CAPTIONS,
         "The caption archive's page title and rebroadcast-date header."),
    Rule("outlet_dateline", re.compile(r"[A-Z][A-Z .]+ \| [A-Z][A-Z ()]+"), ALL,
         "Outlet name and place in capitals (VOLTAIRE NETWORK | SOCHI …)."),
    Rule("player_widget", re.compile(r"Listen Live|Get short URL"), ALL,
         "Radio player and short-link buttons."),
    Rule("comment_widget", re.compile(r"Comments are closed\.?|Community standards.*|"
                              r"Comment via .*"), ALL, "Comment widgets and their notices."),
    Rule("page_widget", re.compile(r"Additional materials|Advanced settings"), ALL,
         "The MFA page's trailing widgets."),
    Rule("copyright", re.compile(r"(?:©|\(c\)|Copyright)\s.*", re.I), ALL, "Copyright line."),
    Rule("tags", re.compile(r"(?:[^,.!?\"“”]{1,40}, ){4,}[^,.!?\"“”]{1,40}"), ARTICLE,
         "The article's comma-separated tag list."),
    Rule("section_heading", re.compile(r"[A-Z][^.!?\"“”:]{0,60}"), ARTICLE,
         "A short line with no sentence punctuation: the article's section headings."),
    Rule("related_link", re.compile(r"[A-Z][^.!?\"“”]{60,200}"), ARTICLE,
         "A headline-like line with no sentence punctuation: links to related articles."),
]

#: Inline rules, applied within lines that are kept.
INLINE_RULES: list[Rule] = [
    Rule("broadcaster_promo",
         re.compile(r"Forward with resolve.*?Voices from the road on cspan\.\s*", re.I), CAPTIONS,
         "A C-SPAN promo spot captioned before the programme."),
    Rule("caption_annotation",
         re.compile(r"\[[a-z ]{3,60}\]\s*(?:translator|interpreter)?\s*", re.I), CAPTIONS,
         "Captioner's notes such as '[speaking in native tongue] translator'."),
    Rule("interpreter_note", re.compile(r"\((?:Via|via) inter\w*\)\s*"), ALL,
         "Transcript notes that a turn came through an interpreter."),
    Rule("sic_marker", re.compile(r"(?<=\w)\*"), ALL,
         "The repost's asterisks marking [sic] words (Prime* Minister)."),
]

#: Typographic normalisation, one character for one (so offsets are unchanged).
TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "ʼ": "'", "“": '"', "”": '"', "„": '"',
                            "–": "-", "—": "-", "‒": "-", "−": "-", "\u00a0": " ",
                            "\u2009": " ", "\u202f": " ", "\t": " "})

#: Repairs that change length: (name, pattern, replacement function, description).
REPAIRS = [
    ("caption_acronym", re.compile(r"(?<![\w.])[A-Za-z]\.(?: [A-Za-z]\.)+(?![A-Za-z])"),
     lambda m: m.group(0).replace(" ", "").upper(),
     "Speech-recognition splits acronyms: 'u. S.' → 'U.S.', 's. T. A. R. T.' → "
     "'S.T.A.R.T.'"),
    ("space_before_punct", re.compile(r"\s+(?=[.,?!;:](?:\s|$))"), lambda m: "",
     "Captions put a space before punctuation ('negotiations . Foreign')."),
    ("ellipsis", re.compile(r"…"), lambda m: "...", "Ellipsis character → three dots."),
    ("whitespace", re.compile(r"\s{2,}"), lambda m: " ", "Runs of white space → one space."),
]


#: Why a news article's quote is set aside (``dropped_spans.rule``): nobody, or nobody
#: certain, said it. The run goes on; an alias in speaker_labels.csv settles an unknown name.
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


#: Rules that are not patterns of this module: (rule, kind, applies_to, description).
OTHER_RULES = [
    ("title", "line", "all", "A line equal to the source's title in the manifest."),
    ("speaker_label", "structure", "labelled",
     "Speaker labels ('SECRETARY POMPEO:'); they set the speaker."),
    ("preamble", "structure", "captions", "Caption text before the first annotated turn anchor."),
    ("stage_direction", "inline", "all",
     "Stage directions and interpreter notes in brackets ('(Speaking Russian.)', '[Through "
     "interpreter]'), listed in data/annotations/stage_directions.csv."),
    ("quote_fragment", "structure", "article",
     "A quoted sentence of one word ('Period.'): not a sentence of the speaker's."),
]


def rules_table() -> list[dict]:
    """Every cleaning rule with its kind and description (for the notebook)."""
    rows = OTHER_RULES + [(name, "set aside", "article", d) for name, d in SET_ASIDE_RULES.items()]
    for kind, rules in (("line", LINE_RULES), ("inline", INLINE_RULES)):
        rows += [(r.name, kind, "all" if r.formats is None else ", ".join(sorted(r.formats)),
                  r.description) for r in rules]
    rows += [("typography", "normalise", "all",
              "Curly quotes → straight, dashes → '-', odd spaces → space.")]
    rows += [(name, "repair", "all", d) for name, _, _, d in REPAIRS]
    return [dict(zip(("rule", "kind", "applies_to", "description"), r)) for r in rows]


def normalise_line(line: str) -> str:
    """A line as title and furniture comparisons see it: quote and dash style, runs of
    white space and surrounding white space ignored."""
    return " ".join(line.translate(TYPOGRAPHY).split())


def furniture_rule(line: str, fmt: str) -> str | None:
    """The first of :data:`LINE_RULES` that drops the stripped ``line`` of a source in
    format ``fmt``, or None."""
    for rule in LINE_RULES:
        if (rule.formats is None or fmt in rule.formats) and rule.pattern.fullmatch(line):
            return rule.name
    return None


def find_inline_drops(text: str, start: int, end: int, fmt: str) -> list[tuple[int, int, str]]:
    """(start, end, rule) spans inside ``text[start:end]`` that inline rules drop; of
    overlapping spans the first is kept."""
    spans = sorted((m.start(), m.end(), rule.name) for rule in INLINE_RULES
                   if rule.formats is None or fmt in rule.formats
                   for m in rule.pattern.finditer(text, start, end))
    merged: list[tuple[int, int, str]] = []
    for span in spans:
        if not merged or span[0] >= merged[-1][1]:
            merged.append(span)
    return merged


class MappedText:
    """Cleaned text that remembers, for each character, the raw span it came from."""

    def __init__(self, text: str, starts: np.ndarray, ends: np.ndarray):
        self.text, self.starts, self.ends = text, starts, ends

    @classmethod
    def from_pieces(cls, raw: str, pieces: list[tuple[int, int]]) -> "MappedText":
        """Join raw ``pieces`` (start, end) with single spaces, keeping the raw offsets (the
        space between two pieces maps to the empty span at the start of the second)."""
        starts, ends = [], []
        for i, (s, e) in enumerate(pieces):
            if i:
                starts.append([s])
                ends.append([s])
            starts.append(np.arange(s, e))
            ends.append(np.arange(s + 1, e + 1))
        return cls(" ".join(raw[s:e] for s, e in pieces), np.concatenate(starts),
                   np.concatenate(ends))

    def translate(self, table: dict) -> "MappedText":
        """A one-for-one character translation (offsets unchanged)."""
        return MappedText(self.text.translate(table), self.starts, self.ends)

    def sub(self, pattern: re.Pattern, repl) -> "MappedText":
        """Regex substitution; replacement characters map to the matched raw span, and a
        match that ``repl`` leaves as it is keeps its own offsets."""
        texts, starts, ends, prev = [], [], [], 0
        for m in pattern.finditer(self.text):
            a, b = m.span()
            new = repl(m)
            if new == m.group(0):
                continue
            texts += [self.text[prev:a], new]
            starts += [self.starts[prev:a], np.full(len(new), self.starts[a])]
            ends += [self.ends[prev:a], np.full(len(new), self.ends[b - 1])]
            prev = b
        return MappedText("".join(texts) + self.text[prev:],
                          np.concatenate(starts + [self.starts[prev:]]),
                          np.concatenate(ends + [self.ends[prev:]]))

    def raw_span(self, a: int, b: int) -> tuple[int, int]:
        """Raw (start, end) of cleaned characters ``a:b`` (end exclusive)."""
        return int(self.starts[a]), int(self.ends[b - 1])


def normalise(mt: MappedText) -> MappedText:
    """Apply typography normalisation, then the repairs in order."""
    mt = mt.translate(TYPOGRAPHY)
    for name, pattern, repl, _ in REPAIRS:
        if _may_repair(name, mt.text):
            mt = mt.sub(pattern, repl)
    return mt


_ACRONYM_HINT = re.compile(r"\. [A-Za-z]\.")
_SPACE_PUNCT_HINT = re.compile(r" [.,?!;:]")


def _may_repair(name: str, text: str) -> bool:
    """False only when the repair ``name`` cannot match ``text``: quick tests that spare most
    texts a slow scan (they save about 5 s of the 10-million-word benchmark). Every caption
    acronym holds ". X."; where the only white space is single spaces (``isprintable()``),
    a run of white space is "  " and white space before punctuation is a space."""
    if name == "caption_acronym":
        return _ACRONYM_HINT.search(text) is not None
    if name == "space_before_punct" and text.isprintable():
        return _SPACE_PUNCT_HINT.search(text) is not None
    if name == "whitespace" and text.isprintable():
        return "  " in text
    return True


#: A word: letters and digits, with inner apostrophes, dots or hyphens.
WORD = re.compile(r"[A-Za-z0-9]+(?:['.-][A-Za-z0-9]+)*")
#: Words after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "prof", "no",
                           "vs", "u.s", "u.n", "u.k", "e.g", "i.e", "etc", "approx"})
_BOUNDARY = re.compile(r"[.?!]+[\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9])")
_LAST_WORD = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in ``text``, white space trimmed.

    A sentence ends at '.', '?' or '!' (plus closing quotes or brackets) followed by space
    and a capital or digit, unless the full stop closes an abbreviation (Mr., U.S.), a
    single initial (Michael R. Pompeo) or a dotted acronym (S.T.A.R.T.).
    """
    cuts = [0]
    for m in _BOUNDARY.finditer(text):
        if text[m.start()] == ".":
            w = _LAST_WORD.search(text, max(0, m.start() - 20), m.start())
            word = w.group(1).lower().rstrip(".") if w else ""
            if word in ABBREVIATIONS or len(word) == 1 or "." in word:
                continue
        cuts.append(m.end())
    spans = []
    for a, b in zip(cuts, cuts[1:] + [len(text)]):
        piece = text[a:b]
        if piece.strip():
            spans.append((a + len(piece) - len(piece.lstrip()),
                          b - len(piece) + len(piece.rstrip())))
    return spans
