"""The benchmark's own pieces (benchmarks/bench.py): what they compute, never how fast."""

import sys

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench  # noqa: E402  (a script beside the package, not part of it)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    words = bench.make_synthetic_project(root, 1)
    return root, words


def test_synthetic_project_builds_and_runs_the_chain(synthetic, monkeypatch):
    root, words = synthetic
    monkeypatch.setenv("HELPERS_PROJECT_ROOT", str(root))
    out = bench.run_chain(root)
    assert out["words"] > 0.9 * words  # every synthetic sentence is attributed and counted
    assert set(out) >= {"clean_attribute", "tokenise", "tfidf_keyness", "nmf", "coding", "salience"}


def test_baseline_keyness_is_the_log_odds_of_the_labelled_words(synthetic):
    """The baseline reads each labelled line of the raw files; its counts cover exactly
    the words of the two speakers, and its z equals the project's Fightin' Words formula."""
    from sklearn.feature_extraction.text import CountVectorizer

    from helpers.keyness import fightin_words

    root, _ = synthetic
    out = bench.run_baseline(root)
    texts = {"pompeo": [], "lavrov": []}
    for path in sorted((root / "data" / "raw").glob("*.txt")):
        for line in path.read_text().splitlines():
            for sp in texts:
                if line.startswith(bench.LABELS[sp] + ": "):
                    texts[sp].append(line.split(": ", 1)[1])
    cv = CountVectorizer().fit(texts["pompeo"] + texts["lavrov"])
    ya = np.asarray(cv.transform(texts["pompeo"]).sum(axis=0)).ravel()
    yb = np.asarray(cv.transform(texts["lavrov"]).sum(axis=0)).ravel()
    assert out["baseline_tokens"] == ya.sum() + yb.sum()
    assert out["baseline_terms"] == len(cv.vocabulary_)
    _, _, z = fightin_words(ya, yb)
    vocab = cv.get_feature_names_out()
    assert out["baseline_top"] == vocab[np.argsort(-z, kind="stable")[:5]].tolist()


def test_growth_exponents():
    df = pd.DataFrame({"words": [10, 100, 1000, 10000], "chain_s": [1.0, 1.0, 10.0, 100.0]})
    assert bench.top_growth_exponent(df) == pytest.approx(1.0)
    assert bench.growth_exponent(df) < 1.0  # start-up dominates the small sizes


def test_the_scattertext_peer_fails_clearly_without_scattertext(tmp_path):
    (tmp_path / "data" / "raw").mkdir(parents=True)
    with pytest.raises(RuntimeError, match="scattertext peer failed"):
        bench.run_scattertext(tmp_path, sys.executable)  # this environment has no Scattertext
