"""The deprecated-terms check: terms a site has retired, found as whole words in prose."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from kb.markup.prose import prose_lines

CONTEXT_REACH = 40  # characters of the line kept on either side of a hit


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
            start = max(0, match.start() - CONTEXT_REACH)
            hits.append(
                {
                    "line": number,
                    "term": term,
                    "found": found,
                    "replacement": replacement,
                    "context": " ".join(line[start : match.end() + CONTEXT_REACH].split()),
                }
            )
    return hits
