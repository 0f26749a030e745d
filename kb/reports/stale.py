"""The stale report: every page judged as of a date, counted, filtered and sorted."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date

from kb.config import Settings
from kb.reports.campaign import days_changed_after
from kb.reports.staleness import STATUS_ORDER, Policy, Status, judge, policy_for
from kb.reports.validation import Validation, read_validation
from kb.urls import edit_link

_STATUS_RANK = {status.value: rank for rank, status in enumerate(STATUS_ORDER)}
SORT_KEYS = ("status", "age", "title", "section", "url", "validated_on", "last_changed", "demand")
FALLING_DUE_DAYS = (30, 60, 90)
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–30", 0, 30),
    ("31–90", 31, 90),
    ("91–180", 91, 180),
    ("181–365", 181, 365),
    (">365", 366, None),
)
UNOWNED = "-"  # the owner filter's name for pages nobody owns
FUTURE_BUCKET = "future"
UNDATED_BUCKET = "never/invalid"


@dataclass(frozen=True)
class PageFacts:
    """What the stale report needs of one page; give `validation` or the raw frontmatter `meta`."""

    url: str
    title: str
    section: str
    path: str = ""
    meta: Mapping[str, object] | None = None
    validation: Validation | None = None
    deprecated_term_count: int = 0
    last_changed: str | None = None
    owners: tuple[str, ...] = ()
    lang: str = ""


@dataclass(frozen=True)
class StalePageRow:
    """One page in the stale report, ready for JSON, CSV or a table."""

    url: str
    title: str
    section: str
    validated_on: str | None
    raw: str | None
    age_days: int | None
    status: str
    problem: str | None
    due_on: str | None
    days_left: int | None
    deprecated_terms: int
    source_path: str = ""
    edit_url: str | None = None
    last_changed: str | None = None
    changed_after_validation: bool = False
    changed_days: int | None = None
    owners: tuple[str, ...] = ()
    # How often the page was a top-5 search result in the demand window; None: no search log.
    demand: int | None = None
    lang: str = ""


@dataclass(frozen=True)
class StaleReport:
    """The stale report: counts by status overall and per section, the rows, and the outlook."""

    as_of: date
    policy: dict[str, object]
    summary: dict[str, int]
    sections: dict[str, dict[str, int]]
    pages: list[StalePageRow]
    falling_due: dict[int, int]
    age_histogram: list[tuple[str, int]]
    problems: tuple[str, ...] = ()
    changed_after_validation: int = 0


def _row(facts: PageFacts, as_of: date, settings: Settings, policy: Policy) -> StalePageRow:
    """Judge one page under its section's policy and turn it into a report row."""
    validation = facts.validation or read_validation(facts.meta or {})
    result = judge(
        validation,
        as_of,
        settings,
        url=facts.url,
        path=facts.path,
        section=facts.section,
        policy=policy,
    )
    when = validation.validated_on
    changed_days = days_changed_after(when.isoformat() if when else None, facts.last_changed)
    return StalePageRow(
        url=str(facts.url or ""),
        title=str(facts.title or ""),
        section=str(facts.section or ""),
        validated_on=when.isoformat() if when else None,
        raw=validation.raw,
        age_days=result.age_days,
        status=result.status.value,
        problem=result.problem,
        due_on=result.due_on.isoformat() if result.due_on else None,
        days_left=result.days_left,
        deprecated_terms=int(facts.deprecated_term_count or 0),
        source_path=facts.path,
        edit_url=edit_link(settings.edit_url, facts.path) if facts.path else None,
        last_changed=facts.last_changed,
        # An exempt page is not reviewed, so an edit cannot make its review out of date.
        changed_after_validation=changed_days is not None and result.status != Status.EXEMPT,
        changed_days=changed_days,
        owners=tuple(facts.owners),
        lang=facts.lang,
    )


def _sort_key(row: StalePageRow, sort: str) -> int | str | None:
    """Return the primary sort value of a row, None when the row has none."""
    if sort == "status":
        return _STATUS_RANK.get(row.status, len(_STATUS_RANK))
    if sort == "age":
        return row.age_days
    if sort == "demand":
        return row.demand
    if sort in {"title", "section", "url"}:
        return str(getattr(row, sort)).casefold()
    if sort == "last_changed":
        return row.last_changed
    return row.validated_on


def _sorted(rows: list[StalePageRow], sort: str, descending: bool) -> list[StalePageRow]:
    """Sort rows by one key, ties by age (oldest first) then URL; rows lacking the key go last."""
    base = sorted(rows, key=lambda r: r.url)
    base.sort(key=lambda r: -r.age_days if r.age_days is not None else float("inf"))
    keyed = [(_sort_key(r, sort), r) for r in base]
    present = [(k, r) for k, r in keyed if k is not None]
    missing = [r for k, r in keyed if k is None]
    present.sort(key=lambda kr: kr[0], reverse=descending)
    return [r for _, r in present] + missing


def _histogram(rows: list[StalePageRow]) -> list[tuple[str, int]]:
    """Count rows by validation age; exempt pages are outside review and left out."""
    counts = dict.fromkeys([b[0] for b in AGE_BUCKETS] + [FUTURE_BUCKET, UNDATED_BUCKET], 0)
    undated = {Status.NEVER.value, Status.INVALID.value}
    for row in rows:
        if row.status == Status.EXEMPT:
            continue
        if row.status in undated or row.age_days is None:
            counts[UNDATED_BUCKET] += 1
        elif row.status == Status.FUTURE:
            counts[FUTURE_BUCKET] += 1
        else:
            label = next(b[0] for b in AGE_BUCKETS if b[2] is None or row.age_days <= b[2])
            counts[label] += 1
    return list(counts.items())


def _policy_dict(settings: Settings) -> dict[str, object]:
    """Describe the policy in force as plain data."""
    default = policy_for("", settings)
    return {
        "review_window_days": default.review_window_days,
        "warning_days": default.warning_days,
        "sections": {
            name: {"review_window_days": p.review_window_days, "warning_days": p.warning_days}
            for name, p in sorted(settings.section_policies.items())
        },
        "exempt": list(settings.exempt),
    }


def judge_pages(pages: Iterable[PageFacts], as_of: date, settings: Settings) -> list[StalePageRow]:
    """Judge every page as of a date, in the order given."""
    return list(iter_judged(pages, as_of, settings))


def iter_judged(
    pages: Iterable[PageFacts], as_of: date, settings: Settings
) -> Iterator[StalePageRow]:
    """Judge pages as of a date one at a time, in the order given (nothing kept)."""
    policies: dict[str, Policy] = {}
    for page in pages:
        policy = policies.get(page.section)
        if policy is None:
            policy = policies[page.section] = policy_for(page.section, settings)
        yield _row(page, as_of, settings, policy)


def build_stale_report(
    pages: Iterable[PageFacts],
    as_of: date,
    settings: Settings,
    *,
    section: str | None = None,
    status: str | None = None,
    sort: str = "status",
    descending: bool = False,
) -> StaleReport:
    """Judge every page as of a date and gather the report.

    The section and status filters (status may list several, comma-separated) narrow the rows
    first; summary, sections, falling_due and age_histogram then count only the rows kept, so
    every number agrees with the page list. An unknown status matches nothing and an unknown
    sort key falls back to "status"; both are named in `problems`.
    """
    rows = judge_pages(pages, as_of, settings)
    return report_from_rows(
        rows, as_of, settings, section=section, status=status, sort=sort, descending=descending
    )


def report_from_rows(
    rows: Iterable[StalePageRow],
    as_of: date,
    settings: Settings,
    *,
    section: str | None = None,
    status: str | None = None,
    sort: str = "status",
    descending: bool = False,
    changed: bool = False,
    owner: str = "",
    demand: Mapping[str, int] | None = None,
    lang: str | None = None,
) -> StaleReport:
    """Gather the report from rows already judged as of `as_of` (see build_stale_report).

    `changed` keeps only pages changed after validation; `owner` only the pages of one owner
    ("-" for the pages nobody owns); `demand` (page URL → top-5 search appearances) fills each
    row's demand column; pages missing from it had none.
    """
    problems: list[str] = []
    rows = list(rows)
    if demand is not None:
        rows = [replace(r, demand=demand.get(r.url, 0)) for r in rows]
    if lang:
        rows = [r for r in rows if r.lang == lang]
    if section:
        rows = [r for r in rows if r.section == section]
    if changed:
        rows = [r for r in rows if r.changed_after_validation]
    if owner:
        rows = [r for r in rows if owner in r.owners or (owner == UNOWNED and not r.owners)]
    if status:
        wanted = {s.strip().lower() for s in status.split(",") if s.strip()}
        unknown = sorted(wanted - {s.value for s in Status})
        if unknown:
            known = ", ".join(s.value for s in Status)
            problems.append(f"unknown status {', '.join(unknown)}; use one of {known}")
        rows = [r for r in rows if r.status in wanted]
    if sort not in SORT_KEYS:
        problems.append(f"unknown sort {sort!r}; use one of {', '.join(SORT_KEYS)}")
        sort = "status"
    summary = dict.fromkeys(_STATUS_RANK, 0)
    sections: dict[str, dict[str, int]] = {}
    for row in rows:
        summary[row.status] += 1
        per = sections.get(row.section)
        if per is None:
            per = sections[row.section] = dict.fromkeys(_STATUS_RANK, 0)
        per[row.status] += 1
    reviewed = {Status.FRESH.value, Status.DUE.value}
    days_left = [r.days_left for r in rows if r.status in reviewed and r.days_left is not None]
    falling_due = {
        days: sum(1 for left in days_left if 0 <= left <= days) for days in FALLING_DUE_DAYS
    }
    return StaleReport(
        as_of=as_of,
        policy=_policy_dict(settings),
        summary=summary,
        sections=dict(sorted(sections.items())),
        pages=_sorted(rows, sort, descending),
        falling_due=falling_due,
        age_histogram=_histogram(rows),
        problems=tuple(problems),
        changed_after_validation=sum(1 for r in rows if r.changed_after_validation),
    )
