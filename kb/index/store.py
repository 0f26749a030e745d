"""The page store of a generation: one SQLite file with every page record and generation-wide data."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kb.pages import Page

STORE_FILE = "pages.sqlite"
_LIGHT_COLUMNS = (
    "url", "path", "title", "title_source", "description", "section", "validated_on",
    "validated_raw", "validation_problem", "content_hash", "body_line",
)  # fmt: skip
_JSON_COLUMNS = ("headings", "sections", "links", "tooltips", "problems", "meta", "deps", "facts")
_TEXT_COLUMNS = ("html", "text", "code")
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS pages (
    {", ".join(f"{c} TEXT" for c in (*_LIGHT_COLUMNS, *_JSON_COLUMNS, *_TEXT_COLUMNS))},
    PRIMARY KEY (url)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


class PageStore:
    """Read and write the page records of one generation."""

    def __init__(self, folder: Path, *, writable: bool = False) -> None:
        """Open the store in a generation folder (read-only unless writable)."""
        self.path = folder / STORE_FILE
        self.writable = writable
        self._local = threading.local()
        if writable:
            with self._connect() as conn:
                conn.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        """Return this thread's connection; a read-only store is immutable once switched in."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self.writable:
                conn = sqlite3.connect(self.path)
                conn.execute("PRAGMA journal_mode=OFF")
                conn.execute("PRAGMA synchronous=OFF")
            else:
                conn = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def put(self, page: Page, deps: dict[str, str], facts: dict[str, Any] | None = None) -> None:
        """Insert or replace a page record with the includes it read and derived facts."""
        data = page.to_dict()
        row = [data[c] for c in _LIGHT_COLUMNS]
        row += [json.dumps(data[c]) for c in _JSON_COLUMNS[:-2]]
        row += [json.dumps(deps), json.dumps(facts or {})]
        row += [data[c] for c in _TEXT_COLUMNS]
        columns = (*_LIGHT_COLUMNS, *_JSON_COLUMNS, *_TEXT_COLUMNS)
        self._connect().execute(
            f"INSERT OR REPLACE INTO pages ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})",
            row,
        )

    def set_facts(self, url: str, facts: dict[str, Any]) -> None:
        """Replace the derived facts (checks, mentions) of one page."""
        self._connect().execute(
            "UPDATE pages SET facts = ? WHERE url = ?", (json.dumps(facts), url)
        )

    def delete(self, url: str) -> None:
        """Remove a page record."""
        self._connect().execute("DELETE FROM pages WHERE url = ?", (url,))

    def commit(self) -> None:
        """Make the writes durable."""
        self._connect().commit()

    def get(self, url: str) -> Page | None:
        """Return the full page at a URL, or None."""
        row = self._connect().execute("SELECT * FROM pages WHERE url = ?", (url,)).fetchone()
        return None if row is None else _page_from_row(row)

    def html(self, url: str) -> str | None:
        """Return only the rendered HTML of a page."""
        row = self._connect().execute("SELECT html FROM pages WHERE url = ?", (url,)).fetchone()
        return None if row is None else str(row["html"])

    def rows(self, columns: Iterable[str] = _LIGHT_COLUMNS) -> Iterator[dict[str, Any]]:
        """Yield chosen columns of every page in URL order, JSON columns decoded."""
        wanted = [c for c in columns if c in (*_LIGHT_COLUMNS, *_JSON_COLUMNS, *_TEXT_COLUMNS)]
        cursor = self._connect().execute(f"SELECT {', '.join(wanted)} FROM pages ORDER BY url")
        for row in cursor:
            yield {
                c: (json.loads(row[c]) if c in _JSON_COLUMNS and row[c] is not None else row[c])
                for c in wanted
            }

    def urls(self) -> list[str]:
        """Return every page URL."""
        return [r[0] for r in self._connect().execute("SELECT url FROM pages ORDER BY url")]

    def count(self) -> int:
        """Return how many pages the store holds."""
        return int(self._connect().execute("SELECT COUNT(*) FROM pages").fetchone()[0])

    def put_meta(self, key: str, value: Any) -> None:
        """Store a generation-wide JSON value (glossary, findings, summary)."""
        self._connect().execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value))
        )

    def get_meta(self, key: str, default: Any = None) -> Any:
        """Return a generation-wide JSON value."""
        row = self._connect().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])


def _page_from_row(row: sqlite3.Row) -> Page:
    """Rebuild a Page from a full row."""
    data: dict[str, Any] = {c: row[c] for c in (*_LIGHT_COLUMNS, *_TEXT_COLUMNS)}
    for column in _JSON_COLUMNS[:-2]:
        data[column] = json.loads(row[column])
    data["body_line"] = int(data["body_line"] or 1)
    return Page.from_dict(data)
