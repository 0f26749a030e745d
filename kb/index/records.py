"""A page record's columns in the page store: which there are, and how a row's cells are
encoded and decoded (JSON columns as JSON text)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from kb.pages import Page

LIGHT_COLUMNS = (
    "url", "path", "title", "title_source", "description", "section", "validated_on",
    "validated_raw", "validation_problem", "content_hash", "body_line", "lang",
)  # fmt: skip
JSON_COLUMNS = ("headings", "sections", "links", "tooltips", "problems", "meta", "deps", "facts")
TEXT_COLUMNS = ("html", "text", "code")
ALL_COLUMNS = (*LIGHT_COLUMNS, *JSON_COLUMNS, *TEXT_COLUMNS)
COLUMN_LIST = ", ".join(ALL_COLUMNS)


def page_row(page: Page, deps: dict[str, str], facts: dict[str, Any] | None) -> list[Any]:
    """Return a page record's cells in ALL_COLUMNS order, with the includes it read and facts."""
    data = page.to_dict()
    row = [data[c] for c in LIGHT_COLUMNS]
    row += [json.dumps(data[c]) for c in JSON_COLUMNS[:-2]]
    row += [json.dumps(deps), json.dumps(facts or {})]
    row += [data[c] for c in TEXT_COLUMNS]
    return row


def loads_cell(text: str) -> Any:
    """Decode a JSON cell; the empty ones most pages hold ({} deps, [] links) without the parser."""
    if text == "{}":
        return {}
    if text == "[]":
        return []
    return json.loads(text)


def decoded(row: sqlite3.Row, column: str) -> Any:
    """Return a column of a row, JSON columns decoded."""
    value = row[column]
    return loads_cell(value) if column in JSON_COLUMNS and value is not None else value


def page_from_row(row: sqlite3.Row) -> Page:
    """Rebuild a Page from a full row."""
    data: dict[str, Any] = {c: row[c] for c in (*LIGHT_COLUMNS, *TEXT_COLUMNS)}
    for column in JSON_COLUMNS[:-2]:
        data[column] = loads_cell(row[column])
    data["body_line"] = int(data["body_line"] or 1)
    data["lang"] = data["lang"] or ""
    return Page.from_dict(data)
