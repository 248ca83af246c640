import re

import pytest

from helpers import corpus
from helpers.schemas import validate_table
from helpers.sources import load_manifest

from conftest import THIRD_MEETING, add_source


@pytest.fixture(scope="module")
def built(seed_root):
    return corpus.build_corpus(seed_root)


def test_tables_fit_their_schemas(built):
    sentences, dropped = built
    validate_table(sentences, "sentences")
    validate_table(dropped, "dropped_spans")
    validate_table(corpus.coverage(sentences), "coverage")


def test_words_are_the_matches_of_the_word_pattern(built):
    from helpers.clean import WORD

    sentences, _ = built
    assert sentences["n_words"].tolist() == [len(WORD.findall(t)) for t in sentences["text"]]
    assert [len(WORD.findall(t)) for t in ["The U.S. co-op's 1.5 x--y", "", "...", "a.\nb",
                                           "aé", "1,000"]] == [6, 0, 0, 2, 1, 2]


def test_every_sentence_maps_back_to_its_raw_offsets(built, seed_root):
    """Cleaning changes only case, spacing and punctuation: the words of each sentence are
    exactly the words of its raw span."""
    sentences, _ = built
    texts = {s.file: s.read_text() for s in load_manifest(seed_root / "data" / "raw")}
    alnum = re.compile(r"[A-Za-z0-9]+")
    for row in sentences.itertuples():
        raw = texts[row.source][row.char_start:row.char_end]
        assert [w.lower() for w in alnum.findall(row.text)] == \
            [w.lower() for w in alnum.findall(raw)], row.sentence_id


def test_every_raw_character_is_a_sentence_or_logged_as_dropped(built, seed_root):
    sentences, dropped = built
    for src in load_manifest(seed_root / "data" / "raw"):
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


def test_build_is_deterministic(built, seed_root):
    again, _ = corpus.build_corpus(seed_root)
    assert again.equals(built[0])


# ------------------------------------------------- the committed tables, for any corpus
def _committed(project, name):
    import pandas as pd

    return pd.read_csv(project / "data" / "processed" / f"{name}.csv", keep_default_na=False)


def test_committed_sentences_trace_to_their_raw_file_and_offsets(project):
    """Every sentence of sentences.csv is its raw file's span (words and case aside), every
    raw character is in a sentence or in dropped_spans.csv, and every file and meeting of the
    manifest appears."""
    sentences, dropped = _committed(project, "sentences"), _committed(project, "dropped_spans")
    manifest = load_manifest(project / "data" / "raw")
    assert set(sentences["source"]) == {s.file for s in manifest}
    assert set(sentences["meeting"]) == {s.meeting for s in manifest}
    alnum = re.compile(r"[A-Za-z0-9]+")
    for src in manifest:
        text = src.read_text()
        covered = bytearray(len(text))
        for t in (sentences, dropped):
            rows = t[t["source"] == src.file]
            for s, e in rows[["char_start", "char_end"]].to_numpy():
                covered[s:e] = b"\x01" * (e - s)
        lost = "".join(c for c, k in zip(text, covered) if not k and c.isalnum())
        assert lost == "", f"{src.file}: characters neither in a sentence nor dropped: {lost}"
        for row in sentences[sentences["source"] == src.file].itertuples():
            raw = text[row.char_start:row.char_end]
            assert [w.lower() for w in alnum.findall(row.text)] == \
                [w.lower() for w in alnum.findall(raw)], row.sentence_id


def test_committed_coverage_adds_up_to_the_sentences(project):
    sentences, cov = _committed(project, "sentences"), _committed(project, "coverage")
    every = cov[(cov["corpus"] == "all") & (cov["source"] != "all")]
    counts = sentences.groupby(["meeting", "speaker", "source"]).size()
    assert every.set_index(["meeting", "speaker", "source"])["n_sentences"].sort_index() \
        .to_dict() == counts.sort_index().to_dict()
    for corpus_name, part in cov.groupby("corpus"):
        per_source = part[part["source"] != "all"].groupby(["meeting", "speaker"])["n_sentences"]
        totals = part[part["source"] == "all"].set_index(["meeting", "speaker"])["n_sentences"]
        assert per_source.sum().sort_index().to_dict() == totals.sort_index().to_dict(), \
            corpus_name
