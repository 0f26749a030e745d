"""Search a generation: ranked, section-level, highlighted hits with facets, spelling help and glossary answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from whoosh import query as wq

from kb.highlight import Highlighter
from kb.query import ParsedQuery, leaves, parse_query
from kb.ranking import Built, QueryBuilder
from kb.reader import Generation
from kb.searchers import READ_ERRORS, OpenIndex, SearchUnavailable, open_index
from kb.staleness import Status
from kb.suggest import Vocabulary, completions, corrected_query

__all__ = ["SearchHit", "SearchResults", "SearchUnavailable", "search", "suggest"]

MAX_LIMIT = 100
MAX_PAGE = 100
RERANK_DEPTH = 60  # hits re-scored beyond Whoosh's order (title coverage, word coverage)
RELAX_BELOW = 3
TERM_WEIGHT = 0.5  # a glossary entry ranks below pages that match as well (its card shows it anyway)  # fewer strict matches than this and the query is relaxed to "most words"
SYNTAX_HINT = (
    'Tips: try fewer or other words, "quotes" for an exact phrase, prefix* for word starts, '
    "-word to exclude, title: to search titles."
)
_QUESTION = re.compile(r"^(?:what(?:'s| is| are)|define|definition of|meaning of)\s+(?:an? |the )?", re.I)


@dataclass(frozen=True)
class SearchHit:
    """One result: a page (or glossary term) with its best matching section and a snippet."""

    url: str
    title: str
    section: str
    snippet: str  # HTML: escaped text, only <mark> tags
    heading: str | None
    anchor: str | None
    validated_on: str | None
    status: str | None
    score: float
    kind: str  # "page" | "term"

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
        }


@dataclass(frozen=True)
class SearchResults:
    """One page of results with everything the results page shows around them."""

    query: str
    total: int
    page: int
    limit: int
    hits: list[SearchHit]
    suggestion: str | None = None
    glossary: dict[str, str] | None = None
    # Each facet counts all matches under the other facet's filter (section counts honour the
    # status filter and vice versa), so every count is what clicking it would show.
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    message: str | None = None
    expanded: dict[str, list[str]] = field(default_factory=dict)
    relaxed: bool = False  # no page matched every word; hits match most of them

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
        }


def _empty(query: str, page: int, limit: int, message: str | None) -> SearchResults:
    """Return results with no hits."""
    return SearchResults(query, 0, page, limit, [], facets={"section": {}, "status": {}}, message=message)


def _clamp(value: object, low: int, high: int, default: int) -> int:
    """Read an int parameter, falling back to a default and clamping it into range."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


def search(
    generation: Generation,
    query: str,
    *,
    page: int = 1,
    limit: int = 10,
    section: str | None = None,
    status: str | None = None,
    as_of: date | None = None,
) -> SearchResults:
    """Search a generation; hostile or odd input yields a message, a damaged index SearchUnavailable."""
    page = _clamp(page, 1, MAX_PAGE, 1)
    limit = _clamp(limit, 1, MAX_LIMIT, 10)
    opened = open_index(generation)
    parsed = parse_query(query)
    try:
        return _search(opened, parsed, page, limit, section, status, as_of or date.today())
    except READ_ERRORS as exc:
        raise SearchUnavailable(f"the search index of {generation.name} cannot be read: {exc}") from exc


def _filters(opened: OpenIndex, parsed: ParsedQuery, section: str | None, status: str | None) -> tuple[str | None, str | None, list[str]]:
    """Resolve the section and status filters (parameters win over section:/status: in the query)."""
    notes: list[str] = []
    wanted_section = (section if section else parsed.filters.get("section")) or None
    wanted_status = (status if status else parsed.filters.get("status")) or None
    if wanted_section is not None:
        known = {s.casefold(): s for s in [*opened.sections, "glossary"]}
        match = known.get(wanted_section.strip().casefold())
        if match is None:
            notes.append(f"There is no section '{wanted_section}'; sections: {', '.join(sorted(known.values()))}.")
        wanted_section = match or wanted_section
    if wanted_status is not None:
        wanted_status = wanted_status.strip().lower()
        if wanted_status not in {s.value for s in Status}:
            notes.append(f"There is no status '{wanted_status}'; use one of {', '.join(s.value for s in Status)}.")
    return wanted_section, wanted_status, notes


def _glossary_card(opened: OpenIndex, parsed: ParsedQuery, suggestion: str | None) -> dict[str, str] | None:
    """Return the glossary entry the query names (by term, alias, abbreviation or plural), if any."""
    if not opened.glossary.terms or parsed.root is None:
        return None
    if any(leaf.field or leaf.kind == "prefix" for leaf in leaves(parsed.root, positive=False)):
        return None
    for text in (parsed.text, suggestion or ""):
        name = _QUESTION.sub("", text.replace('"', " ").strip(" ?!.")).strip()
        if name and len(name) <= 80 and (term := opened.glossary.lookup(name)) is not None:
            return {"term": term.term, "definition": term.definition, "url": f"/glossary/{term.slug}"}
    return None


def _search(
    opened: OpenIndex,
    parsed: ParsedQuery,
    page: int,
    limit: int,
    section: str | None,
    status: str | None,
    as_of: date,
) -> SearchResults:
    """Run a parsed query: match, relax, filter, count facets, rank, cut sections and snippets."""
    notes = list(parsed.notes)
    if parsed.root is None:
        hint = "Type a word to search for." if not parsed.text else "Nothing searchable is left in the query."
        return _empty(parsed.text, page, limit, " ".join([*notes, hint, SYNTAX_HINT]))
    searcher = opened.searcher()
    builder = QueryBuilder(searcher.reader(), opened.derive("vocabulary", lambda: Vocabulary.from_reader(searcher.reader())))
    plan = builder.build(parsed.root)
    built = builder.built
    notes.extend(built.notes)
    strict = plan.strict()
    if strict is None:
        return _empty(parsed.text, page, limit, " ".join([*notes, "Only common words or exclusions are left; add a word to search for.", SYNTAX_HINT]))
    matched = set(strict.docs(searcher))
    strict_count = len(matched)
    effective, relaxed = strict, False
    # Two words that never meet are an answer; a long question matching almost nothing is not.
    few = strict_count == 0 or (strict_count < RELAX_BELOW and len(plan.optional) >= 3)
    if few and (loose := plan.relaxed()) is not None:
        more = set(loose.docs(searcher))
        if len(more) > len(matched):
            effective, matched, relaxed = loose, more, True
    suggestion = corrected_query(parsed.text, built.corrections)
    card = _glossary_card(opened, parsed, suggestion)
    if card is not None:
        matched.discard(opened.by_url.get(card["url"], -1))
    wanted_section, wanted_status, filter_notes = _filters(opened, parsed, section, status)
    notes.extend(filter_notes)
    statuses = opened.statuses(as_of)
    facets, allowed = _facets(opened, matched, statuses, wanted_section, wanted_status)
    hits: list[SearchHit] = []
    if allowed:
        ranked = _rank(opened, searcher, effective, builder, allowed, relaxed, page * limit)
        window = ranked[(page - 1) * limit : page * limit]
        hits = _hits(opened, window, built, statuses)
    if relaxed and allowed and not strict_count:
        notes.append("No page contains every word; these pages match most of them.")
    if not allowed:
        notes.append(_nothing_found(opened, parsed, suggestion, matched, wanted_section, wanted_status))
    return SearchResults(
        query=parsed.text,
        total=len(allowed),
        page=page,
        limit=limit,
        hits=hits,
        suggestion=suggestion,
        glossary=card,
        facets=facets,
        message=" ".join(notes) or None,
        expanded=dict(built.expanded),
        relaxed=relaxed,
    )


def _nothing_found(opened: OpenIndex, parsed: ParsedQuery, suggestion: str | None, matched: set[int], section: str | None, status: str | None) -> str:
    """Say why nothing was found and what may help: filters, spelling, close glossary terms, syntax."""
    parts = [f"No pages match '{parsed.text}'"]
    if matched and (section or status):
        parts[0] += " with the chosen filters; remove a filter to see the other matches."
    else:
        parts[0] += "."
    if suggestion:
        parts.append(f"Did you mean '{suggestion}'?")
    close = opened.glossary.close_matches(parsed.text, n=3) if len(parsed.text) <= 80 else []
    if close:
        parts.append("Close glossary terms: " + ", ".join(t.term for t in close) + ".")
    parts.append(SYNTAX_HINT)
    return " ".join(parts)


def _facets(
    opened: OpenIndex,
    matched: set[int],
    statuses: dict[int, str | None],
    section: str | None,
    status: str | None,
) -> tuple[dict[str, dict[str, int]], set[int]]:
    """Count matches per section (under the status filter) and per status (under the section filter)."""
    by_section: dict[str, int] = {}
    by_status: dict[str, int] = {}
    allowed: set[int] = set()
    for docnum in matched:
        info = opened.docs.get(docnum)
        if info is None:
            continue
        doc_status = statuses.get(docnum)
        section_ok = section is None or info.section == section
        status_ok = status is None or doc_status == status
        if status_ok:
            by_section[info.section] = by_section.get(info.section, 0) + 1
        if section_ok and doc_status is not None:
            by_status[doc_status] = by_status.get(doc_status, 0) + 1
        if section_ok and status_ok:
            allowed.add(docnum)
    ordered = {s.value: by_status[s.value] for s in Status if s.value in by_status}
    sections = dict(sorted(by_section.items(), key=lambda kv: (-kv[1], kv[0])))
    return {"section": sections, "status": ordered}, allowed


def _rank(
    opened: OpenIndex,
    searcher: Any,
    effective: wq.Query,
    builder: QueryBuilder,
    allowed: set[int],
    relaxed: bool,
    needed: int,
) -> list[tuple[int, float]]:
    """Score the allowed matches; re-score the top ones for word coverage and title match."""
    proximity = builder.proximity()
    ranked_query = wq.AndMaybe(effective, proximity) if proximity is not None else effective
    depth = max(RERANK_DEPTH, needed)
    results = searcher.search(ranked_query, limit=depth, filter=allowed, terms=relaxed)
    built = builder.built
    query_terms = set(built.query_terms)
    scored: list[tuple[int, float]] = []
    for hit in results:
        score = float(hit.score)
        if relaxed and built.leaf_terms:
            found = set(hit.matched_terms())
            covered = sum(1 for terms in built.leaf_terms if terms & found)
            score *= (covered / len(built.leaf_terms)) ** 2
        if query_terms:
            title = opened.title_terms(hit.docnum)
            shared = len(query_terms & title)
            if shared:
                # Known-item boost: the more of the query the title holds, and the less else it holds.
                score *= 1.0 + shared / len(query_terms) * shared / max(len(title), 1)
        if opened.docs[hit.docnum].kind != "page":
            score *= TERM_WEIGHT
        scored.append((hit.docnum, score))
    scored.sort(key=lambda s: -s[1])
    return scored


def _hits(opened: OpenIndex, window: list[tuple[int, float]], built: Built, statuses: dict[int, str | None]) -> list[SearchHit]:
    """Build the hits of one results page: best section, snippet, status."""
    highlighter = Highlighter.for_terms(built.terms, built.weights)
    infos = [(opened.docs[docnum], docnum, score) for docnum, score in window]
    sections = opened.page_sections([info.url for info, _, _ in infos if info.kind == "page"])
    hits = []
    for info, docnum, score in infos:
        chosen = highlighter.best_section(sections.get(info.url, []))
        heading = anchor = None
        if chosen is not None and chosen.get("anchor"):
            heading, anchor = chosen.get("heading") or None, chosen["anchor"]
        if chosen is not None:
            snippet = highlighter.snippet(chosen.get("text", ""))
        elif highlighter.spans(info.description) or not sections.get(info.url):
            snippet = highlighter.snippet(info.description)
        else:
            snippet = highlighter.snippet(info.description or sections[info.url][0].get("text", ""))
        hits.append(
            SearchHit(
                url=info.url,
                title=info.title,
                section=info.section,
                snippet=snippet,
                heading=heading,
                anchor=anchor,
                validated_on=info.validated_on.isoformat() if info.validated_on else None,
                status=statuses.get(docnum),
                score=score,
                kind=info.kind,
            )
        )
    return hits


def suggest(generation: Generation, prefix: str, limit: int = 8) -> list[str]:
    """Return completions for search-as-you-type and OpenSearch: titles and glossary names."""
    limit = _clamp(limit, 0, 50, 8)
    text = prefix if isinstance(prefix, str) else ""
    return completions(open_index(generation), text, limit)
