"""The validation campaign's per-page facts, computed for every generation from the whole site:
each page's last content change (git history) and its owners. Stored as generation meta
(`history`, `owners`) so the served app never reads git, YAML or CODEOWNERS."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from kb.build.history import PageFiles, read_history
from kb.build.owners import OwnerResolver
from kb.config import Settings
from kb.index.store import PageStore

_COLUMNS = ("url", "path", "section", "meta", "deps")


def store_campaign(store: PageStore, settings: Settings) -> list[str]:
    """Compute and store history and owners for every page; return notes for the build summary."""
    rows = list(store.rows(_COLUMNS))
    notes: list[str] = []
    history = _history(store, settings, rows)
    store.put_meta("history", history)
    if history.get("note"):
        notes.append(str(history["note"]))
    resolver = OwnerResolver(settings.site_root, settings.section_owners)
    notes.extend(resolver.codeowners.problems)
    store.put_meta(
        "owners",
        {
            row["url"]: owners
            for row in rows
            if (owners := resolver.owners(row["path"], row["section"] or "", row["meta"]))
        },
    )
    return notes


def _page_files(rows: list[dict[str, Any]]) -> list[PageFiles]:
    """Name each page's source and the includes it read (missing ones left out)."""
    return [
        PageFiles(
            url=row["url"],
            path=row["path"],
            includes=tuple(sorted(k for k, v in (row["deps"] or {}).items() if v != "missing")),
        )
        for row in rows
    ]


def _history(store: PageStore, settings: Settings, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Read the history, or reuse the previous generation's when HEAD and the pages are the same.

    The store of an incremental build starts as a copy of the served one, so its `history` is
    the last pass; it is reused only when that pass was complete, on the same commit, over the
    same files — a new commit touching only a snippet still re-reads the history.
    """
    files = _page_files(rows)
    key = hashlib.sha256(
        json.dumps([(f.url, f.path, f.includes) for f in files]).encode()
    ).hexdigest()[:16]
    previous = store.get_meta("history") or {}
    history = read_history(
        settings.site_root, files, settings.history_seconds, key=key, previous=previous
    )
    return history.to_json()
