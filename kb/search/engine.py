"""Run a search end to end: parse, score, relax, filter, count facets, rank, cut snippets.

Other layers reach search through the kb.search package (search, suggest, SearchUnavailable);
parsing, scoring, ranking, facets and snippets live in the modules below this one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np

from kb.index.generation import Generation
from kb.params import clamp
from kb.search.answers import close_terms, glossary_card, with_synonym
from kb.search.columns import Column, Docnums
from kb.search.completion import completions
from kb.search.facets import count_facets, resolve_filters
from kb.search.languages import count_languages, keep_language, reader_language
from kb.search.matching import Plan, Scores
from kb.search.query import ParsedQuery, parse_query
from kb.search.ranking import rank
from kb.search.results import NothingFound, SearchHit, SearchResults, build_hits, empty_results
from kb.search.scorer import Scorer
from kb.search.searcher import READ_ERRORS, Searcher, SearchUnavailable, searcher_for
from kb.search.spelling import corrected_query
from kb.words import said

MAX_LIMIT = 100
MAX_PAGE = 100
RELAX_BELOW = 3  # fewer strict matches than this, for 3+ words: relax the query to "most words"


@dataclass(frozen=True)
class SearchRequest:
    """A parsed query with the page, filters and report date it is run with."""

    parsed: ParsedQuery
    page: int
    limit: int
    section: str | None
    status: str | None
    as_of: date
    lang: str | None = None


def search(
    generation: Generation,
    query: str,
    *,
    page: int = 1,
    limit: int = 10,
    section: str | None = None,
    status: str | None = None,
    as_of: date | None = None,
    lang: str | None = None,
) -> SearchResults:
    """Search a generation; odd input yields notes, an unreadable index SearchUnavailable.

    `status` may list several statuses, comma-separated. `section` and `status` also come from
    `section:` and `status:` in the query; the parameters win. `lang` is the reader's language
    (the site's default when None): the query is analyzed by its rules and its pages come first.
    """
    request = SearchRequest(
        parse_query(query),
        clamp(page, 1, MAX_PAGE, 1),
        clamp(limit, 1, MAX_LIMIT, 10),
        section,
        status,
        as_of or date.today(),
        lang,
    )
    searcher = searcher_for(generation)
    try:
        with searcher.reading() as reader:
            return _run(searcher, reader, request)
    except READ_ERRORS as exc:
        message = f"the search index of {generation.name} cannot be read: {exc}"
        raise SearchUnavailable(message) from exc


def suggest(generation: Generation, prefix: str, limit: int = 8) -> list[str]:
    """Return completions for search-as-you-type and OpenSearch: titles and glossary names."""
    text = prefix if isinstance(prefix, str) else ""
    return completions(searcher_for(generation), text, clamp(limit, 0, 50, 8))


def _run(searcher: Searcher, reader: Any, request: SearchRequest) -> SearchResults:
    """Match a parsed query, then gather the results page around the matches."""
    parsed = request.parsed
    notes = list(parsed.notes)
    if parsed.root is None:
        hint = (
            said("Nothing searchable is left in the query.")
            if parsed.text
            else said("Type a word.")
        )
        return empty_results(parsed.text, request.page, request.limit, notes, hint)
    lang, lang_notes = reader_language(searcher.languages, request.lang)
    notes.extend(lang_notes)
    scorer = Scorer(
        reader,
        searcher.postings,
        lambda: searcher.vocabulary(reader),
        lang,
    )
    plan = scorer.plan(with_synonym(searcher.glossary, parsed))
    notes.extend(scorer.built.notes)
    strict = plan.strict()
    if strict is None:
        hint = said("Only common words or exclusions are left; add a word to search for.")
        return empty_results(parsed.text, request.page, request.limit, notes, hint)
    matched = _relaxed(plan, strict)
    # Only when nothing held every word: otherwise the strict matches merely got company.
    most_words = matched is not strict and not strict
    request = replace(request, lang=lang)
    return _results(searcher, scorer, request, matched, notes, most_words=most_words)


def _relaxed(plan: Plan, strict: Scores) -> Scores:
    """Return the strict matches, or the "most words" ones when the strict ones are too few.

    Two words that never meet are an answer; a long question matching almost nothing is not.
    """
    few = not strict or (len(strict) < RELAX_BELOW and len(plan.optional) >= 3)
    if few and (loose := plan.relaxed()) is not None and len(loose) > len(strict):
        return loose
    return strict


def _results(
    searcher: Searcher,
    scorer: Scorer,
    request: SearchRequest,
    matched: Scores,
    notes: list[str],
    *,
    most_words: bool,
) -> SearchResults:
    """Filter, count facets, rank and cut one page of hits, with the help around them."""
    parsed, built = request.parsed, scorer.built
    suggestion = corrected_query(parsed.text, built.corrections)
    card = glossary_card(searcher.glossary, parsed, suggestion)
    if card is not None:  # the card shows the term; its entry would repeat it
        matched = matched.without(searcher.by_url.get(card["url"], -1))
    section, wanted, filter_notes = resolve_filters(
        searcher, parsed, request.section, request.status
    )
    notes.extend(filter_notes)
    statuses = searcher.statuses(request.as_of)
    facets, allowed = count_facets(searcher, matched.docnums(), statuses, section, wanted)
    reader = request.lang or searcher.languages.default
    facets["lang"] = count_languages(searcher, allowed)
    allowed, own = keep_language(searcher, allowed, reader)
    if len(own) < len(allowed) and len(own):
        notes.append(f"Few results in {searcher.languages.label(reader)}; others follow, marked.")
    others = np.setdiff1d(allowed, own, assume_unique=True)
    hits = _hits(searcher, scorer, request, matched, (own, others), statuses)
    if len(allowed) and not hits:
        last = -(-len(allowed) // request.limit)
        notes.append(
            said(
                "Page %(page)s is past the last page of results (%(last)s).",
                page=request.page,
                last=last,
            )
        )
    if most_words and len(allowed):
        notes.append(said("No page contains every word; these pages match most of them."))
    nothing = None
    if not len(allowed):
        filtered = bool(matched) and (section is not None or wanted is not None)
        near = close_terms(searcher.glossary, parsed.text)
        nothing = NothingFound(parsed.text, filtered, suggestion, near)
    return SearchResults(
        query=parsed.text,
        total=len(allowed),
        page=request.page,
        limit=request.limit,
        hits=hits,
        suggestion=suggestion,
        glossary=card,
        facets=facets,
        notes=tuple(dict.fromkeys(notes)),
        nothing_found=nothing,
        expanded=dict(built.expanded),
        lang=reader,
    )


def _hits(
    searcher: Searcher,
    scorer: Scorer,
    request: SearchRequest,
    matched: Scores,
    groups: tuple[Docnums, Docnums],
    statuses: Column,
) -> list[SearchHit]:
    """Rank the allowed matches, the reader's language first, and build the requested page."""
    page, limit = request.page, request.limit
    ranked: list[tuple[int, float]] = []
    for group in groups:
        if len(group) and len(ranked) < page * limit:
            ranked += rank(searcher, scorer, matched, group, page * limit - len(ranked))
    window = ranked[(page - 1) * limit : page * limit]
    return build_hits(searcher, window, scorer.built, statuses, scorer.lang)
