"""Notebook 04's readings, on small fixtures: the sentence, and the edge case of each."""

import pandas as pd

from helpers import story
from helpers import story_quality as sq

LABELS = {"iran": "Iran", "syria": "Syria"}


def test_lexicon_reading_names_the_widest_issue():
    t = pd.DataFrame({"label": ["Iran", "Syria"], "patterns": [3, 7]})
    assert sq.lexicon_reading(t) == ("2 issues with 3 to 7 patterns each; Syria needs the most "
                                     "(7), because it is talked about in the most varied words.")


def test_inheritance_reading_lists_each_inheriting_rule():
    via = pd.DataFrame({"none": [5, 0], "turn": [5, 2], "previous": [5, 1]},
                       index=["direct", "inherited"])
    assert sq.inheritance_reading(via, 9).startswith(
        "Direct matches code 5 of 9 canonical sentences. `turn` adds 2; `previous` adds 1.")


def test_rule_reading_counts_dropped_sentences_only_when_there_are_some():
    folds = pd.DataFrame({"chosen_rule": ["turn", "turn", "none"]})
    test = {"f1": 0.8, "f1_base": 0.7, "gain": 0.1, "gain_low": 0.02, "gain_high": 0.2}
    text = sq.rule_reading(11, 10, folds, test, "turn")
    assert text.startswith("1 hand-coded sentence is no longer canonical")
    assert "`turn` (2 of 3 sources) and `none` (1 of 3 sources)" in text
    assert "+0.10 (95% interval +0.02 to +0.20" in text and "so `turn` (best" in text
    kept = sq.rule_reading(10, 10, folds, test, "none")
    assert kept.startswith("Held out one at a time") and "no inheritance (`none`)" in kept


def test_sheets_reading_without_sheets_and_with_a_pending_one(tmp_path):
    empty = pd.DataFrame({"complete": pd.Series(dtype=bool), "sheet": [], "coded": [],
                          "source": []})
    assert sq.sheets_reading([], [], tmp_path, empty, empty, None) == (
        "Every source of the measured speakers is in the hand coding: no coding sheet is needed."
        " So there is no held-out coding, and no held-out score; adding a transcript writes a "
        "coding sheet for it.")
    codes = pd.DataFrame({"complete": [False, False], "sheet": ["s.csv", "s.csv"],
                          "coded": [True, False], "source": ["x", "x"]})
    text = sq.sheets_reading(["x"], [tmp_path / "sheets" / "s.csv"], tmp_path, codes,
                             codes[codes["complete"]], None)
    assert text == ("1 source has no hand codes (`x`); coding sheets: `sheets/s.csv`. `s.csv`: "
                    "1 of 2 rows coded; it is scored once every row is coded. No coding sheet "
                    "is complete yet, so there is no held-out score.")


def test_coverage_reading_per_measure():
    cov = pd.DataFrame({"measure": ["hand", "hand", "lexicon"], "inside": [True, False, True],
                        "error": [1.0, -3.0, 2.0]})
    assert sq.coverage_reading(cov) == (
        "hand measure: 1 of 2 cell-issue intervals (50%) contain the second coder's share, 2.0 "
        "points from it on average; lexicon measure: 1 of 1 cell-issue intervals (100%) contain "
        "the second coder's share, 2.0 points from it on average.")


def test_missing_cells_reading_names_cells_without_rows():
    sal = pd.DataFrame({"meeting": ["2019-05-14", "2019-12-10"], "speaker": ["lavrov", "pompeo"]})
    text = sq.missing_cells_reading(sal, ["lavrov", "pompeo"])
    assert text.startswith("Hatched cells (no data, not zero): Pompeo at ")
    assert text.count(" at ") == 2
    assert sq.missing_cells_reading(sal.iloc[:0], []) == "Hatched cells (no data, not zero): none."


def test_translation_and_methods_readings_when_there_is_nothing_to_compare():
    summary = pd.DataFrame({"meeting": ["m"], "speaker": ["lavrov"], "rendering": ["a"],
                            "canonical_rendering": ["a"], "sentences": [3],
                            "mean_abs_gap": [0.0], "largest_gap": [0.0]})
    assert sq.translation_reading(summary) == "No passage is available in two translations."
    assert sq.methods_reading(pd.DataFrame(columns=["topic", "lexicon_share", "topic_share"])) == (
        "No topic maps to an issue, so there is nothing to compare.")


def test_methods_reading_counts_topics_peaking_in_the_same_cell():
    m = pd.DataFrame({"topic": [0, 0, 1, 1], "lexicon_share": [0.1, 0.3, 0.2, 0.1],
                      "topic_share": [0.2, 0.4, 0.1, 0.3]})
    assert sq.methods_reading(m).startswith("For 1 of 2 mapped topics,")


def test_agreement_reading_names_the_worst_issue():
    agreement = pd.DataFrame({"issue": ["iran", "syria"], "alpha": [0.9, 0.5],
                              "disagreements": [1, 4]})
    assert sq.agreement_reading(agreement, 20, 5, LABELS).startswith(
        "On 20 sentences, alpha ranges from 0.50 (Syria, 4 disagreements) to 0.90. "
        "The coders disagree on 5 sentences;")


def test_overlaps_keep_the_primary_measure_and_name_the_comparison():
    f = pd.DataFrame({"kind": ["overlap"] * 3 + ["difference"], "measure": ["hand", "lexicon",
                      "lexicon", "lexicon"], "meeting": ["2019-05-14"] * 4,
                      "speaker": ["lavrov", "lavrov", "pompeo", "pompeo"],
                      "compare_meeting": ["2019-05-14"] * 4,
                      "compare_speaker": ["pompeo", "pompeo", "pompeo", "lavrov"],
                      **{c: 0.5 for c in ["estimate", "ci_low", "ci_high", "ceiling",
                                          "ceiling_low", "ceiling_high", "p_value"]}})
    ov = story.primary_overlaps(f)
    assert ov["measure"].tolist() == ["hand", "lexicon"]
    names = sq.overlap_table(ov)["comparison"].tolist()
    assert names[0].startswith("Lavrov vs Pompeo, ")
    assert names[1].startswith("Pompeo, ") and " vs " in names[1]


def test_contrast_caption_names_measure_and_turns():
    rows = pd.DataFrame({"kind": ["difference"], "measure": ["hand"], "n_turns": [12],
                         "n_turns_compare": [9], "speaker": ["lavrov"],
                         "compare_speaker": ["pompeo"], "meeting": ["2019-05-14"],
                         "issue": ["iran"], "supported": [False], "estimate": [0.1]})
    assert sq.contrast_caption(rows, LABELS).endswith(
        ": differences in points (hand coding, 12 and 9 turns), most evident first")
