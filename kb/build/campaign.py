"""The validation campaign's per-page facts, computed for every generation from the whole site:
each page's last content change (git history) and its owners. Stored as generation meta
(`history`, `owners`) so the served app never reads git, YAML or CODEOWNERS."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from typing import Any

from kb.build.codeowners import LOCATIONS, load_codeowners, repository_root
from kb.build.git import GitUnavailable, find_work_tree
from kb.build.history import PageFiles, read_history
from kb.build.owners import OwnerResolver
from kb.config import Settings
from kb.index.store import PageStore

_COLUMNS = ("url", "path", "section", "meta", "deps")
INPUTS_KEY = "campaign_inputs"  # what history and owners rest on besides the pages


def campaign_inputs(settings: Settings) -> dict[str, Any]:
    """Return what history and owners rest on besides the pages: the git HEAD, the CODEOWNERS
    files (SHA-256, None: missing) and the settings that steer them (head: why git is off)."""
    try:
        head = find_work_tree(settings.site_root).head
    except GitUnavailable as exc:
        head = f"off: {exc}"
    top = repository_root(settings.site_root)
    files: dict[str, str | None] = {}
    for location in LOCATIONS:
        try:
            files[location] = hashlib.sha256((top / location).read_bytes()).hexdigest()
        except OSError:
            files[location] = None
    owners = sorted([section, list(names)] for section, names in settings.section_owners.items())
    return {
        "head": head,
        "codeowners": files,
        "section_owners": owners,
        "history_seconds": settings.history_seconds,
    }


def campaign_by_delta(
    store: PageStore, previous: PageStore, touched: Collection[str], settings: Settings
) -> list[str] | None:
    """Keep the carried history and owners when nothing they rest on changed: the same HEAD,
    CODEOWNERS and settings, no page added or removed, and every touched page with the path,
    section, frontmatter and includes it had. Return the build notes, or None (compute again).
    """
    inputs = store.get_meta(INPUTS_KEY)
    if inputs is None or inputs != campaign_inputs(settings):
        return None
    before = [_campaign_part(row) for row in previous.rows_of(touched, _COLUMNS)]
    if before != [_campaign_part(row) for row in store.rows_of(touched, _COLUMNS)]:
        return None
    history = store.get_meta("history") or {}
    notes = [str(history["note"])] if history.get("note") else []
    return notes + list(load_codeowners(repository_root(settings.site_root)).problems)


def _campaign_part(row: dict[str, Any]) -> tuple[Any, ...]:
    """Return what a page gives history and owners: URL, path, section, frontmatter, includes."""
    (files,) = _page_files([row])
    return row["url"], row["path"], row["section"], row["meta"], files.includes


def store_campaign(store: PageStore, settings: Settings) -> list[str]:
    """Compute and store history and owners for every page; return notes for the build summary."""
    inputs = campaign_inputs(settings)  # before the pass: a HEAD that moves during it is news
    rows = list(store.rows(_COLUMNS))
    notes: list[str] = []
    history = _history(store, settings, rows)
    store.put_meta("history", history)
    # A pass that stopped short is tried again next run; no pass (git off) is kept as it is.
    stopped = history.get("head") and not history.get("complete")
    store.put_meta(INPUTS_KEY, None if stopped else inputs)
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
