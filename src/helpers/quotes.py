"""Quotes in news text: each direct quote goes to the person who said it, or is set aside
(:func:`segment_article`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import takewhile

from .clean import WORD


#: Quotation marks: an opening mark and the mark that closes it.
_CLOSES = {'"': '"', "“": "”"}
_QUOTE = re.compile(r'"[^"]*"?|“[^”]*”?')
#: Words before a name that make it the one spoken to or about, not the speaker
#: ('"…," he told Lavrov'; 'Pompeo said he had told Lavrov: "…"').
RECEIVERS = frozenset({"to", "told", "with", "by", "for", "at", "about", "after", "of", "and",
                       "urged", "warned", "thanked", "met", "asked", "reminded", "from", "on"})
PRONOUNS = ("he", "she")


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
    """The non-empty quotations in ``text[a:b]``; one with no closing mark runs to ``b``."""
    quotes = []
    for m in _QUOTE.finditer(text, a, b):
        closed = len(m.group()) > 1 and m.group()[-1] == _CLOSES[m.group()[0]]
        if not closed or len(m.group()) > 2:
            quotes.append(Quote(m.start(), m.end(), not closed, para))
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


def segment_article(text: str, paras: list, aliases: dict[str, str],
                    dropped: list) -> list[tuple[int, int, str]]:
    """Split a news article's paragraphs (``paras``: line number, start, end) into
    narrator prose and attributed direct quotes: (start, end, speaker) spans.

    A direct quote goes to the speaker named next to it, with any verb: after it ('"…,"
    Pompeo shot back', '"…," said Lavrov', '"…," he said'), or before it ('Pompeo put it
    bluntly: "…"'). A pronoun stands for the one person named before it in its paragraph.
    A quote with no such frame continues the quote before it in its paragraph, or, when it
    opens a paragraph after one whose quote was left open, that quote (news style for a
    quote over paragraphs); an open quote with no frame takes the speaker of its
    continuation. Institutions and unnamed officials are speakers of their own (``other``).
    Phrases quoted inside the narrator's sentence (scare quotes, fragments of one or two
    words) stay the narrator's. A quote whose speaker is uncertain is set aside in
    ``dropped`` with its reason (:data:`helpers.clean.SET_ASIDE_RULES`).
    """
    mentions = _Mentions(aliases)
    paras = list(paras)
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
    segments: list[tuple[int, int, str]] = []
    for (n, a, b), direct in zip(paras, quotes):
        pos = a
        for q in direct:
            if text[pos:q.start].strip(" ,.;:") != "":
                segments.append((pos, q.start, "narrator"))
            cs, ce = q.content
            if q.speaker:
                segments.append((cs, ce, q.speaker))
            elif text[cs:ce].strip():
                dropped.append((cs, ce, q.reason))
            pos = q.end
        if any(c.isalpha() for c in text[pos:b]):
            segments.append((pos, b, "narrator"))
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
