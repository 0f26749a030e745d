"""The pages a run touched, and the generation-wide data brought up to date from them.

An incremental run updates derived data (kb.build.derived_delta) and keeps history and owners
(kb.build.campaign) from the touched pages alone when the change allows it; a full run, or a
change that reaches every page, computes them over every page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.build.campaign import campaign_by_delta, store_campaign
from kb.build.derived import Problems, derive_generation_data
from kb.build.derived_delta import derive_by_delta
from kb.build.incremental import Changes
from kb.config import Settings
from kb.index.store import PageStore


class Touched:
    """The URLs a run changed, added, removed or rejected, over the generation it builds on."""

    def __init__(
        self, store: PageStore, previous: Path | None, changes: Changes, settings: Settings
    ) -> None:
        """Name the touched URLs of a run writing store on top of the previous generation."""
        self.store = store
        self.previous = previous
        self.urls = {source.url for source in changes.changed} | changes.removed
        self.settings = settings

    def derive(self, problems: Problems) -> list[dict[str, Any]] | None:
        """Derive the generation-wide data and return the glossary terms to index; None when it
        was updated by delta (the glossary then is the one the previous generation indexed)."""
        if self.previous is not None:
            previous = PageStore(self.previous)
            try:
                done = derive_by_delta(self.store, previous, self.urls, self.settings, problems)
            finally:
                previous.close()
            if done:
                return None
        return derive_generation_data(self.store, self.settings, problems)

    def campaign(self, *, by_delta: bool) -> list[str]:
        """Store history and owners, kept as they were when by_delta and nothing they rest on
        changed; return the notes for the build summary."""
        if self.previous is not None and by_delta:
            previous = PageStore(self.previous)
            try:
                notes = campaign_by_delta(self.store, previous, self.urls, self.settings)
            finally:
                previous.close()
            if notes is not None:
                return notes
        return store_campaign(self.store, self.settings)
