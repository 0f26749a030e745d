"""The language a request is for: `lang=`, else the browser's Accept-Language among the site's."""

from __future__ import annotations

from flask import request

from kb.index.generation import Generation
from kb.web.locale import speak

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


def speak_reader(gen: Generation, lang: str) -> None:
    """Let the interface speak the language a page or results are in, where the site has several.

    On a one-language site the browser's own language keeps choosing the interface; the page's
    content then carries its own `lang` (page.html), so both are labelled right.
    """
    if len(gen.languages.codes) > 1 or asked_language(gen):
        speak(lang)


def language_links(gen: Generation, url: str, lang: str) -> list[dict[str, object]]:
    """Return the language switcher of a page: the page itself and each twin, in site order.

    Empty on a one-language site, or when the page has no twin to switch to.
    """
    twins = gen.twins(url)
    if len(gen.languages.codes) < 2 or not twins:
        return []
    return [
        {
            "code": code,
            "label": gen.languages.label(code),
            "href": url if code == lang else twins[code],
            "current": code == lang,
        }
        for code in gen.languages.codes
        if code == lang or code in twins
    ]
