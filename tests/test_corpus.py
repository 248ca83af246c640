import csv
import hashlib
import re

import pytest

from helpers import corpus
from helpers.io import InputError
from helpers.schemas import validate_table
from helpers.sources import load_manifest


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


def test_labelled_transcripts_attribute_by_label(built):
    sentences, _ = built
    s002 = sentences[sentences["source"].str.startswith("002")]
    putin_line = s002[s002["text"].str.startswith("President of Russia Vladimir Putin has")]
    assert putin_line["speaker"].tolist() == ["lavrov"]  # a name, not a label
    assert s002.iloc[0]["speaker"] == "lavrov"  # unlabelled opening: default speaker
    assert set(s002["speaker"]) == {"lavrov", "journalist"}
    s004 = sentences[sentences["source"].str.startswith("004")]
    assert s004.iloc[0]["text"].startswith("Mr Secretary of State")
    assert s004.iloc[0]["speaker"] == "putin" and s004.iloc[-1]["speaker"] == "pompeo"
    assert set(sentences[sentences["source"].str.startswith("001")]["speaker"]) == {
        "pompeo", "moderator", "journalist"}


def test_captions_follow_the_annotated_turns(built):
    s000 = built[0][built[0]["source"].str.startswith("000")]
    turns = s000.groupby("turn")["speaker"].first().tolist()
    assert turns == ["narrator", "pompeo", "lavrov", "pompeo", "journalist", "pompeo"]
    assert s000.iloc[-1]["text"] == "Were hopeful theyll be able to com"


def test_article_quotes_go_to_the_quoted_speaker(built):
    s003 = built[0][built[0]["source"].str.startswith("003")]
    by_text = dict(zip(s003["text"], s003["speaker"]))
    assert by_text["Thanks for the invitation,"] == "pompeo"
    assert by_text["It remains on the table."] == "lavrov"
    assert by_text["Lavrov told reporters."] == "narrator"
    assert not s003["text"].str.contains("Listen Live|Get short URL|Comment via").any()


def test_no_furniture_survives(built):
    text = " ".join(built[0]["text"])
    for furniture in ("Vimarsana", "Listen Live", "Get short URL", "Comments are closed",
                      "de-DE1", "Advanced settings", "Voices from the road", "Home »",
                      "speaking in native tongue", "Via interpreter", "Prime*"):
        assert furniture not in text


def test_canonical_policy(built):
    s = built[0]
    def share(prefix, speaker):
        d = s[s["source"].str.startswith(prefix) & (s["speaker"] == speaker)]
        return d["canonical"].mean()
    assert share("002", "lavrov") == 1.0 and share("001", "pompeo") == 1.0
    assert share("000", "lavrov") == 0.0  # the interpreter repeats the MFA text
    assert share("000", "pompeo") == 1.0  # no better source has Pompeo in Washington
    rep = s[~s["canonical"]]
    assert rep["duplicate_of"].notna().all()
    targets = s.set_index("sentence_id").loc[rep["duplicate_of"]]
    assert targets["canonical"].all() and (targets["speaker"].to_numpy() ==
                                           rep["speaker"].to_numpy()).all()
    # Pompeo's quotes from after the captions stop exist nowhere else: kept
    kept = s[s["source"].str.startswith("003") & (s["speaker"] == "pompeo") & s["canonical"]]
    assert any("France and the United Kingdom" in t for t in kept["text"])
    assert not s[(s["meeting"] == "sochi-2019-05-14") & (s["speaker"] == "lavrov")].shape[0]


def _add_source(proj, name, text, **fields):
    raw = proj / "data" / "raw"
    (raw / name).write_text(text, encoding="utf-8")
    with open(raw / "sources.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    row = dict(rows[2], file=name, sha256=hashlib.sha256(text.encode()).hexdigest(),
               default_speaker="", title="A test transcript", **fields)
    rows.append(row)
    with open(raw / "sources.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


THIRD_MEETING = """A test transcript

Sergey Lavrov: We discussed New START and strategic stability. Syria was on the agenda too.

QUESTION: Will you meet again?

SECRETARY POMPEO: We talked about North Korea. President Putin has also commented on it.
Lines without a label continue the speaker.
"""


def test_a_third_meeting_flows_through_without_code_change(tmp_project):
    _add_source(tmp_project, "005_test.txt", THIRD_MEETING, meeting="moscow-2020-06-01",
                event_date="2020-06-01")
    sentences, _ = corpus.build_corpus(tmp_project)
    new = sentences[sentences["source"] == "005_test.txt"]
    assert new["speaker"].tolist() == ["lavrov", "lavrov", "journalist", "pompeo", "pompeo",
                                       "pompeo"]
    assert set(new["meeting"]) == {"moscow-2020-06-01"} and new["canonical"].all()


def test_unknown_speaker_label_names_file_and_line(tmp_project):
    _add_source(tmp_project, "005_test.txt", "A test transcript\n\nAMBASSADOR SMITH: Hello.\n",
                meeting="moscow-2020-06-01", event_date="2020-06-01")
    with pytest.raises(InputError, match=r"005_test\.txt, line 3: unknown speaker label "
                                         r"'AMBASSADOR SMITH'"):
        corpus.build_corpus(tmp_project)


def test_speech_before_any_label_without_default_speaker(tmp_project):
    _add_source(tmp_project, "005_test.txt", "A test transcript\nWe met today.\n",
                meeting="moscow-2020-06-01", event_date="2020-06-01")
    with pytest.raises(InputError, match=r"005_test\.txt, line 2: speech before the first"):
        corpus.build_corpus(tmp_project)


@pytest.mark.parametrize("anchor, problem", [("No such words here", "is missing from"),
                                             ("Thank you.", "matches")])
def test_bad_caption_anchor_names_the_anchor(tmp_project, anchor, problem):
    path = tmp_project / "data" / "annotations" / "caption_turns.csv"
    with open(path, "a") as fh:
        fh.write(f"000_df1a256d48d856ee.txt,{anchor},pompeo,test\n")
    with pytest.raises(InputError, match=rf"caption_turns\.csv, row 7: anchor '{anchor}' {problem}"):
        corpus.build_corpus(tmp_project)


def test_unattributed_quote_is_an_error(tmp_project):
    _add_source(tmp_project, "005_test.txt", 'Officials met.\n\n"We agreed," an aide added.\n',
                meeting="moscow-2020-06-01", event_date="2020-06-01", format="article",
                source_kind="news article")
    with pytest.raises(InputError, match=r"005_test\.txt, line 3: a direct quote with no attribution"):
        corpus.build_corpus(tmp_project)


def test_build_is_deterministic(built, root):
    again, _ = corpus.build_corpus(root)
    assert again.equals(built[0])
