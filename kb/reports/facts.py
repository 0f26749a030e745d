"""Report data from a served generation: the stale report, the overview, and what they share.

Plain functions with no web framework, shared by the web reports and the `kb stale`/`kb check`
commands; the findings reports are in kb.report_findings. A generation never changes once
switched in, so what is read from it is kept per generation and only the judging as of a date
is redone per call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from kb.config import Settings, settings_from_report
from kb.index.generation import Generation
from kb.reports.stale import (
    SORT_KEYS,
    STATUS_ORDER,
    PageFacts,
    StalePageRow,
    StaleReport,
    judge_pages,
    parse_as_of,
    report_from_rows,
    validation_from_fields,
)
from kb.reports.staleness import Status

PER_PAGE = 100
T = TypeVar("T")
DUE_SOON_DAYS = 30
# The statuses a docs team has to act on; `kb stale --fail-over` counts these.
OVER_BUDGET = (Status.STALE.value, Status.INVALID.value)
_FACT_COLUMNS = (
    "url",
    "path",
    "title",
    "section",
    "validated_on",
    "validated_raw",
    "validation_problem",
)


class ReportQueryError(ValueError):
    """A report parameter that cannot be used; the message says what to send instead."""


@dataclass(frozen=True)
class GenerationFacts:
    """What the reports read from one generation: page facts, titles, sections, paths, settings."""

    pages: tuple[PageFacts, ...]
    titles: dict[str, str]
    sections: dict[str, str]
    paths: dict[str, str]
    settings: Settings
    deprecated_counts: dict[str, int]


def remember(gen: Generation, key: Hashable, compute: Callable[[], T]) -> T:
    """Return what compute() gives for a generation and key, computed once while it is served."""
    return gen.remember(key, compute)


def generation_facts(gen: Generation) -> GenerationFacts:
    """Return the report facts of a generation, read once per generation object."""
    return remember(gen, "facts", lambda: _read_facts(gen))


def _read_facts(gen: Generation) -> GenerationFacts:
    """Read the light page columns and the settings the reports need from a generation."""
    deprecated = Counter(str(hit["url"]) for hit in gen.meta("deprecated", []) or [])
    pages = []
    for row in gen.store.rows(_FACT_COLUMNS):
        url = str(row["url"])
        validation = validation_from_fields(
            row["validated_on"], row["validated_raw"], row["validation_problem"]
        )
        pages.append(
            PageFacts(
                url=url,
                title=str(row["title"] or ""),
                section=str(row["section"] or ""),
                path=str(row["path"] or ""),
                validation=validation,
                deprecated_term_count=deprecated.get(url, 0),
            )
        )
    return GenerationFacts(
        pages=tuple(pages),
        titles={p.url: p.title for p in pages},
        sections={p.url: p.section for p in pages},
        paths={p.url: p.path for p in pages},
        settings=_settings(gen.meta("settings")),
        deprecated_counts=dict(deprecated),
    )


def section_names(gen: Generation) -> list[str]:
    """Return the sections of a generation's pages, sorted, for the report filters."""
    return sorted(set(generation_facts(gen).sections.values()))


def paginate(items: Sequence[T], page: int, per_page: int = PER_PAGE) -> tuple[list[T], int]:
    """Return one page of items (pages past the end give the last) and the number of pages."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(1, page), pages)
    return list(items[(page - 1) * per_page : page * per_page]), pages


def _settings(data: object) -> Settings:
    """Rebuild the report settings stored in a generation; unusable values fall back to defaults."""
    if not isinstance(data, dict):
        return Settings()
    # An unset optional setting is stored as null; the defaults already say "unset".
    usable = {k: v for k, v in data.items() if v is not None}
    try:
        return settings_from_report(usable)
    except (TypeError, ValueError, KeyError):
        return Settings()


# --- the stale report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StaleQuery:
    """The checked parameters of a stale report request."""

    as_of: date
    section: str = ""
    status: str = ""
    sort: str = "status"
    descending: bool = False
    page: int = 1


def positive_int(name: str, value: str | None, default: int) -> int:
    """Read a positive whole-number parameter (default when empty); huge ones are capped."""
    text = (value or "").strip()
    if not text:
        return default
    digits = text.lstrip("0")
    # isdigit() also accepts "²", which int() refuses; int() refuses over 4,300 digits too.
    if not (text.isascii() and text.isdigit()) or not digits:
        raise ReportQueryError(f"{name} must be a whole number from 1 up, not {text[:40]!r}")
    return int(digits) if len(digits) <= 9 else 10**9  # far past the last page, which it shows


def parse_statuses(text: str | None) -> str:
    """Check a comma-separated status filter and return it normalised (empty means all)."""
    wanted = [s.strip().lower() for s in (text or "").split(",") if s.strip()]
    known = [s.value for s in STATUS_ORDER]
    unknown = [s for s in wanted if s not in known]
    if unknown:
        raise ReportQueryError(
            f"unknown status {', '.join(repr(u[:40]) for u in unknown)}; "
            f"use one or more of {', '.join(known)}, separated by commas"
        )
    return ",".join(dict.fromkeys(wanted))


def parse_report_date(text: str | None, today: date) -> date:
    """Read a report's as_of date (see kb.stale_report.parse_as_of); a bad one says how to fix it."""
    try:
        return parse_as_of(text, today)
    except ValueError as exc:
        raise ReportQueryError(str(exc)) from None


def parse_stale_query(args: Mapping[str, str], today: date) -> StaleQuery:
    """Check stale report parameters (as_of, section, status, sort, order, page) from a request."""
    as_of = parse_report_date(args.get("as_of"), today)
    sort = (args.get("sort") or "status").strip()
    if sort not in SORT_KEYS:
        raise ReportQueryError(f"unknown sort {sort[:40]!r}; use one of {', '.join(SORT_KEYS)}")
    order = (args.get("order") or "asc").strip().lower()
    if order not in ("asc", "desc"):
        raise ReportQueryError(f"unknown order {order[:40]!r}; use asc or desc")
    return StaleQuery(
        as_of=as_of,
        section=(args.get("section") or "").strip(),
        status=parse_statuses(args.get("status")),
        sort=sort,
        descending=order == "desc",
        page=positive_int("page", args.get("page"), 1),
    )


@dataclass(frozen=True)
class StaleView:
    """The stale report for one request: the whole site, the section, and the filtered rows."""

    site: StaleReport
    section: StaleReport
    filtered: StaleReport


def judged_rows(gen: Generation, as_of: date) -> tuple[StalePageRow, ...]:
    """Return every page of a generation judged as of a date, kept for the next request."""

    def judge() -> tuple[StalePageRow, ...]:
        """Judge every page of the generation as of the date."""
        facts = generation_facts(gen)
        return tuple(judge_pages(facts.pages, as_of, facts.settings))

    return remember(gen, ("judged", as_of), judge)


def stale_view(gen: Generation, query: StaleQuery) -> StaleView:
    """Judge every page once and report it three ways: site-wide, for the section, filtered."""
    facts = generation_facts(gen)
    rows = judged_rows(gen, query.as_of)
    site = report_from_rows(rows, query.as_of, facts.settings)
    in_section = (
        report_from_rows(rows, query.as_of, facts.settings, section=query.section)
        if query.section
        else site
    )
    filtered = report_from_rows(
        in_section.pages,
        query.as_of,
        facts.settings,
        status=query.status or None,
        sort=query.sort,
        descending=query.descending,
    )
    return StaleView(site, in_section, filtered)


def stale_report(gen: Generation, query: StaleQuery) -> StaleReport:
    """Return the filtered, sorted stale report of a generation."""
    facts = generation_facts(gen)
    rows = judged_rows(gen, query.as_of)
    return report_from_rows(
        rows,
        query.as_of,
        facts.settings,
        section=query.section or None,
        status=query.status or None,
        sort=query.sort,
        descending=query.descending,
    )


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


# --- overview ---------------------------------------------------------------------------------


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
