import re
import numpy as np
import pandas as pd
import pytest

from helpers import salience as sal
from helpers.io import InputError

LEX = """
- id: arms_control
  label: Arms control
  description: Treaties.
  patterns: ['\\bnew start\\b', '\\barms control\\b']
- id: syria
  label: Syria
  description: Syria.
  patterns: ['\\bsyria\\w*']
  exclude: ['\\bsyriana\\b']
"""


@pytest.fixture
def lexicon(tmp_path):
    p = tmp_path / "issues.yml"
    p.write_text(LEX)
    return sal.load_lexicon(p)


def _sentences(rows):
    df = pd.DataFrame(rows, columns=["source", "turn", "speaker", "meeting", "text"])
    return df.assign(sentence=range(len(df)), n_words=df["text"].str.split().str.len(),
                     sentence_id=[f"s:{i}" for i in range(len(df))], char_start=0,
                     char_end=1)


@pytest.mark.parametrize("text, message", [
    (LEX + LEX.split("\n", 1)[1].split("- id: syria")[0], r"row 3: issue 'arms_control': duplicate id"),
    ("- id: x\n  label: X\n  description: d\n  patterns: []\n", r"row 1: issue 'x': patterns must be"),
    ("- id: x\n  label: X\n  description: d\n  patterns: ['(unclosed']\n", r"row 1: issue 'x': invalid pattern"),
    ("- id: x\n  description: d\n  patterns: ['a']\n", r"row 1: issue 'x': missing label"),
    ("- id: x\n  label: X\n  description: d\n  patterns: ['a']\n  colour: red\n", r"row 1: issue 'x': unknown keys"),
])
def test_malformed_lexicon_names_the_row(tmp_path, text, message):
    p = tmp_path / "bad.yml"
    p.write_text(text)
    with pytest.raises(InputError, match=r"bad\.yml, " + message):
        sal.load_lexicon(p)


def test_coding_is_multilabel_and_allows_none(lexicon):
    s = _sentences([("a", 0, "pompeo", "m-2019-01-01", "New START and Syria, both."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Nothing here."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Not syriana.")])
    coded = sal.code_sentences(s, lexicon, inherit="none")
    assert coded[["arms_control", "syria"]].values.tolist() == [[True, True], [False, False],
                                                                [False, False]]
    assert coded["via"].tolist() == ["direct", "", ""]


def test_inheritance_stays_within_the_turn_and_skips_courtesies(lexicon):
    s = _sentences([("a", 0, "pompeo", "m-2019-01-01", "We discussed Syria."),
                    ("a", 0, "pompeo", "m-2019-01-01", "It was a major part of our talks."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Thank you."),
                    ("a", 1, "lavrov", "m-2019-01-01", "It matters a lot."),
                    ("a", 1, "lavrov", "m-2019-01-01", "Really important.")])
    ana = sal.code_sentences(s, lexicon, inherit="anaphora")
    assert ana["syria"].tolist() == [True, True, False, False, False]
    assert ana["via"].tolist() == ["direct", "inherited", "", "", ""]
    prev = sal.code_sentences(s, lexicon, inherit="previous")
    assert prev["syria"].tolist() == [True, True, False, False, False]
    assert not sal.code_sentences(s, lexicon, inherit="none")["syria"].iloc[1]


def test_salience_shares_by_hand_and_absent_cells(lexicon):
    s = _sentences([("a", 0, "pompeo", "m-2019-01-01", "New START matters."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Syria too, and arms control."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Weather is nice today here."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Nothing."),
                    ("b", 0, "lavrov", "n-2019-02-02", "Syria.")])
    coded = sal.code_sentences(s, lexicon, inherit="none")
    res = sal.compute_salience(coded, lexicon)
    cell = res[(res.speaker == "pompeo")].set_index("issue")
    assert cell.loc["arms_control", "share"] == 0.5 and cell.loc["syria", "share"] == 0.25
    # words: 3 + 5 arms-control words of 3 + 5 + 5 + 1
    assert cell.loc["arms_control", "share_words"] == pytest.approx(8 / 14)
    assert set(zip(res.meeting, res.speaker)) == {("m-2019-01-01", "pompeo"),
                                                  ("n-2019-02-02", "lavrov")}
    assert (res.ci_low <= res.share).all() and (res.share <= res.ci_high).all()
    again = sal.compute_salience(coded, lexicon)
    assert again.equals(res)  # seeded


def test_bootstrap_matches_naive_resampling_in_distribution(lexicon):
    rng = np.random.default_rng(0)
    texts = rng.choice(["Syria.", "New START.", "Syria and New START.", "Other."], size=200,
                       p=[0.3, 0.2, 0.1, 0.4])
    s = _sentences([("a", 0, "pompeo", "m-2019-01-01", t) for t in texts])
    coded = sal.code_sentences(s, lexicon, inherit="none")
    res = sal.compute_salience(coded, lexicon).set_index("issue")
    x = coded["syria"].to_numpy()
    naive = x[rng.integers(0, len(x), size=(4000, len(x)))].mean(axis=1)
    lo, hi = np.quantile(naive, [0.025, 0.975])
    assert res.loc["syria", "ci_low"] == pytest.approx(lo, abs=0.02)
    assert res.loc["syria", "ci_high"] == pytest.approx(hi, abs=0.02)


def test_agenda_overlap_identical_is_one_and_disjoint_is_zero(lexicon):
    rows = [("a", 0, sp, "m-2019-01-01", t) for sp in ("pompeo", "lavrov")
            for t in ("Syria.", "New START.")]
    coded = sal.code_sentences(_sentences(rows), lexicon, inherit="none")
    same = sal.compute_agenda_overlap(coded, lexicon, "m-2019-01-01", n_boot=200)
    assert same["similarity"] == pytest.approx(1.0)
    rows = [("a", 0, "pompeo", "m-2019-01-01", "Syria."), ("a", 1, "lavrov", "m-2019-01-01",
                                                          "New START.")]
    coded = sal.code_sentences(_sentences(rows), lexicon, inherit="none")
    assert sal.compute_agenda_overlap(coded, lexicon, "m-2019-01-01", n_boot=200)[
        "similarity"] == pytest.approx(0.0)


def test_score_coding_against_hand_computed_example():
    idx = ["a", "b", "c", "d"]
    gold = pd.DataFrame({"x": [True, True, False, False], "y": [False, False, True, False]},
                        index=idx)
    pred = pd.DataFrame({"x": [True, False, True, False], "y": [False, False, True, True]},
                        index=idx)
    sc = sal.score_coding(pred, gold).set_index("issue")
    # x: tp=1 fp=1 fn=1 -> P=R=F=0.5 ; y: tp=1 fp=1 fn=0 -> P=0.5 R=1 F=2/3
    assert sc.loc["x", ["precision", "recall", "f1"]].tolist() == [0.5, 0.5, 0.5]
    assert sc.loc["y", "f1"] == pytest.approx(2 / 3)
    # micro: tp=2 fp=2 fn=1 -> P=0.5 R=2/3 F=4/7
    assert sc.loc["micro avg", "f1"] == pytest.approx(4 / 7)


def test_validation_file_rejects_unknown_issue(tmp_path, lexicon):
    p = tmp_path / "validation.csv"
    p.write_text("sentence_id,source,speaker,split,issues,text\n"
                 "s:0,a,pompeo,tune,syria,Syria.\ns:1,a,pompeo,test,cyber,Hacks.\n")
    with pytest.raises(InputError, match=r"validation\.csv, row 2: unknown issue id 'cyber'"):
        sal.load_validation(p, lexicon)


def test_committed_lexicon_and_sample_are_valid(root):
    lexicon = sal.load_lexicon(root / "data" / "lexicons" / "issues.yml")
    assert len(sal.issue_ids(lexicon)) >= 14
    v = sal.load_validation(root / "data" / "lexicons" / "validation.csv", lexicon)
    assert len(v) >= 150 and set(v["split"]) == {"tune", "test"}
    assert v.groupby(["speaker"]).size().min() >= 15


def test_fast_matching_equals_plain_case_insensitive_matching(root):
    """Lower-casing once and dropping IGNORECASE must not change a single label."""
    from helpers.schemas import read_table

    texts = read_table("sentences", root)["text"]
    texts = pd.concat([texts, texts.str.upper()], ignore_index=True)  # case must not matter
    lexicon = sal.load_lexicon(root / "data" / "lexicons" / "issues.yml")
    fast = sal.match_issues(texts, lexicon)
    for issue in lexicon:
        plain = texts.str.contains(issue.pattern.pattern, flags=re.I, regex=True)
        if issue.exclude is not None:
            plain &= ~texts.str.contains(issue.exclude.pattern, flags=re.I, regex=True)
        assert (fast[issue.id].to_numpy() == plain.to_numpy(dtype=bool)).all(), issue.id
    assert fast.to_numpy().any(axis=1).mean() > 0.4  # the check is not vacuous


def test_each_cell_interval_is_independent_of_the_other_cells(lexicon):
    rows = [("a", 0, "pompeo", "m-2019-01-01", t) for t in ["Syria.", "Other.", "New START."] * 5]
    rows += [("b", 0, "putin", "m-2019-01-01", t) for t in ["Syria.", "Other."] * 5]
    coded = sal.code_sentences(_sentences(rows), lexicon, inherit="none")
    both = sal.compute_salience(coded, lexicon, speakers=["pompeo", "putin"])
    alone = sal.compute_salience(coded, lexicon, speakers=["putin"])
    pd.testing.assert_frame_equal(both[both.speaker == "putin"].reset_index(drop=True),
                                  alone.reset_index(drop=True))


def test_compare_with_topics_and_the_no_mapped_topic_case(lexicon):
    s = _sentences([("a", 0, "pompeo", "m-2019-01-01", "Syria."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Other.")])
    coded = sal.code_sentences(s, lexicon, inherit="none")
    prev = pd.DataFrame({"model": "nmf", "topic": [0], "meeting": "m-2019-01-01",
                         "speaker": "pompeo", "share": [0.4]})
    topics_ = pd.DataFrame({"model": ["nmf"], "topic": [0], "label": ["Syria"],
                            "issues": ["syria"]})
    table, _ = sal.compare_with_topics(coded, topics_, prev)
    assert table[["lexicon_share", "topic_share"]].values.tolist() == [[0.5, 0.4]]
    empty, corr = sal.compare_with_topics(coded, topics_.assign(issues=""), prev)
    assert empty.empty and corr.empty
