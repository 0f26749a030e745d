"""The page store of a generation: one SQLite file with every page record and generation-wide data."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kb.index.pool import HandlePool
from kb.pages import Page

STORE_FILE = "pages.sqlite"
_LIGHT_COLUMNS = (
    "url", "path", "title", "title_source", "description", "section", "validated_on",
    "validated_raw", "validation_problem", "content_hash", "body_line", "lang",
)  # fmt: skip
_JSON_COLUMNS = ("headings", "sections", "links", "tooltips", "problems", "meta", "deps", "facts")
_TEXT_COLUMNS = ("html", "text", "code")
_ALL_COLUMNS = (*_LIGHT_COLUMNS, *_JSON_COLUMNS, *_TEXT_COLUMNS)
IDLE = 8  # pooled connections kept per generation (about one per concurrent request)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS pages (
    {", ".join(f"{c} TEXT" for c in (*_LIGHT_COLUMNS, *_JSON_COLUMNS, *_TEXT_COLUMNS))},
    PRIMARY KEY (url)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


class PageStore:
    """Read and write the page records of one generation.

    A writable store (a build) has one connection; a read-only store (a served generation,
    immutable once switched in) lends pooled connections, so any thread may read and closing
    the store closes them all.
    """

    def __init__(self, folder: Path, *, writable: bool = False) -> None:
        """Open the store in a generation folder (read-only unless writable)."""
        self.path = folder / STORE_FILE
        self.writable = writable
        self._writer: sqlite3.Connection | None = None
        self._pool = HandlePool(f"the page store of {folder.name}", self._open, _close, IDLE)
        if writable:
            self._writer = sqlite3.connect(self.path, check_same_thread=False)
            self._writer.execute("PRAGMA journal_mode=OFF")
            self._writer.execute("PRAGMA synchronous=OFF")
            self._writer.row_factory = sqlite3.Row
            self._writer.executescript(_SCHEMA)

    def _open(self) -> sqlite3.Connection:
        """Open one read-only connection (immutable: SQLite skips every lock and change check)."""
        conn = sqlite3.connect(
            f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        conn.row_factory = sqlite3.Row
        return conn

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
        data = page.to_dict()
        row = [data[c] for c in _LIGHT_COLUMNS]
        row += [json.dumps(data[c]) for c in _JSON_COLUMNS[:-2]]
        row += [json.dumps(deps), json.dumps(facts or {})]
        row += [data[c] for c in _TEXT_COLUMNS]
        self._execute(
            f"INSERT OR REPLACE INTO pages ({', '.join(_ALL_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_ALL_COLUMNS))})",
            row,
        )

    def set_facts(self, url: str, facts: dict[str, Any]) -> None:
        """Replace the derived facts (checks, mentions) of one page."""
        self._execute("UPDATE pages SET facts = ? WHERE url = ?", (json.dumps(facts), url))

    def delete(self, url: str) -> None:
        """Remove a page record."""
        self._execute("DELETE FROM pages WHERE url = ?", (url,))

    def commit(self) -> None:
        """Make the writes durable."""
        if self._writer is not None:
            self._writer.commit()

    def get(self, url: str) -> Page | None:
        """Return the full page at a URL, or None."""
        rows = self._execute("SELECT * FROM pages WHERE url = ?", (url,))
        return _page_from_row(rows[0]) if rows else None

    def html(self, url: str) -> str | None:
        """Return only the rendered HTML of a page."""
        rows = self._execute("SELECT html FROM pages WHERE url = ?", (url,))
        return str(rows[0]["html"]) if rows else None

    def rows(self, columns: Iterable[str] = _LIGHT_COLUMNS) -> Iterator[dict[str, Any]]:
        """Yield chosen columns of every page in URL order, JSON columns decoded."""
        wanted = [c for c in columns if c in _ALL_COLUMNS]
        with self._connection() as conn:
            cursor = conn.execute(f"SELECT {', '.join(wanted)} FROM pages ORDER BY url")
            for row in cursor:
                yield {c: _decoded(row, c) for c in wanted}

    def column_of(self, urls: Collection[str], column: str) -> dict[str, Any]:
        """Return one column of some pages (JSON decoded), by URL; unknown URLs are left out."""
        if column not in _ALL_COLUMNS or not urls:
            return {}
        marks = ", ".join("?" * len(urls))
        rows = self._execute(f"SELECT url, {column} FROM pages WHERE url IN ({marks})", list(urls))
        return {row["url"]: _decoded(row, column) for row in rows}

    def urls(self) -> list[str]:
        """Return every page URL."""
        return [r[0] for r in self._execute("SELECT url FROM pages ORDER BY url")]

    def count(self) -> int:
        """Return how many pages the store holds."""
        return int(self._execute("SELECT COUNT(*) FROM pages")[0][0])

    def put_meta(self, key: str, value: Any) -> None:
        """Store a generation-wide JSON value (glossary, findings, summary)."""
        self._execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value))
        )

    def get_meta(self, key: str, default: Any = None) -> Any:
        """Return a generation-wide JSON value."""
        rows = self._execute("SELECT value FROM meta WHERE key = ?", (key,))
        return json.loads(rows[0][0]) if rows else default


def _close(conn: sqlite3.Connection) -> None:
    """Close one connection."""
    conn.close()


def _decoded(row: sqlite3.Row, column: str) -> Any:
    """Return a column of a row, JSON columns decoded."""
    value = row[column]
    return json.loads(value) if column in _JSON_COLUMNS and value is not None else value


def _page_from_row(row: sqlite3.Row) -> Page:
    """Rebuild a Page from a full row."""
    data: dict[str, Any] = {c: row[c] for c in (*_LIGHT_COLUMNS, *_TEXT_COLUMNS)}
    for column in _JSON_COLUMNS[:-2]:
        data[column] = json.loads(row[column])
    data["body_line"] = int(data["body_line"] or 1)
    data["lang"] = data["lang"] or ""
    return Page.from_dict(data)
