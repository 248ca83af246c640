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
