import re

import pytest

from helpers import corpus
from helpers.schemas import validate_table
from helpers.sources import load_manifest

from conftest import THIRD_MEETING, add_source


@pytest.fixture(scope="module")
def built(root):
    return corpus.build_corpus(root)


def test_tables_fit_their_schemas(built):
    sentences, dropped = built
    validate_table(sentences, "sentences")
    validate_table(dropped, "dropped_spans")
    validate_table(corpus.coverage(sentences), "coverage")


def test_every_sentence_maps_back_to_its_raw_offsets(built, root):
    """Cleaning changes only case, spacing and punctuation: the words of each sentence are
    exactly the words of its raw span."""
    sentences, _ = built
    texts = {s.file: s.read_text() for s in load_manifest(root / "data" / "raw")}
    alnum = re.compile(r"[A-Za-z0-9]+")
    for row in sentences.itertuples():
        raw = texts[row.source][row.char_start:row.char_end]
        assert [w.lower() for w in alnum.findall(row.text)] == \
            [w.lower() for w in alnum.findall(raw)], row.sentence_id


def test_every_raw_character_is_a_sentence_or_logged_as_dropped(built, root):
    sentences, dropped = built
    for src in load_manifest(root / "data" / "raw"):
        text = src.read_text()
        covered = bytearray(len(text))
        for t in (sentences, dropped):
            for s, e in t.loc[t["source"] == src.file, ["char_start", "char_end"]].to_numpy():
                covered[s:e] = b"\x01" * (e - s)
        lost = "".join(c for c, k in zip(text, covered) if not k and c.isalnum())
        assert lost == "", f"{src.file}: characters neither in a sentence nor dropped: {lost[:80]}"


def test_no_furniture_survives(built):
    text = " ".join(built[0]["text"])
    for furniture in ("Vimarsana", "Listen Live", "Get short URL", "Comments are closed",
                      "de-DE1", "Advanced settings", "Voices from the road", "Home »",
                      "speaking in native tongue", "Via interpreter", "Prime*"):
        assert furniture not in text


def test_a_third_meeting_flows_through_without_code_change(tmp_project):
    add_source(tmp_project, "005_test.txt", THIRD_MEETING, meeting="moscow-2020-06-01",
                event_date="2020-06-01")
    sentences, _ = corpus.build_corpus(tmp_project)
    new = sentences[sentences["source"] == "005_test.txt"]
    assert new["speaker"].tolist() == ["lavrov", "lavrov", "journalist", "pompeo", "pompeo",
                                       "pompeo"]
    assert set(new["meeting"]) == {"moscow-2020-06-01"} and new["canonical"].all()


def test_build_is_deterministic(built, root):
    again, _ = corpus.build_corpus(root)
    assert again.equals(built[0])
