import re

import pandas as pd
from conftest import make_sentences

from helpers import coding
from helpers import lexicon as lex


def test_coding_is_multilabel_and_allows_none(lexicon):
    s = make_sentences([("a", 0, "pompeo", "m-2019-01-01", "New START and Syria, both."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Nothing here."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Not syriana.")])
    coded = coding.code_sentences(s, lexicon, inherit="none")
    assert coded[["arms_control", "syria"]].values.tolist() == [[True, True], [False, False],
                                                                [False, False]]
    assert coded["via"].tolist() == ["direct", "", ""]


def test_inheritance_stays_within_the_turn_and_skips_courtesies(lexicon):
    s = make_sentences([("a", 0, "pompeo", "m-2019-01-01", "We discussed Syria."),
                    ("a", 0, "pompeo", "m-2019-01-01", "It was a major part of our talks."),
                    ("a", 0, "pompeo", "m-2019-01-01", "Thank you."),
                    ("a", 1, "lavrov", "m-2019-01-01", "It matters a lot."),
                    ("a", 1, "lavrov", "m-2019-01-01", "Really important.")])
    ana = coding.code_sentences(s, lexicon, inherit="anaphora")
    assert ana["syria"].tolist() == [True, True, False, False, False]
    assert ana["via"].tolist() == ["direct", "inherited", "", "", ""]
    prev = coding.code_sentences(s, lexicon, inherit="previous")
    assert prev["syria"].tolist() == [True, True, False, False, False]
    assert not coding.code_sentences(s, lexicon, inherit="none")["syria"].iloc[1]


def test_fast_matching_equals_plain_case_insensitive_matching(root):
    """Lower-casing once and dropping IGNORECASE must not change a single label."""
    from helpers.schemas import read_table

    texts = read_table("sentences", root)["text"]
    texts = pd.concat([texts, texts.str.upper()], ignore_index=True)  # case must not matter
    lexicon = lex.load_lexicon(root / "data" / "lexicons" / "issues.yml")
    fast = coding.match_issues(texts, lexicon)
    for issue in lexicon:
        plain = texts.str.contains(issue.pattern.pattern, flags=re.I, regex=True)
        if issue.exclude is not None:
            plain &= ~texts.str.contains(issue.exclude.pattern, flags=re.I, regex=True)
        assert (fast[issue.id].to_numpy() == plain.to_numpy(dtype=bool)).all(), issue.id
    assert fast.to_numpy().any(axis=1).mean() > 0.4  # the check is not vacuous
