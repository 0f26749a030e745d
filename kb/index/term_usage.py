"""The glossary's term usage in a page store: a row per term with its pages and their sums.

A row per term, so a reader loads one term's pages, never every term's (tens of MB at scale);
the sums let listings show counts without reading the pages.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

TERM_USAGE_TABLE = """CREATE TABLE IF NOT EXISTS term_pages (
    slug TEXT PRIMARY KEY, pages INTEGER, tooltips INTEGER, mentions INTEGER, rows TEXT
);"""
USAGE_LIST = "slug, pages, tooltips, mentions, rows"


class TermUsage:
    """The term_pages table's reads and writes, for a store that lends connections."""

    def _connection(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """Lend a connection to the store (the store defines it)."""
        raise NotImplementedError

    def put_term_pages(self, usage: Mapping[str, list[dict[str, Any]]]) -> None:
        """Replace every glossary term's pages (url, title, tooltips, mentions) and their sums.

        A row per term, so a reader loads one term's pages, never every term's (tens of MB at
        scale); the sums let listings show counts without reading the pages.
        """
        with self._connection() as conn:
            conn.execute("DELETE FROM main.term_pages")
            conn.executemany(
                f"INSERT INTO main.term_pages ({USAGE_LIST}) VALUES (?, ?, ?, ?, ?)",
                _usage_rows(usage),
            )

    def update_term_pages(self, changed: Mapping[str, list[dict[str, Any]]]) -> None:
        """Replace some terms' pages and sums, the other terms' rows kept; a term whose list is
        empty is no longer used and loses its row (an incremental run touches a few terms)."""
        with self._connection() as conn:
            conn.executemany(
                "DELETE FROM main.term_pages WHERE slug = ?", [(slug,) for slug in changed]
            )
            conn.executemany(
                f"INSERT INTO main.term_pages ({USAGE_LIST}) VALUES (?, ?, ?, ?, ?)",
                _usage_rows({slug: pages for slug, pages in changed.items() if pages}),
            )

    def term_counts(self) -> dict[str, tuple[int, int, int]]:
        """Return each used term's (pages, tooltips, mentions), by slug."""
        with self._connection() as conn:
            if not has_table(conn, "main", "term_pages"):  # a store older than the table
                return {}
            rows = conn.execute("SELECT slug, pages, tooltips, mentions FROM main.term_pages")
            return {r[0]: (int(r[1]), int(r[2]), int(r[3])) for r in rows}

    def term_pages(self, slug: str) -> list[dict[str, Any]]:
        """Return the pages using one term, most uses first (empty for an unused term)."""
        with self._connection() as conn:
            if not has_table(conn, "main", "term_pages"):
                return []
            row = conn.execute("SELECT rows FROM main.term_pages WHERE slug = ?", (slug,))
            found = row.fetchone()
        return list(json.loads(found[0])) if found else []


def _usage_rows(
    usage: Mapping[str, list[dict[str, Any]]],
) -> list[tuple[str, int, int, int, str]]:
    """Return the term_pages rows of some terms: slug, page count, tooltip and mention sums, pages."""
    return [
        (
            slug,
            len(pages),
            sum(int(p.get("tooltips", 0)) for p in pages),
            sum(int(p.get("mentions", 0)) for p in pages),
            json.dumps(pages),
        )
        for slug, pages in usage.items()
    ]


def has_table(conn: sqlite3.Connection, schema: str, table: str) -> bool:
    """Tell whether a database attached to a connection has a table (old stores lack some)."""
    sql = f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?"
    return conn.execute(sql, (table,)).fetchone() is not None
