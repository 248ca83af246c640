"""The number formats and lists every sentence shares."""

import pandas as pd

from helpers import story


def test_formats_of_shares_points_and_p_values():
    assert [story.format_share(x) for x in (0.042, 0.094, 0.23, float("nan"))] == [
        "4.2%", "9.4%", "23%", "n/a"]
    assert [story.format_points(x) for x in (0.07, -0.11, -0.004)] == ["+7", "−11", "0"]
    assert story.format_points(-0.11, sign=False) == "11"
    assert [story.format_p(x) for x in (0.0004, 0.004, 0.27)] == ["< 0.001", "= 0.004", "= 0.27"]
    assert story.share_range(0.02, 0.59) == "2.0%–59%"


def test_lists_and_plurals():
    assert story.listing([]) == "none"
    assert story.listing(["a", "b", "c"], italic=True) == "*a*, *b* and *c*"
    assert story.listing(["a", "b", "c"], k=2) == "a and b"
    assert [story.plural(n, "turn") for n in (0, 1, 2)] == ["0 turns", "1 turn", "2 turns"]


def test_turn_counts_put_the_earlier_meeting_first_in_a_change():
    row = {"kind": "change", "n_turns": 5, "n_turns_compare": 6}
    assert story.turn_counts(row) == "6 and 5 turns"
    assert story.turn_counts({**row, "kind": "difference"}) == "5 and 6 turns"


def test_detectable_range_names_issues_with_no_detectable_gap():
    rows = pd.DataFrame({"mde": [0.4, 0.6, None]})
    assert story.detectable_range(rows) == (
        "only gaps of about 40 to 60 points or more (on 1 of 3 issues, no gap of any size)")
    assert story.detectable_range(rows.iloc[2:]) == "no gap of any size"
