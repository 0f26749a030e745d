"""Content checks: deprecated terminology in prose, and internal links and anchors that lead nowhere."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from kb.discover import PAGE_SUFFIXES, url_for_path

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|\bhref=(\"[^\"]*\"|'[^']*'|\{[^}]*\})|https?://\S+")
_IMPORT_EXPORT = re.compile(r"^(import|export)\s")
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


def prose_lines(body: str, line_offset: int = 0) -> Iterable[tuple[int, str]]:
    """Yield (file line, text) of lines outside code fences, without inline code or link targets."""
    fence: str | None = None
    for number, line in enumerate(body.split("\n"), start=1 + line_offset):
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker[0] * len(marker)
            elif marker.startswith(fence):
                fence = None
            continue
        if fence is not None or _IMPORT_EXPORT.match(line):
            continue
        yield number, _LINK_TARGET.sub(" ", _INLINE_CODE.sub(" ", line))


def deprecated_hits(
    body: str, line_offset: int, terms: Mapping[str, str]
) -> list[dict[str, Any]]:
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
            term, replacement = (
                (found, exact[found]) if found in exact else lookup[found.lower()]
            )
            start = max(0, match.start() - 40)
            hits.append(
                {
                    "line": number,
                    "term": term,
                    "found": found,
                    "replacement": replacement,
                    "context": line[start : match.end() + 40].strip(),
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
                redirects.setdefault(
                    str(entry["source"]).rstrip("/"), str(entry["destination"])
                )
    return redirects


def resolve_link(page_path: str, target: str) -> tuple[str, str] | None:
    """Resolve a link to (page URL, anchor); None for external, mail and non-page links."""
    target = target.strip()
    if not target or target.startswith(("mailto:", "tel:", "{", "data:", "javascript:")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    path, anchor = unquote(parts.path), unquote(parts.fragment)
    if not path:
        return url_for_path(page_path), anchor
    if not path.startswith("/"):
        base = PurePosixPath(page_path).parent
        joined: list[str] = []
        for part in (base / path).parts:
            if part == "..":
                if joined:
                    joined.pop()
            elif part not in (".", ""):
                joined.append(part)
        return url_for_path("/".join(joined)), anchor
    path = path.rstrip("/") or "/"
    if path.lower().endswith(PAGE_SUFFIXES):
        path = str(PurePosixPath(path).with_suffix(""))
    if path.startswith("/docs"):
        return url_for_path(path.lstrip("/")), anchor
    return None


def broken_links(
    rows: Iterable[Mapping[str, Any]], redirects: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Check every internal link and anchor of every page against the pages and their anchors."""
    pages = list(rows)
    anchors = {row["url"]: {h["anchor"] for h in row["headings"]} for row in pages}
    known = list(anchors)
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
                close = difflib.get_close_matches(final_url, known, n=1, cutoff=0.6)
                findings.append(
                    {**base, "kind": "missing-page", "suggestion": close[0] if close else None}
                )
            elif anchor and anchor not in anchors[final_url]:
                close = difflib.get_close_matches(anchor, anchors[final_url], n=1, cutoff=0.5)
                suggestion = f"{final_url}#{close[0]}" if close else None
                findings.append({**base, "kind": "missing-anchor", "suggestion": suggestion})
    return findings
