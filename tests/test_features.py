import math

import pandas as pd
import pytest

from helpers import features as ft


def _tokens(rows):
    return pd.DataFrame(rows, columns=["speaker", "meeting", "term"])


def test_document_term_matrix_counts():
    tok = _tokens([("a", "m", "x"), ("a", "m", "x"), ("a", "m", "y"), ("b", "m", "y")])
    x, docs, vocab = ft.document_term_matrix(tok, ["speaker"])
    assert docs["speaker"].tolist() == ["a", "b"] and list(vocab) == ["x", "y"]
    assert x.toarray().tolist() == [[2, 1], [0, 1]]
    assert docs["n_tokens"].tolist() == [3, 1]


def test_fightin_words_against_hand_computation():
    # counts: word0 a=2 b=0, word1 a=1 b=3 ; pooled total 6, alpha0 = 6
    # alpha = 6 * [2, 4] / 6 = [2, 4]; n_a = 3, n_b = 3
    # word0: la = log(4 / (3+6-2-2)) = log(4/5); lb = log(2 / (3+6-0-2)) = log(2/7)
    #        delta = log(4/5) - log(2/7) = log(14/5); var = 1/4 + 1/2 = 0.75
    delta, var, z = ft.fightin_words([2, 1], [0, 3])
    assert delta[0] == pytest.approx(math.log(14 / 5))
    assert var[0] == pytest.approx(0.75)
    assert z[0] == pytest.approx(math.log(14 / 5) / math.sqrt(0.75))
    # word1: la = log(5 / (9-1-4)) = log(5/4); lb = log(7/(9-3-4)) = log(7/2)
    assert delta[1] == pytest.approx(math.log(5 / 4) - math.log(7 / 2))
    assert z[1] < 0 < z[0]


def test_keyness_sign_and_columns():
    tok = _tokens([("pompeo", "m", "iran")] * 5 + [("lavrov", "m", "visa")] * 5 +
                  [("pompeo", "m", "talk"), ("lavrov", "m", "talk")])
    k = ft.keyness(tok, "pooled").set_index("term")
    assert k.loc["iran", "z"] > 0 > k.loc["visa", "z"]
    assert k.loc["talk", "z"] == pytest.approx(0, abs=1e-9)
    assert k.loc["iran", "count_pompeo"] == 5 and k.loc["iran", "count_lavrov"] == 0


def test_top_terms_by_tfidf():
    tok = _tokens([("a", "m", "shared"), ("a", "m", "only_a"), ("a", "m", "only_a"),
                   ("b", "m", "shared"), ("b", "m", "only_b")])
    x, docs, vocab = ft.document_term_matrix(tok, ["speaker", "meeting"])
    top = ft.top_terms(x, docs, vocab, {"only_a": "only a"}, n=1)
    assert top["term"].tolist() == ["only a", "only_b"]
    assert (top["rank"] == 1).all()


def test_overlap_and_kwic():
    assert ft.overlap_at_k(list("abcd"), list("xbya"), k=3) == 1
    s = pd.DataFrame({"speaker": ["pompeo"] * 2, "source": ["a"] * 2, "sentence": [0, 1],
                      "sentence_id": ["a:0", "a:1"],
                      "text": ["We discussed North Korea today.", "Nothing."]})
    k = ft.keyword_in_context(s, ft.term_pattern("north korea"), "pompeo")
    assert k[["left", "keyword", "right"]].values.tolist() == [["We discussed ", "North Korea",
                                                                " today."]]
