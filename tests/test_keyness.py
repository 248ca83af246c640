import math

import numpy as np
import pandas as pd
import pytest

from helpers import keyness as kn


def _reference_fightin_words(ya, yb, alpha):
    """Monroe, Colaresi and Quinn (2008), eqs. 16, 20 and 22, one word at a time.

    Written apart from the module, in the paper's notation: Ω̂ = (y + α) / (n + α0 − y − α).
    """
    a0, na, nb = sum(alpha), sum(ya), sum(yb)
    out = []
    for w in range(len(alpha)):
        omega_a = (ya[w] + alpha[w]) / (na + a0 - ya[w] - alpha[w])
        omega_b = (yb[w] + alpha[w]) / (nb + a0 - yb[w] - alpha[w])
        d = math.log(omega_a) - math.log(omega_b)
        s2 = 1.0 / (ya[w] + alpha[w]) + 1.0 / (yb[w] + alpha[w])
        out.append((d, s2, d / math.sqrt(s2)))
    return np.array(out)


def test_fightin_words_with_a_given_prior_by_hand():
    # counts a = [3, 1], b = [0, 4]; prior α = [1, 1], α0 = 2; n_a = n_b = 4
    # word0: log(4 / (4+2-3-1)) − log(1 / (4+2-0-1)) = log(2) − log(1/5) = log(10)
    #        var = 1/4 + 1/1 = 1.25
    # word1: log(2 / (6-1-1)) − log(5 / (6-4-1)) = log(1/2) − log(5) = −log(10)
    #        var = 1/2 + 1/5 = 0.7
    delta, var, z = kn.fightin_words([3, 1], [0, 4], prior=[1.0, 1.0])
    assert delta == pytest.approx([math.log(10), -math.log(10)])
    assert var == pytest.approx([1.25, 0.7])
    assert z[0] == pytest.approx(math.log(10) / math.sqrt(1.25))


def test_fightin_words_matches_an_independent_implementation():
    rng = np.random.default_rng(7)
    ya, yb = rng.poisson(3, 40), rng.poisson(2, 40)
    alpha = 60 * rng.dirichlet(np.ones(40))
    ref = _reference_fightin_words(ya.tolist(), yb.tolist(), alpha.tolist())
    delta, var, z = kn.fightin_words(ya, yb, prior=alpha)
    np.testing.assert_allclose(np.c_[delta, var, z], ref, rtol=1e-12)
    # the same rows stacked as permutations give the same numbers row by row
    d2, _, z2 = kn.fightin_words(np.vstack([ya, yb]), np.vstack([yb, ya]), prior=alpha)
    np.testing.assert_allclose(z2[0], z) and np.testing.assert_allclose(z2[1], -z)


def test_background_frequency_comes_from_wordfreq_offline_with_a_floor():
    tok = pd.DataFrame({"term": ["propos", "propos", "north_korea", "xqzv", "the"],
                        "word": ["proposal", "proposals", "north_korea", "xqzv", "the"]})
    f = kn.background_frequency(tok, ["north_korea", "propos", "the", "xqzv"])
    from wordfreq import word_frequency

    assert f[1] == pytest.approx(word_frequency("proposal", "en")
                                 + word_frequency("proposals", "en"))
    assert f[0] == pytest.approx(word_frequency("north korea", "en")) and f[0] > 0
    assert f[3] == kn.BACKGROUND_FLOOR  # unknown word: the floor
    assert f[2] > f[1] > f[3]
    prior = kn.background_prior(f, 100.0)
    assert prior.sum() == pytest.approx(100.0) and (prior > 0).all()


def _turn_tokens(spec):
    """Tokens from (meeting, turn, speaker, {term: count}) tuples."""
    rows = [(m, "src", t, sp, term) for m, t, sp, counts in spec
            for term, n in counts.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=["meeting", "source", "turn", "speaker", "term"])


def _units(spec):
    tok = _turn_tokens(spec)
    return kn.turn_counts(tok, "pompeo", "lavrov")


def test_the_turn_test_respects_clustering_in_turns():
    # "spread": one use in each of Pompeo's 10 turns; "burst": 10 uses in one Pompeo turn.
    # Both have the same counts and rates; only the spread one is evidence.
    spec = [("m", t, "pompeo", {"spread": 1, "filler": 3, **({"burst": 10} if t == 0 else {})})
            for t in range(10)]
    spec += [("m", 10 + t, "lavrov", {"filler": 4}) for t in range(10)]
    x, units, vocab = _units(spec)
    p = dict(zip(vocab, kn.turn_test(x, units, n_perm=2000, seed=1)))
    assert p["spread"] < 0.01
    assert p["burst"] > 0.3  # one turn: half the relabellings give it to Pompeo
    again = kn.turn_test(x, units, n_perm=2000, seed=1)
    assert (again == np.array([p[v] for v in vocab])).all()  # seeded


@pytest.mark.parametrize("sizes_a, sizes_b", [
    ([10, 10, 20, 40, 270], [850, 110, 90, 30, 110, 30, 50, 20, 120]),  # short answers vs long
    ([300, 300, 300, 300, 300], [10, 10, 10, 10, 10]),                   # the other way round
    ([20, 40, 60, 80, 100], [20, 40, 60, 80, 100]),
])
def test_a_term_used_at_the_same_rate_by_both_is_not_flagged_whatever_the_turn_sizes(
        sizes_a, sizes_b):
    # "same": one use in every ten tokens of every turn; "other" fills the rest
    spec = [("w", t, sp, {"same": n // 10, "other": n - n // 10})
            for t, (sp, n) in enumerate([("pompeo", n) for n in sizes_a]
                                        + [("lavrov", n) for n in sizes_b])]
    tok = _turn_tokens(spec).assign(word=lambda d: d["term"])
    k = kn.keyness_table(tok, "w", alpha0=100.0).set_index("term")
    assert not k["passes_fdr"].any()
    assert k.loc["same", "p_perm"] > 0.2  # not near the extreme of the relabellings


def test_a_term_used_in_every_turn_of_one_man_and_none_of_the_other_is_flagged():
    # turns of 10 to 60 tokens; "talk" is a fifth of every turn
    spec = [("w", t, "pompeo", {"sanctions": t + 1, "talk": 2 * (t + 1), "other": 7 * (t + 1)})
            for t in range(5)]
    spec += [("w", 10 + t, "lavrov", {"treaty": t + 1, "talk": 2 * (t + 1), "other": 7 * (t + 1)})
             for t in range(6)]
    tok = _turn_tokens(spec).assign(word=lambda d: d["term"])
    k = kn.keyness_table(tok, "w", alpha0=100.0).set_index("term")
    assert k.loc["sanctions", "passes_fdr"] and k.loc["sanctions", "rate_difference"] > 0
    assert k.loc["treaty", "passes_fdr"] and k.loc["treaty", "rate_difference"] < 0
    assert not k.loc["talk", "passes_fdr"]
    # 11 turns split 5 + 6: all 462 relabellings enumerated, so p is a multiple of 1/462
    assert k["p_min"].iloc[0] == pytest.approx(1 / 462, abs=1e-6)
    assert (k["p_perm"] * 462).round(2).dropna().mod(1).eq(0).all()


def test_turns_are_relabelled_within_one_meeting_only():
    spec = [("s", t, "pompeo", {"sochi_word": 2}) for t in range(3)]
    spec += [("w", 10, "pompeo", {"x": 2}), ("w", 11, "lavrov", {"x": 2})]
    x, units, vocab = _units(spec)
    with pytest.raises(ValueError, match="within one meeting"):
        kn.turn_test(x, units)
    tok = _turn_tokens(spec).assign(word=lambda d: d["term"])
    assert kn.keyness_table(tok, "pooled", 10.0, n_perm=0)["p_perm"].isna().all()  # untested


def test_keyness_table_marks_fdr_and_leaves_rare_terms_untested():
    spec = [("m", t, "pompeo", {"enforcement": 2, "talk": 1}) for t in range(8)]
    spec += [("m", 10 + t, "lavrov", {"proposal": 2, "talk": 1}) for t in range(8)]
    spec += [("m", 30, "lavrov", {"rare": 2})]
    tok = _turn_tokens(spec).assign(word=lambda d: d["term"])
    k = kn.keyness_table(tok, "m", alpha0=50.0, n_perm=4000).set_index("term")
    assert k.loc["enforcement", "z"] > 0 > k.loc["proposal", "z"]
    assert k.loc[["enforcement", "proposal"], "passes_fdr"].all()
    assert not k.loc["talk", "passes_fdr"]
    assert np.isnan(k.loc["rare", "p_perm"]) and not k.loc["rare", "passes_fdr"]
    assert k.loc["enforcement", "n_turns"] == 8
    assert k.loc["enforcement", "per_1000_pompeo"] == pytest.approx(1000 * 16 / 24, abs=1e-3)
    assert k["prior"].sum() == pytest.approx(50.0, abs=0.01)
    from helpers.schemas import SCHEMAS, validate_table

    validate_table(k.reset_index()[[c for c in SCHEMAS["keyness"].columns]],
                   "keyness")


def test_bh_fdr_skips_untested_terms():
    q, passes = kn.bh_fdr(np.array([0.001, np.nan, 0.04, 0.5]))
    assert np.isnan(q[1]) and not passes[1]
    assert q[0] == pytest.approx(0.003) and passes[0] and not passes[3]


def test_project_keyness_agrees_with_an_independent_computation(root):
    """Rate differences of terms used at least five times rank alike in both computations."""
    from helpers import tokens
    from helpers.schemas import read_table

    s = read_table("sentences", root)
    can = s[s["canonical"] & s["speaker"].isin(["pompeo", "lavrov"])
            & s["meeting"].str.startswith("washington")]
    tok = tokens.tokenize_sentences(can)
    table = kn.keyness_table(tok, "washington", alpha0=len(tok),
                             display=tokens.display_forms(tok), n_perm=0)
    rho, n_ranked, _, _ = kn.independent_agreement(can, table)
    counts = table["count_pompeo"] + table["count_lavrov"]
    assert 20 < n_ranked <= int((counts >= kn.MIN_TOKENS_TESTED).sum())
    assert rho >= 0.7


def test_exact_relabelling_of_the_washington_turns(root):
    """Issue 27: over all relabellings of the Washington turns, the observed one is not the
    extreme for a term used at similar rates by both men, and a rate statistic does not
    grow or shrink with the size of the group."""
    from itertools import combinations

    from helpers import tokens
    from helpers.schemas import read_table

    s = read_table("sentences", root)
    can = s[s["canonical"] & s["speaker"].isin(["pompeo", "lavrov"])
            & s["meeting"].str.startswith("washington")]
    tok = tokens.tokenize_sentences(can)
    x, units, vocab = kn.turn_counts(tok, "pompeo", "lavrov")
    n_a = int(units["is_a"].sum())
    labellings = list(combinations(range(len(units)), n_a))
    assert kn.relabellings(units) == len(labellings)
    p = kn.turn_test(x, units, n_perm=10_000)
    assert set(np.round(p * len(labellings), 6)) <= set(range(1, len(labellings) + 1))
    counts = np.asarray(x.todense())
    rate_a = counts[units["is_a"]].sum(0) / units.loc[units["is_a"], "n_tokens"].sum()
    rate_b = counts[~units["is_a"]].sum(0) / units.loc[~units["is_a"], "n_tokens"].sum()
    with np.errstate(divide="ignore"):
        ratio = np.abs(np.log(rate_a / rate_b))
    similar = (counts.sum(0) >= kn.MIN_TOKENS_TESTED) & (ratio < 0.5)
    assert similar.sum() >= 3
    assert (p[similar] > 10 / len(labellings)).all()


def test_fightin_words_with_the_data_prior_by_hand():
    # counts: word0 a=2 b=0, word1 a=1 b=3 ; pooled total 6, alpha0 = 6
    # alpha = 6 * [2, 4] / 6 = [2, 4]; n_a = 3, n_b = 3
    # word0: la = log(4 / (3+6-2-2)) = log(4/5); lb = log(2 / (3+6-0-2)) = log(2/7)
    #        delta = log(4/5) - log(2/7) = log(14/5); var = 1/4 + 1/2 = 0.75
    delta, var, z = kn.fightin_words([2, 1], [0, 3])
    assert delta[0] == pytest.approx(math.log(14 / 5))
    assert var[0] == pytest.approx(0.75)
    assert z[0] == pytest.approx(math.log(14 / 5) / math.sqrt(0.75))
    # word1: la = log(5 / (9-1-4)) = log(5/4); lb = log(7/(9-3-4)) = log(7/2)
    assert delta[1] == pytest.approx(math.log(5 / 4) - math.log(7 / 2))
    assert z[1] < 0 < z[0]


def test_keyness_titles_and_readings_name_only_passing_terms():
    from helpers import story_vocabulary

    k = pd.DataFrame({"term": ["work", "year", "proposal", "rare"],
                      "rate_difference": [20.0, 2.0, -10.0, 5.0],
                      "per_1000_pompeo": [24.0, 3.0, 0.0, 5.0],
                      "per_1000_lavrov": [4.0, 1.0, 10.0, 0.0],
                      "p_perm": [0.001, 0.5, 0.002, np.nan], "p_min": 1 / 2002,
                      "passes_fdr": [True, False, True, False]})
    title = story_vocabulary.keyness_title(k, "W", "pompeo", "lavrov")
    text = story_vocabulary.keyness_reading(k, "In W", "pompeo", "lavrov", 5, 0.05)
    for out in (title, text):
        assert "work" in out and "proposal" in out
        assert "year" not in out and "rare" not in out
    assert "2,002 relabellings" in text
    none = k.assign(passes_fdr=False)
    assert story_vocabulary.keyness_title(none, "W", "pompeo", "lavrov") == \
        "W: no term passes the turn-level test"
    assert "No term passes" in story_vocabulary.keyness_reading(none, "In W", "pompeo", "lavrov", 5, 0.05)


def test_rendering_tables_empty_without_two_renderings_and_overlap_of_top_terms():
    s = pd.DataFrame({"sentence_id": ["l1"], "speaker": ["lavrov"], "meeting": ["m"],
                      "translation": ["official translation"], "duplicate_of": [None]})
    assert kn.rendering_tables(s, s, "pompeo", "lavrov") == ({}, 0, 0)
    t1 = pd.DataFrame({"term": ["a", "b", "c"], "z": [-3.0, -2.0, 1.0],
                       "passes_fdr": [True, False, False]})
    t2 = t1.assign(z=[-1.0, 2.0, -3.0], passes_fdr=False)
    passing, overlap = kn.rendering_overlap({"official": t1, "interpreter": t2}, 2)
    assert passing == {"official": ["a"], "interpreter": []} and overlap == 1
