import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from helpers import topics
from helpers.io import InputError


def test_npmi_by_hand():
    # terms 0 and 1 always together in 2 of 4 documents: p=0.5 each, p(0,1)=0.5
    # NPMI = log(0.5 / 0.25) / -log(0.5) = 1 ; term 2 never with them: -1
    x = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1]]))
    h = np.array([[5.0, 4.0, 0.0], [1.0, 0.0, 3.0]])
    coh = topics.npmi_coherence(x, h, n=2)
    assert coh[0] == pytest.approx(1.0, abs=1e-6)
    assert coh[1] == pytest.approx(-1.0)


def test_stability_is_one_for_identical_and_permuted_topics():
    h = np.array([[1.0, 0, 2], [0, 3.0, 1]])
    assert topics.topic_similarity(h, h) == pytest.approx(1.0)
    assert topics.topic_similarity(h, h[::-1]) == pytest.approx(1.0)
    assert topics.topic_similarity(h, np.array([[0, 0, 1.0], [1.0, 0, 0]])) < 1


def _corpus():
    rng = np.random.default_rng(1)
    a = rng.poisson([5, 5, 5, 0, 0, 0], size=(20, 6))
    b = rng.poisson([0, 0, 0, 5, 5, 5], size=(20, 6))
    return sparse.csr_matrix(np.vstack([a, b]).astype(float))


def test_fits_are_deterministic_and_separate_two_themes():
    x = _corpus()
    w1, h1 = topics.fit_nmf(x, 2, seed=3)
    w2, h2 = topics.fit_nmf(x, 2, seed=3)
    assert (h1 == h2).all() and (w1 == w2).all()
    assert set(np.argmax(w1[:20], axis=1)) != set(np.argmax(w1[20:], axis=1))
    _, l1 = topics.fit_lda(x, 2, seed=3)
    _, l2 = topics.fit_lda(x, 2, seed=3)
    assert (l1 == l2).all()


def test_choose_k_rule():
    s = pd.DataFrame({"model": "nmf", "k": [3, 4, 5], "coherence": [0.3, 0.2, 0.5],
                      "stability": [0.9, 0.95, 0.7]})
    assert topics.choose_k(s, "nmf") == 3  # 5 is more coherent but unstable
    s["stability"] = [0.5, 0.6, 0.7]
    assert topics.choose_k(s, "nmf") == 5  # none stable: the most stable


@pytest.mark.parametrize("row, message", [
    ("svd,0,X,,a; b\n", r"row 1 \(line 2\): model must be 'nmf' or 'lda'"),
    ("nmf,x,X,,a; b\n", r"row 1 \(line 2\): topic must be a whole number"),
    ("nmf,0,,,a; b\n", r"row 1 \(line 2\): nmf topic 0 has no label"),
    ("nmf,0,X,cyber,a; b\n", r"row 1 \(line 2\): unknown issue id\(s\) \['cyber'\]"),
    ("nmf,0,X,,a\nnmf,0,Y,,b\n", r"row 2 \(line 3\): nmf topic 0 is listed twice"),
])
def test_topic_map_is_validated_at_the_door(tmp_path, row, message):
    p = tmp_path / "map.csv"
    p.write_text("model,topic,label,issues,top_terms\n" + row)
    with pytest.raises(InputError, match=r"map\.csv, " + message):
        topics.read_topic_map(p, {"arms_control"})


def test_committed_topic_map_reads(root):
    m = topics.read_topic_map(root / "data" / "lexicons" / "topic_issue_map.csv",
                              {"arms_control", "north_korea", "syria", "ukraine", "venezuela",
                               "iran_gulf", "election_interference", "terrorism_afghanistan",
                               "economy_trade", "detained_citizens", "diplomatic_missions",
                               "other_regional", "human_rights", "bilateral_relations"})
    assert len(m) >= 1 and m["topic"].dtype.kind == "i"
