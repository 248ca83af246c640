"""The disk cache serves a result only when everything it depends on is unchanged, and
recomputes, with a warning on the terminal, an entry it cannot read."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from helpers import cache


def _frame():
    return pd.DataFrame({"speaker": ["pompeo", "lavrov", "lavrov"], "n": [1, 2, 3],
                         "share": [0.5, np.nan, 0.25]})


@pytest.fixture
def counted(tmp_project, cache_on):
    """A memoised function that counts how often it really runs."""
    calls = []

    @cache.memoize
    def total(frame: pd.DataFrame, scale: int = 1) -> pd.DataFrame:
        calls.append(1)
        return frame.assign(n=frame["n"] * scale)

    return total, calls


def _entries(project):
    return sorted(cache.cache_dir(project).rglob("*" + cache.SUFFIX))


def test_second_call_is_served_from_disk(counted, tmp_project):
    total, calls = counted
    first = total(_frame(), scale=2)
    second = total(_frame(), 2)  # positional or keyword: the same call
    assert len(calls) == 1 and len(_entries(tmp_project)) == 1
    pd.testing.assert_frame_equal(first, second, check_exact=True)


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


def test_editing_a_handmade_input_invalidates_and_prunes(counted, tmp_project):
    total, calls = counted
    total(_frame())
    old = {p.name for p in cache.cache_dir(tmp_project).iterdir()}
    lexicon = tmp_project / "data" / "lexicons" / "issues.yml"
    lexicon.write_text(lexicon.read_text() + "\n# an analyst's edit\n")
    total(_frame())
    assert len(calls) == 2
    new = {p.name for p in cache.cache_dir(tmp_project).iterdir()}
    assert len(new) == 1 and not new & old  # the other version's entries are deleted


def test_a_change_to_any_helpers_module_changes_the_key(tmp_project, tmp_path, monkeypatch):
    copy = tmp_path / "helpers"
    shutil.copytree(cache.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE", copy)
    before = cache.version_key()
    callee = copy / "inference.py"  # not a cached function's own module
    callee.write_text(callee.read_text() + "\n# a change in a callee\n")
    assert cache.version_key() != before


def test_a_new_plotting_library_changes_the_key(tmp_project, monkeypatch):
    before = cache.version_key()
    real = cache.version
    monkeypatch.setattr(cache, "version",
                        lambda name: "99.0" if name == "matplotlib" else real(name))
    assert cache.version_key() != before


@pytest.mark.filterwarnings("error")  # no Python warning either (a notebook would show it)
@pytest.mark.parametrize("damage", ["garbage", "flipped", "truncated"])
def test_an_entry_that_cannot_be_read_is_recomputed_with_a_warning(counted, tmp_project,
                                                                   caplog, damage):
    total, calls = counted
    total(_frame())
    (entry,) = _entries(tmp_project)
    data = bytearray(entry.read_bytes())
    if damage == "garbage":
        data = bytearray(b"not a cache entry")
    elif damage == "flipped":
        data[len(data) // 2] ^= 0x10
    else:
        data = data[:-8]
    entry.write_bytes(bytes(data))
    with caplog.at_level("WARNING"):
        result = total(_frame())
    assert "could not be read" in caplog.text and "recomputing" in caplog.text
    assert [r.name for r in caplog.records] == ["helpers.cache"]  # joblib says nothing
    assert len(calls) == 2 and result["n"].tolist() == [1, 2, 3]
    total(_frame())
    assert len(calls) == 2  # rewritten, then served


def test_warnings_go_to_the_runner_log_not_the_notebook(counted, tmp_project, tmp_path,
                                                        monkeypatch, capsys):
    total, _ = counted
    total(_frame())
    for entry in _entries(tmp_project):
        entry.write_bytes(b"garbage")
    log = tmp_path / "cache.log"
    monkeypatch.setenv("HELPERS_CACHE_LOG", str(log))
    total(_frame())
    out = capsys.readouterr()
    assert "recomputing" in log.read_text() and "recomputing" not in out.out + out.err


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
    cache.clear()
    assert not cache.cache_dir(tmp_project).exists()


def test_cached_findings_are_exactly_what_is_computed(tmp_project, cache_on):
    from helpers import coding, corpus, findings, salience
    from helpers.lexicon import load_lexicon

    sentences, _ = corpus.build_corpus()
    lexicon = load_lexicon(tmp_project / "data" / "lexicons" / "issues.yml")
    coded = coding.code_sentences(sentences[sentences["canonical"]], lexicon)
    args = (coded, lexicon, salience.compute_salience(coded, lexicon, n_boot=200))
    kwargs = {"n_boot": 200, "n_perm": 200}
    fresh = findings.compute_findings.uncached(*args, **kwargs)
    findings.compute_findings(*args, **kwargs)  # computed and stored
    assert cache.memory().cache(findings.compute_findings.uncached).check_call_in_cache(
        *args, **kwargs)
    served = findings.compute_findings(*args, **kwargs)  # read back
    pd.testing.assert_frame_equal(served, fresh, check_exact=True)
