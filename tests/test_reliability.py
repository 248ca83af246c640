import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import precision_recall_fscore_support

from helpers import reliability as rel


def _frames():
    idx = [f"s:{i}" for i in range(6)]
    gold = pd.DataFrame({"x": [1, 1, 0, 0, 1, 0], "y": [0, 0, 1, 0, 0, 1]}, index=idx,
                        dtype=bool)
    pred = pd.DataFrame({"x": [1, 0, 1, 0, 1, 0], "y": [0, 0, 1, 1, 0, 1]}, index=idx,
                        dtype=bool)
    return gold, pred, pd.Series(["t0", "t0", "t1", "t1", "t2", "t2"], index=idx)


def test_scores_with_intervals_equal_sklearns_scores():
    gold, pred, groups = _frames()
    got = rel.score_with_intervals(pred, gold, groups, n_boot=200).set_index("issue")
    for issue, average in (("x", None), ("y", None), ("micro avg", "micro")):
        want = precision_recall_fscore_support(gold.to_numpy(), pred.to_numpy(),
                                               average=average)
        k = list(gold.columns).index(issue) if average is None else 0
        for m, value in zip(("precision", "recall", "f1"), want):
            assert got.loc[issue, m] == pytest.approx(np.atleast_1d(value)[k])
            assert got.loc[issue, f"{m}_low"] <= got.loc[issue, m] <= got.loc[issue, f"{m}_high"]
    assert got.loc["x", "support"] == 3 and got.loc["y", "predicted"] == 3
    assert rel.micro_f1(pred, gold) == pytest.approx(got.loc["micro avg", "f1"])


def test_precision_recall_f1_against_a_hand_computed_example():
    # x: tp=1 fp=1 fn=1 -> P=R=F=0.5; y: tp=1 fp=1 fn=0 -> P=0.5 R=1 F=2/3; micro: 4/7
    p, r, f = rel.precision_recall_f1(np.array([1, 1, 2]), np.array([1, 1, 2]),
                                      np.array([1, 0, 1]))
    assert p.tolist() == [0.5, 0.5, 0.5] and r.tolist()[:2] == [0.5, 1.0]
    assert f.tolist() == pytest.approx([0.5, 2 / 3, 4 / 7])
    # undefined, not 0, without a true positive: a bootstrap's percentiles skip it
    assert np.isnan(rel.precision_recall_f1(0, 2, 1)[2])


def test_agreement_is_one_for_identical_codings_and_lower_otherwise():
    gold, pred, _ = _frames()
    same = rel.agreement_by_issue(gold, gold)
    assert (same["alpha"] == 1.0).all() and (same["disagreements"] == 0).all()
    other = rel.agreement_by_issue(gold, pred).set_index("issue")
    assert other.loc["x", "disagreements"] == 2 and other.loc["x", "alpha"] < 1


def _rule_corpus(continued_turns: int, n_sources: int = 4, turns: int = 10):
    """Codings of each rule for sources of ``turns`` turns of two sentences: the first
    names issue x, the second continues it (hand-coded x) in ``continued_turns`` turns of
    each source and is about nothing in the others."""
    rows, gold = [], {}
    for s in range(n_sources):
        for t in range(turns):
            for k in range(2):
                sid = f"s{s}:{2 * t + k}"
                rows.append({"sentence_id": sid, "source": f"s{s}", "turn": t,
                             "direct": k == 0})
                gold[sid] = k == 0 or t < continued_turns
    frame = pd.DataFrame(rows)
    coded = {"none": frame.assign(x=frame["direct"]),
             "previous": frame.assign(x=True)}  # every second sentence inherits x
    return coded, pd.DataFrame({"x": pd.Series(gold)})


def test_an_inheritance_rule_that_wins_out_of_sample_by_more_than_its_interval_is_used():
    coded, gold = _rule_corpus(continued_turns=9)
    chosen, folds, test = rel.choose_rule(coded, gold, n_boot=500)
    assert chosen == "previous" and test["best"] == "previous"
    assert list(folds["chosen_rule"]) == ["previous"] * 4 and test["rules"] == "previous"
    # none finds 10 of 19 positives per source: F1 20/29; previous 19 of 20 predicted: 38/39
    assert test["f1_base"] == pytest.approx(20 / 29) and test["f1"] == pytest.approx(38 / 39)
    assert 0 < test["gain_low"] <= test["gain"] <= test["gain_high"]
    assert test["predicted"]["x"].all()


def test_none_is_kept_when_inheritance_wins_by_less_than_its_interval():
    # half the continuations are about the turn's issue: previous wins in every source
    # (F1 30/35 against 20/25) and is best on all of them, but not by more than its interval
    coded, gold = _rule_corpus(continued_turns=5, n_sources=4)
    chosen, folds, test = rel.choose_rule(coded, gold, n_boot=500)
    assert test["best"] == "previous" and set(folds["chosen_rule"]) == {"previous"}
    assert test["gain"] == pytest.approx(30 / 35 - 20 / 25)
    assert test["gain_low"] <= 0 < test["gain"] and chosen == "none"


def test_the_rule_is_chosen_without_the_held_out_source():
    # previous helps only in source s0: held out, s0 is coded with the rule best elsewhere
    coded, gold = _rule_corpus(continued_turns=0, n_sources=3)
    gold.loc[[f"s0:{2 * t + 1}" for t in range(10)], "x"] = True
    _, folds, test = rel.choose_rule(coded, gold, n_boot=200)
    f = folds.set_index("held_out")
    assert f.loc["s0", "chosen_rule"] == "none" and f.loc["s0", "f1_held_out"] < 1
    assert f.loc["s0", "f1_held_out"] == f.loc["s0", "f1_baseline"]
    # with s0 among the others, previous wins there (F1 60/70 against 40/50)
    assert f.loc["s1", "chosen_rule"] == "previous" and test["rules"] == "none;previous"


def test_out_of_sample_share_errors_take_rule_and_rates_from_other_sources(lexicon):
    from conftest import make_sentences

    from helpers import coding, salience as sal

    rows = []
    for src, meeting in (("a", "m1"), ("b", "m2")):
        for t in range(6):
            rows += [(src, t, "pompeo", meeting, "Syria matters."),
                     (src, t, "pompeo", meeting, "It is hard."),
                     (src, t, "pompeo", meeting, "New START too.")]
    s = make_sentences(rows).assign(turn_type="statement", question="")
    coded = {r: coding.code_sentences(s, lexicon, inherit=r) for r in ("none", "previous")}
    gold = coded["previous"].set_index("sentence_id")[["arms_control", "syria"]].copy()
    # in source a the hand coder agrees with previous; in b the continuation is about nothing
    b = coded["none"].set_index("sentence_id")["source"] == "b"
    gold.loc[b.to_numpy(), :] = coded["none"].set_index("sentence_id").loc[
        b.to_numpy(), ["arms_control", "syria"]].to_numpy()
    res = sal.compute_salience(coded["previous"], lexicon, gold, speakers=("pompeo",), n_boot=200)
    out = rel.out_of_sample_share_errors(coded, gold, res, ("pompeo",)).set_index(
        ["meeting", "issue"])
    # m1 (source a) is coded with the rule best on b (none), m2 with the rule best on a
    assert (out.loc["m1", "rule"] == "none").all() and (out.loc["m2", "rule"] == "previous").all()
    # with the rule fixed to the one used in salience, the errors are share_errors'
    fixed = rel.out_of_sample_share_errors({"previous": coded["previous"]}, gold, res,
                                           ("pompeo",))
    plain = rel.share_errors(res)
    assert fixed["error_corrected"].to_numpy() == pytest.approx(
        plain["error_corrected"].to_numpy(), abs=1e-9)


def test_reliability_rows_state_sample_rule_gain_and_the_worst_cell():
    from helpers.schemas import validate_table

    gold, pred, groups = _frames()
    scores = rel.score_with_intervals(pred, gold, groups, n_boot=100)
    errors = pd.DataFrame({"meeting": ["m1", "m1", "m2", "m2"], "speaker": "pompeo",
                           "issue": ["x", "y", "x", "y"], "error_corrected": [1.0, -4.0, 2.0, 0.5],
                           "error_uncorrected": [1.0, 5.0, 2.0, 0.5]})
    agreement = rel.agreement_by_issue(gold, gold)
    table = pd.concat([
        rel.reliability_rows(scores, "in-sample", "previous", 6, errors, agreement=agreement),
        rel.reliability_rows(scores, "out-of-sample", "none;previous", 6, errors,
                             gain={"gain": 0.1, "gain_low": -0.05, "gain_high": 0.2})])
    table = validate_table(table, "reliability").set_index(["sample", "issue"])
    micro = table.loc[("out-of-sample", "micro avg")]
    assert micro["gain_low"] == -0.05 and micro["rule"] == "none;previous"
    assert micro["error_max"] == 4.0 and micro["error_max_issue"] == "y"
    assert micro["error_max_meeting"] == "m1" and micro["error_mean"] == pytest.approx(1.875)
    assert table.loc[("out-of-sample", "x"), "error_max_meeting"] == "m2"
    assert pd.isna(table.loc[("in-sample", "micro avg"), "gain"])
    assert table.loc[("in-sample", "x"), "alpha"] == 1.0
    with pytest.raises(ValueError, match="one row per issue and sample"):
        validate_table(pd.concat([table.reset_index()] * 2)[table.reset_index().columns
                                                             .tolist()], "reliability")


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


def test_quality_table_has_a_held_out_sample_only_when_one_is_scored():
    scores = pd.DataFrame({"issue": ["iran", "micro avg"], "f1": [0.8, 0.7], "support": [3, 5],
                           "predicted": [4, 6]})
    agreement = pd.DataFrame({"issue": ["iran"], "alpha": [0.9], "sentences": [20]})
    none = pd.DataFrame(columns=["error_corrected", "error_uncorrected"])
    test = {"rules": "turn", "gain": 0.1, "gain_low": 0.0, "gain_high": 0.2}
    t = rel.quality_table("turn", 30, scores, none, agreement, scores, none, test)
    assert t["sample"].tolist() == ["in-sample"] * 2 + ["out-of-sample"] * 2
    assert t.loc[t["sample"] == "out-of-sample", "gain"].tolist()[1] == 0.1
    held = rel.quality_table("turn", 30, scores, none, agreement, scores, none, test,
                                     scores, 12)
    assert held.loc[held["sample"] == "held-out", "sentences"].tolist() == [12, 12]


def test_disagreements_list_only_sentences_the_coders_code_differently():
    gold = pd.DataFrame({"iran": [1, 0, 1]}, index=["s1", "s2", "s3"])
    second = pd.DataFrame({"iran": [1, 1]}, index=["s1", "s2"])
    second_raw = pd.DataFrame({"sentence_id": ["s1", "s2"], "issues": ["iran", "iran"],
                               "note": ["", "names Iran"]})
    first_raw = pd.DataFrame({"sentence_id": ["s1", "s2", "s3"], "issues": ["iran", "", "iran"]})
    sentences = pd.DataFrame({"sentence_id": ["s1", "s2", "s3"], "text": ["a", "b", "c"]})
    n, table = rel.disagreements(gold, second, second_raw, first_raw, sentences)
    assert n == 2
    assert table.to_dict("records") == [{"sentence_id": "s2", "first": "", "second": "iran",
                                         "note": "names Iran", "text": "b"}]
