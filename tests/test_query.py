"""The query language parser: words, phrases, operators, fields, filters and hostile input."""

from __future__ import annotations

import pytest

from kb.search.query import (
    MAX_LEAVES,
    MAX_QUERY_CHARS,
    Group,
    Leaf,
    Negated,
    Required,
    leaves,
    parse_query,
)


def test_plain_words_are_an_implicit_and() -> None:
    parsed = parse_query("kill switch")
    assert parsed.root == Group("and", (Leaf("word", "kill"), Leaf("word", "switch")), True)
    assert parsed.notes == ()


def test_explicit_and_binds_tighter_than_or() -> None:
    parsed = parse_query("a AND b OR c")
    assert parsed.root == Group(
        "or", (Group("and", (Leaf("word", "a"), Leaf("word", "b")), False), Leaf("word", "c"))
    )


def test_lowercase_operators_are_words() -> None:
    parsed = parse_query("rules or actions")
    assert [leaf.text for leaf in leaves(parsed.root)] == ["rules", "or", "actions"]


def test_phrase_prefix_negation_and_required() -> None:
    parsed = parse_query('"game day" stag* -staging +kill NOT rollout')
    assert isinstance(parsed.root, Group)
    assert parsed.root.children == (
        Leaf("phrase", "game day"),
        Leaf("prefix", "stag"),
        Negated(Leaf("word", "staging")),
        Required(Leaf("word", "kill")),
        Negated(Leaf("word", "rollout")),
    )
    assert [leaf.text for leaf in leaves(parsed.root)] == ["game day", "stag", "kill"]


def test_fields_and_filters() -> None:
    parsed = parse_query('title:"rotate key" heading:relay section:Flags status:stale')
    assert parsed.root == Group(
        "and", (Leaf("phrase", "rotate key", "title"), Leaf("word", "relay", "headings")), True
    )
    assert parsed.filters == {"section": "Flags", "status": "stale"}


@pytest.mark.parametrize("identifier", ["read:users", "/oauth/token", "app_metadata", "foo:bar"])
def test_identifiers_are_not_fields(identifier: str) -> None:
    assert parse_query(identifier).root == Leaf("word", identifier)


def test_short_prefix_becomes_a_word_with_a_note() -> None:
    parsed = parse_query("a*")
    assert parsed.root == Leaf("word", "a")
    assert "too short" in parsed.notes[0]


@pytest.mark.parametrize(
    ("raw", "note"),
    [
        ('"unclosed phrase', "unclosed quote"),
        ("(kill switch", "unbalanced parenthesis"),
        ("kill) switch", "unbalanced parenthesis"),
        ("k*ll", "Wildcards work only at the end"),
    ],
)
def test_broken_syntax_is_read_as_words_with_a_note(raw: str, note: str) -> None:
    parsed = parse_query(raw)
    assert parsed.root is not None
    assert any(note in n for n in parsed.notes)


@pytest.mark.parametrize("raw", ["", "   ", "*", "AND", "OR NOT", "-", '""', "()", "title:", None])
def test_nothing_searchable(raw: object) -> None:
    assert parse_query(raw).root is None


def test_long_query_is_shortened_with_a_note() -> None:
    parsed = parse_query("word " * 5000)
    assert len(parsed.text) <= MAX_QUERY_CHARS
    assert any("shortened" in n for n in parsed.notes)
    assert len(leaves(parsed.root)) == MAX_LEAVES
    assert any(f"first {MAX_LEAVES} words" in n for n in parsed.notes)


def test_control_characters_and_curly_quotes_are_cleaned() -> None:
    parsed = parse_query("\x00kill\x07 “game day”\u200b")
    assert parsed.text == 'kill "game day"'
    assert parsed.root == Group("and", (Leaf("word", "kill"), Leaf("phrase", "game day")), True)


def test_deep_nesting_is_bounded() -> None:
    parsed = parse_query("(" * 200 + "token" + ")" * 200)
    assert parsed.root is not None
    assert any("nested too deep" in n for n in parsed.notes)
