"""Completions for search-as-you-type and OpenSearch: page titles and glossary names."""

from __future__ import annotations

import re

from kb.search.searcher import Searcher

_SPACES = re.compile(r"\s+")


def _completion_entries(searcher: Searcher) -> list[tuple[str, str]]:
    """Return (key, text) pairs to complete from: page titles and glossary names, shortest first."""
    names: dict[str, str] = {}
    for info in searcher.docs.values():
        if info.kind == "page" and info.title:
            names.setdefault(_key(info.title), info.title)
    for term in searcher.glossary.terms:
        for name in (term.term, *term.aliases):
            names.setdefault(_key(name), name)
    return sorted(((k, v) for k, v in names.items() if k), key=lambda kv: (len(kv[0]), kv[0]))


def _key(text: str) -> str:
    """Return the comparison key of a completion: casefolded, spaces collapsed."""
    return _SPACES.sub(" ", text.casefold()).strip()


def completions(searcher: Searcher, prefix: str, limit: int = 8) -> list[str]:
    """Return titles and glossary names starting with the typed text, then ones with such a word."""
    key = _key(prefix or "")[:200]
    if not key or limit <= 0:
        return []
    entries = searcher.derive("completions", lambda: _completion_entries(searcher))
    starts: list[str] = []
    inside: list[str] = []
    needle = " " + key
    for entry_key, text in entries:
        if entry_key.startswith(key):
            starts.append(text)
            if len(starts) >= limit:
                break
        elif len(inside) < limit and needle in " " + entry_key:
            inside.append(text)
    return (starts + inside)[:limit]
