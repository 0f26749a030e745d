"""Spelling help without an index: close words, the corrected query, the allowed distance."""

from __future__ import annotations

import pytest

from kb.search.spelling import Vocabulary, close_terms, correctable, corrected_query, max_distance

VOCABULARY = Vocabulary(
    {"authentication": 900, "authorization": 500, "token": 800, "tone": 2, "multi-factor": 150}
)


@pytest.mark.parametrize(
    ("word", "distance"), [("mfa", 0), ("tokn", 1), ("rollouts", 2), ("x" * 65, 0)]
)
def test_allowed_distance_grows_with_length(word: str, distance: int) -> None:
    assert max_distance(word) == distance


@pytest.mark.parametrize(
    ("typed", "best"),
    [
        ("authentcation", "authentication"),  # deletion
        ("authenticaxtion", "authentication"),  # insertion
        ("tokne", "token"),  # swap of neighbours: one edit
        ("multifactor", "multi-factor"),
        ("autorisation", "authorization"),  # two edits in a long word
    ],
)
def test_close_terms_finds_the_common_spelling(typed: str, best: str) -> None:
    assert close_terms(VOCABULARY, typed)[0].word == best


def test_nearest_then_most_common_first() -> None:
    found = close_terms(VOCABULARY, "toke")
    assert [c.word for c in found] == ["token", "tone"]
    assert [c.distance for c in found] == [1, 1]


def test_nothing_close_and_nothing_to_correct() -> None:
    assert close_terms(VOCABULARY, "quokka") == []
    assert close_terms(VOCABULARY, "tkn") == []  # too short to correct
    assert not correctable("v2.1") and not correctable("abc") and correctable("custom-domain")


def test_corrected_query_keeps_case_syntax_and_other_words() -> None:
    fixes = {"authentcation": "authentication", "tokne": "token"}
    assert corrected_query('Authentcation "TOKNE" -x', fixes) == 'Authentication "TOKEN" -x'
    assert corrected_query("/oauth/tokne", fixes) == "/oauth/token"
    assert corrected_query("tokne*", fixes) is None  # a prefix is not a misspelling
    assert corrected_query("token", {}) is None
