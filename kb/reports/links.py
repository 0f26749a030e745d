"""The links check: internal links, anchors and nav entries that lead nowhere, with the likeliest target.

Redirects the site declares are followed first, so a link to a moved page is not broken.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from rapidfuzz import fuzz, process

from kb.urls import resolve_link


class _PageFinder:
    """Suggest the page a broken link most likely meant: same last segment first, then a close one."""

    def __init__(self, urls: Iterable[str]) -> None:
        """Index the known URLs by their last path segment."""
        self.by_leaf: dict[str, list[str]] = {}
        for url in urls:
            self.by_leaf.setdefault(url.rsplit("/", 1)[-1], []).append(url)
        self.leaves = list(self.by_leaf)
        self.cache: dict[str, str | None] = {}

    def suggest(self, url: str) -> str | None:
        """Return the closest known URL, or None (cached: broken targets repeat)."""
        if url not in self.cache:
            leaf = url.rsplit("/", 1)[-1]
            candidates = self.by_leaf.get(leaf) or [
                u
                for close, _, _ in process.extract(
                    leaf, self.leaves, scorer=fuzz.ratio, limit=3, score_cutoff=75
                )
                for u in self.by_leaf[close]
            ]
            best = process.extractOne(url, candidates, scorer=fuzz.ratio) if candidates else None
            self.cache[url] = best[0] if best else None
        return self.cache[url]


def close_anchor(anchor: str, anchors: Iterable[str]) -> str | None:
    """Return the anchor of a page closest to a missing one, if any is close.

    Of equally close anchors the first in sorted order wins: a page's anchors are a set, and
    set order changes from run to run with the hash seed.
    """
    best = process.extractOne(anchor, sorted(anchors), scorer=fuzz.ratio, score_cutoff=60)
    return best[0] if best else None


def broken_links(
    rows: Iterable[Mapping[str, Any]],
    redirects: Mapping[str, str],
    anchors: Mapping[str, Collection[str]] | None = None,
) -> list[dict[str, Any]]:
    """Check every internal link and anchor of the pages (rows) against the site's pages and their
    anchors: by default the rows' own, or anchors (every page's, by URL) when only some pages'
    links are checked."""
    pages = list(rows)
    if anchors is None:
        anchors = {row["url"]: {h["anchor"] for h in row["headings"]} for row in pages}
    finder = _PageFinder(anchors)
    findings = []
    for row in pages:
        for link in row["links"]:
            resolved = resolve_link(row["path"], link["target"])
            if resolved is None:
                continue
            url, anchor = resolved
            final = redirects.get(url, url)
            final_url = (resolve_link(row["path"], final) or (final, ""))[0]
            base = {"url": row["url"], "line": link["line"], "target": link["target"]}
            if final_url not in anchors:
                suggestion = finder.suggest(final_url)
                findings.append({**base, "kind": "missing-page", "suggestion": suggestion})
            elif anchor and anchor not in anchors[final_url]:
                close = close_anchor(anchor, anchors[final_url])
                suggestion = f"{final_url}#{close}" if close else None
                findings.append({**base, "kind": "missing-anchor", "suggestion": suggestion})
    return findings


def nav_findings(nav: Mapping[str, Any], urls: Iterable[str]) -> list[dict[str, Any]]:
    """Return the site nav's entries that name no page, as findings of the links report.

    A finding's url is the config file that holds the entry (it is not a page).
    """
    missing = list(nav.get("missing", []))
    finder = _PageFinder(urls) if missing else None
    return [
        {
            "url": m["source"],
            "line": 0,
            "target": m["entry"],
            "kind": "nav-missing",
            "suggestion": finder.suggest(m["url"]) if finder else None,
        }
        for m in missing
    ]
