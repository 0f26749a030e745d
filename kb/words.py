"""Words the layers below the web put on pages, marked for the UI's catalogs but not translated here.

kb.search and kb.reports must not load Flask-Babel (the web sits on top of them), yet their notes
and labels reach readers. `N_` marks a fixed word for extraction (`make messages`); `said` formats a
sentence in English — what the JSON API and the CLI show — and keeps its msgid and values so the
web layer can say it again in the reader's language (kb.web.locale.translate).
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a word for the catalogs; it stays English until the web layer translates it."""
    return message


class Said(str):
    """An English sentence that remembers its msgid and values for translation at display time."""

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, **values: Any) -> Said:
        said = super().__new__(cls, msgid % values if values else msgid)
        said.msgid = msgid
        said.values = values
        return said


def said(msgid: str, **values: Any) -> Said:
    """Format a marked sentence (`%(name)s` placeholders) in English, translatable later."""
    return Said(msgid, **values)
