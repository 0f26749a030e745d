"""The search log under a real `kb serve` with two workers: no search lost, none doubled."""

from __future__ import annotations

import sqlite3
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from test_server import kb_serve

pytestmark = pytest.mark.server

QUERIES = ("kill switch", "Flags", "segment", "DPoP", "rollout plan", "zzqxv wqpfj")


def send(base: str, n: int) -> str | None:
    """Send request n of the mix; return the query the log must keep from it, if any."""
    query = quote(QUERIES[n % len(QUERIES)])
    kind = n % 4
    if kind == 0:
        url, method, headers = f"{base}/api/search?q={query}", "GET", {}
    elif kind == 1:
        url, method, headers = f"{base}/search?q={query}", "GET", {}
    elif kind == 2:
        url, method, headers = f"{base}/api/search/settled?q={query}", "POST", {}
    else:  # a search-as-you-type keystroke: answered, not logged
        url, method = f"{base}/search?q={query}"[:-1], "GET"
        headers = {"HX-Request": "true", "KB-Search-Deferred": "1"}
    request = urllib.request.Request(url, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status in (200, 204)
    return QUERIES[n % len(QUERIES)].casefold() if kind != 3 else None


def test_two_workers_lose_no_search_on_shutdown(example_index: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    # Leaving the block is a normal shutdown (SIGTERM): workers finish their requests, exit.
    log = tmp_path / "server.log"
    with (
        kb_serve(example_index, log, "--state-dir", str(state)) as (base, _),
        ThreadPoolExecutor(8) as pool,
    ):
        kept = Counter(q for q in pool.map(lambda n: send(base, n), range(600)) if q)
    assert kept.total() == 450
    with sqlite3.connect(state / "search-log.sqlite3") as conn:
        (rows,) = conn.execute("SELECT count(*) FROM searches").fetchone()
        per_query = dict(conn.execute("SELECT query, count(*) FROM searches GROUP BY query"))
    assert rows == kept.total()
    assert per_query == dict(kept)
    server_log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in server_log and "search log" not in server_log
