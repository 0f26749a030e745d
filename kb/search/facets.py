"""Facets of a search: the section and status filters, and how many matches each would keep."""

from __future__ import annotations

import numpy as np

from kb.search.columns import Column, Docnums
from kb.search.query import ParsedQuery
from kb.search.searcher import STATUSES, Searcher
from kb.words import said

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
    matched: Docnums,
    statuses: Column,
    section: str | None,
    wanted: set[str] | None,
) -> tuple[Facets, Docnums]:
    """Count matches per section (under the status filter) and status (under the section one);
    return the counts and the matches both filters keep (in docnum order)."""
    sections = searcher.section_column
    docs = matched[sections.codes[matched] < len(sections.names)]  # deleted ones have none
    section_codes = sections.codes[docs]
    status_codes = statuses.codes[docs]
    keep = np.ones(len(docs), dtype=np.bool_)
    section_ok = keep if section is None else section_codes == sections.code_of(section)
    status_ok = keep if wanted is None else statuses.mask(wanted)[status_codes]
    by_section = sections.count(docs[status_ok])
    by_status = statuses.count(docs[section_ok])
    ordered = {name: by_status[name] for name in STATUSES if name in by_status}
    counted = dict(sorted(by_section.items(), key=lambda kv: (-kv[1], kv[0])))
    return {"section": counted, "status": ordered}, docs[section_ok & status_ok]
