from helpers.clean import (MappedText, find_inline_drops, match_line_rule, normalise,
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


def test_line_rules_drop_furniture_but_not_speech():
    assert match_line_rule("Listen Live", "article") == "player_widget"
    assert match_line_rule("05:26 GMT29 January 2020", "article") == "dateline"
    assert match_line_rule("  • de-DE1 en-GB1 es-ES1", "labelled") == "language_picker"
    assert match_line_rule("Comments are closed", "labelled") == "comment_widget"
    assert match_line_rule("© 2025 Vimarsana", "captions") == "copyright"
    assert match_line_rule("Arms Control", "article") == "section_heading"
    assert match_line_rule("Arms Control", "labelled") is None
    assert match_line_rule("My Title", "labelled", title="My Title") == "title"
    assert match_line_rule("We discussed Syria. It matters.", "article") is None
    assert match_line_rule('"We did," Lavrov said.', "article") is None


def test_inline_rules_find_annotations():
    text = "Thank you, sir. [speaking in native tongue] translator to secretary pompeo"
    (s, e, rule), = find_inline_drops(text, 0, len(text), "captions")
    assert rule == "caption_annotation" and text[s:e] == "[speaking in native tongue] translator "
    text = "QUESTION: (Via interepreter) Vladimir, Prime* Minister"
    rules = [r for _, _, r in find_inline_drops(text, 0, len(text), "labelled")]
    assert rules == ["interpreter_note", "sic_marker"]
