"""The campaign by owner: each owner's load, and one owner's to-do list (what is due, stale,
unusable or changed after validation), with its CSV; and the campaign numbers the home page and
/reports show."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from kb.index.generation import Generation
from kb.reports.campaign import campaign_facts
from kb.reports.export import csv_cell
from kb.reports.facts import JUDGED_DATES, judged_rows
from kb.reports.stale import UNOWNED, StalePageRow
from kb.reports.staleness import STATUS_ORDER, Status
from kb.words import said

# The statuses that put a page on its owners' to-do list (besides an edit after validation).
TODO_STATUSES = (Status.INVALID.value, Status.STALE.value, Status.DUE.value)
TODO_FIELDS = (
    "url", "title", "section", "status", "reasons", "validated_on", "due_on", "days_left",
    "last_changed", "changed_after_validation", "owners",
)  # fmt: skip
_RANK = {status.value: rank for rank, status in enumerate(STATUS_ORDER)}


@dataclass(frozen=True)
class OwnerLoad:
    """One owner's pages: how many, how many per status that needs work, and the to-do total."""

    owner: str
    pages: int
    stale: int
    due: int
    invalid: int
    never: int
    changed: int
    todo: int

    def to_json(self) -> dict[str, Any]:
        """Return the load as JSON-ready data."""
        return dict(vars(self))


def reasons(row: StalePageRow) -> list[str]:
    """Say why a page is on its owners' to-do list (empty: it is not)."""
    found = []
    if row.status in TODO_STATUSES:
        found.append(row.status)
    if row.changed_after_validation:
        days = row.changed_days or 0
        if days == 1:
            found.append(said("edited %(num)s day after validation", num=days))
        else:
            found.append(said("edited %(num)s days after validation", num=days))
    return found


def owners_of(row: StalePageRow) -> tuple[str, ...]:
    """Return a row's owners, or the unowned marker."""
    return row.owners or (UNOWNED,)


def owner_load(rows: Iterable[StalePageRow]) -> list[OwnerLoad]:
    """Count each owner's pages and work, most to do first (a page counts for each owner)."""
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        for owner in owners_of(row):
            c = counts.setdefault(owner, dict.fromkeys(("pages", "changed", "todo"), 0))
            c["pages"] += 1
            c[row.status] = c.get(row.status, 0) + 1
            c["changed"] += row.changed_after_validation
            c["todo"] += bool(reasons(row))
    loads = [
        OwnerLoad(
            owner=name,
            pages=c["pages"],
            stale=c.get("stale", 0),
            due=c.get("due", 0),
            invalid=c.get("invalid", 0),
            never=c.get("never", 0),
            changed=c["changed"],
            todo=c["todo"],
        )
        for name, c in counts.items()
    ]
    return sorted(
        loads, key=lambda load: (-load.todo, load.owner == UNOWNED, load.owner.casefold())
    )


def owner_todo(rows: Iterable[StalePageRow], owner: str = "") -> list[StalePageRow]:
    """Return one owner's pages that need work (every owner's when empty): worst status first,
    then the longest edited."""
    mine = [r for r in rows if (not owner or owner in owners_of(r)) and reasons(r)]
    return sorted(
        mine,
        key=lambda r: (_RANK.get(r.status, len(_RANK)), -(r.changed_days or 0), r.url),
    )


def todo_to_dict(row: StalePageRow) -> dict[str, Any]:
    """Return one to-do row as JSON-ready data, in the CSV's column order."""
    data = {name: getattr(row, name, None) for name in TODO_FIELDS}
    data["reasons"] = reasons(row)
    data["owners"] = list(row.owners)
    return data


def todo_to_csv(rows: Iterable[StalePageRow]) -> str:
    """Return a to-do list as CSV (reasons joined by "; ", owners by spaces)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TODO_FIELDS)
    for row in rows:
        data = todo_to_dict(row)
        data["reasons"] = "; ".join(data["reasons"])
        data["owners"] = " ".join(data["owners"])
        writer.writerow([csv_cell(data[name]) for name in TODO_FIELDS])
    return buffer.getvalue()


@dataclass(frozen=True)
class CampaignNumbers:
    """What the home page and /reports add to the campaign: edits after validation, owners."""

    changed_after_validation: int
    owners: list[OwnerLoad]
    owner_count: int
    history_on: bool
    history_note: str | None

    def to_json(self) -> dict[str, Any]:
        """Return the numbers as JSON-ready data."""
        return {
            "changed_after_validation": self.changed_after_validation,
            "owners": [load.to_json() for load in self.owners],
            "owner_count": self.owner_count,
            "history": {"on": self.history_on, "note": self.history_note},
        }


def campaign_numbers(gen: Generation, as_of: date) -> CampaignNumbers:
    """Count the edits after validation and the owners with the most to do, as of a date
    (kept for the next request on the same date)."""
    return gen.cache("campaign_numbers", JUDGED_DATES).get(as_of, lambda: _numbers(gen, as_of))


def _numbers(gen: Generation, as_of: date, top: int = 8) -> CampaignNumbers:
    """Count the campaign numbers of a generation as of a date."""
    rows = judged_rows(gen, as_of)
    loads = owner_load(rows)
    facts = campaign_facts(gen)
    named = [load for load in loads if load.owner != UNOWNED]
    return CampaignNumbers(
        changed_after_validation=sum(1 for r in rows if r.changed_after_validation),
        owners=loads[:top] if named else [],
        owner_count=len(named),
        history_on=facts.history_on,
        history_note=facts.history_note,
    )


def known_owners(gen: Generation) -> list[str]:
    """Return every owner named in a generation, sorted (read once per generation)."""

    def read() -> list[str]:
        """Gather the owners of every page."""
        names = {o for owners in campaign_facts(gen).owners.values() for o in owners}
        return sorted(names, key=str.casefold)

    return gen.remember("known_owners", read)
