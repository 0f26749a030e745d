"""The deprecated-terms check: terms a site has retired, found as whole words in prose.

One matching rule for the report (`kb check terms`, /reports/terms) and the fixer
(`kb fix-terms`): what is prose is kb.markup.prose's rule; a capitalised term matches only as
written or in all capitals, a lowercase one in any case. A match stays legitimate, and is counted as suppressed
rather than reported, when a `kb-ignore deprecated` marker (`{/* kb-ignore deprecated */}`,
`<!-- kb-ignore deprecated -->`, or `# kb-ignore deprecated` in YAML) stands on the nearest
non-blank line before it or on its own line — optionally naming the terms it covers — or when
the page's path matches one of the term's globs in the `deprecated_allow` setting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from kb.globs import matches_any
from kb.markup.prose import frontmatter_prose_lines, prose_lines

CONTEXT_REACH = 40  # characters of the line kept on either side of a hit
# Bump when what counts as a match changes, so the next `kb index` reads every page again.
TERMS_RULE_VERSION = 2
MARKER = re.compile(r"kb-ignore[ \t]+deprecated\b(?P<terms>(?:(?!\*/|-->)[^\n])*)")
SUPPRESSED_BY = ("marker", "allowlist")


@dataclass(frozen=True)
class TermMatch:
    """One deprecated term in prose: file line, columns, what was found and what replaces it."""

    line: int
    start: int
    end: int
    found: str
    term: str
    replacement: str
    context: str
    suppressed: str | None = None  # "marker" or "allowlist" when the use is legitimate

    def as_hit(self) -> dict[str, Any]:
        """Return the finding as the report stores it."""
        hit = asdict(self)
        hit["column"] = hit.pop("start") + 1
        del hit["end"]
        if hit["suppressed"] is None:
            del hit["suppressed"]
        return hit


@dataclass(frozen=True)
class TermScan:
    """A page's findings as the report stores them: the ones to act on and the suppressed ones."""

    hits: list[dict[str, Any]]
    suppressed: list[dict[str, Any]]


# Scripts written without spaces between words: a term in them matches wherever it stands.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _alternative(term: str) -> str:
    """Return one term's part of the pattern: lowercase any case; capitals as written or ALL CAPS."""
    escaped = re.escape(term)
    if term == term.lower():
        return f"(?i:{escaped})" if term != term.upper() else escaped
    if term == term.upper():
        return escaped
    return f"(?:{escaped}|{re.escape(term.upper())})"


@lru_cache(maxsize=32)
def _term_pattern(terms: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    """Compile one alternation: a lowercase term matches in any case; one with capitals matches
    as written or in all capitals (a heading's RULES), never in lowercase (firewall rules).

    Terms match as whole words; a CJK term (Japanese, Chinese, Korean text has no spaces between
    words) matches anywhere.
    """
    ordered = [t for t, _ in sorted(terms, key=lambda t: -len(t[0]))]
    spaced = [_alternative(t) for t in ordered if not _UNSPACED.search(t)]
    unspaced = [re.escape(t) for t in ordered if _UNSPACED.search(t)]
    parts = []
    if spaced:
        parts.append(r"(?<![\w/.-])(?:" + "|".join(spaced) + r")(?![\w/-])")
    if unspaced:
        parts.append("|".join(unspaced))
    return re.compile("|".join(parts)) if parts else None


@lru_cache(maxsize=32)
def _loose_pattern(terms: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    """Compile the terms without their word boundaries, to rule a page out in one C search.

    Prose lines are the page's text with markup blanked to spaces in place, so a term found in
    them stands, letter for letter, in the raw text too: a page where this finds nothing has no
    finding. Not for terms with spaces (blanking can make a space): None then.
    """
    if any(re.search(r"\s", term) for term, _ in terms):
        return None
    parts = [re.escape(t) if _UNSPACED.search(t) else _alternative(t) for t, _ in terms]
    return re.compile("|".join(parts)) if parts else None


def _marked_terms(line: str) -> set[str] | None:
    """Return the terms a marker on this line covers (empty: all), or None without a marker."""
    marker = MARKER.search(line)
    if marker is None:
        return None
    return {t.casefold() for t in re.split(r"[\s,]+", marker["terms"]) if t.strip()}


def _covered(raw: Sequence[str], index: int, term: str) -> bool:
    """Tell whether a marker on line index or the nearest non-blank line before covers a term."""
    before = index - 1
    while before >= 0 and not raw[before].strip():
        before -= 1
    for candidate in (index, before):
        if 0 <= candidate < len(raw):
            marked = _marked_terms(raw[candidate])
            if marked is not None and (not marked or term.casefold() in marked):
                return True
    return False


def _allowed(term: str, path: str, allow: Mapping[str, Sequence[str]]) -> bool:
    """Tell whether the page's path matches one of the term's allowlist globs."""
    folded = term.casefold()
    globs = [g for name, gs in allow.items() if name.casefold() == folded for g in gs]
    return bool(path and globs and matches_any(path, globs))


def _prose(head: str, body: str, line_offset: int) -> Iterator[tuple[int, str]]:
    """Yield the prose lines of a page: its frontmatter's prose values, then its body."""
    yield from frontmatter_prose_lines(head)
    yield from prose_lines(body, line_offset)


def term_matches(
    body: str,
    line_offset: int,
    terms: Mapping[str, str],
    *,
    head: str = "",
    path: str = "",
    allow: Mapping[str, Sequence[str]] | None = None,
) -> list[TermMatch]:
    """Find every deprecated term in a page's prose, suppressed ones marked with the reason.

    `head` is the text before the body (its frontmatter, `line_offset` lines); `path` the page's
    path from the site root, which `allow` (term → globs) is matched against.
    """
    ordered = tuple(sorted(terms.items()))
    pattern = _term_pattern(ordered)
    if pattern is None:
        return []
    loose = _loose_pattern(ordered)
    if loose is not None and not loose.search(body) and not loose.search(head):
        return []  # most pages: no term anywhere, so no prose line to read
    lookup = {k.lower(): (k, v) for k, v in terms.items()}
    before = head.split("\n")[:line_offset] if head else []
    lines = [*before, *[""] * (line_offset - len(before)), *body.split("\n")]
    found_matches = []
    for number, line in _prose(head, body, line_offset):
        for match in pattern.finditer(line):
            found = match.group(0)
            term, replacement = (found, terms[found]) if found in terms else lookup[found.lower()]
            start = max(0, match.start() - CONTEXT_REACH)
            suppressed = None
            if _covered(lines, number - 1, term):
                suppressed = "marker"
            elif _allowed(term, path, allow or {}):
                suppressed = "allowlist"
            found_matches.append(
                TermMatch(
                    number,
                    match.start(),
                    match.end(),
                    found,
                    term,
                    replacement,
                    " ".join(line[start : match.end() + CONTEXT_REACH].split()),
                    suppressed,
                )
            )
    return found_matches


def scan_terms(
    body: str,
    line_offset: int,
    terms: Mapping[str, str],
    *,
    head: str = "",
    path: str = "",
    allow: Mapping[str, Sequence[str]] | None = None,
) -> TermScan:
    """Return a page's deprecated-term findings, split into those to act on and suppressed ones."""
    found = term_matches(body, line_offset, terms, head=head, path=path, allow=allow)
    return TermScan(
        [m.as_hit() for m in found if m.suppressed is None],
        [m.as_hit() for m in found if m.suppressed is not None],
    )


def deprecated_hits(body: str, line_offset: int, terms: Mapping[str, str]) -> list[dict[str, Any]]:
    """Find deprecated terms as whole words in a body's prose: line, term, replacement, context."""
    return scan_terms(body, line_offset, terms).hits
