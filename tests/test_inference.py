import numpy as np
import pandas as pd
import pytest

from helpers import contrasts as ct
from helpers import inference as inf


def _interval(point, reps, counts, n, rates=None, n_blocks=2):
    """One cell's interval (:func:`helpers.inference.intervals` of a single cell)."""
    lo, hi = inf.intervals(point[None], np.asarray(reps)[None], np.asarray(counts)[None],
                           np.array([n]), np.array([n_blocks]), rates=[rates])
    return lo[0], hi[0]


def _cell(labels, turns, meeting="m-2019-01-01", speaker="pompeo", block=inf.BLOCK):
    frame = pd.DataFrame({"meeting": meeting, "speaker": speaker, "source": "a",
                          "turn": turns})
    x = pd.DataFrame(np.asarray(labels, dtype=bool).reshape(len(turns), -1))
    return inf.cell_blocks(x, frame, block)[(meeting, speaker)]


def test_blocks_never_cross_a_turn_and_hold_at_most_block_sentences():
    frame = pd.DataFrame({"source": "a", "turn": [0] * 7 + [1] * 3})
    ids = inf.block_ids(frame, block=5)
    assert ids.tolist() == [0, 0, 0, 0, 0, 1, 1, 2, 2, 2]


def test_block_numbers_equal_numbering_the_turn_and_position_labels():
    """Blocks are numbered by first appearance, as factorising "source|turn|block" labels
    would number them, with turns of two sources interleaved."""
    rng = np.random.default_rng(6)
    frame = pd.DataFrame({"source": rng.choice(["a", "b"], 200),
                          "turn": rng.integers(0, 5, 200)})
    turn = frame["source"] + "|" + frame["turn"].astype(str)
    pos = frame.groupby(turn, sort=False).cumcount()
    want = pd.factorize(turn + "|" + (pos // 3).astype(str))[0]
    assert inf.block_ids(frame, 3).tolist() == want.tolist()


def test_cell_counts_by_hand():
    c = _cell([[1, 0], [1, 1], [0, 0], [0, 1]], [0, 0, 1, 1], block=2)
    assert c.counts.tolist() == [[2, 1], [0, 1]] and c.sizes.tolist() == [2, 2]
    assert c.shares().tolist() == [0.5, 0.5] and c.n == 4


def test_cells_equal_counting_each_cell_on_its_own():
    """The vectorised cells equal the plain per-cell count, block by block."""
    rng = np.random.default_rng(5)
    n = 300
    frame = pd.DataFrame({"meeting": rng.choice(["m1", "m2"], n),
                          "speaker": rng.choice(["lavrov", "pompeo", "putin"], n),
                          "source": rng.choice(["a", "b"], n), "turn": rng.integers(0, 6, n)})
    frame.loc[::17, "meeting"] = None  # rows of no cell are left out
    labels = pd.DataFrame(rng.random((n, 3)) < 0.3)
    got = inf.cell_blocks(labels, frame, block=3)
    blocks = inf.block_ids(frame, 3)
    want = {}
    for key, idx in frame.groupby(["meeting", "speaker"], sort=True).indices.items():
        b = pd.factorize(blocks[idx])[0]
        counts = np.zeros((b.max() + 1, 3), dtype=np.int64)
        np.add.at(counts, b, labels.to_numpy(dtype=np.int64)[idx])
        want[key] = (counts, np.bincount(b), tuple(sorted(set(frame["source"].to_numpy()[idx]))))
    assert list(got) == list(want)
    for key, (counts, sizes, sources) in want.items():
        c = got[key]
        assert c.counts.tolist() == counts.tolist() and c.counts.dtype == np.int64
        assert c.sizes.tolist() == sizes.tolist() and c.sources == sources
        assert (c.meeting, c.speaker) == key


def test_rogan_gladen_inverts_misclassification():
    true = np.array([0.1, 0.3, 0.6])
    sens, fpr = np.array([0.9, 0.8, 0.7]), np.array([0.05, 0.1, 0.2])
    observed = sens * true + fpr * (1 - true)
    assert inf.correct_shares(observed, sens, fpr) == pytest.approx(true)
    assert np.isnan(inf.correct_shares(np.array([0.3]), np.array([0.3]), np.array([0.2]))[0])


def test_rates_count_the_confusion_and_shrink_towards_the_pool():
    pred = pd.DataFrame({"x": [1, 1, 0, 0], "y": [0, 0, 0, 1]}, dtype=bool)
    gold = pd.DataFrame({"x": [1, 0, 1, 0], "y": [0, 0, 0, 1]}, dtype=bool)
    r = inf.estimate_rates(pred, gold, strength=0)
    assert (r.tp.tolist(), r.fp.tolist(), r.fn.tolist(), r.tn.tolist()) == \
        ([1, 1], [1, 0], [1, 0], [1, 3])
    sens, fpr = r.point()
    assert sens.tolist() == [0.5, 1.0] and fpr.tolist() == [0.5, 0.0]


def test_zero_count_gets_an_exact_interval_not_zero_width():
    c = _cell([[0]] * 40, [0] * 40)
    point, reps = inf.bootstrap_shares(c, np.random.default_rng(0), n_boot=500)
    lo, hi = _interval(point, reps, c.counts.sum(0), c.n)
    assert point[0] == 0 and lo[0] == 0
    assert hi[0] == pytest.approx(1 - 0.025 ** (1 / 40))  # Clopper–Pearson upper


def test_turn_bootstrap_is_wider_than_iid_when_labels_cluster():
    labels = [[1]] * 10 + [[0]] * 40  # all issue sentences in one answer of five
    clustered = _cell(labels, [k // 10 for k in range(50)])
    iid = _cell(labels, list(range(50)))  # every sentence its own turn
    w = {}
    for name, c in (("clustered", clustered), ("iid", iid)):
        p, reps = inf.bootstrap_shares(c, np.random.default_rng(1), n_boot=2000)
        lo, hi = _interval(p, reps, c.counts.sum(0), c.n)
        w[name] = hi[0] - lo[0]
    assert w["clustered"] > 1.3 * w["iid"]


def test_turn_test_small_for_a_clear_difference_and_large_for_none():
    a = _cell([[1]] * 30 + [[0]] * 5, list(range(35)), speaker="pompeo")
    b = _cell([[0]] * 30 + [[1]] * 5, list(range(35)), speaker="lavrov")
    same = _cell([[1]] * 30 + [[0]] * 5, list(range(35)), speaker="lavrov")
    assert ct.compare_cells(a, b, 2, "hand", n_perm=2000)["p_value"].iloc[0] < 0.01
    assert ct.compare_cells(a, same, 2, "hand", n_perm=2000)["p_value"].iloc[0] > 0.5


def test_turn_test_is_conservative_when_one_turn_carries_the_issue():
    labels = [[1]] * 5 + [[0]] * 45
    a = _cell(labels, [0] * 50, speaker="pompeo")  # the five sentences are one answer
    b = _cell([[0]] * 50, list(range(50)), speaker="lavrov")
    one = ct.compare_cells(a, b, 3, "hand", n_perm=4000).iloc[0]
    assert one["p_value"] == 1.0 and one["ci_low"] == -1 and one["ci_high"] == 1
    a_iid = _cell(labels, list(range(50)), speaker="pompeo")  # five separate answers
    assert ct.compare_cells(a_iid, b, 3, "hand", n_perm=4000)["p_value"].iloc[0] < 0.1


def test_contrast_estimate_interval_and_determinism():
    a = _cell([[1]] * 20 + [[0]] * 20, list(range(40)), speaker="pompeo")
    b = _cell([[1]] * 5 + [[0]] * 35, list(range(40)), speaker="lavrov")
    r1 = ct.compare_cells(a, b, seed=7, measure="hand", n_perm=500)
    r2 = ct.compare_cells(a, b, seed=7, measure="hand", n_perm=500)
    pd.testing.assert_frame_equal(r1, r2)
    assert r1["estimate"].iloc[0] == pytest.approx(0.5 - 0.125)
    assert r1["ci_low"].iloc[0] > 0 and r1["p_value"].iloc[0] < 0.01


def test_overlap_identical_is_near_its_ceiling_and_disjoint_is_zero():
    rng = np.random.default_rng(4)
    labels = np.eye(4, dtype=int)[rng.integers(0, 4, 200)]
    a = _cell(labels, list(range(200)), speaker="pompeo")
    b = _cell(labels, list(range(200)), speaker="lavrov")
    same = inf.agenda_overlap(a, b, seed=1, n_boot=500)
    assert same["similarity"] == pytest.approx(1.0) and same["p_identical"] > 0.5
    assert same["ci_low"] <= same["estimate"] <= same["ci_high"]
    assert 0.8 < same["ceiling"] < 1.0  # identical agendas score below 1 in finite samples
    c = _cell([[1, 0]] * 50, list(range(50)), speaker="pompeo")
    d = _cell([[0, 1]] * 50, list(range(50)), speaker="lavrov")
    apart = inf.agenda_overlap(c, d, seed=1, n_boot=500)
    assert apart["similarity"] == pytest.approx(0.0) and apart["p_identical"] < 0.01


def test_zero_count_upper_bound_follows_the_coding_correction():
    c = _cell([[0]] * 100, list(range(100)))
    rates = inf.CodingRates(np.array([5]), np.array([5]), np.array([0]), np.array([200]),
                            strength=1e-6)  # the lexicon finds half of the true mentions
    point, reps = inf.bootstrap_shares(c, np.random.default_rng(0), rates, n_boot=500)
    lo, hi = _interval(point, reps, c.counts.sum(0), c.n, rates=rates)
    plain = 1 - 0.025 ** (1 / 100)
    assert point[0] == 0 and lo[0] == 0 and hi[0] > 1.5 * plain


def test_a_single_block_cell_gets_an_exact_interval_not_zero_width():
    c = _cell([[1], [0], [1], [0]], [0] * 4, block=5)
    assert len(c.sizes) == 1
    point, reps = inf.bootstrap_shares(c, np.random.default_rng(0), n_boot=200)
    lo, hi = _interval(point, reps, c.counts.sum(0), c.n, n_blocks=1)
    assert lo[0] < 0.5 < hi[0] and hi[0] - lo[0] > 0.5


def test_an_agenda_with_no_issue_has_no_similarity():
    assert np.isnan(inf.js_similarity(np.array([0.0, 0.0]), np.array([1.0, 2.0])))


# an uncorrectable issue has no replicate at all: its percentiles are NaN by design
@pytest.mark.filterwarnings("ignore:All-NaN slice encountered:RuntimeWarning")
def test_cells_estimated_together_equal_each_cell_alone(monkeypatch):
    """Batched intervals, spread over threads, give each cell's own interval bit for bit:
    single-block cells, zero counts, corrected and uncorrectable issues included."""
    rng = np.random.default_rng(8)
    cells = {}
    for k in range(40):
        n = int(rng.integers(1, 30))
        labels = rng.random((n, 3)) < [0.4, 0.05, 0.0]
        cells[(f"m{k}", "pompeo")] = _cell(labels, list(rng.integers(0, 3, n)), f"m{k}")
    good = inf.CodingRates(np.array([9, 9, 9]), np.array([1, 1, 1]), np.array([1, 1, 1]),
                           np.array([90, 90, 90]))
    useless = inf.CodingRates(np.array([1, 9, 1]), np.array([9, 1, 9]), np.array([9, 1, 9]),
                              np.array([1, 90, 1]), strength=0)  # issues 0, 2: no correction
    with_rates = {key: (c, [None, good, useless][i % 3]) for i, (key, c) in
                  enumerate(cells.items())}
    assert any(len(c.sizes) == 1 for c in cells.values())
    monkeypatch.setenv("HELPERS_WORKERS", "2")
    got = inf.estimate_cells(with_rates, seed=3, measure="lexicon", n_boot=300, chunk=7)
    for ((m, sp), (c, rates)), (point, lo, hi) in zip(with_rates.items(), got):
        p1, reps = inf.bootstrap_shares(c, inf.rng_for(3, m, sp, "lexicon"), rates, 300)
        lo1, hi1 = _interval(p1, reps, c.counts.sum(0), c.n, rates=rates,
                                n_blocks=len(c.sizes))
        np.testing.assert_array_equal(point, p1)
        np.testing.assert_array_equal(lo, lo1)
        np.testing.assert_array_equal(hi, hi1)


def test_without_rates_a_zero_count_interval_is_its_exact_bound_with_or_without_draws():
    """estimate_cells skips the Jeffreys draws of zero counts when there are no rates: their
    97.5th percentile stays below the Clopper–Pearson bound, so the interval is the same."""
    rng = np.random.default_rng(11)
    for k in range(150):
        n = int(rng.integers(1, 400))
        c = _cell([[0, 1]] * n, list(rng.integers(0, 1 + n // 3, n)), block=5)
        drawn = inf.bootstrap_shares(c, inf.rng_for(k, "m", "s", "x"), n_boot=2000)
        skipped = inf.bootstrap_shares(c, inf.rng_for(k, "m", "s", "x"), n_boot=2000,
                                       zeros=False)
        assert (drawn[1][:, 0] > 0).any() and (skipped[1][:, 0] == 0).all()
        for point, reps in (drawn, skipped):
            lo, hi = _interval(point, reps, c.counts.sum(0), c.n, n_blocks=len(c.sizes))
            assert lo[0] == 0 and hi[0] == inf.clopper_pearson_upper(c.n)


def test_with_few_replicates_zero_counts_keep_their_draws():
    """Below SKIP_ZERO_DRAWS_FROM replicates the Jeffreys draws are made (a reviewer's case:
    at 20 replicates their percentile passes the exact bound)."""
    c = inf.Cell("m", "s", np.array([[1, 0], [0, 0], [0, 0]]), np.array([3, 4, 4]), ("a",))
    got = inf.estimate_cells({("m", "s"): (c, None)}, seed=10, measure="lexicon", n_boot=20)
    point, reps = inf.bootstrap_shares(c, inf.rng_for(10, "m", "s", "lexicon"), n_boot=20)
    lo, hi = _interval(point, reps, c.counts.sum(0), c.n, n_blocks=3)
    np.testing.assert_array_equal(got[0][2], hi)
    assert hi[1] > inf.clopper_pearson_upper(c.n)  # the draws mattered here
