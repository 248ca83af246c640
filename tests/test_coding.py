import re

import pandas as pd
import pytest
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


# pandas warns that the lexicon's patterns have groups; only whether they match is used
@pytest.mark.filterwarnings("ignore:This pattern is interpreted as a regular expression")
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


TRICKY = [r"\bnew ?(start|s\.t\.a\.r\.t\.)", r"\bu\.?n\.? security (sanctions|resolution)",
          r"\b(extend|extending|extension)\b.{0,40}\btreaty\b", r"\beconom(y|ic)\b(?! outcomes)",
          r"(?<!no )dialogue", r"^it\b", r"talks$", r"\bUS\b", r"a\nb", r"[xz]{2}|qq",
          r"(?:ab|cd)+ef", r"\b(?:our|these) (talks|conversations)\b", r"\bterror\w*|\bisis\b",
          r"sanctions\b.{0,20}\b(individuals|people)", r"\bmissiles?\b", r"ies\b",
          r"\x74alks", r"\u0074alks", r"(?P<w>talk)s\b", r"talks?+ \w+?", r"x{,2}y{|xx",
          r"[]a]bc|[^a]xx"]


def test_prefiltered_matching_equals_searching_every_sentence():
    """Each pattern is searched only in sentences that hold one of its necessary literals;
    that must give the labels of searching every sentence, whatever the pattern."""
    from helpers.lexicon import Issue

    texts = pd.Series(["New START talks", "the newstart treaty", "U.N. security resolution",
                       "un security sanctions", "extension of the treaty, we agreed",
                       "economic outcomes", "economic growth", "no dialogue", "a dialogue",
                       "It was agreed", "we held talks", "talks\nmore", "US and UK", "us",
                       "a\nb", "xx", "abcdef", "cdabef", "our talks", "these conversations",
                       "terrorism", "isis", "sanctions on russian people", "missile",
                       "missiles", "embassies", "", "counter-terrorism and\nnew start",
                       "talks more", "y{", "x{,2}y{"])
    texts = pd.concat([texts, texts.str.upper()], ignore_index=True)
    lexicon = [Issue(f"i{k}", "", "", re.compile(p, re.I), None, (p,))
               for k, p in enumerate(TRICKY)]
    got = coding.match_issues(texts, lexicon)
    for k, p in enumerate(TRICKY):
        plain = [re.search(p, t, re.I) is not None for t in texts]
        assert got[f"i{k}"].tolist() == plain, p
    assert got.to_numpy().any(axis=0).all()  # every pattern matched somewhere


def test_prefilter_literals_are_necessary_and_minimal():
    pre = coding._prefilter
    assert pre(re.compile(r"\bsyria\w*|\bidlib\b|\b2254\b")) == ["2254", "idlib", "syria"]
    assert pre(re.compile(r"\b(extend|extending|extension)\b.{0,40}\btreaty\b")) == ["treaty"]
    assert pre(re.compile(r"\bu\.?n\.? security (a|b)")) == [" security "]
    assert pre(re.compile(r"[xz]{2}|qq")) is None  # a branch with no literal: no prefilter
    assert pre(re.compile(r"\bsyria", re.I)) is None  # case-insensitive: no prefilter
    assert pre(re.compile(r"\x74alks\u0074ime")) == ["alks"]  # escapes are no literals
    assert pre(re.compile(r"(?#note)talks")) is None  # unknown constructs: no prefilter


def test_word_index_finds_every_text_that_holds_a_literal():
    """The word index may return extra texts (they are searched anyway) but never miss one:
    literals that start or end mid-word, span words, hold punctuation or no word at all."""
    import numpy as np

    rng = np.random.default_rng(3)
    alphabet = list("ab .-'\n") + ["é", "ß"]
    texts = ["".join(rng.choice(alphabet, size=rng.integers(0, 30))) for _ in range(400)]
    index = coding._WordIndex(texts)
    literals = ["ab", "b a", " a", "a ", "b.a", "-", "a b ", "é", "aß", "a'b", "b\na",
                "aba", "bab ", "aab a", "baa\n", " aba", "b.ab", "bba ", "abab"]
    for lit in literals:
        held = {k for k, t in enumerate(texts) if lit in t}
        got = set(index.texts_with([lit]).tolist())
        assert held <= got, lit
        assert held, lit  # the check is not vacuous
    both = set(index.texts_with(["b a", "aß"]).tolist())
    assert both >= {k for k, t in enumerate(texts) if "b a" in t or "aß" in t}
    assert len(index.texts_with(["a b "])) < len(texts) / 2  # and it does filter
    assert len(index.texts_with(["aab a"])) < len(texts) / 4
