import random
import re
import sys

import numpy as np

from helpers import clean
from helpers.clean import (MappedText, find_inline_drops, normalise,
                           split_sentences)


def _clean(raw):
    mt = normalise(MappedText.from_pieces(raw, [(0, len(raw))]))
    return mt, [mt.raw_span(a, b) for a, b in split_sentences(mt.text)]


def test_caption_acronyms_are_repaired_and_offsets_map_back():
    raw = "They spoke about the u. S. And russia . I mean the newth s. T. A. R. T. Treaty."
    mt, spans = _clean(raw)
    assert mt.text == ("They spoke about the U.S. And russia. I mean the newth S.T.A.R.T. "
                       "Treaty.")
    assert [raw[s:e] for s, e in spans] == ["They spoke about the u. S. And russia .",
                                            "I mean the newth s. T. A. R. T. Treaty."]


def test_typography_is_normalised_one_for_one():
    raw = "“Yes,” he said – it’s fine."
    mt, spans = _clean(raw)
    assert mt.text == "\"Yes,\" he said - it's fine."
    assert spans == [(0, len(raw))]


def test_sentence_split_keeps_abbreviations_and_initials():
    text = "Mr. Secretary, said Michael R. Pompeo. Is it over? Yes! The U.S. Embassy agreed."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Mr. Secretary, said Michael R. Pompeo.", "Is it over?", "Yes!",
        "The U.S. Embassy agreed."]


def test_inline_rules_find_annotations():
    text = "Thank you, sir. [speaking in native tongue] translator to secretary pompeo"
    (s, e, rule), = find_inline_drops(text, 0, len(text), "captions")
    assert rule == "caption_annotation" and text[s:e] == "[speaking in native tongue] translator "
    text = "QUESTION: (Via interepreter) Vladimir, Prime* Minister"
    rules = [r for _, _, r in find_inline_drops(text, 0, len(text), "labelled")]
    assert rules == ["interpreter_note", "sic_marker"]


# --------------------------------------------------------------------------- fast = reference
# Cleaning skips slow pattern scans where a quick test shows they cannot match; these tests
# hold the quick paths to the plain ones.
_PIECES = ["u. S.", "s. T. A. R. T.", "U.S.", "a.", " b.", "x. y", "Mr. R. Pompeo", ".", ",",
           " .", " ,", " ?", " !", " ;", " :", "  ", "   ", " ", " ", " ", "\n", "\t", "\r",
           "\u00a0", "\u2009", "\u202f", "\u2028", "\u3000", "\x1c", "\x85", "\ufeff", "…",
           "word", "Word", "it’s", "“q”", "–", "*", "Prime*", " *", "_*", "é*", "9",
           "(Via interpreter)", "[speaking russian] translator", "Home » News", "»", "A»B"]


def _texts(n, seed=0):
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 20))) for _ in range(n)]


def _normalise_every_repair(mt):
    mt = mt.translate(clean.TYPOGRAPHY)
    for _, pattern, repl, _ in clean.REPAIRS:
        mt = mt.sub(pattern, repl)
    return mt


def test_every_white_space_character_but_the_space_is_unprintable():
    # the quick tests in normalise rely on this: isprintable() means no white space but " "
    spaces = [chr(i) for i in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(i))]
    assert " " in spaces and len(spaces) > 20
    assert [c for c in spaces if c != " " and c.isprintable()] == []


def test_normalise_with_quick_tests_equals_every_repair_applied():
    for raw in _texts(5000):
        fast = normalise(MappedText.from_pieces(raw, [(0, len(raw))]))
        slow = _normalise_every_repair(MappedText.from_pieces(raw, [(0, len(raw))]))
        assert fast.text == slow.text, repr(raw)
        assert np.array_equal(fast.starts, slow.starts), repr(raw)
        assert np.array_equal(fast.ends, slow.ends), repr(raw)


def test_rewritten_patterns_match_as_their_plain_forms():
    sic = next(r for r in clean.INLINE_RULES if r.name == "sic_marker")
    plain = re.compile(r"(?<=\w)\*")
    for t in _texts(3000, seed=1) + ["*", "a*", "**", "a**b", "é*", "_*"]:
        assert [m.span() for m in sic.pattern.finditer(t)] == [
            m.span() for m in plain.finditer(t)], repr(t)
