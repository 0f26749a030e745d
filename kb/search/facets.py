"""Facets of a search: the section and status filters, and how many matches each would keep."""

from __future__ import annotations

from kb.reports.staleness import Status
from kb.search.query import ParsedQuery
from kb.search.searcher import Searcher
from kb.words import said

STATUSES = tuple(s.value for s in Status)
Facets = dict[str, dict[str, int]]


def resolve_filters(
    searcher: Searcher, parsed: ParsedQuery, section: str | None, status: str | None
) -> tuple[str | None, set[str] | None, list[str]]:
    """Resolve the section and status filters (parameters win over section:/status: in the
    query), naming unknown values in notes."""
    notes: list[str] = []
    wanted_section = (section or parsed.filters.get("section") or "").strip() or None
    raw_status = (status or parsed.filters.get("status") or "").strip()
    if wanted_section is not None:
        known = {s.casefold(): s for s in [*searcher.sections, "glossary"]}
        match = known.get(wanted_section.casefold())
        if match is None:
            names = ", ".join(sorted(known.values()))
            notes.append(
                said(
                    "There is no section '%(section)s'; the sections are %(names)s.",
                    section=wanted_section,
                    names=names,
                )
            )
        wanted_section = match or wanted_section
    wanted_statuses = None
    if raw_status:
        wanted_statuses = {s.strip().lower() for s in raw_status.split(",") if s.strip()}
        unknown = sorted(wanted_statuses - set(STATUSES))
        if unknown:
            notes.append(
                said(
                    "There is no status %(unknown)s; use one of %(known)s.",
                    unknown=", ".join(unknown),
                    known=", ".join(STATUSES),
                )
            )
    return wanted_section, wanted_statuses, notes


def count_facets(
    searcher: Searcher,
    matched: set[int],
    statuses: dict[int, str | None],
    section: str | None,
    wanted: set[str] | None,
) -> tuple[Facets, set[int]]:
    """Count matches per section (under the status filter) and status (under the section one);
    return the counts and the matches both filters keep."""
    by_section: dict[str, int] = {}
    by_status: dict[str, int] = {}
    allowed: set[int] = set()
    for docnum in matched:
        info = searcher.docs.get(docnum)
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
    ordered = {name: by_status[name] for name in STATUSES if name in by_status}
    sections = dict(sorted(by_section.items(), key=lambda kv: (-kv[1], kv[0])))
    return {"section": sections, "status": ordered}, allowed
