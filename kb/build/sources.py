"""Read one source file: bytes to text, then frontmatter and body, reporting what was wrong."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from kb.markup.frontmatter import Frontmatter, split_frontmatter
from kb.markup.hygiene import clean_text


class RejectedSource(Exception):
    """A source that cannot be indexed at all; the message says why."""


@dataclass(frozen=True)
class SourceText(Frontmatter):
    """A decoded source split into frontmatter and body, with the digest of its bytes."""

    digest: str
    head: str = ""  # the text before the body (the frontmatter block), for the prose checks


def decode(raw: bytes) -> tuple[str, list[str]]:
    """Decode bytes as UTF-8 (BOM and CRLF tolerated), replacing bad bytes and saying where.

    This is where a file's text enters kb, so it is cleaned here (kb.markup.hygiene) and only here.
    """
    problems: list[str] = []
    skipped = 0
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, skipped = raw[3:], 3
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + skipped
        problems.append(f"invalid UTF-8 at byte {offset}; undecodable bytes replaced")
        text = raw.decode("utf-8", errors="replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = clean_text(text)
    return cleaned.text, [*problems, *cleaned.problems]


def read_source(path: Path, max_bytes: int) -> SourceText:
    """Read and split one file, or raise RejectedSource with the reason."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise RejectedSource(f"too large ({size:,} bytes; the limit is {max_bytes:,})")
        raw = path.read_bytes()
    except OSError as exc:
        raise RejectedSource(f"cannot be read ({exc.strerror or exc})") from exc
    if not raw.strip():
        raise RejectedSource("empty file")
    if b"\x00" in raw:
        raise RejectedSource("binary file (contains NUL bytes)")
    text, problems = decode(raw)
    parsed = split_frontmatter(text)
    return SourceText(
        parsed.meta,
        parsed.body,
        parsed.body_line,
        (*problems, *parsed.problems),
        hashlib.sha256(raw).hexdigest(),
        "\n".join(text.split("\n", parsed.body_line - 1)[: parsed.body_line - 1]),
    )
