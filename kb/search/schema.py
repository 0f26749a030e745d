"""The Whoosh schema and the document each page or glossary term becomes."""

from __future__ import annotations

from datetime import date
from typing import Any

from whoosh import fields

from kb.pages import Page
from kb.search.analysis import DEFAULT_ANALYSIS, LangText, LanguageAnalyzer
from kb.urls import term_url

# Bump when the schema or what goes into it changes, or the page store's tables (6: term_pages):
# an index of another version is rebuilt in full.
SCHEMA_VERSION = 6
_EPOCH = date(1970, 1, 1)


def build_schema() -> fields.Schema:
    """Return the schema: text fields (weighted at query time), stored metadata, facet keys.

    `words` holds every prose word unstemmed, without positions: the vocabulary typo correction
    and `prefix*` expansion walk. Field weights live in the query, not here, so they can be tuned
    without a rebuild.
    """
    prose = LanguageAnalyzer(stem=True)
    exact = LanguageAnalyzer(stem=False)
    return fields.Schema(
        url=fields.ID(stored=True, unique=True),
        kind=fields.ID(stored=True),
        lang=fields.ID(stored=True),
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
    """Return the Whoosh document for a page, its text analyzed by the page's language."""
    headings = "\n".join(h.text for h in page.headings)
    lang = page.lang or DEFAULT_ANALYSIS
    document: dict[str, Any] = {
        "url": page.url,
        "kind": "page",
        "lang": lang,
        "path": page.path,
        "title": LangText(page.title, lang),
        "_stored_title": page.title,
        "title_exact": LangText(page.title, lang),
        "headings": LangText(headings, lang),
        "description": LangText(page.description, lang),
        "_stored_description": page.description,
        "body": LangText(page.text, lang),
        "code": page.code,
        "words": LangText("\n".join((page.title, headings, page.description, page.text)), lang),
        "section": page.section,
    }
    if page.validated_on:
        document["validated_days"] = (date.fromisoformat(page.validated_on) - _EPOCH).days
    return document


def term_document(
    slug: str, term: str, definition: str, aliases: list[str], lang: str = DEFAULT_ANALYSIS
) -> dict[str, Any]:
    """Return the Whoosh document for a glossary term of one language's glossary."""
    return {
        "url": term_url(slug, lang),
        "kind": "term",
        "lang": lang,
        "path": "",
        "title": LangText(term, lang),
        "_stored_title": term,
        "title_exact": LangText(" ".join([term, *aliases]), lang),
        "headings": LangText(" ".join(aliases), lang),
        "description": LangText(definition, lang),
        "_stored_description": definition,
        "body": LangText(definition, lang),
        "words": LangText(" ".join([term, *aliases, definition]), lang),
        "section": "glossary",
    }
