import pandas as pd
import pytest

from helpers import reliability as rel
from helpers.io import InputError
from helpers.validation import score_coding


def _frames():
    idx = [f"s:{i}" for i in range(6)]
    gold = pd.DataFrame({"x": [1, 1, 0, 0, 1, 0], "y": [0, 0, 1, 0, 0, 1]}, index=idx,
                        dtype=bool)
    pred = pd.DataFrame({"x": [1, 0, 1, 0, 1, 0], "y": [0, 0, 1, 1, 0, 1]}, index=idx,
                        dtype=bool)
    return gold, pred, pd.Series(["t0", "t0", "t1", "t1", "t2", "t2"], index=idx)


def test_scores_with_intervals_equal_the_plain_scores():
    gold, pred, groups = _frames()
    got = rel.score_with_intervals(pred, gold, groups, n_boot=200).set_index("issue")
    plain = score_coding(pred, gold).set_index("issue")
    for issue in ("x", "y", "micro avg"):
        for m in ("precision", "recall", "f1"):
            assert got.loc[issue, m] == pytest.approx(plain.loc[issue, m])
            assert got.loc[issue, f"{m}_low"] <= got.loc[issue, m] <= got.loc[issue, f"{m}_high"]
    assert got.loc["x", "support"] == 3 and got.loc["y", "predicted"] == 3


def test_agreement_is_one_for_identical_codings_and_lower_otherwise():
    gold, pred, _ = _frames()
    same = rel.agreement_by_issue(gold, gold)
    assert (same["alpha"] == 1.0).all() and (same["disagreements"] == 0).all()
    other = rel.agreement_by_issue(gold, pred).set_index("issue")
    assert other.loc["x", "disagreements"] == 2 and other.loc["x", "alpha"] < 1


def test_leave_one_source_out_chooses_on_the_other_sources():
    by_source = pd.DataFrame({"rule": ["a", "a", "b", "b"], "source": ["s1", "s2"] * 2,
                              "sentences": 10, "f1": [0.9, 0.5, 0.6, 0.8]})
    out = rel.choose_rule_leave_one_source_out(by_source).set_index("held_out")
    assert out.loc["s1", "chosen_rule"] == "b" and out.loc["s1", "f1_held_out"] == 0.6
    assert out.loc["s2", "chosen_rule"] == "a" and out.loc["s2", "f1_held_out"] == 0.5


@pytest.mark.parametrize("body, message", [
    ("sentence_id,issues\ns:9,x\n", r"row 1: unknown sentence_id 's:9'"),
    ("sentence_id,issues\ns:0,x\ns:0,y\n", r"row 2: sentence_id 's:0' listed twice"),
    ("sentence_id,issues\ns:0,cyber\n", r"row 1: unknown issue id 'cyber'"),
    ("id,issues\ns:0,x\n", r"line 1: missing columns"),
])
def test_second_coding_errors_name_the_row(tmp_path, body, message):
    p = tmp_path / "second.csv"
    p.write_text(body)
    with pytest.raises(InputError, match=r"second\.csv, " + message):
        rel.load_second_coding(p, {"x", "y"}, {"s:0", "s:1"})


def test_share_errors_compare_lexicon_with_hand():
    sal = pd.DataFrame({"meeting": "m", "speaker": "p", "issue": ["x", "x"],
                        "measure": ["lexicon", "hand"], "share": [0.30, 0.25],
                        "share_uncorrected": [0.40, 0.25]})
    e = rel.share_errors(sal).iloc[0]
    assert e["error_corrected"] == pytest.approx(5.0)
    assert e["error_uncorrected"] == pytest.approx(15.0)


def test_interval_coverage_compares_each_measure_with_the_second_coding():
    sentences = pd.DataFrame({"sentence_id": ["a", "b", "c", "d"], "canonical": True,
                              "meeting": "m", "speaker": "p"})
    second = pd.DataFrame({"x": [True, False, False, False]}, index=["a", "b", "c", "d"])
    sal = pd.DataFrame({"measure": ["hand", "lexicon"], "meeting": "m", "speaker": "p",
                        "issue": "x", "share": [0.25, 0.5], "ci_low": [0.1, 0.4],
                        "ci_high": [0.4, 0.6]})
    out = rel.interval_coverage(sal, second, sentences).set_index("measure")
    assert out.loc["hand", "inside"] and not out.loc["lexicon", "inside"]
    assert out.loc["lexicon", "error"] == pytest.approx(25.0)
    assert out.loc["hand", "second_sentences"] == 4
