"""The search log: settled searches kept in an SQLite file in the server's state folder.

A row holds the normalized query, whether the reader typed a capital letter, the result count,
the day (UTC; no finer time) and the top-5 page URLs. Nothing about the reader is stored: no IP,
no user agent, no cookie, no session. Requests only append to an in-process queue; a background
thread writes the queue in one short transaction per batch, so a search never waits for the disk
and several workers (processes) share the file through WAL with a busy timeout. `close()` writes
whatever is still queued, so a normal shutdown loses no row.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

LOG_FILE = "search-log.sqlite3"
TOP_HITS = 5  # the result ranks that count as demand for a page
MAX_QUERY_CHARS = 200  # longer queries are pasted text, not demand worth keeping whole
FLUSH_SECONDS = 1.0
BATCH_ROWS = 500
MAX_PENDING = 100_000  # rows queued while the disk is unavailable; past this the oldest drop
BUSY_TIMEOUT_MS = 5000
# How long closing keeps retrying a batch another writer kept out (a worker exiting under load).
CLOSE_RETRY_SECONDS = 10.0

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,
    query TEXT NOT NULL,
    capitalised INTEGER NOT NULL,
    results INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS searches_day ON searches (day, query);
CREATE TABLE IF NOT EXISTS top_hits (
    search_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    url TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS top_hits_day ON top_hits (day, url);
CREATE INDEX IF NOT EXISTS top_hits_search ON top_hits (search_id);
"""


def normalize_query(raw: str) -> str:
    """Fold a query for counting: Unicode-compatible forms, case folded, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", raw or "").casefold()
    # Control characters come from URLs and pastes, never from what a reader meant.
    kept = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(kept.split())[:MAX_QUERY_CHARS]


def utc_today() -> date:
    """Return today's date in UTC, the only time a logged search keeps."""
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class LoggedSearch:
    """One search as it is stored."""

    day: str
    query: str
    capitalised: bool
    results: int
    top: tuple[str, ...]


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating when needed) a search log file in WAL mode with a busy timeout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.executescript(SCHEMA)
    return conn


class SearchLog:
    """One process's writer and reader of the search log file.

    Nothing is opened until the first search is recorded or the log is read; a process that
    was forked after that (gunicorn with --preload) starts afresh with its own connection.
    Two locks: requests take only the queue lock, for an append; the database lock is held by
    whoever writes or reads the file, so a slow disk or another worker's transaction never
    holds up a search.
    """

    def __init__(
        self,
        path: Path,
        *,
        retention_days: int,
        max_rows: int,
        flush_seconds: float = FLUSH_SECONDS,
        clock: Callable[[], date] = utc_today,
    ) -> None:
        self.path = path
        self.retention_days = max(1, retention_days)
        self.max_rows = max(1, max_rows)
        self.flush_seconds = flush_seconds
        self.clock = clock
        self.dropped = 0
        self._queue_lock = threading.Lock()
        self._db_lock = threading.Lock()
        self._wake = threading.Event()
        self._pending: deque[LoggedSearch] = deque()
        self._conn: sqlite3.Connection | None = None
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._closed = False
        self._memo: dict[Any, tuple[float, Any]] = {}

    def record(self, query: str, results: int, top: Sequence[str] = ()) -> None:
        """Queue one search; it is written within flush_seconds (never on the caller's time)."""
        folded = normalize_query(query)
        if not folded or self._closed:
            return
        entry = LoggedSearch(
            day=self.clock().isoformat(),
            query=folded,
            capitalised=any(ch.isupper() for ch in query),
            results=max(0, int(results)),
            top=tuple(dict.fromkeys(top))[:TOP_HITS],
        )
        with self._queue_lock:
            self._after_fork()
            if len(self._pending) >= MAX_PENDING:
                self._pending.popleft()
                self.dropped += 1
            self._pending.append(entry)
            full = len(self._pending) >= BATCH_ROWS
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kb-search-log", daemon=True)
                self._thread.start()
        if full:
            self._wake.set()

    def flush(self) -> int:
        """Write every queued search now; return how many were written."""
        with self._db_lock:
            return self._write_pending()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """Hold the connection for a report, this process's queue written first."""
        with self._db_lock:
            self._write_pending()
            yield self._connection()

    def remember(self, key: Any, seconds: float, compute: Callable[[], Any]) -> Any:
        """Return a report figure computed at most once every `seconds` in this process.

        Demand per page sums every top-5 hit in the window; recomputing it on each stale report
        request would cost more than the report itself.
        """
        now = time.monotonic()
        found = self._memo.get(key)
        if found is not None and now - found[0] < seconds:
            return found[1]
        value = compute()
        self._memo = {k: v for k, v in self._memo.items() if now - v[0] < seconds}
        self._memo[key] = (now, value)
        return value

    def close(self) -> None:
        """Stop the writer, write what is queued and close the file (safe to call twice)."""
        self._closed = True
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread() and self._is_ours():
            thread.join(timeout=10)
        with self._db_lock:
            self._drain()
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _drain(self) -> None:
        """Write what is queued before closing, retrying a while if another writer holds the
        file (database lock held): closing must not drop the searches a retry would keep."""
        deadline = time.monotonic() + CLOSE_RETRY_SECONDS
        while True:
            self._write_pending()
            with self._queue_lock:
                left = len(self._pending)
            if not left:
                return
            if time.monotonic() >= deadline:
                log.error("search log %s: %d searches could not be written", self.path, left)
                return
            if self._conn is not None:  # a connection that failed half-way is opened afresh
                self._conn.close()
                self._conn = None
            time.sleep(0.05)

    def _is_ours(self) -> bool:
        """Tell whether this object was set up in this process (not inherited through fork)."""
        return self._pid == os.getpid()

    def _after_fork(self) -> None:
        """Forget a queue, connection and writer inherited from the parent (queue lock held)."""
        if not self._is_ours():
            self._pid = os.getpid()
            self._conn = None
            self._thread = None
            self._pending.clear()

    def _connection(self) -> sqlite3.Connection:
        """Return the open connection, opening the file on first use (database lock held)."""
        if self._conn is None or not self._is_ours():
            self._conn = connect(self.path)
        return self._conn

    def _take_pending(self) -> list[LoggedSearch]:
        """Take everything queued."""
        with self._queue_lock:
            self._after_fork()
            batch = list(self._pending)
            self._pending.clear()
            return batch

    def _write_pending(self) -> int:
        """Write the queue in one transaction, then prune; requeue it if the disk refuses.

        Called with the database lock held.
        """
        batch = self._take_pending()
        if not batch:
            return 0
        try:
            conn = self._connection()
            write_batch(conn, batch)
        except sqlite3.Error as exc:
            log.warning("search log %s: %s; %d searches kept queued", self.path, exc, len(batch))
            with self._queue_lock:
                self._pending.extendleft(reversed(batch))
            return 0
        try:
            prune(conn, self.clock() - timedelta(days=self.retention_days), self.max_rows)
        except sqlite3.Error as exc:  # the rows are in; pruning is retried with the next batch
            log.warning("search log %s: pruning failed: %s", self.path, exc)
        return len(batch)

    def _run(self) -> None:
        """Write the queue every flush_seconds, or sooner when a batch fills, until closed."""
        while not self._closed and self._is_ours():
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            if self._closed or not self._is_ours():
                return
            self.flush()


def write_batch(conn: sqlite3.Connection, batch: Sequence[LoggedSearch]) -> None:
    """Insert searches and their top hits in one short transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for entry in batch:
            cursor = conn.execute(
                "INSERT INTO searches (day, query, capitalised, results) VALUES (?, ?, ?, ?)",
                (entry.day, entry.query, int(entry.capitalised), entry.results),
            )
            conn.executemany(
                "INSERT INTO top_hits (search_id, day, url) VALUES (?, ?, ?)",
                [(cursor.lastrowid, entry.day, url) for url in entry.top],
            )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def prune(conn: sqlite3.Connection, before: date, max_rows: int) -> None:
    """Delete searches logged before a day, and the oldest past max_rows, with their hits."""
    cutoff = before.isoformat()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("DELETE FROM searches WHERE day < ?", (cutoff,))
        conn.execute("DELETE FROM top_hits WHERE day < ?", (cutoff,))
        # Ids grow by one per row, so the newest max_rows ids hold at most max_rows searches.
        (newest,) = conn.execute("SELECT max(id) FROM searches").fetchone()
        if newest is not None and newest > max_rows:
            oldest_kept = newest - max_rows + 1
            conn.execute("DELETE FROM searches WHERE id < ?", (oldest_kept,))
            conn.execute("DELETE FROM top_hits WHERE search_id < ?", (oldest_kept,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
