"""Notebooks 02 and 03's readings, on small fixtures: the sentence, and an edge case."""

import pandas as pd
from scipy.sparse import csr_matrix

from helpers import story_vocabulary as sv


def test_weightless_reading_singular_plural_and_none():
    assert sv.weightless_reading([]) == "Every document has topic weight in every refit."
    assert sv.weightless_reading(["d1"]) == (
        "1 document get no topic weight in some refit and is left out of prevalence and "
        "validation: d1.")
    assert sv.weightless_reading(["d1", "d2"]).startswith("2 documents get no topic weight")


def test_topics_reading_counts_stable_topics_of_one_model():
    o = pd.DataFrame({"model": ["nmf", "nmf", "lda"], "stable": [True, False, True],
                      "npmi": [0.1, 0.3, 0.9], "exclusivity": [0.5, 0.7, 0.0]})
    assert sv.topics_reading(o, "nmf", 2, 0.8, 0.5) == (
        "**NMF, k = 2:** 1 of 2 topics are stable (matched cosine ≥ 0.8 in at least 50% of the "
        "other refits); NPMI from 0.10 to 0.30, exclusivity from 0.50 to 0.70.")


def test_labels_reading_names_earned_labels_and_new_topics():
    earned = pd.DataFrame({"labelled": [True, False], "label": ["Iran", "unlabelled 1"],
                           "issues": ["iran", ""]})
    carried = pd.DataFrame({"status": ["carried", "new"], "model": ["nmf", "lda"], "topic": [0, 3]})
    assert sv.labels_reading(earned, carried, 5) == (
        "1 of 2 NMF topics earn an issue label (*Iran*); 1 of the 5 issues have a labelled "
        "topic. New topics with no candidate label: LDA topic 3.")
    none = earned.assign(labelled=False, issues="")
    assert sv.labels_reading(none, carried.iloc[:1], 5) == (
        "0 of 2 NMF topics earn an issue label; 0 of the 5 issues have a labelled topic.")


def test_hand_reading_when_no_topic_is_labelled_and_when_some_disagree():
    assert sv.hand_reading(pd.DataFrame(columns=["agree"])).startswith("No NMF topic earns")
    text = sv.hand_reading(pd.DataFrame({"agree": [True, False]}))
    assert text == ("1 of 2 labelled topic-cell pairs agree with the hand coding within their "
                    "intervals; where they do not, the topic share is not the speaker's "
                    "emphasis on the issue.")


def test_reference_reading():
    assert sv.reference_reading(40, 60, 0.25).startswith(
        "The reference has 40 windows, none of them among the 60 fitting windows; 25% of")


def test_tokens_reading_with_and_without_new_start():
    tok = pd.DataFrame({"term": ["new_start", "treaty", "treaty"]})
    assert sv.tokens_reading(10, tok) == (
        "The principals' 10 canonical words become 3 content tokens and 2 distinct terms: stop "
        "words and numbers take 70% of the words. \"New START\" survives as one term.")
    assert sv.tokens_reading(10, tok.iloc[1:]).endswith("take 80% of the words. ")


def test_collocations_reading_lists_kept_and_others():
    p = pd.DataFrame({"phrase": ["new start", "we have", "i think"], "kept": [True, False, False]})
    assert sv.collocations_reading(p) == (
        "Of the finder's 3 strongest proposals, 1 are in the curated list (*new start*). The "
        "others, such as *we have* and *i think*, are free combinations or fragments of longer "
        "names, and stay as separate words.")


def test_idf_reading_counts_distinct_idf_values():
    x = csr_matrix([[1, 1, 0], [1, 0, 0], [1, 0, 2]])  # terms in 3, 1 and 1 documents
    assert sv.idf_reading(x, 3).startswith(
        "**How far to trust IDF here.** With 3 documents, the IDF takes only 2 distinct values")


def test_survival_reading_singular_turn():
    docs_t = pd.DataFrame({"speaker": ["lavrov", "pompeo", "pompeo"],
                           "meeting": ["2019-05-14"] * 3})
    text = sv.survival_reading(docs_t, {("lavrov", "2019-05-14"): 3}, 10)
    assert text.startswith("With 3 turns as documents, the top-10 terms that survive are: Lavrov")
    assert "3 of 10 (1 turn)." in text


def test_independent_reading_when_no_term_passes():
    assert sv.independent_reading((0.5, 40, float("nan"), 0), 5) == (
        "Spearman ρ = 0.50 over the 40 terms used at least 5 times. No term passes, so there is "
        "no sign to compare.")
    assert sv.independent_reading((0.5, 40, 0.9, 10), 5).endswith(
        "90% of the 10 passing terms have the same sign in both.")


def test_stopwords_and_tfidf_readings():
    domain = pd.DataFrame({"word": ["mr", "um", "uh"], "category": ["title", "filler", "filler"]})
    assert sv.stopwords_reading(frozenset({"the", "a"}), domain) == (
        "The general list has 2 words; the domain list adds 3 words in 2 categories.")
    assert sv.tfidf_reading(domain).startswith(
        "TF-IDF ranks terms within one document; it tests nothing. The 3 entries above")


def test_vocabulary_findings_state_the_testing_threshold_they_use(monkeypatch):
    k = pd.DataFrame({"term": ["a", "b"], "p_perm": [0.5, None], "p_min": [0.01, 0.01],
                      "q": [0.5, None], "delta": [1.0, 0.0]})
    monkeypatch.setattr(sv, "passing_terms", lambda *_: {})
    turns = {"Sochi": pd.Series({"pompeo": 6, "lavrov": 5})}
    for n in (5, 7):
        monkeypatch.setattr(sv, "MIN_TOKENS_TESTED", n)
        text = sv.vocabulary_findings({"Sochi": k}, turns, "pompeo", "lavrov", 0.1,
                                      (0.8, 12, None, None), "fine.", [])
        assert f"fewer than {n} times together are not tested" in text
        assert f"12 terms used at least {n} times" in text
