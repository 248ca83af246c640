import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from helpers import topic_labels, topics
from helpers.io import InputError


def test_npmi_by_hand():
    # terms 0 and 1 always together in 2 of 4 documents: p=0.5 each, p(0,1)=0.5
    # NPMI = log(0.5 / 0.25) / -log(0.5) = 1 ; term 2 never with them: -1
    x = sparse.csr_matrix(np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1]]))
    h = np.array([[5.0, 4.0, 0.0], [1.0, 0.0, 3.0]])
    coh = topics.npmi_coherence(x, h, n=2)
    assert coh[0] == pytest.approx(1.0, abs=1e-6)
    assert coh[1] == pytest.approx(-1.0)


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
        topic_labels.read_topic_map(p, {"arms_control"})


def test_committed_topic_map_reads(root):
    m = topic_labels.read_topic_map(root / "data" / "lexicons" / "topic_issue_map.csv",
                              {"arms_control", "north_korea", "syria", "ukraine", "venezuela",
                               "iran_gulf", "election_interference", "terrorism_afghanistan",
                               "economy_trade", "detained_citizens", "diplomatic_missions",
                               "other_regional", "human_rights", "bilateral_relations"})
    assert len(m) >= 1 and m["topic"].dtype.kind == "i"


def test_choose_k_takes_the_smallest_k_within_one_seed_sd_of_the_best():
    s = pd.DataFrame({"model": "nmf", "k": [3, 4, 5, 6],
                      "coherence_mean": [0.10, 0.150, 0.160, 0.30],
                      "coherence_std": [0.10, 0.01, 0.02, 0.01],
                      "stability_mean": [0.9, 0.95, 0.9, 0.5]})
    # 6 is most coherent but unstable; best stable is 5 (0.16, sd 0.02): 4 is within one sd
    assert topics.choose_k(s, "nmf") == 4
    s.loc[2, "coherence_std"] = 0.07  # a wide spread at the best k reaches down to k = 3
    assert topics.choose_k(s, "nmf") == 3
    s["stability_mean"] = 0.5
    s.loc[2, "stability_mean"] = 0.6
    assert topics.choose_k(s, "nmf") == 5  # none stable: the most stable


def test_matching_recovers_permuted_topics_and_flags_an_unstable_one():
    h = np.array([[5.0, 1, 0, 0], [0, 0, 4, 1], [1, 0, 0, 6]])
    order, cos = topics.match(h, h[[2, 0, 1]])
    assert order.tolist() == [1, 2, 0] and cos == pytest.approx([1, 1, 1])
    fits = [(None, h), (None, h[[1, 2, 0]]), (None, h[[2, 1, 0]])]
    broken = h.copy()
    broken[2] = [0, 5, 0, 0]  # topic 2 turns into something else in one refit
    fits += [(None, broken)] * 1
    medoid, orders, cos = topics.align_refits(fits)
    st = topics.topic_stability(cos, medoid)
    assert st["stable"].tolist() == [True, True, False]
    assert st.loc[2, "min_cosine"] < 0.5


def test_consensus_prevalence_averages_refits_and_resamples_turns():
    # two refits; cell a has two turns (two documents each), cell b one turn
    shares = np.array([[[1.0, 0], [1.0, 0], [0, 1.0], [0, 1.0], [0.5, 0.5]],
                       [[0.8, 0.2], [0.8, 0.2], [0, 1.0], [0, 1.0], [0.7, 0.3]]])
    docs = pd.DataFrame({"meeting": "m", "speaker": ["a", "a", "a", "a", "b"],
                         "source": "s", "turn": [0, 0, 1, 1, 2]})
    p = topics.consensus_prevalence(shares, docs, "nmf", {0: "x"}, n_boot=400).set_index(
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
    again = topics.consensus_prevalence(shares, docs, "nmf", {0: "x"}, n_boot=400)
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
    out = topic_labels.carry_labels(fitted, topic_map, "nmf",
                          stable=pd.Series({0: True, 1: True, 2: False})).set_index("topic")
    assert out.loc[0, ["label", "issues", "status"]].tolist() == ["Visas", "diplomatic_missions",
                                                                  "carried"]
    assert out.loc[1, "status"] == "new" and out.loc[1, "issues"] == ""
    assert out.loc[1, "label"].startswith("new: ")
    assert out.loc[2, "status"] == "unstable" and out.loc[2, "issues"] == ""


def test_document_truth_marks_coded_documents_only():
    docs = pd.DataFrame({"document": ["d0", "d1", "d2"]})
    sd = pd.DataFrame({"sentence_id": ["s0", "s1", "s2", "s3"], "document": ["d0", "d0", "d1", "d2"]})
    val = pd.DataFrame({"sentence_id": ["s0", "s1", "s2"], "issues": ["syria", "arms;syria", ""]})
    truth = topic_labels.document_issue_truth(docs, sd, val).set_index("document")["issues"]
    assert truth.to_dict() == {"d0": {"arms", "syria"}, "d1": set()}  # d2 is not coded


def test_reference_matrix_aligns_columns_to_the_vocabulary():
    tok = pd.DataFrame({"document": ["a", "a", "b", "b"], "term": ["x", "zz", "y", "x"]})
    x = topics.reference_matrix(tok, ["x", "y"])
    assert x.toarray().tolist() == [[1, 0], [1, 1]]
    assert isinstance(x, sparse.csr_matrix)


def test_the_sweep_gives_the_same_fits_and_scores_in_worker_processes(monkeypatch):
    rng = np.random.default_rng(3)
    counts = sparse.csr_matrix(rng.poisson(0.6, size=(30, 25)).astype(float))
    tfidf = counts.multiply(1 / np.maximum(counts.sum(axis=1), 1)).tocsr()
    results = {}
    for n in ("1", "2"):
        monkeypatch.setenv("HELPERS_WORKERS", n)
        results[n] = topics.sweep.uncached(tfidf, counts, counts, ks=range(2, 4), seeds=3)
    (s1, f1), (s2, f2) = results["1"], results["2"]
    pd.testing.assert_frame_equal(s1, s2, check_exact=True)
    assert f1.keys() == f2.keys() and len(f1) == 4
    for key in f1:
        for (w1, h1), (w2, h2) in zip(f1[key], f2[key]):
            assert np.array_equal(w1, w2) and np.array_equal(h1, h2)


def test_document_ids_are_unique_when_two_files_share_a_prefix():
    tok = pd.DataFrame({"source": ["005_a.txt", "005_a.txt", "005_b.txt"], "turn": [0, 0, 0],
                        "sentence_id": ["005_a:0", "005_a:1", "005_b:0"],
                        "term": ["x", "y", "z"]})
    d = topics.make_documents(tok)
    assert d.groupby("document")["source"].nunique().max() == 1
    assert d["document"].nunique() == 2 and d["document"].tolist()[0] == "005_a:t0:w0"


def test_weightless_documents_are_named():
    w_ok, w_zero = np.array([[0.2, 0.1], [0.3, 0.0]]), np.array([[0.2, 0.1], [0.0, 0.0]])
    docs = pd.DataFrame({"document": ["kept", "courtesy"]})
    assert topics.weightless_documents([(w_ok, None), (w_zero, None)], docs) == ["courtesy"]
    assert topics.weightless_documents([(w_ok, None)], docs) == []


def test_exclusivity_is_one_for_disjoint_topics_and_lower_for_shared_terms():
    h = np.array([[3.0, 2.0, 0.0, 0.0], [0.0, 0.0, 1.0, 4.0]])
    assert topics.exclusivity(h, n=2) == pytest.approx([1.0, 1.0])
    h2 = np.array([[3.0, 2.0, 1.0, 0.0], [3.0, 0.0, 1.0, 4.0]])
    assert topics.exclusivity(h2, n=2)[0] == pytest.approx((0.5 + 1.0) / 2)


def _label_fixture(score_issue, score_speaker):
    """20 coded documents in 20 turns: the first ten about 'arms', the odd ones Russian."""
    n = 20
    docs = pd.DataFrame({"document": [f"d{i}" for i in range(n)], "source": "s",
                         "turn": range(n),
                         "speaker": ["lavrov" if i % 2 else "pompeo" for i in range(n)]})
    truth = pd.DataFrame({"document": docs["document"],
                          "issues": [{"arms"} if i < 10 else set() for i in range(n)]})
    about = np.array([i < 10 for i in range(n)], float)
    russian = np.array([i % 2 for i in range(n)], float)
    shares = np.c_[score_issue * about + score_speaker * russian + np.linspace(0, 0.01, n)]
    return shares, docs, truth


def test_a_topic_earns_its_issue_only_when_it_finds_the_issue_better_than_the_speaker():
    shares, docs, truth = _label_fixture(1.0, 0.0)  # follows the issue
    c = topic_labels.label_check(shares, docs, truth, {0: ["arms"]}, np.array([0.3]),
                           np.array([True]), n_boot=300)
    assert c.loc[0, "auc"] == pytest.approx(1.0) and c.loc[0, "auc_low"] > 0.5
    assert bool(c.loc[0, "earned"])
    shares, docs, truth = _label_fixture(0.2, 1.0)  # follows the speaker more than the issue
    c = topic_labels.label_check(shares, docs, truth, {0: ["arms"]}, np.array([0.3]),
                           np.array([True]), n_boot=300)
    assert c.loc[0, "speaker_auc"] > c.loc[0, "auc"] and not c.loc[0, "earned"]
    shares, docs, truth = _label_fixture(1.0, 0.0)  # finds the issue but is incoherent
    c = topic_labels.label_check(shares, docs, truth, {0: ["arms"]}, np.array([0.02]),
                           np.array([True]), n_boot=300)
    assert not c.loc[0, "earned"]


def test_unearned_topics_are_named_by_their_top_words():
    carried = pd.DataFrame({"topic": [0, 1], "label": ["Arms", "Visas"],
                            "issues": ["arms_control", "diplomatic_missions"]})
    check = pd.DataFrame({"topic": [0, 1], "issue": ["arms_control", "diplomatic_missions"],
                          "earned": [True, False]})
    out = topic_labels.earned_labels(carried, check, pd.Series({0: "treaty; nuclear; start; x",
                                                           1: "discussed; russia; u.s.; y"}))
    assert out["label"].tolist() == ["Arms", "unlabelled: discussed, russia, u.s."]
    assert out["issues"].tolist() == ["arms_control", ""]



@pytest.mark.filterwarnings("error")
def test_no_earned_topic_leaves_every_topic_unlabelled_without_a_warning():
    carried = pd.DataFrame({"topic": [0], "label": ["Arms"], "issues": ["arms_control"]})
    check = pd.DataFrame({"topic": [0], "issue": ["arms_control"], "earned": [False]})
    out = topic_labels.earned_labels(carried, check, pd.Series({0: "treaty; nuclear"}))
    assert out["label"].tolist() == ["unlabelled: treaty, nuclear"]
    assert out["issues"].tolist() == [""] and not out["labelled"].any()


def test_topic_shares_are_set_beside_the_hand_coding():
    prev = pd.DataFrame({"topic": 0, "meeting": "m", "speaker": ["a", "b"], "share": [0.4, 0.1],
                         "ci_low": [0.3, 0.05], "ci_high": [0.5, 0.2]})
    sal = pd.DataFrame({"meeting": "m", "speaker": ["a", "b", "a"], "issue": "arms",
                        "measure": ["hand", "hand", "lexicon"], "share": [0.09, 0.12, 0.4],
                        "ci_low": [0.05, 0.08, 0.3], "ci_high": [0.15, 0.2, 0.5]})
    labels = pd.DataFrame({"topic": [0], "label": ["Arms"], "issues": ["arms"]})
    c = topic_labels.compare_with_hand(prev, labels, sal).set_index("speaker")
    assert c.loc["a", "hand_share"] == 0.09 and not c.loc["a", "agree"]
    assert c.loc["b", "agree"]
    assert topic_labels.compare_with_hand(prev, labels.assign(issues=""), sal).empty


def test_the_fast_auc_equals_sklearns():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(5)
    y = rng.random(60) < 0.3
    score = np.round(rng.random(60), 1)  # with ties
    assert topic_labels._auc_ranks(y, score) == pytest.approx(roc_auc_score(y, score))
    assert np.isnan(topic_labels._auc_ranks(np.ones(4, bool), score[:4]))


def _prev(rows):
    """Prevalence rows (label, speaker, share, low, high) at one meeting."""
    return pd.DataFrame([{"meeting": "washington-2019-12-10", "label": lab, "speaker": sp,
                          "share": s, "ci_low": lo, "ci_high": hi}
                         for lab, sp, s, lo, hi in rows])


@pytest.mark.parametrize("rows, expect, absent", [
    # no topic leads: every interval overlaps, although each man's largest topic differs
    ([("A", "lavrov", 0.6, 0.3, 0.8), ("A", "pompeo", 0.4, 0.2, 0.7),
      ("B", "lavrov", 0.4, 0.2, 0.7), ("B", "pompeo", 0.6, 0.3, 0.8)],
     "no topic separates Lavrov and Pompeo", ["ahead"]),
    # one leads: Lavrov's interval on A lies above Pompeo's
    ([("A", "lavrov", 0.7, 0.6, 0.8), ("A", "pompeo", 0.2, 0.1, 0.3),
      ("B", "lavrov", 0.3, 0.2, 0.4), ("B", "pompeo", 0.8, 0.1, 0.9)],
     "Lavrov ahead on A", ["Pompeo ahead", "no topic"]),
    # both men's largest topic is the same one: it is never named for both
    ([("A", "lavrov", 0.7, 0.5, 0.9), ("A", "pompeo", 0.6, 0.4, 0.8),
      ("B", "lavrov", 0.3, 0.1, 0.5), ("B", "pompeo", 0.4, 0.2, 0.6)],
     "no topic separates", ["ahead on A"]),
])
def test_prevalence_titles_never_contradict_themselves(rows, expect, absent):
    from helpers import story_vocabulary

    prev = _prev(rows)
    title = story_vocabulary.prevalence_title(prev, "washington-2019-12-10")
    assert title.startswith("Washington, 10 Dec 2019: ") and expect in title
    assert ("ahead" in title) == title.endswith("(95% intervals apart)")  # the test it passed
    assert not any(a in title for a in absent)
    reading = story_vocabulary.prevalence_separation(prev, "washington-2019-12-10")
    for lab in ("A", "B"):  # a topic named in the title is named the same way below
        assert (f"ahead on {lab}" in title) == (f"ahead on *{lab}*" in reading)


def test_check_models_checks_each_model_on_its_own_shares():
    follows_issue, docs, truth = _label_fixture(1.0, 0.0)
    follows_speaker, _, _ = _label_fixture(0.2, 1.0)
    carried = pd.DataFrame({"model": ["nmf", "lda"], "topic": [0, 0], "label": ["Arms", "Arms"],
                            "issues": ["arms", "arms"]})
    fitted = pd.DataFrame({"model": ["nmf", "lda"], "topic": [0, 0],
                           "top_terms": ["treaty; nuclear; start", "said; we; our"]})
    stable = pd.DataFrame({"stable": [True]})
    aligned = {m: {"mean_share": s, "npmi": np.array([0.3]), "stability": stable}
               for m, s in (("nmf", follows_issue), ("lda", follows_speaker))}
    check, earned = topic_labels.check_models(carried, aligned, fitted, docs, truth, n_boot=200)
    assert check["model"].tolist() == ["nmf", "lda"] and check["earned"].tolist() == [True, False]
    assert earned["label"].tolist() == ["Arms", "unlabelled: said, we, our"]


def test_align_models_leaves_out_weightless_documents_and_matches_refits():
    x = _corpus()
    fits = [topics.fit_nmf(x, 2, seed=s) for s in (1, 2, 3)]
    w = fits[0][0].copy()
    w[0] = 0  # the first refit gives document d0 no weight
    fits[0] = (w, fits[0][1])
    docs = pd.DataFrame({"document": [f"d{i}" for i in range(x.shape[0])]})
    aligned, used, weightless = topics.align_models({"nmf": fits}, docs, x)
    assert weightless == ["d0"] and used["document"].tolist() == docs["document"].tolist()[1:]
    a = aligned["nmf"]
    assert a["shares"].shape == (3, len(used), 2) and a["mean_share"].shape == (len(used), 2)
    assert a["stability"]["stable"].all() and len(a["npmi"]) == len(a["exclusivity"]) == 2
