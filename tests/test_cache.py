"""The disk cache serves a result only when everything it depends on is unchanged."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from helpers import cache, cache_codec, corpus
from helpers.io import InputError


def _frame():
    return pd.DataFrame({"speaker": ["pompeo", "lavrov", "lavrov"], "n": [1, 2, 3],
                         "share": [0.5, np.nan, 0.25], "tokens": [["a"], ["b", "c"], []]})


# --------------------------------------------------------------------------- fingerprints

def test_fingerprint_depends_on_content_not_identity():
    a, b = _frame(), _frame()
    assert cache.fingerprint(a) == cache.fingerprint(b)
    assert cache.fingerprint(a) == cache.fingerprint(a.copy(deep=True))
    assert cache.fingerprint({"x": 1, "y": [a]}) == cache.fingerprint({"y": [b], "x": 1})


@pytest.mark.parametrize("change", [
    lambda d: d.assign(n=[1, 2, 4]),                          # a value
    lambda d: d.assign(share=[0.5, 0.0, 0.25]),               # NaN is not zero
    lambda d: d.rename(columns={"n": "m"}),                   # a column name
    lambda d: d.astype({"n": "float64"}),                     # a dtype
    lambda d: d.set_axis([0, 1, 5]),                          # the index
    lambda d: d.iloc[[1, 0, 2]],                              # row order
    lambda d: d.assign(tokens=[["a"], ["b", "c"], ["d"]]),    # inside a list cell
    lambda d: d.assign(tokens=[["a"], ["b", "c"], "[]"]),     # a string that looks like a list
])
def test_fingerprint_changes_with_any_change(change):
    assert cache.fingerprint(change(_frame())) != cache.fingerprint(_frame())


def test_fingerprint_keeps_types_apart_in_mixed_columns():
    assert (cache.fingerprint(pd.Series([1, "a"], dtype=object))
            != cache.fingerprint(pd.Series(["1", "a"], dtype=object)))


def test_fingerprint_of_arrays_and_sparse_matrices():
    x = np.arange(6.0).reshape(2, 3)
    assert cache.fingerprint(x) != cache.fingerprint(x.T.copy())
    assert cache.fingerprint(x) != cache.fingerprint(x.astype("float32"))
    s = sparse.csr_matrix(x)
    assert cache.fingerprint(s) == cache.fingerprint(sparse.csc_matrix(x))
    assert cache.fingerprint(s) != cache.fingerprint(sparse.csr_matrix(x * 2))


def test_fingerprint_is_the_same_in_another_process():
    code = ("import numpy as np, pandas as pd; from helpers import cache; "
            "print(cache.fingerprint(pd.DataFrame({'speaker': ['pompeo', 'lavrov', 'lavrov'], "
            "'n': [1, 2, 3], 'share': [0.5, np.nan, 0.25], "
            "'tokens': [['a'], ['b', 'c'], []]})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == cache.fingerprint(_frame())


def test_unknown_types_are_refused_not_hashed_by_identity():
    with pytest.raises(TypeError, match="cannot fingerprint"):
        cache.fingerprint(object())
    with pytest.raises(TypeError, match="cannot fingerprint"):
        cache.fingerprint(lambda x: x)  # not a helpers function: its code is not in the key


# --------------------------------------------------------------------------- memoize

@pytest.fixture
def counted(tmp_project, cache_on):
    """A memoised function that counts how often it really runs."""
    calls = []

    @cache.memoize
    def total(frame: pd.DataFrame, scale: int = 1) -> pd.DataFrame:
        calls.append(1)
        return frame.assign(n=frame["n"] * scale)

    return total, calls


def test_second_call_is_served_from_disk(counted, tmp_project):
    total, calls = counted
    first = total(_frame(), scale=2)
    second = total(_frame(), 2)  # positional or keyword: the same call
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first, second)
    assert list(cache.cache_dir(tmp_project).rglob("*" + cache.SUFFIX))


def test_a_different_argument_is_recomputed(counted):
    total, calls = counted
    total(_frame(), scale=2)
    total(_frame(), scale=3)
    total(_frame().assign(n=[7, 8, 9]), scale=2)
    assert len(calls) == 3


def test_the_result_is_a_fresh_copy(counted):
    total, _ = counted
    total(_frame())
    hit = total(_frame())
    hit.loc[0, "n"] = 99
    assert total(_frame()).loc[0, "n"] == 1


def test_editing_a_handmade_input_invalidates(counted, tmp_project):
    total, calls = counted
    total(_frame())
    lexicon = tmp_project / "data" / "lexicons" / "issues.yml"
    lexicon.write_text(lexicon.read_text() + "\n# an analyst's edit\n")
    total(_frame())
    assert len(calls) == 2


def test_a_change_to_the_helpers_code_invalidates_and_prunes(counted, tmp_project,
                                                             monkeypatch):
    total, calls = counted
    total(_frame())
    old_generation = {p.name for p in cache.cache_dir(tmp_project).iterdir()}
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "f" * 64)
    total(_frame())
    assert len(calls) == 2
    assert {p.name for p in cache.cache_dir(tmp_project).iterdir()} == {"f" * 16}
    assert not old_generation & {"f" * 16}


def test_a_corrupt_entry_is_recomputed(counted, tmp_project, caplog):
    total, calls = counted
    total(_frame())
    for entry in cache.cache_dir(tmp_project).rglob("*" + cache.SUFFIX):
        entry.write_bytes(b"not a cache entry")
    with caplog.at_level("WARNING", logger="helpers.cache"):
        result = total(_frame())
    assert "unreadable" in caplog.text and str(tmp_project) not in caplog.text
    assert len(calls) == 2 and result["n"].tolist() == [1, 2, 3]
    total(_frame())
    assert len(calls) == 2  # rewritten, then served


def test_switched_off_by_environment(counted, tmp_project, monkeypatch):
    total, calls = counted
    monkeypatch.setenv("HELPERS_CACHE", "off")
    total(_frame())
    total(_frame())
    assert len(calls) == 2
    assert not cache.cache_dir(tmp_project).exists()


def test_clear_removes_every_entry(counted, tmp_project):
    total, _ = counted
    total(_frame())
    assert cache.clear() == 1
    assert not cache.cache_dir(tmp_project).exists()


def test_a_cached_corpus_still_rejects_a_changed_raw_file(tmp_project, cache_on):
    sentences, _ = corpus.build_corpus()
    again, _ = corpus.build_corpus()
    pd.testing.assert_frame_equal(sentences, again)
    raw = sorted((tmp_project / "data" / "raw").glob("002_*"))[0]
    raw.write_bytes(raw.read_bytes() + b"\nAn extra line.\n")
    with pytest.raises(InputError, match="002_"):
        corpus.build_corpus()


def test_cached_tokens_salience_and_findings_are_exactly_what_is_computed(tmp_project,
                                                                          cache_on):
    from helpers import coding, findings, salience, tokens
    from helpers.lexicon import load_lexicon

    sentences, _ = corpus.build_corpus()
    canonical = sentences[sentences["canonical"]]
    lexicon = load_lexicon(tmp_project / "data" / "lexicons" / "issues.yml")
    coded = coding.code_sentences(canonical, lexicon)
    steps = [(tokens.tokenize_sentences, (canonical,), {}),
             (tokens.propose_collocations, (canonical,), {"n": 10}),
             (salience.compute_salience, (coded, lexicon), {"n_boot": 200}),
             (findings.compute_findings, (coded, lexicon, salience.compute_salience.uncached(
                 coded, lexicon, n_boot=200)), {"n_boot": 200, "n_perm": 200})]
    for step, args, kwargs in steps:
        key = f"{step.__module__.removeprefix('helpers.')}.{step.__name__}:hit"
        hits = cache.STATS[key]
        fresh = step.uncached(*args, **kwargs)
        step(*args, **kwargs)  # computed and stored
        served = step(*args, **kwargs)  # read back
        assert cache.STATS[key] == hits + 1, step.__name__
        pd.testing.assert_frame_equal(served, fresh, check_exact=True)


# --------------------------------------------------------------------------- data, not code

def test_entries_are_data_only_and_a_crafted_pickle_never_runs(counted, tmp_project, tmp_path):
    total, calls = counted
    total(_frame())
    entry = next(cache.cache_dir(tmp_project).rglob("*" + cache.SUFFIX))
    assert entry.read_bytes().startswith(cache_codec.MAGIC)
    assert b"pickle" not in entry.read_bytes()
    import pickle

    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (marker.write_text, ("code ran",))

    entry.write_bytes(pickle.dumps(("key", Evil())))
    result = total(_frame())
    assert not marker.exists()
    assert len(calls) == 2 and result["n"].tolist() == [1, 2, 3]


def test_a_wrong_key_is_not_decoded(tmp_path):
    import io

    buf = io.BytesIO()
    cache.dump_entry(buf, "a" * 64, {"x": np.arange(3)})
    p = tmp_path / "e.entry"
    p.write_bytes(buf.getvalue())
    assert cache.load_entry(p, "b" * 64) == (False, None)
    ok, value = cache.load_entry(p, "a" * 64)
    assert ok and value["x"].tolist() == [0, 1, 2]


def test_a_dataclass_from_outside_helpers_is_refused_on_read(tmp_path):
    import json
    import struct

    header = json.dumps({"key": "k", "blobs": [], "value": {
        "t": "dataclass", "cls": "subprocess:Popen", "v": {}}}).encode()
    p = tmp_path / "e.entry"
    p.write_bytes(cache_codec.MAGIC + struct.pack("<Q", len(header)) + header)
    with pytest.raises(ValueError, match="unknown dataclass"):
        cache.load_entry(p, "k")


def test_values_round_trip_exactly(tmp_path):
    import io

    frame = _frame().assign(s=pd.array(["a", None, "c"], dtype="string"),
                            b=[True, False, True]).set_axis([3, 3, 1])
    value = (frame, np.eye(2, dtype="float32"), {"k": [1, 2.5, None, "x", b"\x00"]},
             np.int64(7), pd.Series([1.0, np.nan], name="s"))
    buf = io.BytesIO()
    cache.dump_entry(buf, "k", value)
    p = tmp_path / "e.entry"
    p.write_bytes(buf.getvalue())
    ok, back = cache.load_entry(p, "k")
    assert ok
    pd.testing.assert_frame_equal(back[0], frame, check_exact=True)
    assert back[1].dtype == np.float32 and (back[1] == np.eye(2)).all()
    assert back[2] == value[2] and back[3] == 7 and isinstance(back[3], np.int64)
    pd.testing.assert_series_equal(back[4], value[4])


def test_an_unsupported_result_is_computed_not_pickled(tmp_project, cache_on, caplog):
    calls = []

    def compute():
        calls.append(1)
        return object()

    with caplog.at_level("WARNING", logger="helpers.cache"):
        cache.cached("t.obj", 1, compute)
        cache.cached("t.obj", 1, compute)
    assert len(calls) == 2 and "not cached" in caplog.text
    assert not list(cache.cache_dir(tmp_project).rglob("*" + cache.SUFFIX))


def test_the_cache_stays_bounded(tmp_project, cache_on, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 5)
    for k in range(12):
        cache.cached("t.many", k, lambda k=k: np.arange(k))
    entries = list(cache.cache_dir(tmp_project).rglob("*" + cache.SUFFIX))
    assert len(entries) == 5


def test_warnings_go_to_the_runner_log_not_the_notebook(counted, tmp_project, tmp_path,
                                                        monkeypatch, capsys):
    total, _ = counted
    total(_frame())
    for entry in cache.cache_dir(tmp_project).rglob("*" + cache.SUFFIX):
        entry.write_bytes(b"garbage")
    log = tmp_path / "cache.log"
    monkeypatch.setenv("HELPERS_CACHE_LOG", str(log))
    total(_frame())
    out = capsys.readouterr()
    assert "unreadable" in log.read_text() and "unreadable" not in out.out + out.err
