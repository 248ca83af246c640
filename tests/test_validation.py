import pandas as pd
import pytest

from helpers import lexicon as lex
from helpers import validation as val
from helpers.io import InputError


def test_score_coding_against_hand_computed_example():
    idx = ["a", "b", "c", "d"]
    gold = pd.DataFrame({"x": [True, True, False, False], "y": [False, False, True, False]},
                        index=idx)
    pred = pd.DataFrame({"x": [True, False, True, False], "y": [False, False, True, True]},
                        index=idx)
    sc = val.score_coding(pred, gold).set_index("issue")
    # x: tp=1 fp=1 fn=1 -> P=R=F=0.5 ; y: tp=1 fp=1 fn=0 -> P=0.5 R=1 F=2/3
    assert sc.loc["x", ["precision", "recall", "f1"]].tolist() == [0.5, 0.5, 0.5]
    assert sc.loc["y", "f1"] == pytest.approx(2 / 3)
    # micro: tp=2 fp=2 fn=1 -> P=0.5 R=2/3 F=4/7
    assert sc.loc["micro avg", "f1"] == pytest.approx(4 / 7)


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
