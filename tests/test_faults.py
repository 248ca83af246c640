"""The fault battery of issue 16: every bad input gets a clear error naming the file and the
row or line (never a silent pass, a raw traceback or a hang), a failed run changes nothing.

Each test is one case. Input-level cases call the loader the notebooks call; run-level
cases check that nothing under data/processed, reports/ or notebooks/ changed.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from helpers import corpus, lexicon as lex, validation as val
from helpers.corpus import load_speaker_names
from helpers.io import InputError
from helpers.sources import load_manifest

BOM = b"\xef\xbb\xbf"


# --------------------------------------------------------------------------- helpers
def _raw(proj: Path) -> Path:
    return proj / "data" / "raw"


def _rows(proj: Path) -> list[dict]:
    with open(_raw(proj) / "sources.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write_rows(proj: Path, rows: list[dict], fields: list[str] | None = None) -> None:
    fields = fields or list(rows[0])
    with open(_raw(proj) / "sources.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _edit_row(proj: Path, index: int, **changes) -> None:
    rows = _rows(proj)
    rows[index].update(changes)
    _write_rows(proj, rows, list(rows[0]) + [k for k in changes if k not in rows[0]])


def _add_source(proj: Path, name: str, text: str, **fields) -> None:
    data = text.encode("utf-8")
    (_raw(proj) / name).write_bytes(data)
    rows = _rows(proj)
    row = dict(rows[1], file=name, sha256=hashlib.sha256(data).hexdigest(), title="",
               default_speaker="", note="test")
    row.update(fields)
    _write_rows(proj, rows + [row], list(rows[0]) + [k for k in fields if k not in rows[0]])


def _rehash(proj: Path, name: str) -> None:
    rows = _rows(proj)
    for r in rows:
        if r["file"] == name:
            r["sha256"] = hashlib.sha256((_raw(proj) / name).read_bytes()).hexdigest()
    _write_rows(proj, rows)


def _raises(fn, where: str, *phrases: str) -> str:
    """``fn()`` must raise InputError whose message starts with ``where`` (file, row/line)
    and contains every phrase; returns the message."""
    with pytest.raises(InputError) as info:
        fn()
    msg = str(info.value)
    assert re.match(where, msg), msg
    for p in phrases:
        assert p in msg, msg
    return msg


def _seed(name: str) -> str:
    from conftest import SEEDS

    return next(f for f in SEEDS if f.startswith(f"{name}_"))


@pytest.fixture
def committed_sentences(root) -> pd.DataFrame:
    return pd.read_csv(root / "data" / "processed" / "sentences.csv", keep_default_na=False)


# --------------------------------------------------------------------------- byte-order marks
def test_bom_on_a_raw_source_keeps_ids_text_and_offsets(tmp_project, committed_sentences):
    f = _seed("002")
    raw = _raw(tmp_project) / f
    raw.write_bytes(BOM + raw.read_bytes())
    _rehash(tmp_project, f)
    sentences, _ = corpus.build_corpus()
    got = sentences[sentences["source"] == f][["sentence_id", "speaker", "text", "char_start"]]
    want = committed_sentences[committed_sentences["source"] == f]
    assert got["sentence_id"].tolist() == want["sentence_id"].tolist()
    assert got["text"].tolist() == want["text"].tolist()
    # the BOM is one character of the decoded file: offsets shift with it, and still point
    # at the same characters of the file as stored
    assert (got["char_start"].to_numpy() == want["char_start"].to_numpy() + 1).all()
    text = raw.read_bytes().decode("utf-8")
    row = got.iloc[0]
    assert text[row.char_start:].startswith(row.text.split()[0])
    # the hand coding still points at the right sentences
    val.load_validation(tmp_project / "data" / "lexicons" / "validation.csv",
                        sentences=sentences)


def test_bom_on_a_labelled_source_without_default_speaker(tmp_project):
    f = _seed("001")
    raw = _raw(tmp_project) / f
    raw.write_bytes(BOM + raw.read_bytes())
    _rehash(tmp_project, f)
    sentences, _ = corpus.build_corpus()  # no "speech before the first speaker label"
    assert (sentences["source"] == f).sum() > 50


def test_bom_inside_a_raw_source_is_refused_naming_the_line(tmp_project):
    f = _seed("004")
    raw = _raw(tmp_project) / f
    lines = raw.read_bytes().split(b"\n")
    raw.write_bytes(b"\n".join(lines[:3] + [BOM + lines[3]] + lines[4:]))
    _rehash(tmp_project, f)
    _raises(lambda: load_manifest(_raw(tmp_project))[4].read_text(),
            rf"{f}, line 4: ", "byte-order mark")


@pytest.mark.parametrize("relpath", ["data/raw/sources.csv",
                                     "data/annotations/speaker_labels.csv",
                                     "data/annotations/caption_turns.csv",
                                     "data/lexicons/validation.csv",
                                     "data/lexicons/issues.yml"])
def test_bom_on_a_table_or_the_lexicon_is_stripped(tmp_project, relpath):
    p = tmp_project / relpath
    p.write_bytes(BOM + p.read_bytes())
    sentences, _ = corpus.build_corpus()
    lexicon = lex.load_lexicon()
    assert len(lexicon) >= 14 and len(sentences) > 500
    v = val.load_validation(tmp_project / "data" / "lexicons" / "validation.csv",
                            lexicon, sentences=sentences)
    assert list(v.columns)[0] == "sentence_id"


# --------------------------------------------------------------------------- non-UTF-8
@pytest.mark.parametrize("relpath, where", [
    ("data/raw/sources.csv", r"sources\.csv, line 3: not valid UTF-8"),
    ("data/annotations/speaker_labels.csv", r"speaker_labels\.csv, line 3: not valid UTF-8"),
    ("data/annotations/caption_turns.csv", r"caption_turns\.csv, line 3: not valid UTF-8"),
    ("data/lexicons/validation.csv", r"validation\.csv, line 3: not valid UTF-8"),
    ("data/lexicons/issues.yml", r"issues\.yml, line 3: not valid UTF-8"),
])
def test_non_utf8_file_names_the_file_and_line(tmp_project, relpath, where):
    p = tmp_project / relpath
    lines = p.read_bytes().split(b"\n")
    lines[2] = lines[2] + " caf\u00e9".encode("latin-1")
    p.write_bytes(b"\n".join(lines))

    def load():
        corpus.build_corpus()
        lexicon = lex.load_lexicon()
        val.load_validation(tmp_project / "data" / "lexicons" / "validation.csv", lexicon)
    _raises(load, where, "save the file as UTF-8")


# --------------------------------------------------------------------------- manifest
def test_impossible_event_date(tmp_project):
    _edit_row(tmp_project, 1, event_date="2019-02-30", meeting="sochi-2019-02-30")
    msg = _raises(lambda: load_manifest(_raw(tmp_project)), r"sources\.csv, row 2 \(line 3\): ",
                  "event_date '2019-02-30' is not a real date (day is out of range for month)")
    assert "write it as YYYY-MM-DD" not in msg  # it is written so


def test_event_date_in_another_format(tmp_project):
    _edit_row(tmp_project, 1, event_date="14/05/2019")
    _raises(lambda: load_manifest(_raw(tmp_project)), r"sources\.csv, row 2 \(line 3\): ",
            "'14/05/2019' is not written as YYYY-MM-DD")


def test_every_bad_manifest_row_is_listed_at_once(tmp_project):
    rows = _rows(tmp_project)
    rows[1]["source_kind"] = "offical transcript"
    rows[3]["event_date"] = "2019-12-32"
    _write_rows(tmp_project, rows)
    msg = _raises(lambda: load_manifest(_raw(tmp_project)), r"sources\.csv, row 2 \(line 3\): ",
                  "unknown source_kind 'offical transcript'")
    assert re.search(r"\nsources\.csv, row 4 \(line 5\): event_date '2019-12-32' is not a real",
                     msg), msg


def test_meeting_id_date_disagrees_with_event_date(tmp_project):
    _edit_row(tmp_project, 1, meeting="sochi-2019-13-45")
    _raises(lambda: load_manifest(_raw(tmp_project)), r"sources\.csv, row 2 \(line 3\): ",
            "'sochi-2019-13-45'", "not the event_date '2019-05-14'")


@pytest.mark.parametrize("name", ["../../../../etc/hostname", "/etc/hostname",
                                  "sub/001.txt", "..", ".hidden.txt", "sources.csv"])
def test_file_name_outside_data_raw_is_refused(tmp_project, name):
    _edit_row(tmp_project, 3, file=name)
    _raises(lambda: load_manifest(_raw(tmp_project)), r"sources\.csv, row 4 \(line 5\): ",
            repr(name))


def test_manifest_row_with_an_extra_field(tmp_project):
    p = _raw(tmp_project) / "sources.csv"
    lines = p.read_text(encoding="utf-8").split("\n")
    lines[2] += ",surplus"
    p.write_text("\n".join(lines), encoding="utf-8")
    _raises(lambda: load_manifest(_raw(tmp_project)), r"sources\.csv, row 2 \(line 3\): ",
            "fields but the header has")


def test_manifest_unknown_column_is_refused_not_ignored(tmp_project):
    _edit_row(tmp_project, 0, drop_line="Press Availability")  # typo of drop_lines
    _raises(lambda: load_manifest(_raw(tmp_project)), r"sources\.csv, line 1: ",
            "unknown column(s) ['drop_line']")


def test_manifest_file_listed_twice(tmp_project):
    rows = _rows(tmp_project)
    _write_rows(tmp_project, rows + [rows[0]])
    _raises(lambda: load_manifest(_raw(tmp_project)), r"sources\.csv, row 6 \(line 7\): ",
            "listed twice (also in row 1)")


# --------------------------------------------------------------------------- annotations
def test_duplicate_speaker_label_rows(tmp_project):
    p = tmp_project / "data" / "annotations" / "speaker_labels.csv"
    p.write_text(p.read_text(encoding="utf-8") + "secretary pompeo,lavrov,label,override\n",
                 encoding="utf-8")
    n = len(p.read_text(encoding="utf-8").splitlines())
    _raises(lambda: load_speaker_names(p), rf"speaker_labels\.csv, row {n - 1} \(line {n}\): ",
            "listed twice (also row 1)")


def test_anchor_for_a_file_not_in_the_manifest(tmp_project):
    p = tmp_project / "data" / "annotations" / "caption_turns.csv"
    p.write_text(p.read_text(encoding="utf-8") + "009_missing.txt,Hello there,pompeo,x\n",
                 encoding="utf-8")
    _raises(corpus.build_corpus, r"caption_turns\.csv, row 7 \(line 8\): ",
            "'009_missing.txt', which is not a source in the manifest")


def test_anchor_for_a_labelled_source(tmp_project):
    p = tmp_project / "data" / "annotations" / "caption_turns.csv"
    p.write_text(p.read_text(encoding="utf-8") + f"{_seed('002')},Thank you,lavrov,x\n",
                 encoding="utf-8")
    _raises(corpus.build_corpus, r"caption_turns\.csv, row 7 \(line 8\): ",
            "only for captions sources")


CAPTIONS = ("Transcripts For CSPAN2 A second press event 20240101\n"
            "good morning. we begin now. thank you, mr. minister. "
            "we discussed arms control and the new start treaty. "
            "[speaking in native tongue] translator: we are ready to extend it.\n")


def test_a_second_captions_source_works(tmp_project):
    _add_source(tmp_project, "005_captions.txt", CAPTIONS, format="captions",
                source_kind="broadcast captions", translation="live interpreter")
    p = tmp_project / "data" / "annotations" / "caption_turns.csv"
    p.write_text(p.read_text(encoding="utf-8")
                 + "005_captions.txt,good morning. we begin now.,pompeo,x\n"
                 + "005_captions.txt,[speaking in native tongue],lavrov,x\n", encoding="utf-8")
    sentences, _ = corpus.build_corpus()
    new = sentences[sentences["source"] == "005_captions.txt"]
    by_speaker = new.groupby("speaker")["text"].agg(" ".join).to_dict()
    assert set(by_speaker) == {"lavrov", "pompeo"}
    assert "new start treaty" in by_speaker["pompeo"]
    assert "ready to extend it" in by_speaker["lavrov"]


def test_a_second_captions_source_without_anchors(tmp_project):
    _add_source(tmp_project, "005_captions.txt", CAPTIONS, format="captions",
                source_kind="broadcast captions", translation="live interpreter")
    _raises(corpus.build_corpus, r"caption_turns\.csv: ",
            "no turn anchors for captions source 005_captions.txt")


# --------------------------------------------------------------------------- lexicon
ENTRY = ("- id: north_korea\n  label: North Korea\n  description: The DPRK.\n"
         "  patterns:\n    - '\\bnorth korea\\b'\n")


def _lexicon(tmp_path, text: str) -> Path:
    p = tmp_path / "issues.yml"
    p.write_text(text, encoding="utf-8")
    return p


def test_yaml_key_given_twice_in_one_entry(tmp_path):
    p = _lexicon(tmp_path, ENTRY + "  patterns:\n    - '\\bdprk\\b'\n")
    _raises(lambda: lex.load_lexicon(p), r"issues\.yml, line 6: ", "key 'patterns' is given "
            "twice in one entry (first on line 4)")


def test_exclude_written_as_a_string(tmp_path):
    p = _lexicon(tmp_path, ENTRY + "  exclude: 'xyzzy'\n")
    _raises(lambda: lex.load_lexicon(p), r"issues\.yml, row 1 \(line 1\): ",
            "issue 'north_korea'", "exclude must be a list", "'xyzzy'")


def test_inline_flags_in_a_pattern(tmp_path):
    p = _lexicon(tmp_path, ENTRY + "    - '(?i)dprk'\n")
    _raises(lambda: lex.load_lexicon(p), r"issues\.yml, row 1 \(line 6\): ",
            "issue 'north_korea'", "'(?i)dprk'", "inline flags")


@pytest.mark.parametrize("pattern", ["x*", "\\bdprk\\b|", "(?:korea)?", "^"])
def test_pattern_matching_the_empty_string(tmp_path, pattern):
    p = _lexicon(tmp_path, ENTRY + f"    - '{pattern}'\n")
    _raises(lambda: lex.load_lexicon(p), r"issues\.yml, row 1 \(line 6\): ",
            "issue 'north_korea'", f"'{pattern}'", "can match the empty string")


def test_catastrophic_pattern_is_refused_at_load_without_hanging(tmp_path):
    p = _lexicon(tmp_path, ENTRY + "    - '(\\w+\\s?)+$'\n")
    t = time.perf_counter()
    _raises(lambda: lex.load_lexicon(p), r"issues\.yml, row 1 \(line 6\): ",
            "issue 'north_korea'", "'(\\w+\\s?)+$'", "nested repeat")
    assert time.perf_counter() - t < 5


def test_invalid_pattern_names_issue_and_pattern(tmp_path):
    p = _lexicon(tmp_path, ENTRY + "    - '(unclosed'\n")
    _raises(lambda: lex.load_lexicon(p), r"issues\.yml, row 1 \(line 6\): ",
            "issue 'north_korea'", "pattern '(unclosed' is not a valid regular expression",
            "missing )")


def test_pattern_errors_name_their_own_lines_and_show_patterns_as_written(tmp_path):
    p = _lexicon(tmp_path, ENTRY + "    - '\\bnew (start'\n  exclude:\n    - '\\bx\\b|'\n"
                 + ENTRY.replace("north_korea", "dprk"))
    msg = _raises(lambda: lex.load_lexicon(p), r"issues\.yml, row 1 \(line 6\): ",
                  "issue 'north_korea': pattern '\\bnew (start' is not a valid")
    assert "issues.yml, row 1 (line 8): issue 'north_korea': exclude pattern '\\bx\\b|' can match" \
        in msg, msg
    assert "\\\\" not in msg  # backslashes as written, not doubled


def test_lexicon_not_valid_yaml_names_the_line(tmp_path):
    p = _lexicon(tmp_path, ENTRY + "  exclude: [unclosed\n")
    _raises(lambda: lex.load_lexicon(p), r"issues\.yml, line 6: ", "not valid YAML")


def test_unclosed_bracket_in_yaml_names_its_own_line(tmp_path):
    p = _lexicon(tmp_path, ENTRY + "  exclude: ['\\bmutual'\n" + ENTRY.replace("north_korea", "dprk"))
    _raises(lambda: lex.load_lexicon(p), r"issues\.yml, line 6: ",
            "a '[' opened on this line is never closed", "on line 7", "close it with ']'")


# --------------------------------------------------------------------------- validation sample
def _validation(tmp_project) -> Path:
    return tmp_project / "data" / "lexicons" / "validation.csv"


def test_malformed_validation_csv(tmp_project, lexicon):
    p = _validation(tmp_project)
    lines = p.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3] + ',"unclosed'
    p.write_text("\n".join(lines), encoding="utf-8")
    _raises(lambda: val.load_validation(p), r"validation\.csv, line 4: ",
            "a quoted value opened on this line is never closed", 'as two ("")')


def test_validation_rows_with_extra_fields_as_notebook_03_reads_them(tmp_project):
    p = _validation(tmp_project)
    lines = p.read_text(encoding="utf-8").split("\n")
    lines[10] += ",x,y"
    lines[12] += ",x"
    p.write_text("\n".join(lines), encoding="utf-8")
    msg = _raises(lambda: val.load_validation(p, lexicon=lex.load_lexicon()),
                  r"validation\.csv, row 10 \(line 11\): 8 fields but the header has 6")
    assert "validation.csv, row 12 (line 13): 7 fields" in msg, msg


def test_validation_row_with_missing_fields(tmp_project):
    p = _validation(tmp_project)
    lines = p.read_text(encoding="utf-8").split("\n")
    lines[5] = "000_df1a256d48d856ee:9,000_df1a256d48d856ee.txt,pompeo"
    p.write_text("\n".join(lines), encoding="utf-8")
    _raises(lambda: val.load_validation(p), r"validation\.csv, row 5 \(line 6\): ",
            "3 fields but the header has 6")


def test_unknown_sentence_id(tmp_project, committed_sentences):
    p = _validation(tmp_project)
    text = p.read_text(encoding="utf-8").replace("000_df1a256d48d856ee:4,", "000_df1a256d48d856ee:99999,", 1)
    p.write_text(text, encoding="utf-8")
    _raises(lambda: val.load_validation(p, sentences=committed_sentences),
            r"validation\.csv, row 2 \(line 3\): ", "'000_df1a256d48d856ee:99999' is not in "
            "the corpus")


def test_coded_text_is_not_the_sentence_at_its_id(tmp_project, committed_sentences):
    shifted = committed_sentences.copy()
    src = shifted["source"] == _seed("002")
    shifted.loc[src, "text"] = shifted.loc[src, "text"].shift(1).fillna("\ufeff11 December 2019")
    v = val.load_validation(_validation(tmp_project))
    first = int((v["source"] == _seed("002")).to_numpy().argmax()) + 1
    _raises(lambda: val.check_against_corpus(v, shifted, _validation(tmp_project)),
            rf"validation\.csv, row {first} \(line {first + 1}\): ",
            "text differs from the corpus sentence")


def test_project_sample_is_checked_against_the_processed_corpus(tmp_project, root,
                                                                committed_sentences):
    shutil.copy(root / "data" / "processed" / "sentences.csv",
                tmp_project / "data" / "processed" / "sentences.csv")
    val.load_validation()  # the committed sample matches the committed corpus
    p = _validation(tmp_project)
    p.write_text(p.read_text(encoding="utf-8").replace(",Welcome.\n", ",Welcome back.\n", 1),
                 encoding="utf-8")
    _raises(val.load_validation, r"validation\.csv, row 2 \(line 3\): ", "text differs")


# --------------------------------------------------------------------------- page furniture
STATE_DEPT = """Press Availability
Michael R. Pompeo
Secretary of State
Rus Hotel
Sochi, Russia
May 14, 2019
Secretary Pompeo's Press Availability in Sochi
SECRETARY POMPEO: Good evening. We discussed arms control with the foreign minister.
Europe and Eurasia:
SECRETARY POMPEO: We also talked about Venezuela.
"""


def _furniture_source(tmp_project, **fields):
    _add_source(tmp_project, "005_state.txt", STATE_DEPT, format="labelled",
                source_kind="official transcript", translation="original English",
                title="Secretary Pompeo’s Press Availability in Sochi", **fields)


def test_header_lines_need_data_not_code(tmp_project):
    _furniture_source(tmp_project)
    _raises(corpus.build_corpus, r"005_state\.txt, line 1: ",
            "speech_starts_at or drop_lines", "default_speaker")


def test_heading_with_a_colon_names_both_fixes(tmp_project):
    _furniture_source(tmp_project, speech_starts_at="7")
    _raises(corpus.build_corpus, r"005_state\.txt, line 9: ",
            "'Europe and Eurasia'", "speaker_labels.csv", "drop_lines")


@pytest.mark.parametrize("start", ["7", "Secretary Pompeo's Press Availability in Sochi"])
def test_furniture_dropped_through_the_manifest(tmp_project, start):
    _furniture_source(tmp_project, speech_starts_at=start, drop_lines="Europe and Eurasia:")
    sentences, dropped = corpus.build_corpus()
    new = sentences[sentences["source"] == "005_state.txt"]
    assert new["text"].tolist() == [
        "Good evening.", "We discussed arms control with the foreign minister.",
        "We also talked about Venezuela."]
    assert set(new["speaker"]) == {"pompeo"}
    rules = dropped[dropped["source"] == "005_state.txt"].set_index("text")["rule"]
    assert rules["Press Availability"] == "speech_starts_at"
    assert rules["Europe and Eurasia:"] == "drop_lines"
    # the manifest's title has ’, the file '; it is still the title
    assert rules["Secretary Pompeo's Press Availability in Sochi"] in {"title",
                                                                        "speech_starts_at"}


def test_title_matching_ignores_quote_and_dash_style(tmp_project):
    _furniture_source(tmp_project, drop_pattern=r"Press Availability|Michael R\. Pompeo|"
                      r"Secretary of State|Rus Hotel|Sochi, Russia|[A-Z][a-z]+ \d{1,2}, \d{4}",
                      drop_lines="Europe and Eurasia:")
    sentences, dropped = corpus.build_corpus()
    rules = dropped[dropped["source"] == "005_state.txt"].set_index("text")["rule"]
    assert rules["Secretary Pompeo's Press Availability in Sochi"] == "title"
    assert rules["Rus Hotel"] == "drop_pattern"
    assert len(sentences[sentences["source"] == "005_state.txt"]) == 3


@pytest.mark.parametrize("fields, phrase", [
    ({"drop_pattern": "(unclosed"}, "drop_pattern: invalid regular expression"),
    ({"drop_pattern": ".*"}, "matches an empty line"),
    ({"speech_starts_at": "A line that is not there"}, "is not a line of this file"),
    ({"speech_starts_at": "0"}, "line number from 1"),
])
def test_bad_furniture_fields_name_the_row(tmp_project, fields, phrase):
    _furniture_source(tmp_project, **fields)
    _raises(lambda: load_manifest(_raw(tmp_project)), r"sources\.csv, row 6 \(line 7\): ",
            phrase)


# --------------------------------------------------------------------------- the check step
def test_check_lists_every_problem_of_every_input_at_once(tmp_project, capsys):
    """`python -m workflow.check` (run by reproduce before any notebook): one run reports a
    bad manifest date, an edited raw file, a bad speaker label, a broken pattern and a
    hand-coded row with extra fields, each naming its file and row, and fails."""
    from workflow import check

    _edit_row(tmp_project, 1, event_date="2019-02-30", meeting="sochi-2019-02-30")
    with open(_raw(tmp_project) / _seed("003"), "ab") as fh:
        fh.write(b"An edit.\n")
    labels = tmp_project / "data" / "annotations" / "speaker_labels.csv"
    labels.write_text(labels.read_text(encoding="utf-8") + "MR. NOBODY,nobody,label,test\n",
                      encoding="utf-8")
    issues = tmp_project / "data" / "lexicons" / "issues.yml"
    issues.write_text(issues.read_text(encoding="utf-8").replace(
        "'\\barms control\\b'", "'\\barms (control'", 1), encoding="utf-8")
    p = _validation(tmp_project)
    lines = p.read_text(encoding="utf-8").split("\n")
    lines[10] += ",x,y"
    p.write_text("\n".join(lines), encoding="utf-8")
    t = time.perf_counter()
    assert check.main() == 1
    assert time.perf_counter() - t < 10
    err = capsys.readouterr().err
    for where in (r"sources\.csv, row 2 \(line 3\): event_date '2019-02-30' is not a real date",
                  rf"{_seed('003')}: checksum mismatch",
                  r"speaker_labels\.csv, row \d+ \(line \d+\): unknown speaker id 'nobody'",
                  r"issues\.yml, row 1 \(line \d+\): issue 'arms_control': pattern "
                  r"'\\barms \(control' is not a valid",
                  r"validation\.csv, row 10 \(line 11\): 8 fields"):
        assert re.search(rf"(?m)^- {where}", err), (where, err)
    assert "no notebook was run, nothing was changed" in err


def test_check_passes_on_the_committed_inputs(root, monkeypatch, capsys):
    from workflow import check

    monkeypatch.setenv("HELPERS_PROJECT_ROOT", str(root))
    assert check.main() == 0
    out = capsys.readouterr()
    assert "every input is valid" in out.out and out.err == ""


def test_check_warns_of_a_pattern_that_codes_most_sentences(tmp_project, capsys):
    from workflow import check

    issues = tmp_project / "data" / "lexicons" / "issues.yml"
    issues.write_text(issues.read_text(encoding="utf-8").replace(
        "    - '\\barms control\\b'\n", "    - '\\barms control\\b'\n    - '\\bthe\\b'\n", 1),
        encoding="utf-8")
    assert check.main() == 0  # a warning, not an error: the lexicon is the analyst's to edit
    err = capsys.readouterr().err
    assert re.search(r"warning: issues\.yml: issue 'arms_control': pattern '\\bthe\\b' codes "
                     r"\d+% of the hand-coded sentences \(limit 15%\)", err), err


def test_check_reads_the_known_repeats_and_the_topic_map_too(tmp_project, capsys):
    """Both are inputs of a run: a bad row in either is listed by the check, every one."""
    from workflow import check

    known = tmp_project / "data" / "annotations" / "known_repeats.csv"
    known.write_text(known.read_text(encoding="utf-8")
                     + "999_missing.txt,lavrov,maybe,,a typo\n", encoding="utf-8")
    topic_map = tmp_project / "data" / "lexicons" / "topic_issue_map.csv"
    lines = topic_map.read_text(encoding="utf-8").split("\n")
    lines[1] = lines[1].replace("venezuela;", "venezeula;", 1)
    topic_map.write_text("\n".join(lines), encoding="utf-8")
    assert check.main() == 1
    err = capsys.readouterr().err
    for where in (r"known_repeats\.csv, row \d+ \(line \d+\): known must be 'repeat' or 'new' "
                  r"\(got 'maybe'\)",
                  r"known_repeats\.csv, row \d+ \(line \d+\): source '999_missing\.txt' is not "
                  r"a file of the manifest",
                  r"topic_issue_map\.csv, row 1 \(line 2\): unknown issue id\(s\) \['venezeula'\]"):
        assert re.search(rf"(?m)^- {where}", err), (where, err)


# --------------------------------------------------------------------------- a failed run
def _snapshot(proj: Path) -> dict[str, bytes]:
    return {str(p.relative_to(proj)): p.read_bytes()
            for sub in ("data/processed", "reports", "notebooks")
            for p in sorted((proj / sub).rglob("*")) if p.is_file()}


def _project_copy(root: Path, dest: Path) -> Path:
    for sub in ("data", "notebooks", "reports/figures"):
        shutil.copytree(root / sub, dest / sub)
    (dest / "pyproject.toml").write_text("")
    return dest


def test_a_bad_input_stops_the_run_and_changes_nothing(root, tmp_path, monkeypatch):
    """The first notebook fails on a bad manifest: the runner says so, nothing changes."""
    from workflow.notebooks import NotebookError, run_all

    proj = _project_copy(root, tmp_path / "proj")
    monkeypatch.setenv("HELPERS_CACHE_DIR", str(tmp_path / "cache"))
    _edit_row(proj, 1, event_date="2019-02-30", meeting="sochi-2019-02-30")
    before = _snapshot(proj)
    with pytest.raises(NotebookError, match=r"(?s)01-clean-and-attribute\.ipynb failed.*"
                       r"sources\.csv, row 2 \(line 3\).*not a real date.*Nothing was changed"):
        run_all(root=proj)
    assert _snapshot(proj) == before
    assert not list(proj.rglob(".*.tmp"))


@pytest.mark.notebooks
def test_a_late_failure_in_notebook_04_changes_nothing(root, tmp_path, monkeypatch):
    """Notebook 01 succeeds (its corpus table, stale in the project, is new in the staging
    copy) and 04 fails on the hand coding: no table, figure or notebook of the project
    changes. (02 and 03 are skipped: 04 reads their committed tables.)"""
    from workflow.notebooks import NotebookError, run_all

    proj = _project_copy(root, tmp_path / "proj")
    monkeypatch.setenv("HELPERS_CACHE_DIR", str(tmp_path / "cache"))
    (proj / "data" / "processed" / "sentences.csv").write_text("stale\n")
    p = proj / "data" / "lexicons" / "validation.csv"
    p.write_text(p.read_text(encoding="utf-8").replace(",Welcome.\n", ",Welcome back.\n", 1),
                 encoding="utf-8")
    before = _snapshot(proj)
    with pytest.raises(NotebookError, match=r"(?s)04-measure-issue-salience\.ipynb failed.*"
                       r"validation\.csv, row 2 \(line 3\).*Nothing was changed"):
        run_all(root=proj, only=["01", "04"])
    assert _snapshot(proj) == before
