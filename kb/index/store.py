"""The page store of a generation: page records and generation-wide data in SQLite.

A full build writes one file (STORE_FILE) with every record. An incremental build does not copy
it: the new generation's STORE_FILE holds only the rows written since the last full store (and
the URLs removed since), and BASE_FILE is a hard link to that full store, opened read-only and
never written. Readers see the union, the newer rows winning and removed ones gone. Old
generations can be deleted freely: a base lives on as long as one generation links it.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kb.index.pool import HandlePool
from kb.index.records import (
    ALL_COLUMNS,
    COLUMN_LIST,
    JSON_COLUMNS,
    LIGHT_COLUMNS,
    TEXT_COLUMNS,
    decoded,
    loads_cell,
    page_from_row,
    page_row,
)
from kb.index.term_usage import TERM_USAGE_TABLE, USAGE_LIST, TermUsage, has_table
from kb.pages import Page

STORE_FILE = "pages.sqlite"
BASE_FILE = "pages-base.sqlite"  # the full store an incremental generation's rows overlay
_BATCH = 500  # URLs per query: SQLite caps a statement's parameters
IDLE = 8  # pooled connections kept per generation (about one per concurrent request)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS pages (
    {", ".join(f"{c} TEXT" for c in (*LIGHT_COLUMNS, *JSON_COLUMNS, *TEXT_COLUMNS))},
    PRIMARY KEY (url)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS removed (url TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS sources (url TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, sha256 TEXT);
{TERM_USAGE_TABLE}
"""
_SOURCE_LIST = "url, size, mtime_ns, sha256"
# Every page: this generation's rows, then the base's that were neither rewritten nor removed.
_UNION_VIEW = f"""
CREATE TEMP VIEW every_page AS
SELECT {COLUMN_LIST} FROM main.pages
UNION ALL
SELECT {COLUMN_LIST} FROM base.pages
WHERE url NOT IN (SELECT url FROM main.pages) AND url NOT IN (SELECT url FROM main.removed)
"""


class PageStore(TermUsage):
    """Read and write the page records of one generation.

    A writable store (a build) has one connection; a read-only store (a served generation,
    immutable once switched in) lends pooled connections, so any thread may read and closing
    the store closes them all.
    """

    def __init__(self, folder: Path, *, writable: bool = False) -> None:
        """Open the store in a generation folder (read-only unless writable)."""
        self.path = folder / STORE_FILE
        base = folder / BASE_FILE
        self.base = base if base.exists() else None
        self.table = "pages" if self.base is None else "every_page"
        self.writable = writable
        self._writer: sqlite3.Connection | None = None
        self._pool = HandlePool(f"the page store of {folder.name}", self._open, _close, IDLE)
        if writable:
            self._writer = sqlite3.connect(self.path, check_same_thread=False)
            self._writer.execute("PRAGMA journal_mode=OFF")
            self._writer.execute("PRAGMA synchronous=OFF")
            self._writer.row_factory = sqlite3.Row
            self._writer.executescript(_SCHEMA)
            self._overlay(self._writer)

    def _open(self) -> sqlite3.Connection:
        """Open one read-only connection (immutable: SQLite skips every lock and change check)."""
        conn = sqlite3.connect(_read_only_uri(self.path), uri=True, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        self._overlay(conn)
        return conn

    def _overlay(self, conn: sqlite3.Connection) -> None:
        """Attach the base store read-only and define the union of its rows with this one's."""
        if self.base is None:
            return
        conn.execute("ATTACH DATABASE ? AS base", (_read_only_uri(self.base),))
        conn.execute(_UNION_VIEW)

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """Lend the writer's connection, or a pooled read-only one."""
        if self._writer is not None:
            yield self._writer
            return
        with self._pool.lend() as conn:
            yield conn

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run one statement and return every row it gives."""
        with self._connection() as conn:
            return conn.execute(sql, params).fetchall()

    def close(self) -> None:
        """Close every connection (a lent one as soon as it comes back)."""
        self._pool.close()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def put(self, page: Page, deps: dict[str, str], facts: dict[str, Any] | None = None) -> None:
        """Insert or replace a page record with the includes it read and derived facts."""
        row = page_row(page, deps, facts)
        self._execute(
            f"INSERT OR REPLACE INTO main.pages ({COLUMN_LIST}) "
            f"VALUES ({', '.join('?' * len(ALL_COLUMNS))})",
            row,
        )
        if self.base is not None:
            self._execute("DELETE FROM main.removed WHERE url = ?", (page.url,))

    def set_facts(self, url: str, facts: dict[str, Any]) -> None:
        """Replace the derived facts (checks, mentions) of one page."""
        if self.base is not None:  # a base row is copied over before it changes
            self._execute(
                f"INSERT OR IGNORE INTO main.pages ({COLUMN_LIST}) "
                f"SELECT {COLUMN_LIST} FROM every_page WHERE url = ?",
                (url,),
            )
        self._execute("UPDATE main.pages SET facts = ? WHERE url = ?", (json.dumps(facts), url))

    def delete(self, url: str) -> None:
        """Remove a page record."""
        self._execute("DELETE FROM main.pages WHERE url = ?", (url,))
        self._execute("DELETE FROM main.sources WHERE url = ?", (url,))
        if self.base is not None:
            self._execute("INSERT OR IGNORE INTO main.removed (url) VALUES (?)", (url,))

    def commit(self) -> None:
        """Make the writes durable."""
        if self._writer is not None:
            self._writer.commit()

    def get(self, url: str) -> Page | None:
        """Return the full page at a URL, or None."""
        rows = self._execute(f"SELECT {COLUMN_LIST} FROM {self.table} WHERE url = ?", (url,))
        return page_from_row(rows[0]) if rows else None

    def html(self, url: str) -> str | None:
        """Return only the rendered HTML of a page."""
        rows = self._execute(f"SELECT html FROM {self.table} WHERE url = ?", (url,))
        return str(rows[0]["html"]) if rows else None

    def rows(self, columns: Iterable[str] = LIGHT_COLUMNS) -> Iterator[dict[str, Any]]:
        """Yield chosen columns of every page in URL order, JSON columns decoded."""
        wanted = [c for c in columns if c in ALL_COLUMNS]
        decode = [(c, c in JSON_COLUMNS) for c in wanted]  # once, not per cell: every row passes
        with self._connection() as conn:
            cursor = conn.execute(f"SELECT {', '.join(wanted)} FROM {self.table} ORDER BY url")
            for row in cursor:
                yield {
                    c: loads_cell(v) if is_json and v is not None else v
                    for (c, is_json), v in zip(decode, row, strict=True)
                }

    def rows_of(self, urls: Collection[str], columns: Iterable[str]) -> list[dict[str, Any]]:
        """Return chosen columns of some pages in URL order (JSON decoded); unknown URLs left out."""
        wanted = [c for c in columns if c in ALL_COLUMNS]
        if not wanted:
            return []
        rows = self._some(urls, f"SELECT {', '.join(wanted)} FROM {self.table} WHERE url IN")
        found = [{c: decoded(row, c) for c in wanted} for row in rows]
        return sorted(found, key=lambda r: str(r["url"])) if "url" in wanted else found

    def _some(self, urls: Collection[str], select: str) -> list[sqlite3.Row]:
        """Run "select (?, ...)" over the URLs in batches (SQLite caps the parameters of a query)."""
        keys = list(urls)
        found: list[sqlite3.Row] = []
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            found += self._execute(f"{select} ({', '.join('?' * len(batch))})", batch)
        return found

    def column_of(self, urls: Collection[str], column: str) -> dict[str, Any]:
        """Return one column of some pages (JSON decoded), by URL; unknown URLs are left out."""
        if column not in ALL_COLUMNS or not urls:
            return {}
        rows = self._some(urls, f"SELECT url, {column} FROM {self.table} WHERE url IN")
        return {row["url"]: decoded(row, column) for row in rows}

    def urls(self) -> list[str]:
        """Return every page URL."""
        return [r[0] for r in self._execute(f"SELECT url FROM {self.table} ORDER BY url")]

    def count(self) -> int:
        """Return how many pages the store holds."""
        if self.base is None:
            return int(self._execute("SELECT COUNT(*) FROM pages")[0][0])
        # Counted arm by arm: counting the view would read every column of every row.
        rows = self._execute(
            "SELECT (SELECT COUNT(*) FROM main.pages) + (SELECT COUNT(*) FROM base.pages WHERE "
            "url NOT IN (SELECT url FROM main.pages) AND url NOT IN (SELECT url FROM main.removed))"
        )
        return int(rows[0][0])

    def put_meta(self, key: str, value: Any) -> None:
        """Store a generation-wide JSON value (glossary, findings, summary)."""
        self._execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value))
        )

    def source_stats(self) -> dict[str, tuple[int, int, str]]:
        """Return each page source's recorded (size, mtime_ns, sha256), by URL."""
        rows = self._execute("SELECT url, size, mtime_ns, sha256 FROM main.sources")
        return {row[0]: (int(row[1]), int(row[2]), str(row[3])) for row in rows}

    def put_source_stats(self, stats: Iterable[tuple[str, int, int, str]]) -> None:
        """Record (url, size, mtime_ns, sha256) of page sources whose bytes were hashed."""
        with self._connection() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO main.sources (url, size, mtime_ns, sha256) "
                "VALUES (?, ?, ?, ?)",
                stats,
            )

    def carry_over(self) -> None:
        """Copy the base's generation-wide data and source stats into this new, empty delta."""
        assert self._writer is not None and self.base is not None
        self._writer.execute("INSERT INTO main.meta (key, value) SELECT key, value FROM base.meta")
        if has_table(self._writer, "base", "sources"):
            self._writer.execute(
                f"INSERT INTO main.sources SELECT {_SOURCE_LIST} FROM base.sources"
            )
        if has_table(self._writer, "base", "term_pages"):
            self._writer.execute(
                f"INSERT INTO main.term_pages SELECT {USAGE_LIST} FROM base.term_pages"
            )

    def compact_from(self, folder: Path) -> None:
        """Fill this new, empty full store with every row another generation's store shows."""
        assert self._writer is not None and self.base is None
        conn = self._writer
        conn.execute("ATTACH DATABASE ? AS prev", (_read_only_uri(folder / STORE_FILE),))
        conn.execute("ATTACH DATABASE ? AS pbase", (_read_only_uri(folder / BASE_FILE),))
        try:
            conn.execute(
                f"INSERT INTO main.pages ({COLUMN_LIST}) "
                f"SELECT {COLUMN_LIST} FROM prev.pages UNION ALL "
                f"SELECT {COLUMN_LIST} FROM pbase.pages WHERE url NOT IN "
                "(SELECT url FROM prev.pages) AND url NOT IN (SELECT url FROM prev.removed)"
            )
            conn.execute("INSERT INTO main.meta (key, value) SELECT key, value FROM prev.meta")
            conn.execute(f"INSERT INTO main.sources SELECT {_SOURCE_LIST} FROM prev.sources")
            if has_table(conn, "prev", "term_pages"):
                conn.execute(
                    f"INSERT INTO main.term_pages SELECT {USAGE_LIST} FROM prev.term_pages"
                )
            conn.commit()
        finally:
            conn.execute("DETACH DATABASE prev")
            conn.execute("DETACH DATABASE pbase")

    def delta_rows(self) -> int:
        """Return how many rows this store adds over its base (0 for a full store)."""
        if self.base is None:
            return 0
        rows = self._execute(
            "SELECT (SELECT COUNT(*) FROM main.pages) + (SELECT COUNT(*) FROM main.removed)"
        )
        return int(rows[0][0])

    def get_meta(self, key: str, default: Any = None) -> Any:
        """Return a generation-wide JSON value."""
        rows = self._execute("SELECT value FROM meta WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default


def _read_only_uri(path: Path) -> str:
    """Return the URI opening an SQLite file read-only and immutable."""
    return f"file:{quote(str(path))}?mode=ro&immutable=1"


def _close(conn: sqlite3.Connection) -> None:
    """Close one connection."""
    conn.close()
