"""Text analysis shared by indexing and querying: identifier-aware tokens, folding, stemming."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import (
    CharsetFilter,
    CJKFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import languages
from whoosh.support.charset import accent_map

# A token is a word, or an identifier joined by _ : / . - @ (app_metadata, read:users, v2.1).
TOKEN_PATTERN = r"\w+(?:[_:/.\-@]\w+)*"
TOKEN_RE = re.compile(TOKEN_PATTERN)
# Split on separators and camelCase humps: "HTTPServer" splits, while "OAuth", "IdP" and "JWTs"
# stay whole because a one-letter part would only add noise.
_SPLIT = re.compile(r"[_:/.\-@]+|(?<=[a-z0-9]{2})(?=[A-Z][a-z0-9])|(?<=[A-Z]{2})(?=[A-Z][a-z]{2})")
# An acronym plural the stemmer keeps as is (JWTs, APIs, SDKs, URLs).
_ACRONYM_PLURAL = re.compile(r"[A-Z][A-Z0-9]+s")


class IdentifierFilter(Filter):
    """Keep an identifier whole and also emit its parts at its position (camelCase, snake_case)."""

    # Whoosh's own Filter.__call__ does not match Composable.__call__; follow Filter's.
    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:  # type: ignore[override]
        """Yield each token (acronym plurals made singular), then the words inside a compound."""
        for token in tokens:
            text = token.text
            if _ACRONYM_PLURAL.fullmatch(text):
                text = text[:-1]
                token.text = text
            yield token
            parts = [p for p in _SPLIT.split(text) if p]
            if len(parts) > 1:
                for part in parts:
                    token.text = part
                    yield token


def split_identifier(text: str) -> list[str]:
    """Return the words inside an identifier (itself alone when it is a plain word)."""
    return [p for p in _SPLIT.split(text) if p] or [text]


@lru_cache(maxsize=8)
def text_analyzer(language: str = "en", stem: bool = True) -> Any:
    """Return the analyzer for prose fields: identifiers, CJK, lowercase, accents folded, stems."""
    chain = RegexTokenizer(TOKEN_PATTERN) | CJKFilter() | IdentifierFilter() | LowercaseFilter()
    chain = chain | CharsetFilter(accent_map)
    if language in languages:
        chain = chain | StopFilter(lang=language, minsize=1, renumber=False)
        if stem:
            chain = chain | StemFilter(lang=language, cachesize=50000)
    return chain


@lru_cache(maxsize=8)
def exact_analyzer() -> Any:
    """Return the analyzer for fields matched without stemming (titles as typed, code, spelling)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | CJKFilter()
        | IdentifierFilter()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
    )


def analyze(text: str, language: str = "en", stem: bool = True) -> list[str]:
    """Return the terms a text becomes in a prose field (or unstemmed with stem=False)."""
    analyzer = text_analyzer(language) if stem else exact_analyzer()
    return [t.text for t in analyzer(text)]
