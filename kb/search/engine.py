"""Search a generation: ranked section-level hits, facets, spelling help and glossary answers.

The only door to the search index: the web app and CLI call `search`, `suggest` and catch
`SearchUnavailable`; query parsing, scoring, ranking and snippets live in the modules below it
(kb.search.query, kb.search.scorer, kb.search.matching, kb.search.ranking, kb.search.highlight, kb.search.suggest, kb.search.searcher).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from kb.index.generation import Generation
from kb.reports.staleness import Status
from kb.search.query import Group, Leaf, Node, ParsedQuery, leaves, parse_query
from kb.search.ranking import rank
from kb.search.results import SearchHit, SearchResults, build_hits, empty_results
from kb.search.scorer import Scorer
from kb.search.searcher import READ_ERRORS, OpenIndex, SearchUnavailable, open_index
from kb.search.suggest import Vocabulary, completions, corrected_query
from kb.urls import term_url

__all__ = ["SearchHit", "SearchResults", "SearchUnavailable", "search", "suggest"]

MAX_LIMIT = 100
MAX_PAGE = 100
RELAX_BELOW = 3  # fewer strict matches than this, for 3+ words: relax the query to "most words"
SYNTAX_HINT = (
    'Tips: try fewer or other words, "quotes" for an exact phrase, prefix* for word starts, '
    "-word to exclude, title: to search titles, section: to search one section."
)
_QUESTION = re.compile(
    r"^(?:what(?:'s| is| are| does)|define|definition of|meaning of)\s+(?:an? |the )?", re.I
)
_STATUSES = tuple(s.value for s in Status)
_ABBREVIATED = re.compile(r"(.+?)\s*\(([^()]+)\)")  # Identity Provider (IdP)


def _clamp(value: object, low: int, high: int, default: int) -> int:
    """Read an int parameter, falling back to a default and clamping it into range."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
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
    """Search a generation; odd input yields a message, an unreadable index SearchUnavailable.

    `status` may list several statuses, comma-separated. `section` and `status` also come from
    `section:` and `status:` in the query; the parameters win.
    """
    page = _clamp(page, 1, MAX_PAGE, 1)
    limit = _clamp(limit, 1, MAX_LIMIT, 10)
    opened = open_index(generation)
    parsed = parse_query(query)
    try:
        with opened.reading() as reader:
            return _search(
                opened, reader, parsed, page, limit, section, status, as_of or date.today()
            )
    except READ_ERRORS as exc:
        message = f"the search index of {generation.name} cannot be read: {exc}"
        raise SearchUnavailable(message) from exc


def suggest(generation: Generation, prefix: str, limit: int = 8) -> list[str]:
    """Return completions for search-as-you-type and OpenSearch: titles and glossary names."""
    text = prefix if isinstance(prefix, str) else ""
    return completions(open_index(generation), text, _clamp(limit, 0, 50, 8))


def _search(
    opened: OpenIndex,
    reader: Any,
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
        hint = "Nothing searchable is left in the query." if parsed.text else "Type a word."
        return empty_results(parsed.text, page, limit, " ".join([*notes, hint, SYNTAX_HINT]))
    scorer = Scorer(
        reader,
        opened.postings,
        lambda: opened.derive("vocabulary", lambda: Vocabulary.from_reader(reader)),
    )
    plan = scorer.plan(_with_synonym(opened, parsed))
    built = scorer.built
    notes.extend(built.notes)
    strict = plan.strict()
    if strict is None:
        hint = "Only common words or exclusions are left; add a word to search for."
        return empty_results(parsed.text, page, limit, " ".join([*notes, hint, SYNTAX_HINT]))
    matched, relaxed = strict, False
    # Two words that never meet are an answer; a long question matching almost nothing is not.
    few = not strict or (len(strict) < RELAX_BELOW and len(plan.optional) >= 3)
    if few and (loose := plan.relaxed()) is not None and len(loose) > len(strict):
        matched, relaxed = loose, True
    suggestion = corrected_query(parsed.text, built.corrections)
    card = _glossary_card(opened, parsed, suggestion)
    if card is not None:  # the card shows the term; its entry would repeat it
        matched.pop(opened.by_url.get(card["url"], -1), None)
    wanted_section, wanted_statuses, filter_notes = _filters(opened, parsed, section, status)
    notes.extend(filter_notes)
    statuses = opened.statuses(as_of)
    facets, allowed = _facets(opened, set(matched), statuses, wanted_section, wanted_statuses)
    hits: list[SearchHit] = []
    if allowed:
        ranked = rank(opened, scorer, matched, allowed, page * limit)
        hits = build_hits(opened, ranked[(page - 1) * limit : page * limit], built, statuses)
    if allowed and not hits:
        last = -(-len(allowed) // limit)
        notes.append(f"Page {page} is past the last page of results ({last}).")
    if relaxed and allowed and not strict:
        notes.append("No page contains every word; these pages match most of them.")
    if not allowed:
        filtered = bool(matched) and (wanted_section is not None or wanted_statuses is not None)
        notes.append(_nothing_found(opened, parsed, suggestion, filtered))
    return SearchResults(
        query=parsed.text,
        total=len(allowed),
        page=page,
        limit=limit,
        hits=hits,
        suggestion=suggestion,
        glossary=card,
        facets=facets,
        message=" ".join(dict.fromkeys(notes)) or None,
        expanded=dict(built.expanded),
        relaxed=relaxed,
    )


def _filters(
    opened: OpenIndex, parsed: ParsedQuery, section: str | None, status: str | None
) -> tuple[str | None, set[str] | None, list[str]]:
    """Resolve the section and status filters, naming unknown values in notes."""
    notes: list[str] = []
    wanted_section = (section or parsed.filters.get("section") or "").strip() or None
    raw_status = (status or parsed.filters.get("status") or "").strip()
    if wanted_section is not None:
        known = {s.casefold(): s for s in [*opened.sections, "glossary"]}
        match = known.get(wanted_section.casefold())
        if match is None:
            names = ", ".join(sorted(known.values()))
            notes.append(f"There is no section '{wanted_section}'; the sections are {names}.")
        wanted_section = match or wanted_section
    wanted_statuses = None
    if raw_status:
        wanted_statuses = {s.strip().lower() for s in raw_status.split(",") if s.strip()}
        unknown = sorted(wanted_statuses - set(_STATUSES))
        if unknown:
            notes.append(
                f"There is no status {', '.join(unknown)}; use one of {', '.join(_STATUSES)}."
            )
    return wanted_section, wanted_statuses, notes


def _facets(
    opened: OpenIndex,
    matched: set[int],
    statuses: dict[int, str | None],
    section: str | None,
    wanted: set[str] | None,
) -> tuple[dict[str, dict[str, int]], set[int]]:
    """Count matches per section (under the status filter) and status (under the section one)."""
    by_section: dict[str, int] = {}
    by_status: dict[str, int] = {}
    allowed: set[int] = set()
    for docnum in matched:
        info = opened.docs.get(docnum)
        if info is None:
            continue
        doc_status = statuses.get(docnum)
        section_ok = section is None or info.section == section
        status_ok = wanted is None or doc_status in wanted
        if status_ok:
            by_section[info.section] = by_section.get(info.section, 0) + 1
        if section_ok and doc_status is not None:
            by_status[doc_status] = by_status.get(doc_status, 0) + 1
        if section_ok and status_ok:
            allowed.add(docnum)
    ordered = {name: by_status[name] for name in _STATUSES if name in by_status}
    sections = dict(sorted(by_section.items(), key=lambda kv: (-kv[1], kv[0])))
    return {"section": sections, "status": ordered}, allowed


def _with_synonym(opened: OpenIndex, parsed: ParsedQuery) -> Node:
    """Search an abbreviation's long form too, and the other way round (MFA, IdP, SSO)."""
    assert parsed.root is not None
    if not isinstance(parsed.root, Leaf | Group) or len(parsed.text) > 80:
        return parsed.root
    if any(leaf.field or leaf.kind == "prefix" for leaf in leaves(parsed.root, positive=False)):
        return parsed.root
    term = opened.glossary.lookup(parsed.text.replace('"', " "))
    if term is None or not (m := _ABBREVIATED.fullmatch(term.term)):
        return parsed.root
    typed = parsed.text.replace('"', " ").strip().casefold()
    long_form, short_form = m.group(1), m.group(2)
    other = long_form if typed.startswith(short_form.casefold()) else short_form
    return Group("or", (parsed.root, Leaf("phrase", other)))


def _glossary_card(
    opened: OpenIndex, parsed: ParsedQuery, suggestion: str | None
) -> dict[str, str] | None:
    """Return the glossary entry the query names (term, alias, abbreviation, plural), if any."""
    if not opened.glossary.terms or parsed.root is None:
        return None
    if any(leaf.field or leaf.kind == "prefix" for leaf in leaves(parsed.root, positive=False)):
        return None
    for text in (parsed.text, suggestion or ""):
        name = _QUESTION.sub("", text.replace('"', " ").strip(" ?!.")).strip()
        if name and len(name) <= 80 and (term := opened.glossary.lookup(name)) is not None:
            url = term_url(term.slug)
            return {"term": term.term, "definition": term.definition, "url": url}
    return None


def _nothing_found(
    opened: OpenIndex, parsed: ParsedQuery, suggestion: str | None, filtered: bool
) -> str:
    """Say that nothing was found and what may help: filters, spelling, glossary, syntax."""
    if filtered:
        parts = [f"No pages match '{parsed.text}' with the chosen filters; remove one to see more."]
    else:
        parts = [f"No pages match '{parsed.text}'."]
    if suggestion:
        parts.append(f"Did you mean '{suggestion}'?")
    close = opened.glossary.close_matches(parsed.text, n=3) if len(parsed.text) <= 80 else []
    if close:
        parts.append("Close glossary terms: " + ", ".join(t.term for t in close) + ".")
    parts.append(SYNTAX_HINT)
    return " ".join(parts)
