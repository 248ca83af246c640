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


def test_prevalence_sums_to_one_absent_cells_absent_and_seeded():
    w = np.array([[1.0, 0], [0, 1.0], [1.0, 1.0], [2.0, 0]])
    docs = pd.DataFrame({"meeting": ["m", "m", "m", "n"], "speaker": ["a", "a", "a", "b"]})
    p = topics.compute_prevalence(w, docs, "nmf", {0: "x", 1: "y"}, n_boot=500)
    assert set(zip(p.meeting, p.speaker)) == {("m", "a"), ("n", "b")}
    assert p.groupby(["meeting", "speaker"])["share"].sum().tolist() == pytest.approx([1, 1])
    cell = p[(p.speaker == "a") & (p.topic == 0)].iloc[0]
    assert cell["share"] == pytest.approx(0.5)
    assert cell["ci_low"] <= cell["share"] <= cell["ci_high"]
    again = topics.compute_prevalence(w[:3], docs.iloc[:3], "nmf", {0: "x", 1: "y"}, n_boot=500)
    pd.testing.assert_frame_equal(again, p[p.speaker == "a"].reset_index(drop=True))


def test_choose_k_rule():
    s = pd.DataFrame({"model": "nmf", "k": [3, 4, 5], "coherence": [0.3, 0.2, 0.5],
                      "stability": [0.9, 0.95, 0.7]})
    assert topics.choose_k(s, "nmf") == 3  # 5 is more coherent but unstable
    s["stability"] = [0.5, 0.6, 0.7]
    assert topics.choose_k(s, "nmf") == 5  # none stable: the most stable


def test_topic_map_checks_labels_against_fitted_topics(tmp_path):
    p = tmp_path / "map.csv"
    p.write_text("model,topic,label,issues,top_terms_check,note\n"
                 "nmf,0,Arms,arms_control,a; b; c; d; e,\n")
    fitted = pd.DataFrame({"model": ["nmf"], "topic": [0], "top_terms": ["a; b; c; d; e; f"]})
    assert len(topics.load_topic_map(p, fitted, {"arms_control"})) == 1
    fitted["top_terms"] = "z; b; c; d; e"
    with pytest.raises(InputError, match=r"map\.csv, row 1: nmf topic 0 now has top terms"):
        topics.load_topic_map(p, fitted, {"arms_control"})
    with pytest.raises(InputError, match=r"row 1: unknown issue id 'arms_control'"):
        topics.load_topic_map(p, None, {"syria"})


def test_topic_map_can_fall_back_to_automatic_labels(tmp_path):
    p = tmp_path / "map.csv"
    p.write_text("model,topic,label,issues,top_terms_check,note\n"
                 "nmf,0,Arms,arms_control,a; b; c; d; e,\n")
    fitted = pd.DataFrame({"model": ["nmf"], "topic": [0], "top_terms": ["z; y; x; w; v"]})
    with pytest.warns(UserWarning, match="relabel"):
        m = topics.load_topic_map(p, fitted, {"arms_control"}, strict=False)
    assert m.loc[0, "label"] == "nmf 0: z, y, x" and m.loc[0, "issues"] == ""
