"""The parameters of a report request, checked: the report date, status and section filters,
sort order and page. A bad one raises ReportQueryError saying what to send instead."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from kb.params import ParamError, positive_int
from kb.reports.stale import SORT_KEYS
from kb.reports.staleness import STATUS_ORDER
from kb.reports.validation import KEY, parse_date_value

PER_PAGE = 100  # rows on one page of a report


class ReportQueryError(ParamError):
    """A report parameter that cannot be used; the message says what to send instead."""


@dataclass(frozen=True)
class StaleQuery:
    """The checked parameters of a stale report request."""

    as_of: date
    section: str = ""
    status: str = ""
    sort: str = "status"
    descending: bool = False
    page: int = 1
    changed: bool = False
    owner: str = ""
    lang: str = ""


def parse_as_of(text: str | None, today: date) -> date:
    """Read a report date: empty or "today" is today, +N/-N days is relative, else YYYY-MM-DD."""
    cleaned = (text or "").strip()
    if not cleaned or cleaned.lower() == "today":
        return today
    if m := re.fullmatch(r"([+-])(\d{1,5})d?", cleaned):
        days = int(m[2])
        return today + timedelta(days=days if m[1] == "+" else -days)
    found, problem = parse_date_value(cleaned)
    if found is not None:
        return found
    detail = (problem or f"{KEY} '{cleaned}' is not a date").replace(KEY, "as_of", 1)
    joiner = " " if detail.endswith("?") else ". "
    raise ValueError(f"{detail}{joiner}Use YYYY-MM-DD, 'today', or +N/-N days.")


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
    """Read a report's as_of date (see parse_as_of); a bad one says how to fix it."""
    try:
        return parse_as_of(text, today)
    except ValueError as exc:
        raise ReportQueryError(str(exc)) from None


def report_page(text: str | None) -> int:
    """Read a report's page number (1 when absent)."""
    try:
        return positive_int("page", text, 1)
    except ParamError as exc:
        raise ReportQueryError(str(exc)) from None


def parse_stale_query(args: Mapping[str, str], today: date) -> StaleQuery:
    """Check stale report parameters (as_of, section, status, sort, order, page, changed,
    owner) from a request."""
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
        page=report_page(args.get("page")),
        changed=parse_flag("changed", args.get("changed")),
        owner=(args.get("owner") or "").strip()[:200],
        lang=(args.get("lang") or "").strip().lower()[:40],
    )


def parse_flag(name: str, text: str | None) -> bool:
    """Read a yes/no parameter: 1, true, yes or on; 0, false, no, off or empty."""
    cleaned = (text or "").strip().lower()
    if cleaned in ("", "0", "false", "no", "off"):
        return False
    if cleaned in ("1", "true", "yes", "on"):
        return True
    raise ReportQueryError(f"{name} must be 1 or 0 (true or false), not {cleaned[:40]!r}")
