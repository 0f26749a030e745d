"""Tests of the served Generation as the one owner of its files and caches, and its watcher."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.index.generation import Generation, GenerationWatcher
from kb.index.generations import current_generation
from kb.index.pool import PoolClosed
from kb.search import search
from kb.search.searcher import Searcher, searcher_for
from tests.conftest import index_site


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
