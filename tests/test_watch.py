"""`kb serve --watch`: the re-index thread outlives failed runs (database, search-index and any
other errors), logs each one and retries on the next change.

The watcher runs for real (watchdog on a copy of the example site, real incremental builds);
the failures are injected into the first runs, since a real damaged generation is already
rebuilt in full rather than failing (tests/test_faults.py).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from whoosh.writing import IndexingError

import kb.build.watch
from kb.build.indexer import build_index
from kb.build.summary import BuildSummary
from kb.build.watch import watch
from kb.config import Settings, load_settings
from kb.web import create_app

FAILURES: list[Exception] = [
    sqlite3.DatabaseError("database disk image is malformed"),
    IndexingError("This writer is closed"),
    RuntimeError("a bug in one run"),
]


def wait_until(condition: Callable[[], bool], seconds: float = 30) -> None:
    """Wait for a condition, failing the test when it is not met in time."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {seconds} s")
        time.sleep(0.05)


def test_the_watch_thread_survives_failed_runs_and_retries_on_the_next_change(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(site, {"index_dir": tmp_path / "ix"})
    build_index(settings)
    failures = list(FAILURES)
    runs: list[str] = []

    def flaky(settings: Settings) -> BuildSummary:
        if failures:
            runs.append("failed")
            raise failures.pop(0)
        runs.append("built")
        return build_index(settings)

    monkeypatch.setattr(kb.build.watch, "build_index", flaky)
    caplog.set_level(logging.WARNING, logger="kb.build.watch")
    thread = watch(settings)
    page = site / "docs" / "flags" / "overview.mdx"
    for edit in range(len(FAILURES) + 1):
        seen = len(runs)
        page.write_text(page.read_text("utf-8") + f"\n\nEdit quetzal{edit}.\n", "utf-8")
        wait_until(lambda seen=seen: len(runs) > seen)
        assert thread.is_alive()
    wait_until(lambda: "built" in runs and "re-indexed" in caplog.text)
    messages = [r.getMessage() for r in caplog.records if "re-index failed" in r.getMessage()]
    assert messages[:3] == [
        "re-index failed (DatabaseError: database disk image is malformed); the served "
        "generation is unchanged, retrying on the next change",
        "re-index failed (IndexingError: This writer is closed); the served generation is "
        "unchanged, retrying on the next change",
        "re-index failed (RuntimeError: a bug in one run); the served generation is unchanged, "
        "retrying on the next change",
    ]
    assert "Traceback" not in caplog.text  # tracebacks only at debug level
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "ix")}).test_client()
    found = client.get("/api/search?q=quetzal3").get_json()
    assert [hit["url"] for hit in found["results"]] == ["/docs/flags/overview"]


def test_a_run_that_is_refused_or_busy_is_logged_and_retried(
    site: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings(site, {"index_dir": tmp_path / "ix"})
    build_index(settings)
    pages = {page: page.read_bytes() for page in (site / "docs").rglob("*.md*")}
    for page in pages:
        page.unlink()  # every page gone: the switch is refused
    caplog.set_level(logging.WARNING, logger="kb.build.watch")
    assert kb.build.watch.attempt(settings) is False
    assert "re-index skipped: no page could be indexed" in caplog.text
    assert "retrying on the next change" in caplog.text
    for page, raw in pages.items():
        page.write_bytes(raw)
    assert kb.build.watch.attempt(settings) is True
