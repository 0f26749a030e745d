"""Tests of the served Generation as the one owner of its files and caches, and its watcher."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from kb.index.generation import Generation, GenerationWatcher
from kb.index.generations import current_generation
from kb.index.pool import PoolClosed
from kb.search import search
from kb.search.searcher import Searcher, searcher_for
from kb.web.context import warm_generation
from tests.conftest import index_site

# A guard against a hung test, not a time budget: the events below are set in milliseconds.
HANG = 120


def test_close_releases_store_search_and_caches(example_index: Path) -> None:
    gen = Generation(current_generation(example_index))
    assert search(gen, "flag").total > 0
    searcher = searcher_for(gen)
    assert isinstance(searcher, Searcher) and searcher_for(gen) is searcher
    assert gen.remember("answer", lambda: 42) == 42
    gen.close()
    assert gen.closed
    with pytest.raises(PoolClosed):
        gen.store.count()
    with pytest.raises(PoolClosed), searcher.reading():
        pass
    with pytest.raises(RuntimeError, match="closed"):
        searcher_for(gen)
    assert gen.remember("answer", lambda: 7) == 7  # caches were dropped with it


def test_a_retired_generation_waits_for_its_last_user(example_index: Path) -> None:
    gen = Generation(current_generation(example_index))
    gen.acquire()
    gen.acquire()
    gen.retire()
    gen.release()
    assert not gen.closed and gen.store.count() > 0  # one request still reads it
    gen.release()
    assert gen.closed


def test_watcher_retires_the_old_generation_on_a_switch(site: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    index_site(site, index_dir)
    watcher = GenerationWatcher(index_dir)
    with watcher.using() as first:
        assert first.name == "gen-000001"
        held = watcher.acquire()  # a request that is still running over the switch
    shutil.rmtree(site / "docs" / "rollouts")
    index_site(site, index_dir, max_vanish_share=1.0)
    watcher.refresh()
    assert not held.closed, "a generation in use stays open after the switch"
    with watcher.using() as second:
        assert second.name == "gen-000002"
    held.release()
    assert held.closed
    watcher.close()


def test_nothing_is_opened_on_or_lent_from_a_closed_generation(example_index: Path) -> None:
    gen = Generation(current_generation(example_index))
    gen.close()
    with pytest.raises(RuntimeError, match="closed"):
        gen.acquire()
    with pytest.raises(RuntimeError, match="closed"):
        gen.resource("anything", lambda: Searcher(gen))


def test_a_new_generation_warms_while_requests_read_the_old_one(site: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "ix"
    index_site(site, index_dir)
    warming, go_on = threading.Event(), threading.Event()
    warmed: list[str] = []

    def warm(gen: Generation) -> None:
        """Warm as the served app does, holding the second generation until the test says."""
        if gen.name == "gen-000002":
            warming.set()
            assert go_on.wait(HANG)
        warm_generation(gen)
        warmed.append(gen.name)

    watcher = GenerationWatcher(index_dir, warm=warm)
    watcher.refresh()  # what a gunicorn worker does before its first request
    assert warmed == ["gen-000001"]
    watcher.poll(seconds=0.01)
    shutil.rmtree(site / "docs" / "rollouts")
    index_site(site, index_dir, max_vanish_share=1.0)
    assert warming.wait(HANG), "the poll thread opens the new generation"

    answered: list[tuple[str, int]] = []

    def request() -> None:
        """A request arriving while the new generation warms."""
        with watcher.using() as gen:
            answered.append((gen.name, search(gen, "rollout").total))

    during = threading.Thread(target=request)
    during.start()
    during.join(HANG)
    assert not during.is_alive(), "a request waited for the new generation to open"
    assert answered[0][0] == "gen-000001" and answered[0][1] > 0  # the old one answered
    old = watcher.acquire()
    go_on.set()
    for _ in range(HANG * 100):
        if (gen := watcher.acquire()).name == "gen-000002":
            break
        gen.release()
        time.sleep(0.01)  # the poll thread finishes warming and switches
    assert warmed == ["gen-000001", "gen-000002"], "switched to only once warm"
    assert not old.closed, "the request still reading the old generation keeps it open"
    old.release()
    assert old.closed
    assert search(gen, "rollout").total < answered[0][1]  # the rollouts folder is gone
    gen.release()
    watcher.close()
