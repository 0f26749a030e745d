"""Content checks: deprecated terminology in prose, and internal links and anchors that lead nowhere."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from kb.markup.prose import prose_lines
from kb.urls import resolve_link

REDIRECT_FILES = ("config/redirects.json", "redirects.json", "docs.json", "mint.json")


@lru_cache(maxsize=32)
def _term_pattern(terms: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    """Compile one alternation; a capitalised term matches only as written, a lowercase one any case."""
    if not terms:
        return None
    parts = []
    for term, _ in sorted(terms, key=lambda t: -len(t[0])):
        escaped = re.escape(term)
        parts.append(escaped if term != term.lower() else f"(?i:{escaped})")
    return re.compile(r"(?<![\w/.-])(" + "|".join(parts) + r")(?![\w/-])")


def deprecated_hits(body: str, line_offset: int, terms: Mapping[str, str]) -> list[dict[str, Any]]:
    """Find deprecated terms as whole words in prose: line, term as written, replacement, context."""
    pattern = _term_pattern(tuple(sorted(terms.items())))
    if pattern is None:
        return []
    lookup = {k.lower(): (k, v) for k, v in terms.items()}
    exact = dict(terms)
    hits = []
    for number, line in prose_lines(body, line_offset):
        for match in pattern.finditer(line):
            found = match.group(1)
            term, replacement = (found, exact[found]) if found in exact else lookup[found.lower()]
            start = max(0, match.start() - 40)
            hits.append(
                {
                    "line": number,
                    "term": term,
                    "found": found,
                    "replacement": replacement,
                    "context": " ".join(line[start : match.end() + 40].split()),
                }
            )
    return hits


def load_redirects(site_root: Path) -> dict[str, str]:
    """Read source → destination redirects from the site's config files, when present."""
    redirects: dict[str, str] = {}
    for name in REDIRECT_FILES:
        try:
            data = json.loads((site_root / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        entries = data.get("redirects", []) if isinstance(data, dict) else data
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and "source" in entry and "destination" in entry:
                redirects.setdefault(str(entry["source"]).rstrip("/"), str(entry["destination"]))
    return redirects


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
    """Return the anchor of a page closest to a missing one, if any is close."""
    best = process.extractOne(anchor, list(anchors), scorer=fuzz.ratio, score_cutoff=60)
    return best[0] if best else None


def broken_links(
    rows: Iterable[Mapping[str, Any]], redirects: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Check every internal link and anchor of every page against the pages and their anchors."""
    pages = list(rows)
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
