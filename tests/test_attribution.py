
import pytest

from helpers import corpus
from helpers.io import InputError

from conftest import THIRD_MEETING, add_source


@pytest.fixture(scope="module")
def built(root):
    return corpus.build_corpus(root)


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


def test_unknown_speaker_label_names_file_and_line(tmp_project):
    add_source(tmp_project, "005_test.txt", "A test transcript\n\nAMBASSADOR SMITH: Hello.\n",
                meeting="moscow-2020-06-01", event_date="2020-06-01")
    with pytest.raises(InputError, match=r"005_test\.txt, line 3: unknown speaker label "
                                         r"'AMBASSADOR SMITH'"):
        corpus.build_corpus(tmp_project)


def test_speech_before_any_label_without_default_speaker(tmp_project):
    add_source(tmp_project, "005_test.txt", "A test transcript\nWe met today.\n",
                meeting="moscow-2020-06-01", event_date="2020-06-01")
    with pytest.raises(InputError, match=r"005_test\.txt, line 2: speech before the first"):
        corpus.build_corpus(tmp_project)


@pytest.mark.parametrize("anchor, problem", [("No such words here", "is missing from"),
                                             ("Thank you.", "matches")])
def test_bad_caption_anchor_names_the_anchor(tmp_project, anchor, problem):
    path = tmp_project / "data" / "annotations" / "caption_turns.csv"
    with open(path, "a") as fh:
        fh.write(f"000_df1a256d48d856ee.txt,{anchor},pompeo,test\n")
    with pytest.raises(InputError, match=rf"caption_turns\.csv, row 7 \(line 8\): anchor '{anchor}' {problem}"):
        corpus.build_corpus(tmp_project)


def test_unattributed_quote_is_an_error(tmp_project):
    add_source(tmp_project, "005_test.txt", 'Officials met.\n\n"We agreed," an aide added.\n',
                meeting="moscow-2020-06-01", event_date="2020-06-01", format="article",
                source_kind="news article")
    with pytest.raises(InputError, match=r"005_test\.txt, line 3: a direct quote with no attribution"):
        corpus.build_corpus(tmp_project)


def _write_anchor_row(proj, row: str) -> None:
    with open(proj / "data" / "annotations" / "caption_turns.csv", "a") as fh:
        fh.write(row)


def test_caption_turns_are_checked_again_after_any_edit(tmp_project):
    """The anchor table is checked once per content, not once per source: a build after an
    edit sees the edit, and a table that failed fails again on every build."""
    corpus.build_corpus(tmp_project)  # valid: remembered as checked
    _write_anchor_row(tmp_project, "999_missing.txt,Hello,pompeo,test\n")
    for _ in range(2):
        with pytest.raises(InputError, match=r"caption_turns\.csv, row 7 \(line 8\): anchor "
                                             r"for '999_missing\.txt', which is not a source"):
            corpus.build_corpus(tmp_project)


def test_caption_turns_are_checked_against_the_current_manifest(tmp_project):
    """The same anchor table is valid or not depending on the manifest it is read with."""
    add_source(tmp_project, "005_test.txt", THIRD_MEETING,
               meeting="moscow-2020-06-01", event_date="2020-06-01")
    _write_anchor_row(tmp_project, "005_test.txt,We talked,pompeo,test\n")
    with pytest.raises(InputError, match=r"anchor for '005_test\.txt', whose format is "
                                         r"'labelled'"):
        corpus.build_corpus(tmp_project)


def test_a_header_only_caption_table_needs_no_captions_source(tmp_project):
    """With no anchor rows the table holds nothing to check against the manifest; the
    captions source then has no anchors, which is its own error."""
    path = tmp_project / "data" / "annotations" / "caption_turns.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    with pytest.raises(InputError, match=r"no turn anchors for captions source "
                                         r"000_df1a256d48d856ee\.txt"):
        corpus.build_corpus(tmp_project)


def test_a_malformed_header_only_caption_table_fails_on_every_build(tmp_project):
    """Header-only tables are read once per content; one that fails is never remembered."""
    path = tmp_project / "data" / "annotations" / "caption_turns.csv"
    path.write_text("source,anchor\n")
    for _ in range(2):
        with pytest.raises(InputError, match=r"caption_turns\.csv"):
            corpus.build_corpus(tmp_project)


# --------------------------------------------------------------------------- fast = reference
def test_word_counts_are_the_regex_match_counts():
    import pandas as pd

    from helpers.attribution import count_words_series

    texts = pd.Series(["The U.S. co-op's 1.5 x--y", "", "...", "a.\nb", "aé", "1,000"],
                      index=range(6, 0, -1), name="text")
    pd.testing.assert_series_equal(count_words_series(texts),
                                   pd.Series([6, 0, 0, 2, 1, 2], index=texts.index,
                                             name="text"))


def _source(tmp_path, **fields):
    from helpers.sources import Source

    base = dict(file="x.txt", sha256="", outlet="", title="", source_kind="", translation="",
                format="labelled", default_speaker="", meeting="", event_date="",
                published="", note="", path=tmp_path / "x.txt", row=2)
    return Source(**{**base, **fields})


def test_line_rules_drop_furniture_but_not_speech(tmp_path):
    from helpers.attribution import line_dropper

    def rule(line, fmt, title=""):
        return line_dropper(_source(tmp_path, format=fmt, title=title))(1, line)

    assert rule("Listen Live", "article") == "player_widget"
    assert rule("05:26 GMT29 January 2020", "article") == "dateline"
    assert rule("  • de-DE1 en-GB1 es-ES1", "labelled") == "language_picker"
    assert rule("Comments are closed", "labelled") == "comment_widget"
    assert rule("© 2025 Vimarsana", "captions") == "copyright"
    assert rule("Arms Control", "article") == "section_heading"
    assert rule("Arms Control", "labelled") is None
    assert rule("My Title", "labelled", title="My Title") == "title"
    assert rule("My  “Title” ", "labelled", title="My \"Title\"") == "title"
    assert rule("We discussed Syria. It matters.", "article") is None
    assert rule('"We did," Lavrov said.', "article") is None


def test_line_dropper_is_the_documented_order_of_rules(tmp_path):
    """The dropper's fast path equals its specification: manifest rules first (speech
    start, literal lines, pattern), then the title (compared after normalising both),
    then the first matching furniture rule."""
    from helpers.attribution import line_dropper
    from helpers.clean import furniture_rule, normalise_line

    lines = ["", "   ", "\ufeff", "My “Title”", "  My  \"Title\" ", "My Title", "Home » News",
             "Listen Live", "© 2025 X", "Arms Control", "A header", "a header", "12 Jan 2020",
             "SECRETARY POMPEO: Thank you.", "We talked. It helped.", "\u00a0Skip me\u00a0"]
    variants = [dict(), dict(title="My “Title”"), dict(title="  "),
                dict(drop_lines="A header;Skip me", drop_pattern=r"\d+ Jan \d+"),
                dict(speech_starts_at="3", title="My Title")]
    for fmt in ("labelled", "captions", "article"):
        for extra in variants:
            src = _source(tmp_path, format=fmt, **extra)
            drop = line_dropper(src)
            for n, line in enumerate(lines, start=1):
                s = normalise_line(line)
                if src.start_line is not None and n < src.start_line and line.strip():
                    expected = "speech_starts_at"
                elif s and s in src.drop_line_set:
                    expected = "drop_lines"
                elif src.drop_regex and s and src.drop_regex.fullmatch(line.strip()):
                    expected = "drop_pattern"
                elif not line.strip():
                    expected = None
                elif src.title and s == normalise_line(src.title):
                    expected = "title"
                else:
                    expected = furniture_rule(line.strip(), fmt)
                assert drop(n, line) == expected, (fmt, extra, line)
