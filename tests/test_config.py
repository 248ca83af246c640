import threading

import pytest

from helpers import config


def test_workers_come_from_the_environment_or_the_cores(monkeypatch):
    monkeypatch.setenv("HELPERS_WORKERS", "3")
    assert config.workers() == 3
    monkeypatch.delenv("HELPERS_WORKERS")
    assert 1 <= config.workers() <= 8
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("HELPERS_WORKERS", bad)
        with pytest.raises(ValueError, match="HELPERS_WORKERS"):
            config.workers()


def test_map_threads_keeps_the_order_and_runs_in_a_pool():
    seen = set()

    def square(x):
        seen.add(threading.get_ident())
        return x * x

    items = list(range(500))
    assert config.map_threads(square, items, 2) == [x * x for x in items]
    assert threading.get_ident() not in seen  # ran in the pool
    seen.clear()
    assert config.map_threads(square, [3], 2) == [9]
    assert seen == {threading.get_ident()}  # one item: in the calling thread
    seen.clear()
    assert config.map_threads(square, items[:4], 1) == [0, 1, 4, 9]
    assert seen == {threading.get_ident()}  # one worker: no pool


def test_map_processes_keeps_the_order_and_runs_in_other_processes():
    import os

    items = list(range(40))
    out = config.map_processes(_square_and_pid, items, 2)
    assert [v for v, _ in out] == [x * x for x in items]
    assert os.getpid() not in {pid for _, pid in out}  # ran in worker processes
    assert config.map_processes(_square_and_pid, [3], 2) == [(9, os.getpid())]  # one item
    assert {pid for _, pid in config.map_processes(_square_and_pid, items[:4], 1)} == {
        os.getpid()}  # one worker: no pool


def _square_and_pid(x):
    import os

    return x * x, os.getpid()
