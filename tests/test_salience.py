import pandas as pd
from conftest import make_sentences

from helpers import coding
from helpers import salience as sal


def test_salience_shares_by_hand_and_absent_cells(lexicon):
    s = make_sentences([("a", 0, "pompeo", "m-2019-01-01", "New START matters."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Syria too, and arms control."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Weather is nice today here."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Nothing."),
                    ("b", 0, "lavrov", "n-2019-02-02", "Syria.")])
    coded = coding.code_sentences(s, lexicon, inherit="none")
    res = sal.compute_salience(coded, lexicon)
    cell = res[(res.speaker == "pompeo")].set_index("issue")
    assert cell.loc["arms_control", "share"] == 0.5 and cell.loc["syria", "share"] == 0.25
    assert set(res["measure"]) == {"lexicon"}  # no hand codes given: lexicon only
    assert set(zip(res.meeting, res.speaker)) == {("m-2019-01-01", "pompeo"),
                                                  ("n-2019-02-02", "lavrov")}
    assert (res.ci_low <= res.share).all() and (res.share <= res.ci_high).all()
    again = sal.compute_salience(coded, lexicon)
    assert again.equals(res)  # seeded


def test_each_cell_interval_is_independent_of_the_other_cells(lexicon):
    rows = [("a", 0, "pompeo", "m-2019-01-01", t) for t in ["Syria.", "Other.", "New START."] * 5]
    rows += [("b", 0, "putin", "m-2019-01-01", t) for t in ["Syria.", "Other."] * 5]
    coded = coding.code_sentences(make_sentences(rows), lexicon, inherit="none")
    both = sal.compute_salience(coded, lexicon, speakers=["pompeo", "putin"])
    alone = sal.compute_salience(coded, lexicon, speakers=["putin"])
    pd.testing.assert_frame_equal(both[both.speaker == "putin"].reset_index(drop=True),
                                  alone.reset_index(drop=True))


def test_compare_with_topics_and_the_no_mapped_topic_case(lexicon):
    s = make_sentences([("a", 0, "pompeo", "m-2019-01-01", "Syria."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Other.")])
    coded = coding.code_sentences(s, lexicon, inherit="none")
    prev = pd.DataFrame({"model": "nmf", "topic": [0], "meeting": "m-2019-01-01",
                         "speaker": "pompeo", "share": [0.4]})
    topics_ = pd.DataFrame({"model": ["nmf"], "topic": [0], "label": ["Syria"],
                            "issues": ["syria"]})
    table, _ = sal.compare_with_topics(coded, topics_, prev)
    assert table[["lexicon_share", "topic_share"]].values.tolist() == [[0.5, 0.4]]
    empty, corr = sal.compare_with_topics(coded, topics_.assign(issues=""), prev)
    assert empty.empty and corr.empty


def test_small_cells_one_hit_in_twelve_and_one_turn(lexicon):
    """One lexicon hit in 12 sentences: a correction that finds it a likely false positive
    still cannot exclude the raw share; a cell of one turn is too small to estimate and
    stays out of the largest issues."""
    from helpers import story

    rows = [("a", t, "pompeo", "m-2019-01-01", "Syria." if t == 0 else "Other.")
            for t in range(12)]
    rows += [("b", 0, "lavrov", "m-2019-01-01", t) for t in ["Syria.", "New START.", "Hi."]]
    # another source, hand-coded: half of the lexicon's Syria hits there are false
    rows += [("c", t, "lavrov", "n-2019-02-02", "Syria." if t < 20 else "Other.")
             for t in range(40)]
    s = make_sentences(rows)
    coded = coding.code_sentences(s, lexicon, inherit="none")
    gold = coded.set_index("sentence_id")[["arms_control", "syria"]].copy()
    false_hits = coded.loc[(coded["source"] == "c") & (coded["turn"] >= 10), "sentence_id"]
    gold.loc[false_hits, "syria"] = False
    gold = gold.loc[coded.loc[coded["source"] == "c", "sentence_id"]]  # only c is hand-coded
    res = sal.compute_salience(coded, lexicon, gold, speakers=["pompeo", "lavrov"])
    lex = res[(res.measure == "lexicon") & (res.speaker == "pompeo")].set_index("issue")
    syria = lex.loc["syria"]
    assert syria["ci_low"] <= syria["share"] <= syria["ci_high"]
    assert syria["share"] == 0 and syria["share_uncorrected"] == 1 / 12  # corrected to 0
    assert syria["ci_low"] <= 1 / 12 <= syria["ci_high"]
    assert bool(syria["estimable"]) and syria["n_turns"] == 12
    lav = res[(res.speaker == "lavrov") & (res.meeting == "m-2019-01-01")]
    assert (lav["n_turns"] == 1).all() and not lav["estimable"].any()
    lines = story.top_issues(res[res.measure == "lexicon"], {"syria": "Syria",
                                                             "arms_control": "Arms control"})
    lavrov_line = next(line for line in lines if "Lavrov" in line)
    assert "3 sentences in 1 turn" in lavrov_line and "too small to estimate" in lavrov_line
    assert "Syria" not in lavrov_line


def test_committed_salience_counts_add_up_to_the_coverage(project):
    """For any corpus: each principal's cell has one row per issue and measure, its total is
    the cell's canonical sentences in coverage.csv, and every cell with words is there."""
    import pandas as pd

    from helpers import config

    sal = pd.read_csv(project / "data" / "processed" / "salience.csv")
    cov = pd.read_csv(project / "data" / "processed" / "coverage.csv")
    cells = cov[(cov["corpus"] == "canonical") & (cov["source"] == "all")
                & cov["speaker"].isin(set(sal["speaker"]) | set(config.PRINCIPALS))]
    want = cells.set_index(["meeting", "speaker"])["n_sentences"].sort_index().to_dict()
    got = sal.groupby(["meeting", "speaker"])["total_sentences"]
    assert (got.nunique() == 1).all()
    assert got.first().sort_index().to_dict() == want
    assert (sal["n_sentences"] <= sal["total_sentences"]).all()
    per_cell = sal.groupby(["meeting", "speaker", "measure"]).size()
    assert per_cell.nunique() == 1  # every cell has every issue
