import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from helpers import topic_seeds as ts


def test_choose_k_takes_the_smallest_k_within_one_standard_error():
    s = pd.DataFrame({"model": "nmf", "k": [3, 4, 5, 6],
                      "coherence_mean": [0.10, 0.150, 0.160, 0.30],
                      "coherence_se": [0.01, 0.01, 0.02, 0.01],
                      "stability_mean": [0.9, 0.95, 0.9, 0.5]})
    # 6 is most coherent but unstable; best stable is 5 (0.16 ± 0.02): 4 is within one SE
    assert ts.choose_k(s, "nmf") == 4
    s["stability_mean"] = 0.5
    s.loc[2, "stability_mean"] = 0.6
    assert ts.choose_k(s, "nmf") == 5  # none stable: the most stable


def test_matching_recovers_permuted_topics_and_flags_an_unstable_one():
    h = np.array([[5.0, 1, 0, 0], [0, 0, 4, 1], [1, 0, 0, 6]])
    order, cos = ts.match(h, h[[2, 0, 1]])
    assert order.tolist() == [1, 2, 0] and cos == pytest.approx([1, 1, 1])
    fits = [(None, h), (None, h[[1, 2, 0]]), (None, h[[2, 1, 0]])]
    broken = h.copy()
    broken[2] = [0, 5, 0, 0]  # topic 2 turns into something else in one refit
    fits += [(None, broken)] * 1
    medoid, orders, cos = ts.align_refits(fits)
    st = ts.topic_stability(cos, medoid)
    assert st["stable"].tolist() == [True, True, False]
    assert st.loc[2, "min_cosine"] < 0.5


def test_consensus_prevalence_averages_refits_and_resamples_turns():
    # two refits; cell a has two turns (two documents each), cell b one turn
    shares = np.array([[[1.0, 0], [1.0, 0], [0, 1.0], [0, 1.0], [0.5, 0.5]],
                       [[0.8, 0.2], [0.8, 0.2], [0, 1.0], [0, 1.0], [0.7, 0.3]]])
    docs = pd.DataFrame({"meeting": "m", "speaker": ["a", "a", "a", "a", "b"],
                         "source": "s", "turn": [0, 0, 1, 1, 2]})
    p = ts.consensus_prevalence(shares, docs, "nmf", {0: "x"}, n_boot=400).set_index(
        ["speaker", "topic"])
    assert p.loc[("a", 0), "share"] == pytest.approx((0.5 + 0.4) / 2)
    assert p.loc[("a", 0), "seed_min"] == pytest.approx(0.4)
    assert p.loc[("a", 0), "seed_max"] == pytest.approx(0.5)
    # resampling whole turns: a replicate is all turn 0 (share ≈ 1), all turn 1 (0) or mixed
    assert p.loc[("a", 0), "ci_low"] == pytest.approx(0.0)
    assert p.loc[("a", 0), "ci_high"] >= 0.8
    # one turn: only the refits vary
    assert p.loc[("b", 0), "ci_low"] == pytest.approx(0.5)
    assert p.loc[("b", 0), "ci_high"] == pytest.approx(0.7)
    assert p.groupby("speaker")["share"].sum().tolist() == pytest.approx([1, 1])
    again = ts.consensus_prevalence(shares, docs, "nmf", {0: "x"}, n_boot=400)
    pd.testing.assert_frame_equal(again.set_index(["speaker", "topic"]), p)


def test_labels_carry_over_by_top_terms_new_and_unstable_topics_get_none():
    terms = [f"w{i}" for i in range(30)]
    topic_map = pd.DataFrame({"model": "nmf", "topic": [0, 1], "label": ["Arms", "Visas"],
                              "issues": ["arms_control", "diplomatic_missions"],
                              "top_terms": ["; ".join(terms[:10]), "; ".join(terms[10:20])]})
    fitted = pd.DataFrame({"topic": [0, 1, 2], "top_terms": [
        "; ".join(terms[10:16] + terms[25:29]),  # 6 of Visas' terms: carried
        "; ".join(terms[:4] + terms[20:26]),     # 4 of Arms' terms: below the threshold
        "; ".join(terms[:10])]})                 # Arms exactly, but unstable
    out = ts.carry_labels(fitted, topic_map, "nmf",
                          stable=pd.Series({0: True, 1: True, 2: False})).set_index("topic")
    assert out.loc[0, ["label", "issues", "status"]].tolist() == ["Visas", "diplomatic_missions",
                                                                  "carried"]
    assert out.loc[1, "status"] == "new" and out.loc[1, "issues"] == ""
    assert out.loc[1, "label"].startswith("new: ")
    assert out.loc[2, "status"] == "unstable" and out.loc[2, "issues"] == ""


def test_auc_by_hand_and_document_truth():
    # positives score 0.35 and 0.8, negatives 0.1 and 0.4: 3 of 4 pairs ordered → 0.75
    assert ts.auc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0, 0, 1, 1])) == 0.75
    assert ts.auc(np.array([0.2, 0.2]), np.array([0, 1])) == 0.5  # a tie counts half
    assert np.isnan(ts.auc(np.array([0.1, 0.2]), np.array([1, 1])))
    docs = pd.DataFrame({"document": ["d0", "d1", "d2"]})
    sd = pd.DataFrame({"sentence_id": ["s0", "s1", "s2", "s3"], "document": ["d0", "d0", "d1", "d2"]})
    val = pd.DataFrame({"sentence_id": ["s0", "s1", "s2"], "issues": ["syria", "arms;syria", ""]})
    truth = ts.document_issue_truth(docs, sd, val).set_index("document")["issues"]
    assert truth.to_dict() == {"d0": {"arms", "syria"}, "d1": set()}  # d2 is not coded


def test_reference_matrix_aligns_columns_to_the_vocabulary():
    tok = pd.DataFrame({"document": ["a", "a", "b", "b"], "term": ["x", "zz", "y", "x"]})
    x = ts.reference_matrix(tok, ["x", "y"])
    assert x.toarray().tolist() == [[1, 0], [1, 1]]
    assert isinstance(x, sparse.csr_matrix)


def test_the_sweep_gives_the_same_fits_and_scores_in_worker_processes(monkeypatch):
    rng = np.random.default_rng(3)
    counts = sparse.csr_matrix(rng.poisson(0.6, size=(30, 25)).astype(float))
    tfidf = counts.multiply(1 / np.maximum(counts.sum(axis=1), 1)).tocsr()
    results = {}
    for n in ("1", "2"):
        monkeypatch.setenv("HELPERS_WORKERS", n)
        results[n] = ts.sweep.uncached(tfidf, counts, counts, ks=range(2, 4), seeds=3)
    (s1, f1), (s2, f2) = results["1"], results["2"]
    pd.testing.assert_frame_equal(s1, s2, check_exact=True)
    assert f1.keys() == f2.keys() and len(f1) == 4
    for key in f1:
        for (w1, h1), (w2, h2) in zip(f1[key], f2[key]):
            assert np.array_equal(w1, w2) and np.array_equal(h1, h2)
