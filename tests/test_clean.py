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
