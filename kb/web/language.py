"""The language a request is for: `lang=`, else the browser's Accept-Language among the site's."""

from __future__ import annotations

from flask import request

from kb.index.generation import Generation

MAX_LANG = 40


def asked_language(gen: Generation) -> str | None:
    """Return the site language `lang=` names (by code or primary subtag), or None."""
    raw = request.args.get("lang", "")[:MAX_LANG]
    return gen.languages.known(raw) if raw.strip() else None


def reader_language(gen: Generation) -> str:
    """Return the reader's language: `lang=` (a page's search form carries its page's), else
    the browser's Accept-Language among the site's languages, else the site's default."""
    return (
        asked_language(gen)
        or gen.languages.from_accept(request.headers.get("Accept-Language"))
        or gen.languages.default
    )
