import numpy as np
import pytest

from helpers import contrasts as ct
from helpers import inference as inf

# The project's own turn sizes at Washington (hand-coded sentences per turn): Pompeo's 5
# turns, one of which holds 43 of his 56 sentences, and Lavrov's 9.
POMPEO = np.array([43, 2, 8, 2, 1])
LAVROV = np.array([101, 12, 13, 5, 15, 3, 5, 1, 14])


def _setup(sizes_a=POMPEO, sizes_b=LAVROV, seed=0):
    n = np.concatenate([sizes_a, sizes_b]).astype(float)
    in_a = np.r_[np.ones(len(sizes_a)), np.zeros(len(sizes_b))]
    member, exact = ct.relabellings(len(sizes_a), len(n), np.random.default_rng(seed))
    return member, exact, n, in_a


def _sentences(n, in_a, share_a, share_b, draws, rng, icc=0.3):
    """Sentence-level labels (sentences × draws) and the turn of each sentence: turn shares
    vary around the cell's share with intra-class correlation ``icc``."""
    mu = np.where(in_a[:, None] == 1, share_a, share_b) * np.ones((len(n), draws))
    shape = (1 - icc) / icc
    theta = rng.beta(mu * shape, (1 - mu) * shape)
    turn = np.repeat(np.arange(len(n)), n.astype(int))
    return (rng.random((len(turn), draws)) < theta[turn]).astype(float), turn


def _draws(n, in_a, share_a, share_b, draws, rng, icc=0.3):
    """Sentence counts per turn (turns × draws)."""
    labels, turn = _sentences(n, in_a, share_a, share_b, draws, rng, icc)
    return np.add.reduceat(labels, np.r_[0, np.cumsum(n.astype(int))[:-1]], axis=0)


def _estimate(y, n, in_a):
    a = in_a == 1
    return y[a].sum(0) / n[a].sum() - y[~a].sum(0) / n[~a].sum()


def test_every_split_of_few_turns_is_used_and_many_are_sampled():
    member, exact = ct.relabellings(5, 14, np.random.default_rng(0))
    assert exact and member.shape == (2002, 14) and (member.sum(1) == 5).all()
    assert len({tuple(r) for r in member}) == 2002
    assert member[0].tolist() == [1.0] * 5 + [0.0] * 9  # the observed labelling is one
    many, exact = ct.relabellings(20, 60, np.random.default_rng(0), n_perm=300)
    assert not exact and many.shape == (300, 60) and (many.sum(1) == 20).all()


def test_studentised_statistic_by_hand():
    y = np.array([[1.0], [3.0], [0.0], [2.0]])
    n = np.array([2.0, 4.0, 3.0, 5.0])
    t = ct.studentised(np.array([[1.0, 1.0, 0.0, 0.0]]), y, n)[0, 0]
    pa, pb = 4 / 6, 2 / 8
    # CR2: each turn's squared residual over 1 − its share of the cell's sentences
    va = ((1 - pa * 2) ** 2 / (1 - 2 / 6) + (3 - pa * 4) ** 2 / (1 - 4 / 6)) / 36
    vb = ((0 - pb * 3) ** 2 / (1 - 3 / 8) + (2 - pb * 5) ** 2 / (1 - 5 / 8)) / 64
    # each floored by the binomial variance of the share shrunk by half a sentence
    fa, fb = (4.5 / 7) * (2.5 / 7) / 6, (2.5 / 9) * (6.5 / 9) / 8
    assert t == pytest.approx((pa - pb) / np.sqrt(max(va, fa) + max(vb, fb)))


def test_bell_mccaffrey_degrees_of_freedom_fall_when_one_turn_holds_a_cell():
    balanced = ct.bell_mccaffrey_df(np.full(5, 10), np.full(9, 10))
    lopsided = ct.bell_mccaffrey_df(POMPEO, LAVROV)
    assert 2 < lopsided < 3 < 8 < balanced < 12
    assert np.isnan(ct.bell_mccaffrey_df(np.array([5]), np.full(4, 5)))  # one turn: no df


def test_a_cell_with_no_mention_keeps_some_uncertainty():
    """Identical turns (zero spread) do not make every other difference significant."""
    member, exact, n, in_a = _setup(np.array([2, 2, 2, 2, 2, 2]), np.array([2, 2, 2, 2, 2, 2]))
    y = np.c_[n / 2, np.zeros_like(n)]  # one sentence of two in every turn; none at all
    got = ct.permutation_test(member, exact, y, n, in_a)
    assert (got["p_value"] == 1).all() and (got["estimate"] == 0).all()
    assert got["ci_low"][0] < -0.2 and got["ci_high"][0] > 0.2
    assert -0.3 < got["ci_low"][1] < 0 < got["ci_high"][1] < 0.3  # 12 sentences a side


def test_calibrated_at_the_project_turn_sizes_and_not_by_never_rejecting():
    """Equal true shares, turns that differ (ICC 0.3), the project's turn sizes, 1,000 draws:
    the test rejects at most 7% at nominal 5%, the interval covers the true difference in at
    least 93% and agrees with the test; at a true gap of 30 points (10% against 40%) it
    rejects at least 20 points more often (at these sizes, one turn holding 43 of Pompeo's 56
    sentences, it does so in only about 22% of draws: that is what the data allow)."""
    rng = np.random.default_rng(20191210)
    member, exact, n, in_a = _setup()
    df = ct.bell_mccaffrey_df(POMPEO, LAVROV)
    y = _draws(n, in_a, 0.10, 0.10, 1000, rng)
    got = ct.permutation_test(member, exact, y, n, in_a, df)
    p, lo, hi = got["p_value"], got["ci_low"], got["ci_high"]
    assert np.allclose(got["estimate"], _estimate(y, n, in_a))
    null_rate, coverage = (p < 0.05).mean(), ((lo <= 0) & (0 <= hi)).mean()
    print(f"\nturn-level scheme: type I {null_rate:.3f}, coverage {coverage:.3f}")
    assert null_rate <= 0.07 and coverage >= 0.93
    assert ((p < 0.05) == ((lo > 0) | (hi < 0))).all()
    y_gap = _draws(n, in_a, 0.40, 0.10, 1000, rng)
    gap_rate = (ct.permutation_p(member, exact, y_gap, n, in_a, df) < 0.05).mean()
    print(f"turn-level scheme: rejects {gap_rate:.3f} at a 30-point gap")
    assert gap_rate >= null_rate + 0.20


def test_blocks_of_five_sentences_as_units_fail_the_same_calibration():
    """The check can fail: the old scheme, which exchanged blocks of up to 5 sentences of a
    turn as if independent (difference of shares, no studentising), rejects a true null far
    more often than 7% when turns differ."""
    rng = np.random.default_rng(20191210)
    _, _, n, in_a = _setup()
    labels, turn = _sentences(n, in_a, 0.15, 0.15, 1000, rng)
    pos = np.concatenate([np.arange(k) for k in n.astype(int)])
    block = np.unique(turn * 1000 + pos // 5, return_inverse=True)[1]
    starts = np.r_[0, np.flatnonzero(np.diff(block)) + 1]
    yb, nb = np.add.reduceat(labels, starts, axis=0), np.bincount(block).astype(float)
    ab = in_a[turn[starts]]
    member, exact = ct.relabellings(int(ab.sum()), len(nb), np.random.default_rng(1), 2000)
    member = member[:, np.argsort(np.argsort(-ab, kind="stable"))]  # a's blocks as labelled
    observed = np.zeros_like(ab)
    observed[:] = ab
    share = lambda m: (m @ yb) / (m @ nb)[:, None] - ((1 - m) @ yb) / ((1 - m) @ nb)[:, None]
    d_obs, d = share(observed[None, :])[0], share(member)
    rate = (((np.abs(d) >= np.abs(d_obs) - 1e-12).sum(0) + 1) / (len(member) + 1) < 0.05).mean()
    print(f"\nold scheme (blocks of 5, unstudentised): type I {rate:.3f}")
    assert rate > 0.07


def test_detectable_difference_shrinks_with_more_turns_and_is_absent_when_unreachable():
    member, exact, n, in_a = _setup()
    rng = np.random.default_rng(3)
    few = ct.detectable_differences(member, exact, n, in_a, np.array([0.1]), (0.05,), rng)
    big_a, big_b = np.tile(POMPEO, 4), np.tile(LAVROV, 4)
    m2, e2, n2, a2 = _setup(big_a, big_b)
    many = ct.detectable_differences(m2, e2, n2, a2, np.array([0.1]), (0.05,), rng)
    assert 0 < many[0.05][0] < few[0.05][0] <= 1
    stricter = ct.detectable_differences(member, exact, n, in_a, np.array([0.1]), (0.05,),
                                         np.random.default_rng(3), df=2.0)
    assert np.isnan(stricter[0.05][0]) or stricter[0.05][0] >= few[0.05][0]
    # 2 turns against 2: the most extreme split has p = 1/6, so nothing is detectable
    m3, e3, n3, a3 = _setup(np.array([10, 10]), np.array([10, 10]))
    none = ct.detectable_differences(m3, e3, n3, a3, np.array([0.1]), (0.05,), rng)
    assert np.isnan(none[0.05][0])


def test_lexicon_counts_are_corrected_turn_by_turn():
    cell = inf.Cell("m", "s", np.array([[2, 0], [1, 1]]), np.array([4, 6]), ("a",))
    rates = inf.CodingRates(np.array([80, 1]), np.array([20, 99]), np.array([10, 50]),
                            np.array([890, 50]), strength=0)
    y = ct.turn_values(cell, rates)
    sens, fpr = rates.point()
    assert y[:, 0].sum() / cell.n == pytest.approx(
        inf.correct_shares(cell.shares(), sens, fpr)[0])
    assert np.isnan(y[:, 1]).all()  # the lexicon cannot separate the second issue


def test_compare_cells_columns_and_determinism():
    rng = np.random.default_rng(4)
    a = inf.Cell("m", "pompeo", rng.integers(0, 3, (6, 2)), np.full(6, 4), ("a",))
    b = inf.Cell("m", "lavrov", rng.integers(0, 2, (8, 2)), np.full(8, 4), ("b",))
    one = ct.compare_cells(a, b, seed=1, measure="hand", detect_at=(0.05,))
    two = ct.compare_cells(a, b, seed=1, measure="hand", detect_at=(0.05,))
    assert one.equals(two)
    assert one["n_turns"].tolist() == [6, 6] and one["n_turns_compare"].tolist() == [8, 8]
    assert one["smallest_p"].iloc[0] == pytest.approx(1 / 3003)
    assert one["df"].iloc[0] == pytest.approx(ct.bell_mccaffrey_df(a.sizes, b.sizes))
    assert (one["p_unclustered"] <= 1).all() and one["mde@0.05"].notna().all()
