"""Review status as of a date: a page's validation judged under its section's review policy.

The one place a page's status is decided; the stale report, search facets and page views all
ask it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from kb.config import Settings
from kb.globs import matches_any
from kb.reports.validation import KEY, Validation
from kb.words import N_


class Status(StrEnum):
    """The review status of one page as of a date."""

    FRESH = "fresh"
    DUE = "due"
    STALE = "stale"
    NEVER = "never"
    INVALID = "invalid"
    FUTURE = "future"
    EXEMPT = "exempt"


# Worst first: what a docs team has to act on comes before what is fine.
STATUS_ORDER: tuple[Status, ...] = (
    Status.INVALID,
    Status.STALE,
    Status.DUE,
    Status.NEVER,
    Status.FUTURE,
    Status.FRESH,
    Status.EXEMPT,
)
STATUS_LABELS: dict[str, str] = {
    "fresh": N_("Fresh"),
    "due": N_("Review due"),
    "stale": N_("Stale"),
    "never": N_("Never validated"),
    "invalid": N_("Invalid date"),
    "future": N_("Future date"),
    "exempt": N_("Exempt from review"),
}
STATUS_HELP: dict[str, str] = {
    "invalid": N_("validatedOn is unreadable, empty or misspelled"),
    "stale": N_("past the review window"),
    "due": N_("window ends within the warning period"),
    "never": N_("no validatedOn at all"),
    "future": N_("dated after the report date"),
    "fresh": N_("validated within the window"),
    "exempt": N_("not reviewed (exempt by glob)"),
}


@dataclass(frozen=True)
class Policy:
    """How long a validation holds and how early a page is flagged as due."""

    review_window_days: int
    warning_days: int


@dataclass(frozen=True)
class Freshness:
    """A page's status as of a date, its age in days, the day its review is due and days left."""

    status: Status
    age_days: int | None
    due_on: date | None
    days_left: int | None
    problem: str | None


def policy_for(section: str, settings: Settings) -> Policy:
    """Return a section's review policy: its own override, its nearest parent's, or the defaults."""
    window, warning = settings.review_window_days, settings.warning_days
    parts = (section or "").strip("/").split("/")
    for depth in range(len(parts), 0, -1):
        override = settings.section_policies.get("/".join(parts[:depth]))
        if override is not None:
            window, warning = override.review_window_days, override.warning_days
            break
    window = max(0, int(window))
    # A warning longer than the window would make every page due from day one; cap it there.
    return Policy(window, min(max(0, int(warning)), window))


def is_exempt(url: str, path: str, globs: Sequence[str]) -> bool:
    """Tell whether a page's URL (with or without /docs) or source path matches an exempt glob."""
    if not globs:
        return False
    url = (url or "").strip()
    bare = url.lstrip("/")
    candidates = {url, bare, (path or "").replace("\\", "/")}
    if bare.startswith("docs/"):
        candidates.add(bare[len("docs/") :])
    return any(matches_any(c, globs) for c in candidates if c)


def freshness(
    validation: Validation, as_of: date, policy: Policy, exempt: bool = False
) -> Freshness:
    """Judge a validation as of a date.

    With age = as_of - validated_on in days and due_on = validated_on + window:
    - exempt: the page is exempt (wins over every other status; age, due_on and problem are kept);
    - invalid: the value is empty, unreadable, not a real date, or stands under a misspelled key;
    - never: no validatedOn key at all;
    - future: validated_on is after as_of (age is negative);
    - fresh: age <= window - warning (days_left >= warning);
    - due: window - warning < age <= window; on due_on itself (age == window, days_left 0) a page
      is still due, and it turns stale the day after;
    - stale: age > window (days_left < 0).
    """
    when = validation.validated_on
    age = (as_of - when).days if when else None
    due_on = when + timedelta(days=policy.review_window_days) if when else None
    days_left = (due_on - as_of).days if due_on else None
    problem = validation.problem
    if exempt:
        status = Status.EXEMPT
    elif problem is not None:
        status = Status.INVALID
    elif when is None or age is None or days_left is None:
        status = Status.NEVER
    elif age < 0:
        status = Status.FUTURE
        problem = f"{KEY} {when.isoformat()} is after the report date {as_of.isoformat()}"
    elif days_left < 0:
        status = Status.STALE
    elif days_left < policy.warning_days:
        status = Status.DUE
    else:
        status = Status.FRESH
    return Freshness(status, age, due_on, days_left, problem)


def judge(
    validation: Validation,
    as_of: date,
    settings: Settings,
    *,
    url: str,
    path: str,
    section: str,
    policy: Policy | None = None,
) -> Freshness:
    """Judge one page's review status as of a date under the settings it was built with.

    `policy` may be passed when the caller already looked up the section's policy.
    """
    policy = policy or policy_for(section, settings)
    return freshness(validation, as_of, policy, is_exempt(url, path, settings.exempt))
