import numpy as np
import pandas as pd
import pytest

from helpers import context


def test_cell_only_model_reproduces_the_difference_in_shares_and_turn_type_adjusts_it():
    rng = np.random.default_rng(0)
    n = 120
    frame = pd.DataFrame({"meeting": "m", "speaker": np.repeat(["pompeo", "lavrov"], n // 2),
                          "source": "a", "turn": np.arange(n) // 4,
                          "turn_type": np.tile(["statement", "answer"], n // 2)})
    # the issue lives in answers only; Lavrov answers more often than Pompeo
    frame.loc[frame["speaker"] == "lavrov", "turn_type"] = np.where(
        rng.random(n // 2) < 0.8, "answer", "statement")
    y = pd.DataFrame({"x": (frame["turn_type"] == "answer") & (rng.random(n) < 0.5)})
    contrast = [{"kind": "difference", "meeting": "m", "speaker": "pompeo",
                 "compare_meeting": "m", "compare_speaker": "lavrov"}]
    out = context.fit_context_models(y, frame, contrast).set_index("specification")
    raw = y["x"][frame["speaker"] == "pompeo"].mean() - y["x"][frame["speaker"] == "lavrov"].mean()
    assert out.loc["cell only", "estimate"] == pytest.approx(raw)
    assert abs(out.loc["cell + turn type", "estimate"]) < abs(raw)
    assert out.loc["cell only", "ci_low"] <= raw <= out.loc["cell only", "ci_high"]


def test_a_pair_with_no_sentence_on_the_issue_gets_zero_and_p_one():
    frame = pd.DataFrame({"meeting": ["m"] * 6 + ["n"] * 3, "speaker": "pompeo", "source": "a",
                          "turn": range(9), "turn_type": "statement"})
    frame.loc[[0, 1, 2], "speaker"] = "lavrov"
    y = pd.DataFrame({"x": [False] * 6 + [True, False, True]})  # only the third cell has it
    contrast = [{"kind": "difference", "meeting": "m", "speaker": "pompeo",
                 "compare_meeting": "m", "compare_speaker": "lavrov"}]
    out = context.fit_context_models(y, frame, contrast)
    assert (out["estimate"] == 0).all() and (out["p_value"] == 1).all()
