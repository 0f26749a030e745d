"""The campaign at a glance: status counts, what needs attention, what falls due soon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kb.index.generation import Generation
from kb.reports.facts import generation_facts, stale_report
from kb.reports.queries import StaleQuery
from kb.reports.stale import StalePageRow, StaleReport
from kb.reports.staleness import Status

DUE_SOON_DAYS = 30
# The statuses a docs team has to act on; `kb stale --fail-over` counts these.
OVER_BUDGET = (Status.STALE.value, Status.INVALID.value)


def over_budget_count(report: StaleReport) -> int:
    """Count the pages `kb stale --fail-over` weighs: stale plus invalid."""
    return sum(report.summary.get(status, 0) for status in OVER_BUDGET)


def due_soon(report: StaleReport, days: int = DUE_SOON_DAYS, limit: int = 10) -> list[StalePageRow]:
    """Return reviewed pages whose window ends within `days`, soonest first."""
    rows = [
        r
        for r in report.pages
        if r.status in (Status.FRESH, Status.DUE) and r.days_left is not None
        if 0 <= r.days_left <= days
    ]
    return sorted(rows, key=lambda r: (r.days_left or 0, r.url))[:limit]


def recently_validated(report: StaleReport, limit: int = 8) -> list[StalePageRow]:
    """Return the pages validated most recently (not after the report date), newest first."""
    rows = [r for r in report.pages if r.age_days is not None and r.age_days >= 0]
    rows = [r for r in rows if r.status != Status.INVALID]
    return sorted(rows, key=lambda r: (r.age_days or 0, r.url))[:limit]


@dataclass(frozen=True)
class Overview:
    """The campaign at a glance: status counts, overdue, outlook, findings, recent and due pages."""

    as_of: date
    pages: int
    summary: dict[str, int]
    needs_attention: int
    falling_due: dict[int, int]
    terms: int
    term_pages: int
    links: int
    drift: int
    recently_validated: list[StalePageRow]
    due_soon: list[StalePageRow]
    policy: dict[str, object]


def overview(gen: Generation, as_of: date) -> Overview:
    """Gather the headline numbers of every report as of a date."""
    report = stale_report(gen, StaleQuery(as_of=as_of))
    facts = generation_facts(gen)
    return Overview(
        as_of=as_of,
        pages=len(report.pages),
        summary=dict(report.summary),
        needs_attention=over_budget_count(report),
        falling_due=dict(report.falling_due),
        terms=sum(facts.deprecated_counts.values()),
        term_pages=len(facts.deprecated_counts),
        links=len(gen.meta("links", []) or []),
        drift=len(gen.meta("drift", []) or []),
        recently_validated=recently_validated(report),
        due_soon=due_soon(report),
        policy=report.policy,
    )


def overview_to_json(ov: Overview) -> dict[str, Any]:
    """Return the overview as the JSON data of GET /api/reports."""
    return {
        "as_of": ov.as_of.isoformat(),
        "pages": ov.pages,
        "summary": ov.summary,
        "needs_attention": ov.needs_attention,
        "falling_due": {str(days): n for days, n in ov.falling_due.items()},
        "terms": ov.terms,
        "term_pages": ov.term_pages,
        "links": ov.links,
        "glossary": ov.drift,
        "policy": ov.policy,
    }
