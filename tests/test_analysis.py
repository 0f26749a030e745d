"""Tests of the analyzers: the fused word filter must equal whoosh's composed filters."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from whoosh.analysis import (
    CharsetFilter,
    CJKFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

from kb.search.analysis import (
    _ACRONYM_PLURAL,
    _SPLIT,
    TOKEN_PATTERN,
    analyze,
    exact_analyzer,
    text_analyzer,
)


class ReferenceIdentifierFilter(Filter):
    """The straightforward identifier filter the fused one replaced."""

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:  # type: ignore[override]
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


REFERENCE_EXACT = (
    RegexTokenizer(TOKEN_PATTERN)
    | CJKFilter()
    | ReferenceIdentifierFilter()
    | LowercaseFilter()
    | CharsetFilter(accent_map)
)
REFERENCE_PROSE = (
    REFERENCE_EXACT
    | StopFilter(lang="en", minsize=1, renumber=False)
    | StemFilter(lang="en", cachesize=50000)
)
SAMPLES = [
    "Use app_metadata and readUsers via /oauth/token with read:users in v2.1.",
    "Auth0Client HTTPServer JWTs APIs OAuth IdP getAccessTokenSilently user_id@domain",
    "Résumé naïve CAFÉ Straße",
    "the a x 42 3.14 ___ -- ::: foo-bar-baz e-mail X-Auth0-Client",
    "",
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize(
    ("fused", "reference"),
    [(exact_analyzer(), REFERENCE_EXACT), (text_analyzer(), REFERENCE_PROSE)],
    ids=["exact", "prose"],
)
def test_fused_filter_equals_the_composed_whoosh_filters(
    fused: Any, reference: Any, text: str
) -> None:
    def run(analyzer: Any) -> list[tuple[str, int, int, int]]:
        return [
            (t.text, t.pos, t.startchar, t.endchar)
            for t in analyzer(text, positions=True, chars=True)
        ]

    assert run(fused) == run(reference)


def test_identifiers_are_kept_whole_and_split() -> None:
    terms = analyze("app_metadata readUsers /oauth/token", stem=False)
    assert terms == [
        "app_metadata", "app", "metadata", "readusers", "read", "users",
        "oauth/token", "oauth", "token",
    ]  # fmt: skip
    assert analyze("日本語") == ["日本", "本語"]
    assert analyze("Résumés") == ["resum"]
