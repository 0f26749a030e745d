"""The language of the interface: which catalog a response's words come from, and its `lang`.

A page view speaks the page's language; other views speak the language the request asks for
(`lang=`), else the browser's Accept-Language among the catalogs kb ships, else English. Site
language codes (`fr-ca`, `ja-jp`, `zh-Hans`) name a content language; the UI falls back from
`fr_CA` to the `fr` catalog the way gettext does, so every French site gets the French UI.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from flask import Flask, g, request
from flask_babel import Babel, gettext, refresh

from kb.reports.page_status import join_detail
from kb.words import N_, Said

log = logging.getLogger(__name__)

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
DEFAULT_UI_LANGUAGE = "en"
_CONTENT_LANGUAGE = "kb_content_language"


def ui_languages() -> tuple[str, ...]:
    """Return the languages kb's interface is written in: English and every shipped catalog."""
    found = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES").is_dir())
    return (DEFAULT_UI_LANGUAGE, *found)


def as_locale(code: str | None) -> Locale | None:
    """Read a language code as written by sites and browsers (`ja-jp`, `fr_CA`, `ko`), or None."""
    if not code or len(code) > 35:
        return None
    try:
        return Locale.parse(code.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def speak(code: str | None) -> None:
    """Say which language this response's content is in (a page's language, a search's)."""
    if as_locale(code) is not None and _CONTENT_LANGUAGE not in g:
        g.setdefault(_CONTENT_LANGUAGE, code)
        # Flask-Babel keeps the locale it chose first in a request; a word translated before the
        # page's language was known must not fix the language of the rest.
        refresh()


def content_language() -> str:
    """Return the language tag for `<html lang>`: the content's, else the interface's."""
    spoken: str | None = g.get(_CONTENT_LANGUAGE)
    if spoken:
        return spoken
    return str(select_locale()).replace("_", "-")


def ui_speaks_english() -> bool:
    """Tell whether the interface is English, the language of the JSON API's messages."""
    return select_locale().language == DEFAULT_UI_LANGUAGE


def select_locale() -> Locale:
    """Choose the interface's locale for this request (Flask-Babel's locale selector)."""
    for code in (g.get(_CONTENT_LANGUAGE), request.args.get("lang")):
        chosen = as_locale(code)
        if chosen is not None:
            return chosen
    best = request.accept_languages.best_match(ui_languages())
    return as_locale(best) or Locale.parse(DEFAULT_UI_LANGUAGE)


def translate(text: str) -> str:
    """Say a lower layer's marked sentence (kb.words.said) in the reader's language."""
    if isinstance(text, Said):
        return str(gettext(text.msgid, **text.values))
    return text


# Werkzeug's own descriptions, word for word, so that an HTML error page speaks the reader's
# language; the JSON API keeps them in English.
HTTP_DESCRIPTIONS = (
    N_(
        "The requested URL was not found on the server. If you entered the URL manually please "
        "check your spelling and try again."
    ),
    N_("The method is not allowed for the requested URL."),
    N_(
        "The server encountered an internal error and was unable to complete your request. "
        "Either the server is overloaded or there is an error in the application."
    ),
    N_("The browser (or proxy) sent a request that this server could not understand."),
)


def say(message: str) -> str:
    """Return an error message in the reader's language when the catalogs know it."""
    if isinstance(message, Said):
        return translate(message)
    return str(gettext(message)) if message in HTTP_DESCRIPTIONS else message


def shown_status(status: dict[str, Any]) -> dict[str, Any]:
    """Return a page's review status with its detail line in the reader's language."""
    parts = [translate(part) for part in status.get("detail_parts", ())]
    return {**status, "detail": join_detail(parts)} if parts else status


def translated(words: dict[str, str]) -> dict[str, str]:
    """Translate a table of marked words (status labels, help) for this request."""
    return {key: gettext(word) for key, word in words.items()}


def missing_catalogs() -> list[Path]:
    """Return the catalogs whose compiled form is missing or older than their source."""
    stale = []
    for source in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        compiled = source.with_suffix(".mo")
        if not compiled.exists() or compiled.stat().st_mtime < source.stat().st_mtime:
            stale.append(source)
    return stale


def init_app(app: Flask) -> None:
    """Give the app Flask-Babel with kb's catalogs and the locale chosen per request."""
    Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )
    for source in missing_catalogs():
        # `make install` compiles the catalogs; a bare `pip install` leaves the UI in English.
        log.warning("%s is not compiled: run `make install` (pybabel compile)", source)
    app.jinja_env.globals["content_language"] = content_language
    app.jinja_env.globals["ui_speaks_english"] = ui_speaks_english
