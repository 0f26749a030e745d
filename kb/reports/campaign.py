"""The validation campaign's per-page facts as a served generation stores them: each page's last
content change (from git, at index time) and its owners; and the rule for "changed after
validation"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kb.index.generation import Generation


@dataclass(frozen=True)
class CampaignFacts:
    """Per page URL: the day its content last changed and its owners; the history pass's note."""

    last_changed: dict[str, str]
    approximate: frozenset[str]
    owners: dict[str, tuple[str, ...]]
    history_note: str | None
    history_on: bool


def campaign_facts(gen: Generation) -> CampaignFacts:
    """Return the campaign facts of a generation, read once per generation object."""
    return gen.remember("campaign_facts", lambda: _read(gen))


def _read(gen: Generation) -> CampaignFacts:
    """Read the `history` and `owners` meta values the build stored."""
    history = gen.read_meta("history", {}) or {}
    pages = history.get("pages") or {}
    owners = gen.read_meta("owners", {}) or {}
    return CampaignFacts(
        last_changed={
            str(url): str(entry["last_changed"])
            for url, entry in pages.items()
            if isinstance(entry, dict) and entry.get("last_changed")
        },
        approximate=frozenset(
            str(url)
            for url, entry in pages.items()
            if isinstance(entry, dict) and entry.get("approximate")
        ),
        owners={str(url): tuple(str(o) for o in names) for url, names in owners.items()},
        history_note=history.get("note"),
        history_on=bool(history.get("head")),
    )


def days_changed_after(validated_on: str | None, last_changed: str | None) -> int | None:
    """Days from a page's validation to its last content change when that came later, else None.

    A change on the day of the validation counts as part of it (the stamp and the edit are
    often one commit).
    """
    if not validated_on or not last_changed:
        return None
    try:
        days = (date.fromisoformat(last_changed[:10]) - date.fromisoformat(validated_on[:10])).days
    except ValueError:
        return None
    return days if days > 0 else None
