"""Text analysis shared by indexing and querying: identifier-aware tokens, folding, stemming."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import (
    Filter,
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


# Han, Kana and Hangul letters: each becomes its own token, as whoosh's CJKFilter does.
_CJK = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9d"
    "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff"
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U0002f800-\U0002fa1f]"
)
_CJK_SEGMENTS = re.compile(_CJK.pattern + "|(?:(?!" + _CJK.pattern + ").)+", re.DOTALL)


class WordFilter(Filter):
    """CJK splitting, identifier parts, lowercasing and accent folding in one pass.

    The same as CJKFilter | IdentifierFilter | LowercaseFilter | CharsetFilter(accent_map),
    but plain ASCII words take a fast path: indexing spends most of its time here.
    """

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:  # type: ignore[override]
        """Yield lowercased, folded tokens, compounds followed by their parts at the same position."""
        pos = None
        for token in tokens:
            text = token.text
            segments: tuple[tuple[int, str], ...]
            if text.isascii():
                segments = ((0, text),)
            elif _CJK.search(text):
                segments = tuple((m.start(), m.group()) for m in _CJK_SEGMENTS.finditer(text))
            else:
                segments = ((0, text),)
            start = token.startchar if token.chars else 0
            for offset, segment in segments:
                if token.positions:
                    pos = token.pos if pos is None else pos + 1
                    token.pos = pos
                if token.chars and len(segments) > 1:
                    token.startchar = start + offset
                    token.endchar = start + offset + len(segment)
                if _ACRONYM_PLURAL.fullmatch(segment):
                    segment = segment[:-1]
                if _plain_word(segment):
                    parts: list[str] = []
                else:
                    parts = [p for p in _SPLIT.split(segment) if p]
                token.text = _fold(segment)
                yield token
                if len(parts) > 1:
                    for part in parts:
                        token.text = _fold(part)
                        yield token


def _plain_word(text: str) -> bool:
    """Tell, at C speed, that a word has no separators or camelCase humps to split on."""
    if not text.isalnum():
        return False
    # istitle() treats a digit as a word break, so "Auth0Client" would pass it.
    return text.islower() or text.isupper() or (text.istitle() and text.isalpha())


# whoosh types accent_map by str keys, but str.translate looks it up by code point (as it is keyed).
_ACCENTS: dict[int, str] = accent_map  # type: ignore[assignment]


def _fold(text: str) -> str:
    """Lowercase a word and fold its accents."""
    lowered = text.lower()
    return lowered if lowered.isascii() else lowered.translate(_ACCENTS)


@lru_cache(maxsize=8)
def text_analyzer(language: str = "en", stem: bool = True) -> Any:
    """Return the analyzer for prose fields: identifiers, CJK, lowercase, accents folded, stems."""
    chain = RegexTokenizer(TOKEN_PATTERN) | WordFilter()
    if language in languages:
        chain = chain | StopFilter(lang=language, minsize=1, renumber=False)
        if stem:
            chain = chain | StemFilter(lang=language, cachesize=50000)
    return chain


@lru_cache(maxsize=8)
def exact_analyzer() -> Any:
    """Return the analyzer for fields matched without stemming (titles as typed, code, spelling)."""
    return RegexTokenizer(TOKEN_PATTERN) | WordFilter()


def analyze(text: str, language: str = "en", stem: bool = True) -> list[str]:
    """Return the terms a text becomes in a prose field (or unstemmed with stem=False)."""
    analyzer = text_analyzer(language) if stem else exact_analyzer()
    return [t.text for t in analyzer(text)]
