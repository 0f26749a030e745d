"""Search views: the results page and its htmx fragment, the JSON API, suggestions, OpenSearch."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from kb.glossary.listing import glossary_view
from kb.index.generation import Generation
from kb.index.generations import NoIndex
from kb.params import lenient_int, positive_int
from kb.search import SearchResults, SearchUnavailable, search, suggest
from kb.urls import term_url
from kb.web.context import generation, vary_on_htmx, wants_fragment
from kb.web.demand import record_search
from kb.web.errors import error_response
from kb.web.language import reader_language, speak_reader
from kb.web.locale import translate
from kb.web.navigation import section_labels
from kb.words import said

bp = Blueprint("search", __name__)

PER_PAGE = 10
MAX_LIMIT = 50
MAX_PAGE = 100
MAX_FILTER_LENGTH = 200
SUGGESTIONS = 8
CLOSE_TERMS = 5
# Keep tab, newline and space; every other control character is noise from a URL or a paste.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class SearchState:
    """What a search request asks for, cleaned, with notes about what was changed on the way."""

    query: str
    section: str | None
    status: str | None
    page: int
    notes: tuple[str, ...] = ()
    lang: str | None = None  # as asked (lang=); the reader's language may come from the browser

    def url(self, **changes: Any) -> str:
        """Return the /search URL of this state with some parameters changed (None drops one)."""
        state = replace(self, **changes)
        params: dict[str, Any] = {
            "q": state.query,
            "section": state.section,
            "status": state.status,
            "lang": state.lang,
        }
        if state.page > 1:
            params["page"] = str(state.page)
        return url_for("search.search_page", **{k: v for k, v in params.items() if v})


def clean_text(raw: str | None, limit: int) -> tuple[str, bool]:
    """Drop control characters and cut text to a length; say whether it was cut."""
    text = _CONTROL.sub(" ", raw or "")
    return text[:limit], len(text) > limit


def read_query() -> tuple[str, list[str]]:
    """Read q from the request, cut to MAX_QUERY_LENGTH, with a note when it was cut."""
    limit = int(current_app.config.get("MAX_QUERY_LENGTH", 512))
    query, cut = clean_text(request.args.get("q"), limit)
    notes: list[str] = (
        [said("Your query was longer than %(limit)s characters and was shortened.", limit=limit)]
        if cut
        else []
    )
    return query, notes


def read_filter(name: str) -> str | None:
    """Read an optional facet filter (section or status) from the request."""
    value, _ = clean_text(request.args.get(name), MAX_FILTER_LENGTH)
    return value.strip() or None


def read_int(name: str, default: int, ceiling: int, *, strict: bool) -> int:
    """Read a whole number from 1 to ceiling; a bad one is a 400 when strict, else the default."""
    raw = request.args.get(name)
    return (
        positive_int(name, raw, default, ceiling)
        if strict
        else lenient_int(name, raw, default, ceiling)
    )


def read_state(*, strict: bool) -> SearchState:
    """Read the whole search request: query, filters and page."""
    query, notes = read_query()
    return SearchState(
        query=query,
        section=read_filter("section"),
        status=read_filter("status"),
        page=read_int("page", 1, MAX_PAGE, strict=strict),
        notes=tuple(notes),
        lang=read_filter("lang"),
    )


def close_terms(gen: Generation, query: str) -> list[dict[str, str]]:
    """Return the glossary terms whose names resemble the query, for a page with no results."""
    terms = glossary_view(gen).glossary.close_matches(query.strip('"* '), n=CLOSE_TERMS)
    return [{"term": t.term, "url": term_url(t.slug)} for t in terms]


def page_numbers(page: int, pages: int) -> list[int | None]:
    """Return the page links to show: first, last and a window around the current (None = gap)."""
    shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


def messages(state: SearchState, results: SearchResults | None, *, for_page: bool) -> list[str]:
    """Collect what the reader should know about how their query was read.

    A results page shows the reading notes (it lays out the rest as links); the JSON API gives
    the whole message.
    """
    found = [translate(note) for note in state.notes] if for_page else list(state.notes)
    if results is None:
        return found
    if for_page:
        engine = " ".join(translate(note) for note in results.reading_notes())
    else:
        engine = results.message or ""
    if engine:
        found.append(engine)
    return found


def result_context(state: SearchState, results: SearchResults | None) -> dict[str, Any]:
    """Return what _results.html needs besides the results themselves."""
    total = results.total if results is not None else 0
    limit = results.limit if results is not None and results.limit > 0 else PER_PAGE
    pages = min(MAX_PAGE, max(1, math.ceil(total / limit)))
    first = (state.page - 1) * limit + 1
    return {
        "pages": pages,
        "page_numbers": page_numbers(min(state.page, pages), pages),
        "first_rank": first,
        "last_rank": min(total, first + limit - 1),
        "messages": messages(state, results, for_page=True),
    }


def render_search(
    state: SearchState,
    results: SearchResults | None,
    *,
    error: str | None = None,
    terms: list[dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    """Render the results page, or only its fragment for htmx (never for a history restore)."""
    fragment = wants_fragment()
    context = result_context(state, results)
    try:
        languages = generation().languages
        lang_labels = {code: languages.label(code) for code in languages.codes}
    except NoIndex:
        lang_labels = {}
    title = (
        gettext("%(query)s – Search", query=state.query)
        if state.query.strip()
        else gettext("Search")
    )
    body = render_template(
        "_results.html" if fragment else "search.html",
        search_state=state,
        results=results,
        error=error,
        close_terms=terms or [],
        page_title=title,
        fragment=fragment,
        section_labels=section_labels(),
        lang_labels=lang_labels,
        **context,
    )
    response = vary_on_htmx(make_response(body, status))
    response.vary.add("Accept-Language")
    return response


@bp.get("/search")
def search_page() -> Response:
    """Show search results (full page, or the results fragment for htmx)."""
    state = read_state(strict=False)
    if not (state.query.strip() or state.section or state.status):
        return render_search(state, None)
    try:
        gen = generation()
        results = search(
            gen,
            state.query,
            page=state.page,
            limit=PER_PAGE,
            section=state.section,
            status=state.status,
            lang=(lang := state.lang or reader_language(gen)),
        )
    except (SearchUnavailable, NoIndex) as exc:
        error = gettext("Search is unavailable right now: %(reason)s", reason=exc)
        return render_search(state, None, error=error, status=503)
    speak_reader(gen, lang)
    record_search(state.query, results, page=state.page)
    terms = close_terms(gen, state.query) if results.total == 0 and state.query.strip() else []
    return render_search(state, results, terms=terms)


@bp.get("/api/search")
def api_search() -> Response:
    """Return search results as JSON (the contract in docs/http-api.md)."""
    state = read_state(strict=True)
    limit = read_int("limit", PER_PAGE, MAX_LIMIT, strict=True)
    try:
        gen = generation()
        results = search(
            gen,
            state.query,
            page=state.page,
            limit=limit,
            section=state.section,
            status=state.status,
            lang=state.lang or reader_language(gen),
        )
    except SearchUnavailable as exc:
        return error_response(503, f"Search is unavailable right now: {exc}")
    record_search(state.query, results, page=state.page)
    data = results.to_json()
    notes = messages(state, results, for_page=False)
    data["message"] = " ".join(notes) if notes else None
    response = jsonify(data)
    response.vary.add("Accept-Language")
    return response


@bp.get("/api/suggest")
def api_suggest() -> Response:
    """Return OpenSearch suggestions: [query, [completions]]."""
    query, _ = read_query()
    completions: list[str] = []
    if query.strip():
        try:
            completions = suggest(generation(), query, limit=SUGGESTIONS)
        except SearchUnavailable as exc:
            return error_response(503, f"Suggestions are unavailable right now: {exc}")
    response = jsonify([query, completions])
    response.mimetype = "application/x-suggestions+json"
    return response


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    """Describe kb as a browser search engine, with address-bar suggestions."""
    base = request.host_url.rstrip("/")
    body = render_template(
        "opensearch.xml",
        search_template=base + url_for("search.search_page") + "?q={searchTerms}",
        suggest_template=base + url_for("search.api_suggest") + "?q={searchTerms}",
        self_url=base + url_for("search.opensearch"),
        search_form=base + url_for("search.search_page"),
    )
    response = make_response(body)
    response.mimetype = "application/opensearchdescription+xml"
    return response
