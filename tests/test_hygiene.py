"""Text hygiene where text enters kb (kb/markup/hygiene.py) and at each door it guards."""

from __future__ import annotations

import os

from kb.build.sources import decode
from kb.markup.frontmatter import split_frontmatter
from kb.markup.hygiene import clean_text, clean_value, name_problem, printable_name, scrub
from kb.mdx.js import decode_string


def test_clean_text_replaces_what_cannot_be_stored_and_drops_bidi_controls() -> None:
    cleaned = clean_text("a\ud83db \ufdd0\U0010ffff c\u202ed\u2066e\u2069 \u200f\u061c")
    assert cleaned.text == "a\ufffdb \ufffd\ufffd cde \u200f\u061c"  # marks without reach stay
    assert cleaned.problems == (
        "1 lone surrogate replaced with U+FFFD",
        "2 non-characters replaced with U+FFFD",
        "3 bidi control characters removed",
    )
    assert clean_text("plain 日本語 😀 \ufffd").problems == ()
    assert scrub("x\udfffy") == "x\ufffdy"


def test_clean_value_reaches_every_string_of_json_like_data() -> None:
    value = {"k\u202e": ["\ud800", {"n": 1, "s": "\uffff"}], "b": True}
    assert clean_value(value) == {"k": ["\ufffd", {"n": 1, "s": "\ufffd"}], "b": True}


def test_each_door_cleans_what_comes_through_it() -> None:
    text, problems = decode("caf\u00e9 \u202e".encode() + b"\xff")
    assert text == "caf\u00e9 \ufffd" and problems[0].startswith("invalid UTF-8 at byte 9")
    assert problems[1:] == ["1 bidi control character removed"]
    # JavaScript strings are UTF-16: escaped halves of a pair join, lone ones are replaced.
    assert decode_string("\\uD83D\\u{DE00}|\\uD83D |\\u202E\\uFFFE") == "😀|\ufffd |\ufffd"
    meta = split_frontmatter('---\ntitle: "a\\u202eb\\uFFFE"\n"k\\u2066": 1\n---\nbody').meta
    assert meta == {"title": "ab\ufffd", "k": 1}


def test_file_names_that_cannot_become_urls_are_named_and_shown_safely() -> None:
    undecodable = os.fsdecode(b"docs/caf\xe9.md")
    assert name_problem(undecodable) == "file name is not valid UTF-8"
    assert printable_name(undecodable) == "docs/caf\\xe9.md"
    assert name_problem("docs/a\u202eb.md") == (
        "file name holds bidi control characters or non-characters"
    )
    assert printable_name("docs/a\u202eb.md") == "docs/a\\u202eb.md"
    assert printable_name("x\ud800") == "x\\ud800"
    assert name_problem("docs/日本語/café.mdx") is None
