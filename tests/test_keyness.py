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


def test_permutation_test_respects_clustering_in_turns():
    # "spread": one use in each of Pompeo's 10 turns; "burst": 10 uses in one Pompeo turn.
    # Both have the same counts, so the same z; only the spread one is evidence.
    spec = [("m", t, "pompeo", {"spread": 1, "filler": 3, **({"burst": 10} if t == 0 else {})})
            for t in range(10)]
    spec += [("m", 10 + t, "lavrov", {"filler": 4}) for t in range(10)]
    tok = _turn_tokens(spec)
    x, units, vocab = kn.turn_counts(tok, "pompeo", "lavrov")
    prior = np.ones(len(vocab))
    p = dict(zip(vocab, kn.permutation_test(x, units, prior, n_perm=2000, seed=1)))
    assert p["spread"] < 0.01
    assert p["burst"] > 0.3  # one turn: half the shuffles give it to Pompeo
    again = kn.permutation_test(x, units, prior, n_perm=2000, seed=1)
    assert (again == np.array([p[v] for v in vocab])).all()  # seeded


def test_turns_are_shuffled_only_within_their_meeting():
    # In meeting "s" only Pompeo speaks: his turns there never become Lavrov's.
    spec = [("s", t, "pompeo", {"sochi_word": 2}) for t in range(3)]
    spec += [("w", 10, "pompeo", {"x": 2}), ("w", 11, "lavrov", {"x": 2})]
    x, units, vocab = kn.turn_counts(_turn_tokens(spec), "pompeo", "lavrov")
    p = dict(zip(vocab, kn.permutation_test(x, units, np.ones(len(vocab)), n_perm=500)))
    assert p["sochi_word"] == pytest.approx(1.0)  # every shuffle reproduces it exactly


def test_keyness_table_marks_fdr_and_leaves_rare_terms_untested():
    spec = [("m", t, "pompeo", {"enforcement": 2, "talk": 1}) for t in range(8)]
    spec += [("m", 10 + t, "lavrov", {"proposal": 2, "talk": 1}) for t in range(8)]
    spec += [("m", 30, "lavrov", {"rare": 2})]
    tok = _turn_tokens(spec).assign(word=lambda d: d["term"])
    k = kn.keyness_table(tok, "pooled", alpha0=50.0, n_perm=4000).set_index("term")
    assert k.loc["enforcement", "z"] > 0 > k.loc["proposal", "z"]
    assert k.loc[["enforcement", "proposal"], "passes_fdr"].all()
    assert not k.loc["talk", "passes_fdr"]
    assert np.isnan(k.loc["rare", "p_perm"]) and not k.loc["rare", "passes_fdr"]
    assert k.loc["enforcement", "n_turns"] == 8
    assert k["prior"].sum() == pytest.approx(50.0, abs=0.01)
    from helpers.schemas import SCHEMAS, validate_table

    validate_table(k.reset_index()[[c for c in SCHEMAS["keyness"].columns]],
                   "keyness")


def test_bh_fdr_skips_untested_terms():
    q, passes = kn.bh_fdr(np.array([0.001, np.nan, 0.04, 0.5]))
    assert np.isnan(q[1]) and not passes[1]
    assert q[0] == pytest.approx(0.003) and passes[0] and not passes[3]


def test_project_keyness_agrees_with_an_independent_computation(root):
    """Done-when of issue 15: Spearman ≥ 0.7 over shared terms, same sign for strong terms."""
    from helpers import tokens
    from helpers.schemas import read_table

    s = read_table("sentences", root)
    can = s[s["canonical"] & s["speaker"].isin(["pompeo", "lavrov"])]
    tok = tokens.tokenize_sentences(can)
    table = kn.keyness_table(tok, "pooled", alpha0=len(tok), display=tokens.display_forms(tok),
                             n_perm=0)
    rho, n_shared, signs, n_strong = kn.independent_agreement(can, table)
    assert n_shared > 500
    assert rho >= 0.7
    assert n_strong >= 3 and signs == 1.0


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
