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


def status_detail(page: Page, status: str, age: int | None, due_on: str | None) -> str:
    """Say in words what a page's review status rests on."""
    parts = []
    if page.validated_on:
        parts.append(f"validated {page.validated_on}")
    if age is not None and status != Status.FUTURE:
        parts.append("today" if age == 0 else f"{age} day{'s' if age != 1 else ''} ago")
    if status in (Status.FRESH, Status.DUE) and due_on:
        parts.append(f"review due {due_on}")
    elif status == Status.STALE and due_on:
        parts.append(f"review was due {due_on}")
    elif status == Status.NEVER:
        parts.append("no validatedOn date")
    elif status == Status.EXEMPT:
        parts.append("this page is not reviewed")
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


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
