import pandas as pd
import pytest

from helpers import lexicon as lex
from helpers import validation as val
from helpers.io import InputError


def test_validation_file_rejects_unknown_issue(tmp_path, lexicon):
    p = tmp_path / "validation.csv"
    p.write_text("sentence_id,source,speaker,split,issues,text\n"
                 "s:0,a,pompeo,tune,syria,Syria.\ns:1,a,pompeo,test,cyber,Hacks.\n")
    with pytest.raises(InputError, match=r"validation\.csv, row 2 \(line 3\): unknown issue id 'cyber'"):
        val.load_validation(p, lexicon)


def test_committed_lexicon_and_sample_are_valid(root):
    lexicon = lex.load_lexicon(root / "data" / "lexicons" / "issues.yml")
    assert len(lex.issue_ids(lexicon)) >= 14
    v = val.load_validation(root / "data" / "lexicons" / "validation.csv", lexicon)
    assert len(v) >= 150 and set(v["split"]) == {"tune", "test"}
    assert v.groupby(["speaker"]).size().min() >= 15


# ---- coding sheets for sources without hand codes
def _coded(lexicon):
    from conftest import make_sentences

    from helpers import coding

    rows = []
    for t in range(10):
        rows += [("new.txt", t, "pompeo", "m", "Syria matters."),
                 ("new.txt", t, "pompeo", "m", "It is hard."),
                 ("new.txt", t, "lavrov", "m", "New START, yes."),
                 ("new.txt", t, "lavrov", "m", "We agree."),
                 ("new.txt", t, "journalist", "m", "Syria?")]
    s = make_sentences(rows)
    s["sentence_id"] = [f"new:{i}" for i in range(len(s))]
    return s, coding.code_sentences(s, lexicon, inherit="none")


def test_a_coding_sheet_is_a_stratified_sample_in_source_order_with_its_context(lexicon):
    _, coded = _coded(lexicon)
    sheet = val.coding_sheet(coded, "new.txt", ("pompeo", "lavrov"), size=10)
    assert list(sheet.columns) == val.SHEET_COLUMNS and len(sheet) == 10
    assert (sheet["issues"] == "").all() and sheet["coding_guide"].str.contains(
        "data/lexicons/coding_guide.md").all()
    # each stratum (speaker x lexicon hit) holds a quarter of the pool: 10 sentences each
    hit = sheet["text"].isin(["Syria matters.", "New START, yes."])
    assert sorted(sheet.groupby([sheet["speaker"], hit]).size()) == [2, 2, 3, 3]
    assert "journalist" not in set(sheet["speaker"])
    n = sheet["sentence_id"].str.split(":").str[1].astype(int)
    assert n.is_monotonic_increasing
    row = sheet[sheet["text"] == "It is hard."].iloc[0]
    assert row["context"].endswith("Syria matters.")  # the turn so far, never the turn before
    again = val.coding_sheet(coded, "new.txt", ("pompeo", "lavrov"), size=10)
    assert again.equals(sheet)  # seeded


def test_sheets_are_written_once_and_errors_name_the_sheet_and_row(tmp_path, lexicon):
    s, coded = _coded(lexicon)
    folder = tmp_path / "validation"
    paths = val.write_coding_sheets(coded, {"old.txt"}, ("pompeo", "lavrov"), folder, size=6)
    assert [p.name for p in paths] == ["new.csv"]
    assert val.write_coding_sheets(coded, {"new.txt"}, ("pompeo",), folder) == []
    sheet = pd.read_csv(paths[0], dtype=str, keep_default_na=False)
    codes = val.load_coding_sheets(folder, lexicon, s)
    assert not codes["coded"].any() and not codes["complete"].any()
    sheet.loc[0, "issues"] = "syria"
    sheet.to_csv(paths[0], index=False)
    val.write_coding_sheets(coded, set(), ("pompeo", "lavrov"), folder, size=6)
    assert pd.read_csv(paths[0], dtype=str, keep_default_na=False).equals(sheet)  # kept
    codes = val.load_coding_sheets(folder, lexicon, s)
    assert codes["coded"].sum() == 1 and not codes["complete"].any()
    sheet["issues"] = "none"
    sheet.loc[1, "issues"] = "syria; arms_control"
    sheet.to_csv(paths[0], index=False)
    codes = val.load_coding_sheets(folder, lexicon, s)
    assert codes["complete"].all() and codes["issues"].tolist()[:2] == ["", "syria;arms_control"]
    sheet.loc[2, "issues"] = "cyber"
    sheet.to_csv(paths[0], index=False)
    with pytest.raises(InputError, match=r"new\.csv, row 3 \(line 4\): unknown issue id 'cyber'"):
        val.load_coding_sheets(folder, lexicon, s)
    sheet.loc[2, ["issues", "text"]] = ["none", "Another sentence."]
    sheet.to_csv(paths[0], index=False)
    with pytest.raises(InputError, match=r"new\.csv, row 3 \(line 4\): text differs"):
        val.load_coding_sheets(folder, lexicon, s)


def test_a_source_without_hand_codes_is_unvalidated_until_its_sheet_is_coded(tmp_project):
    """A new transcript: its lexicon shares are marked unvalidated, a coding sheet is written,
    and once an analyst codes it the lexicon is scored on it as held-out data."""
    from conftest import THIRD_MEETING, add_source

    from helpers import coding, corpus, reliability, story
    from helpers import salience as sal

    add_source(tmp_project, "005_third_meeting.txt", THIRD_MEETING,
               meeting="moscow-2020-06-01", event_date="2020-06-01", meeting_name="")
    sentences, _ = corpus.build_corpus(tmp_project)
    lexicon = lex.load_lexicon(tmp_project / "data" / "lexicons" / "issues.yml")
    ids, labels = lex.issue_ids(lexicon), {i.id: i.label for i in lexicon}
    canonical = sentences[sentences["canonical"]]
    coded = coding.code_sentences(canonical, lexicon, inherit="none")
    validation = val.load_validation(tmp_project / "data" / "lexicons" / "validation.csv",
                                     lexicon, sentences)
    gold = val.gold_matrix(validation, ids)
    gold = gold[gold.index.isin(canonical["sentence_id"])]
    speakers = ("pompeo", "lavrov", "putin")
    sheets = val.write_coding_sheets(coded, set(validation["source"]), speakers)
    assert sheets == [tmp_project / "data" / "validation" / "005_third_meeting.csv"]

    turns = coded.set_index("sentence_id").pipe(lambda d: d["source"] + ":" + d["turn"].astype(str))
    scores = reliability.score_with_intervals(coded.set_index("sentence_id")[ids], gold, turns,
                                              n_boot=200)

    def summary(held_out=(), held=None):
        res = sal.compute_salience(coded, lexicon, gold, speakers=speakers, n_boot=200,
                                   held_out_sources=held_out)
        rows = [reliability.reliability_rows(scores, "in-sample", "none", len(gold))]
        if held is not None:
            rows.append(reliability.reliability_rows(held, "held-out", "none", 4))
        return res, story.quality_summary(pd.concat(rows), res, labels)

    res, q = summary()
    new = res[res["meeting"] == "moscow-2020-06-01"]
    assert not new["validated"].any() and res.drop(new.index)["validated"].all()
    assert q["unvalidated"] == ["Lavrov at Moscow, 1 Jun 2020", "Pompeo at Moscow, 1 Jun 2020"]
    text = story.trust_paragraph(q)
    assert ("The lexicon shares of Lavrov at Moscow, 1 Jun 2020 and Pompeo at Moscow, 1 Jun "
            "2020 rest on sources without hand codes and are **unvalidated**") in text
    assert "no held-out score" in text

    # an analyst codes the sheet by the guide: the continuation is about North Korea too
    sheet = pd.read_csv(sheets[0], dtype=str, keep_default_na=False)
    by_text = {"We discussed New START and strategic stability.": "arms_control",
               "Syria was on the agenda too.": "syria",
               "We talked about North Korea.": "north_korea",
               "President Putin has also commented on it.": "north_korea",
               "Lines without a label continue the speaker.": "none"}
    sheet["issues"] = sheet["text"].map(by_text)
    sheet.to_csv(sheets[0], index=False)
    codes = val.load_coding_sheets(val.sheet_folder(), lexicon, sentences)
    assert codes["complete"].all() and len(codes) == 5
    held_gold = val.gold_matrix(codes, ids).set_axis(codes["sentence_id"])
    held = reliability.score_with_intervals(coded.set_index("sentence_id")[ids], held_gold,
                                            turns, n_boot=200).set_index("issue")
    # the lexicon finds 3 of the 4 mentions and nothing else: micro-F1 6/7
    assert held.loc["micro avg", "f1"] == pytest.approx(6 / 7)
    res, q = summary(tuple(sorted(set(codes["source"]))), held.reset_index())
    assert res["validated"].all() and q["unvalidated"] == []
    text = story.trust_paragraph(q)
    assert "*Held out*: on 4 sentences of new sources" in text and "micro-F1 is 0.86" in text
    assert "unvalidated" not in text


@pytest.mark.parametrize("body, message", [
    ("sentence_id,issues\ns:9,x\n", r"row 1 \(line 2\): unknown sentence_id 's:9'"),
    ("sentence_id,issues\ns:0,x\ns:0,y\n", r"row 2 \(line 3\): sentence_id 's:0' listed twice"),
    ("sentence_id,issues\ns:0,cyber\n", r"row 1 \(line 2\): unknown issue id 'cyber'"),
    ("id,issues\ns:0,x\n", r"line 1: missing columns"),
    ("sentence_id,issues,note\ns:0,x,,extra\n", r"row 1 \(line 2\): 4 fields but the header has 3"),
    ('sentence_id,issues\ns:0,"x\ns:1,y\n', r"line 2: a quoted value opened on this line is never "
                                                r"closed"),
])
def test_second_coding_errors_name_the_row(tmp_path, body, message):
    p = tmp_path / "second.csv"
    p.write_text(body)
    with pytest.raises(InputError, match=r"second\.csv, " + message):
        val.load_second_coding(p, {"x", "y"}, {"s:0", "s:1"})


# ---- lexicon sanity warnings
def _hand_coded(n: int = 20) -> pd.DataFrame:
    """A hand coding of ``n`` sentences: one in ten about arms control, one in ten about Syria."""
    text = [("New START must be extended." if k % 10 == 0 else "Syria was discussed." if
             k % 10 == 1 else f"Thank you, the minister {k}.") for k in range(n)]
    issues = ["arms_control" if k % 10 == 0 else "syria" if k % 10 == 1 else ""
              for k in range(n)]
    return pd.DataFrame({"sentence_id": [f"s:{k}" for k in range(n)], "issues": issues,
                         "text": text})


def test_a_sound_lexicon_gets_no_warning(lexicon):
    assert val.lexicon_warnings(lexicon, _hand_coded()) == []


def test_a_pattern_that_codes_most_sentences_is_warned_of(tmp_path):
    from conftest import SMALL_LEXICON

    p = tmp_path / "issues.yml"
    p.write_text(SMALL_LEXICON.replace(r"'\barms control\b'", r"'\barms control\b', '\bthe\b'"))
    warnings = val.lexicon_warnings(lex.load_lexicon(p), _hand_coded())
    assert len(warnings) == 2, warnings  # the pattern, and the issue's jump
    assert r"pattern '\bthe\b' codes 80% of the hand-coded sentences" in warnings[0]
    assert "'arms_control': the lexicon codes 90% of the hand-coded sentences, the hand " \
           "coding 10%" in warnings[1]


def test_an_issue_share_jump_is_warned_of_below_the_pattern_limit(tmp_path):
    from conftest import SMALL_LEXICON

    p = tmp_path / "issues.yml"
    p.write_text(SMALL_LEXICON.replace(r"'\bsyria\w*'", r"'\bsyria\w*', "
                                       r"'\bminister 1[2-4]\b', '\bminister 1[5-7]\b'"))
    warnings = val.lexicon_warnings(lex.load_lexicon(p), _hand_coded())
    # each added pattern codes 3 of 20 sentences (15%, not above the limit); together with
    # the two about Syria, the issue codes 8 of 20 where the hand coding has 2
    assert warnings == ["issues.yml: issue 'syria': the lexicon codes 40% of the hand-coded "
                        "sentences, the hand coding 10%; check the patterns changed last"]


def test_the_coding_guide_must_name_every_issue(tmp_path, lexicon):
    guide = tmp_path / "guide.md"
    guide.write_text("# Guide\n\n| id | code when |\n|---|---|\n| `syria` | Syria |\n"
                     "| `cyber` | hacking |\n")
    with pytest.raises(InputError) as info:
        val.check_coding_guide(lexicon, guide)
    msg = str(info.value)
    assert msg.startswith("guide.md: issue 'arms_control' of issues.yml has no row"), msg
    assert "guide.md, line 6: issue 'cyber' is not in issues.yml" in msg


def test_the_committed_coding_guide_names_every_issue(root):
    val.check_coding_guide(lex.load_lexicon(root / "data" / "lexicons" / "issues.yml"),
                           root / "data" / "lexicons" / "coding_guide.md")


def test_the_sanity_note_says_what_is_wrong_or_that_the_check_passed():
    assert val.lexicon_sanity_note([]).startswith("The lexicon passes its sanity check: no "
                                                  "pattern codes more than 15%")
    note = val.lexicon_sanity_note(["issues.yml: issue 'x': pattern 'y' codes 80% of them"])
    assert note == "**Lexicon warning:** issue 'x': pattern 'y' codes 80% of them."
