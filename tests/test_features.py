
import pandas as pd

from helpers import features as ft


def _tokens(rows):
    return pd.DataFrame(rows, columns=["speaker", "meeting", "term"])


def test_document_term_matrix_counts():
    tok = _tokens([("a", "m", "x"), ("a", "m", "x"), ("a", "m", "y"), ("b", "m", "y")])
    x, docs, vocab = ft.document_term_matrix(tok, ["speaker"])
    assert docs["speaker"].tolist() == ["a", "b"] and list(vocab) == ["x", "y"]
    assert x.toarray().tolist() == [[2, 1], [0, 1]]
    assert docs["n_tokens"].tolist() == [3, 1]


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
