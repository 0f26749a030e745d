"""Search result records (the /api/search contract) and how a page of hits is assembled."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kb.search.columns import Column
from kb.search.highlight import Highlighter
from kb.search.scorer import Built
from kb.search.searcher import Searcher


@dataclass(frozen=True)
class SearchHit:
    """One result: a page (or glossary term) with its best matching section and a snippet."""

    url: str
    title: str
    section: str
    snippet: str  # HTML: escaped text, only <mark> tags
    heading: str | None  # the best matching section of the page; link to url#anchor
    anchor: str | None
    validated_on: str | None
    status: str | None
    score: float
    kind: str  # "page" | "term"
    lang: str = "en"

    @property
    def link(self) -> str:
        """Return the URL of the best matching section."""
        return f"{self.url}#{self.anchor}" if self.anchor else self.url

    def to_json(self) -> dict[str, Any]:
        """Return the hit as one entry of /api/search results."""
        return {
            "url": self.url,
            "title": self.title,
            "section": self.section,
            "snippet": self.snippet,
            "heading": self.heading,
            "anchor": self.anchor,
            "validated_on": self.validated_on,
            "status": self.status,
            "score": round(self.score, 4),
            "kind": self.kind,
            "lang": self.lang,
        }


SYNTAX_HINT = (
    'Tips: try fewer or other words, "quotes" for an exact phrase, prefix* for word starts, '
    "-word to exclude, title: to search titles, section: to search one section."
)


@dataclass(frozen=True)
class NothingFound:
    """Why a query found nothing and what may help; a results page lays this out as links."""

    query: str
    filtered: bool  # pages matched, but not under the chosen section or status
    suggestion: str | None
    close_terms: tuple[str, ...] = ()

    def sentence(self) -> str:
        """Say it in words (the JSON API's message)."""
        if self.filtered:
            parts = [
                f"No pages match '{self.query}' with the chosen filters; remove one to see more."
            ]
        else:
            parts = [f"No pages match '{self.query}'."]
        if self.suggestion:
            parts.append(f"Did you mean '{self.suggestion}'?")
        if self.close_terms:
            parts.append("Close glossary terms: " + ", ".join(self.close_terms) + ".")
        return " ".join(parts)


@dataclass(frozen=True)
class SearchResults:
    """One page of results with everything the results page shows around them.

    `facets` counts every match, not just this page: section counts honour the status filter and
    status counts honour the section filter, so each count is what choosing it would show.
    `notes` say how the query was read; `hint` says why nothing could be searched for at all;
    `nothing_found` says why a searchable query found nothing.
    """

    query: str
    total: int
    page: int
    limit: int
    hits: list[SearchHit]
    suggestion: str | None = None
    glossary: dict[str, str] | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    hint: str | None = None
    nothing_found: NothingFound | None = None
    expanded: dict[str, list[str]] = field(default_factory=dict)
    lang: str | None = None  # the reader's language: its pages came first

    def reading_notes(self) -> list[str]:
        """Say how the query was read and, when nothing could be searched, why.

        A results page shows these; it lays out the help for a query that found nothing
        (suggestion, close terms, syntax) as links of its own.
        """
        return [*self.notes, *([self.hint] if self.hint else [])]

    @property
    def message(self) -> str | None:
        """Return everything a reader should know about the query, in one text (the API's)."""
        parts = self.reading_notes()
        if self.nothing_found is not None:
            parts.append(self.nothing_found.sentence())
        if self.hint or self.nothing_found is not None:
            parts.append(SYNTAX_HINT)
        return " ".join(dict.fromkeys(parts)) or None

    def to_json(self) -> dict[str, Any]:
        """Return the /api/search response body."""
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "results": [hit.to_json() for hit in self.hits],
            "suggestion": self.suggestion,
            "glossary": self.glossary,
            "facets": self.facets,
            "message": self.message,
            "expanded": self.expanded,
            "lang": self.lang,
        }


def empty_results(
    query: str, page: int, limit: int, notes: list[str], hint: str | None
) -> SearchResults:
    """Return results with no hits and empty facets: nothing in the query could be searched."""
    facets: dict[str, dict[str, int]] = {"section": {}, "status": {}, "lang": {}}
    return SearchResults(query, 0, page, limit, [], facets=facets, notes=tuple(notes), hint=hint)


def build_hits(
    searcher: Searcher,
    window: list[tuple[int, float]],
    built: Built,
    statuses: Column,
    lang: str | None = None,
) -> list[SearchHit]:
    """Build the hits of one results page: best matching section, its snippet, review status.

    Text is matched against the query's terms by the rules of the language they were analyzed in.
    """
    highlighter = Highlighter.for_terms(built.terms, built.weights, lang)
    infos = [(searcher.docs[docnum], docnum, score) for docnum, score in window]
    sections = searcher.page_sections([info.url for info, _, _ in infos if info.kind == "page"])
    hits = []
    for info, docnum, score in infos:
        page_sections = sections.get(info.url, [])
        chosen = highlighter.best_section(page_sections)
        heading = anchor = None
        if chosen is not None and chosen.get("anchor"):
            heading, anchor = chosen.get("heading") or None, chosen["anchor"]
        if chosen is not None:
            snippet = highlighter.snippet(chosen.get("text", ""))
        elif highlighter.spans(info.description) or not page_sections:
            snippet = highlighter.snippet(info.description)
        else:  # matched in the title only: the page's own summary
            snippet = highlighter.snippet(info.description or page_sections[0].get("text", ""))
        hits.append(
            SearchHit(
                url=info.url,
                title=info.title,
                section=info.section,
                snippet=snippet,
                heading=heading,
                anchor=anchor,
                validated_on=info.validated_on.isoformat() if info.validated_on else None,
                status=statuses.name_of(docnum),
                score=score,
                kind=info.kind,
                lang=info.lang,
            )
        )
    return hits
