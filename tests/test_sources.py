"""Tests of reading source files: encodings, frontmatter, rejections."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.build.sources import RejectedSource, read_source
from kb.markup.frontmatter import split_frontmatter


def test_frontmatter_keeps_dates_as_text_and_finds_the_body_line() -> None:
    text = "---\ntitle: A\nvalidatedOn: 2026-02-30\nother: 2026-01-02\n---\n\nBody here\n"
    parsed = split_frontmatter(text)
    assert parsed.meta == {"title": "A", "validatedOn": "2026-02-30", "other": "2026-01-02"}
    assert parsed.body == "Body here\n"
    assert parsed.body_line == 7
    assert parsed.problems == ()


def test_malformed_yaml_is_reported_and_simple_keys_salvaged() -> None:
    parsed = split_frontmatter('---\ntitle: "Unclosed\ndescription: fine\n---\nBody\n')
    assert parsed.meta["description"] == "fine"
    assert parsed.meta["title"] == "Unclosed"
    assert parsed.problems and parsed.problems[0].startswith("malformed frontmatter")
    assert parsed.body == "Body\n"


def test_unclosed_frontmatter_and_non_mapping() -> None:
    unclosed = split_frontmatter("---\ntitle: x\nno end\n")
    assert "not closed" in unclosed.problems[0]
    listing = split_frontmatter("---\n- a\n- b\n---\nBody\n")
    assert listing.meta == {} and "not a mapping" in listing.problems[0]


def test_no_frontmatter_and_horizontal_rules() -> None:
    parsed = split_frontmatter("# Title\n\n---\n\ntext\n")
    assert parsed.meta == {} and parsed.body_line == 1


def test_bom_crlf_and_bad_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: Caf\xc3\xa9\r\n---\r\nBody \xff here\r\n")
    parsed = read_source(path, 10_000)
    assert parsed.meta == {"title": "Café"}
    assert parsed.body == "Body \ufffd here\n"
    assert parsed.problems == ("invalid UTF-8 at byte 32; undecodable bytes replaced",)


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file"), (b"  \n\n", "empty file"), (b"a\x00b", "binary file")],
)
def test_rejections(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "p.md"
    path.write_bytes(content)
    with pytest.raises(RejectedSource, match=reason):
        read_source(path, 10_000)


def test_oversized_page_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_text("x" * 2000, encoding="utf-8")
    with pytest.raises(RejectedSource, match="too large"):
        read_source(path, 1000)
