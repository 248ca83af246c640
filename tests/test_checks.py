"""The notebooks' closing checks pass on sound tables and name what is wrong otherwise."""

import pandas as pd
import pytest

from helpers import checks


def _keyness(**change):
    k = pd.DataFrame({"comparison": ["sochi", "sochi"], "term": ["iran", "treaty"],
                      "passes_fdr": [True, False], "p_perm": [0.001, 0.5], "p_min": [0.001] * 2,
                      "count_pompeo": [9, 2], "count_lavrov": [1, 2],
                      "per_1000_pompeo": [9.0, 2.0], "per_1000_lavrov": [1.0, 2.0]})
    return k.assign(**change)


def test_keyness_checks_pass_and_catch_an_untested_passing_term():
    checks.keyness_checks(_keyness(), ["sochi"], "pompeo", "lavrov", 5)
    with pytest.raises(AssertionError, match="an untested term is marked as passing"):
        checks.keyness_checks(_keyness(p_perm=[None, 0.5]), ["sochi"], "pompeo", "lavrov", 5)
    with pytest.raises(AssertionError, match="expected \\['sochi', 'washington'\\]"):
        checks.keyness_checks(_keyness(), ["sochi", "washington"], "pompeo", "lavrov", 5)


def test_topic_checks_catch_shares_that_do_not_sum_to_one():
    prev = pd.DataFrame({"model": "nmf", "meeting": "m", "speaker": "lavrov",
                         "share": [0.4, 0.6], "ci_low": [0.3, 0.5], "ci_high": [0.5, 0.7]})
    used = pd.DataFrame({"meeting": ["m"], "speaker": ["lavrov"]})
    docs = pd.DataFrame({"document": ["d1", "d2"]})
    table = pd.DataFrame({"model": ["nmf"], "topic": [0], "issues": [""]})
    check = pd.DataFrame({"model": ["nmf"], "topic": [0], "earned": [False]})
    checks.topic_checks(prev, used, docs, table, check, True)
    with pytest.raises(AssertionError, match="do not sum to one"):
        checks.topic_checks(prev.assign(share=[0.4, 0.4]), used, docs, table, check, True)
    with pytest.raises(AssertionError, match="an issue it did not earn"):
        checks.topic_checks(prev, used, docs, table.assign(issues="iran"), check, True)


def test_corpus_checks_catch_an_unknown_speaker():
    text = "Hello there. Thank you."
    s = pd.DataFrame({"sentence_id": ["a-1"], "source": ["a.txt"], "speaker": ["pompeo"],
                      "meeting": ["m"], "canonical": [True], "duplicate_of": [None],
                      "char_start": [13], "char_end": [23], "text": ["Thank you."]})
    checks.corpus_checks(s, ["a.txt"], {"a.txt": text}, 5, 0)
    with pytest.raises(AssertionError, match="known speaker"):
        checks.corpus_checks(s.assign(speaker="nobody"), ["a.txt"], {"a.txt": text}, 5, 0)
    with pytest.raises(AssertionError, match="a-1: the sentence does not end"):
        checks.corpus_checks(s.assign(char_start=0, char_end=12), ["a.txt"], {"a.txt": text}, 5, 0)


def test_salience_checks_catch_duplicate_finding_ids_and_a_zero_row_cell():
    canonical = pd.DataFrame({"sentence_id": ["s1", "s2"], "meeting": "m", "speaker": "lavrov"})
    salience = pd.DataFrame({"measure": ["lexicon"], "meeting": ["m"], "speaker": ["lavrov"],
                             "total_sentences": [2]})
    evidence = pd.DataFrame({"sentence_id": ["s1"]})
    contrasts = pd.DataFrame({"supported": [True], "p_adjusted": [0.01], "p_value": [0.001],
                              "estimate": [0.2], "ci_low": [0.1], "ci_high": [0.3],
                              "n_turns": [4], "n_turns_compare": [5]})
    findings = pd.DataFrame({"finding": ["f1", "f2"]})
    checks.salience_checks(canonical, salience, evidence, findings, contrasts, ["lavrov"])
    with pytest.raises(AssertionError, match="finding ids must be unique"):
        checks.salience_checks(canonical, salience, evidence, findings.assign(finding="f1"),
                               contrasts, ["lavrov"])
    extra = pd.concat([salience, salience.assign(speaker="pompeo")])
    with pytest.raises(AssertionError, match="rows exactly for the speaker-meeting cells"):
        checks.salience_checks(canonical, extra, evidence, findings, contrasts,
                               ["lavrov", "pompeo"])
