import numpy as np
import pandas as pd
import pytest
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
    s = make_sentences([("a", 0, "pompeo", "m-2019-01-01", t) for t in texts])
    coded = coding.code_sentences(s, lexicon, inherit="none")
    res = sal.compute_salience(coded, lexicon).set_index("issue")
    x = coded["syria"].to_numpy()
    naive = x[rng.integers(0, len(x), size=(4000, len(x)))].mean(axis=1)
    lo, hi = np.quantile(naive, [0.025, 0.975])
    assert res.loc["syria", "ci_low"] == pytest.approx(lo, abs=0.02)
    assert res.loc["syria", "ci_high"] == pytest.approx(hi, abs=0.02)


def test_agenda_overlap_identical_is_one_and_disjoint_is_zero(lexicon):
    rows = [("a", 0, sp, "m-2019-01-01", t) for sp in ("pompeo", "lavrov")
            for t in ("Syria.", "New START.")]
    coded = coding.code_sentences(make_sentences(rows), lexicon, inherit="none")
    same = sal.compute_agenda_overlap(coded, lexicon, "m-2019-01-01", n_boot=200)
    assert same["similarity"] == pytest.approx(1.0)
    rows = [("a", 0, "pompeo", "m-2019-01-01", "Syria."), ("a", 1, "lavrov", "m-2019-01-01",
                                                          "New START.")]
    coded = coding.code_sentences(make_sentences(rows), lexicon, inherit="none")
    assert sal.compute_agenda_overlap(coded, lexicon, "m-2019-01-01", n_boot=200)[
        "similarity"] == pytest.approx(0.0)


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
