"""One page's review status as its page view and JSON twin show it: the status, a label, and
what it rests on in words."""

from __future__ import annotations

from datetime import date
from typing import Any

from kb.index.generation import Generation
from kb.pages import Page
from kb.reports.campaign import campaign_facts, days_changed_after
from kb.reports.staleness import STATUS_LABELS, Status, judge
from kb.reports.validation import validation_from_fields
from kb.words import said


def detail_parts(page: Page, status: str, age: int | None, due_on: str | None) -> list[str]:
    """Say in words what a page's review status rests on, a phrase per fact (marked for the UI)."""
    parts: list[str] = []
    if page.validated_on:
        parts.append(said("validated %(date)s", date=page.validated_on))
    if age is not None and status != Status.FUTURE:
        if age == 0:
            parts.append(said("today"))
        elif age == 1:
            parts.append(said("%(num)s day ago", num=age))
        else:
            parts.append(said("%(num)s days ago", num=age))
    if status in (Status.FRESH, Status.DUE) and due_on:
        parts.append(said("review due %(date)s", date=due_on))
    elif status == Status.STALE and due_on:
        parts.append(said("review was due %(date)s", date=due_on))
    elif status == Status.NEVER:
        parts.append(said("no validatedOn date"))
    elif status == Status.EXEMPT:
        parts.append(said("this page is not reviewed"))
    return parts


def join_detail(parts: list[str]) -> str:
    """Join detail phrases into the line a page view shows, its first letter capitalized."""
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


def status_detail(page: Page, status: str, age: int | None, due_on: str | None) -> str:
    """Say in English what a page's review status rests on (JSON, CLI)."""
    return join_detail(detail_parts(page, status, age, due_on))


def page_status(gen: Generation, page: Page, as_of: date | None = None) -> dict[str, Any]:
    """Judge a page as of a date (today by default) under the settings its generation was built with."""
    result = judge(
        validation_from_fields(page.validated_on, page.validated_raw, page.validation_problem),
        as_of or date.today(),
        gen.settings,
        url=page.url,
        path=page.path,
        section=page.section,
    )
    due_on = result.due_on.isoformat() if result.due_on else None
    status = str(result.status)
    campaign = campaign_facts(gen)
    last_changed = campaign.last_changed.get(page.url)
    changed_days = days_changed_after(page.validated_on, last_changed)
    if result.status == Status.EXEMPT:
        changed_days = None
    return {
        "status": status,
        "label": STATUS_LABELS.get(status, status),
        "detail": status_detail(page, status, result.age_days, due_on),
        "detail_parts": detail_parts(page, status, result.age_days, due_on),
        "age_days": result.age_days,
        "due_on": due_on,
        "days_left": result.days_left,
        "problem": result.problem,
        "last_changed": last_changed,
        "changed_after_validation": changed_days is not None,
        "changed_days": changed_days,
        "approximate": page.url in campaign.approximate,
        "owners": list(campaign.owners.get(page.url, ())),
    }
