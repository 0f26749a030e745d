"""The Whoosh schema and the document each page or glossary term becomes."""

from __future__ import annotations

from datetime import date
from typing import Any

from whoosh import fields

from kb.pages import Page
from kb.search.analysis import exact_analyzer, text_analyzer
from kb.urls import term_url

# Bump when the schema or what goes into it changes: an index of another version is rebuilt in full.
SCHEMA_VERSION = 4
_EPOCH = date(1970, 1, 1)


def build_schema(language: str = "en") -> fields.Schema:
    """Return the schema: text fields (weighted at query time), stored metadata, facet keys.

    `words` holds every prose word unstemmed, without positions: the vocabulary typo correction
    and `prefix*` expansion walk. Field weights live in the query, not here, so they can be tuned
    without a rebuild.
    """
    prose = text_analyzer(language)
    exact = exact_analyzer()
    return fields.Schema(
        url=fields.ID(stored=True, unique=True),
        kind=fields.ID(stored=True),
        path=fields.ID(stored=True),
        title=fields.TEXT(stored=True, analyzer=prose),
        title_exact=fields.TEXT(analyzer=exact),
        headings=fields.TEXT(analyzer=prose),
        description=fields.TEXT(stored=True, analyzer=prose),
        body=fields.TEXT(analyzer=prose),
        code=fields.TEXT(analyzer=exact),
        words=fields.TEXT(analyzer=exact, phrase=False),
        section=fields.ID(stored=True),
        validated_days=fields.NUMERIC(stored=True, signed=True),
    )


def page_document(page: Page) -> dict[str, Any]:
    """Return the Whoosh document for a page."""
    headings = "\n".join(h.text for h in page.headings)
    document: dict[str, Any] = {
        "url": page.url,
        "kind": "page",
        "path": page.path,
        "title": page.title,
        "title_exact": page.title,
        "headings": headings,
        "description": page.description,
        "body": page.text,
        "code": page.code,
        "words": "\n".join((page.title, headings, page.description, page.text)),
        "section": page.section,
    }
    if page.validated_on:
        document["validated_days"] = (date.fromisoformat(page.validated_on) - _EPOCH).days
    return document


def term_document(slug: str, term: str, definition: str, aliases: list[str]) -> dict[str, Any]:
    """Return the Whoosh document for a glossary term."""
    return {
        "url": term_url(slug),
        "kind": "term",
        "path": "",
        "title": term,
        "title_exact": " ".join([term, *aliases]),
        "headings": " ".join(aliases),
        "description": definition,
        "body": definition,
        "words": " ".join([term, *aliases, definition]),
        "section": "glossary",
    }
