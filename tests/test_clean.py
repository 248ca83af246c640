import random
import re
import sys

import numpy as np

from helpers import clean
from helpers.clean import MappedText, find_inline_drops, normalise, split_sentences


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


def test_pieces_join_with_a_space_and_every_repair_keeps_raw_offsets():
    raw = "Skip  it … and  this .[x]Tail"
    mt = normalise(MappedText.from_pieces(raw, [(0, 4), (6, 22), (25, 29)]))
    assert mt.text == "Skip it ... and this. Tail"
    assert [raw[slice(*mt.raw_span(a, b))] for a, b in split_sentences(mt.text)] == [
        "Skip  it … and  this .", "Tail"]
    assert mt.raw_span(4, 5) == (6, 6)  # the joining space: the start of the next piece


# Cleaning skips a repair's scan where a quick test shows it cannot match (clean._may_repair);
# these tests hold the quick path to applying every repair.
_PIECES = ["u. S.", "s. T. A. R. T.", "U.S.", "a.", " b.", "x. y", "Mr. R. Pompeo", ".", ",",
           " .", " ,", " ?", " !", " ;", " :", "  ", "   ", " ", "\n", "\t", "\r", "\u00a0",
           "\u2009", "\u202f", "\u2028", "\u3000", "\x1c", "\x85", "…", "word", "it’s", "“q”"]


def test_every_white_space_character_but_the_space_is_unprintable():
    # the quick tests rely on this: isprintable() means no white space but " "
    spaces = [chr(i) for i in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(i))]
    assert " " in spaces and len(spaces) > 20
    assert [c for c in spaces if c != " " and c.isprintable()] == []


def test_normalise_with_quick_tests_equals_every_repair_applied():
    rng = random.Random(0)
    for _ in range(5000):
        raw = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 20)))
        fast = clean.normalise(clean.MappedText.from_pieces(raw, [(0, len(raw))]))
        slow = clean.MappedText.from_pieces(raw, [(0, len(raw))]).translate(clean.TYPOGRAPHY)
        for _, pattern, repl, _ in clean.REPAIRS:
            slow = slow.sub(pattern, repl)
        assert fast.text == slow.text, repr(raw)
        assert np.array_equal(fast.starts, slow.starts), repr(raw)
        assert np.array_equal(fast.ends, slow.ends), repr(raw)
