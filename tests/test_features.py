
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


def test_the_matrix_does_not_depend_on_the_order_of_the_rows():
    import numpy as np

    rng = np.random.default_rng(4)
    runs = rng.integers(1, 9, 120)
    tok = pd.DataFrame({"speaker": np.repeat(rng.choice(["a", "b"], 120), runs),
                        "meeting": np.repeat(rng.choice(["m1", "m2"], 120), runs),
                        "term": rng.choice(["x", "y", "z"], runs.sum())})
    x, docs, vocab = ft.document_term_matrix(tok, ["speaker", "meeting"])
    xs, docs_s, vocab_s = ft.document_term_matrix(tok.sample(frac=1, random_state=2),
                                                  ["speaker", "meeting"])
    assert (x != xs).nnz == 0 and docs.equals(docs_s) and list(vocab) == list(vocab_s)
    assert x.sum() == len(tok) and docs["n_tokens"].tolist() == np.asarray(x.sum(axis=1)).ravel().tolist()


def test_top_terms_by_tfidf():
    tok = _tokens([("a", "m", "shared"), ("a", "m", "only_a"), ("a", "m", "only_a"),
                   ("b", "m", "shared"), ("b", "m", "only_b")])
    x, docs, vocab = ft.document_term_matrix(tok, ["speaker", "meeting"])
    top = ft.top_terms(x, docs, vocab, {"only_a": "only a"}, n=1)
    assert top["term"].tolist() == ["only a", "only_b"]
    assert (top["rank"] == 1).all()


def test_top_terms_equal_ranking_each_document_alone():
    """Weight, then count, then the term alphabetically; ties at the n-th weight included;
    zero weights never listed; given weights whose zeros differ from the counts'."""
    import numpy as np
    from scipy import sparse

    rng = np.random.default_rng(2)
    counts = sparse.csr_matrix(rng.integers(0, 3, (12, 9)) * (rng.random((12, 9)) < 0.6))
    weights = sparse.csr_matrix(np.round(rng.random((12, 9)), 1) * (rng.random((12, 9)) < 0.7))
    weights.data[::4] *= -1  # negative weights ...
    weights.data[1::5] = 0.0  # ... beside stored zeros (never listed)
    docs = pd.DataFrame({"doc": [f"d{i}" for i in range(12)]})
    vocab = np.array(list("qwertyuio"), dtype=object)
    for w in (None, weights):
        for n in (1, 3, 20):
            got = ft.top_terms(counts, docs, vocab, {"q": "Q"}, n=n, weights=w)
            ww = (ft.tfidf(counts) if w is None else w).toarray()
            c = counts.toarray()
            want = []
            for i in range(12):
                nz = [j for j in range(9) if ww[i, j] != 0]
                nz.sort(key=lambda j: (-ww[i, j], -c[i, j], vocab[j]))
                want += [(f"d{i}", r + 1, {"q": "Q"}.get(vocab[j], vocab[j]),
                          round(float(ww[i, j]), 4), int(c[i, j]))
                         for r, j in enumerate(nz[:n])]
            assert [tuple(r) for r in got.itertuples(index=False)] == want
    assert (got["count"] == 0).any()  # a weighted term the counts do not have


def test_overlap_and_kwic():
    assert ft.overlap_at_k(list("abcd"), list("xbya"), k=3) == 1
    s = pd.DataFrame({"speaker": ["pompeo"] * 2, "source": ["a"] * 2, "sentence": [0, 1],
                      "sentence_id": ["a:0", "a:1"],
                      "text": ["We discussed North Korea today.", "Nothing."]})
    k = ft.keyword_in_context(s, ft.term_pattern("north korea"), "pompeo")
    assert k[["left", "keyword", "right"]].values.tolist() == [["We discussed ", "North Korea",
                                                                " today."]]
