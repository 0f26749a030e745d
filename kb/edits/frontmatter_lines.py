"""The lines of a frontmatter block as written: where it is, which line holds which key.

kb.markup.frontmatter reads what a block means; this module finds where each top-level key is
written, so an edit can change one line and leave every other byte alone. The boundaries are the
reader's (a first line of three or more dashes, closed by the next such line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOUNDARY = re.compile(r"-{3,}[ \t]*\r?\Z")
# A top-level key: plain (no leading space, `#`, `-` item or flow bracket) or quoted.
_KEY_LINE = re.compile(
    r"(?P<key>\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^\s#\-\[\]{}'\"?|>&*!%@`][^:#]*?)[ \t]*:(?=[ \t]|\r?\n?\Z)"
)


@dataclass(frozen=True)
class Block:
    """A text split into lines (endings kept on each but the last) and its frontmatter's lines.

    `lines[start]` is the opening `---`, `lines[end]` the closing one; both are None when the text
    has no frontmatter block.
    """

    lines: list[str]
    start: int | None
    end: int | None


@dataclass(frozen=True)
class ValueSpan:
    """One top-level `key: value` line cut into the parts an edit keeps or replaces."""

    index: int
    key: str
    key_end: int  # where the key as written ends in the line
    head: str  # the key as written, up to the value (colon and spaces included)
    quote: str  # '"', "'" or "" for a plain value
    value: str  # the value without its quotes
    tail: str  # spaces, a comment and the line ending after the value


def split_lines(text: str) -> list[str]:
    """Split text after each newline, so "".join(lines) is the text again."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + [parts[-1]]


def find_block(text: str) -> Block:
    """Locate the frontmatter block of a text; an opening `---` that never closes is an error."""
    lines = split_lines(text)
    if not lines or not _BOUNDARY.match(lines[0].rstrip("\n")):
        return Block(lines, None, None)
    for index in range(1, len(lines)):
        if _BOUNDARY.match(lines[index].rstrip("\n")):
            return Block(lines, 0, index)
    raise ValueError("frontmatter is not closed by a '---' line")


def unquote_key(written: str) -> str:
    """Return a key as YAML reads it: quotes removed and escapes undone for the common cases."""
    if len(written) >= 2 and written[0] == written[-1] == "'":
        return written[1:-1].replace("''", "'")
    if len(written) >= 2 and written[0] == written[-1] == '"':
        return written[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return written


def key_line(line: str) -> tuple[str, int, int] | None:
    """Return (key, end of the key as written, end of the colon) for a top-level `key:` line."""
    match = _KEY_LINE.match(line)
    if match is None:
        return None
    return unquote_key(match["key"]), match.end("key"), match.end()


def _cut_value(rest: str) -> tuple[str, str, str, str] | None:
    """Cut what follows a key's colon into (spaces, quote, value, tail), or None if not simple."""
    body = rest.rstrip("\r\n")
    ending = rest[len(body) :]
    stripped = body.lstrip(" \t")
    spaces = body[: len(body) - len(stripped)]
    if stripped[:1] in ('"', "'"):
        quote = stripped[0]
        pattern = r'"((?:[^"\\]|\\.)*)"' if quote == '"' else r"'((?:[^']|'')*)'"
        match = re.match(pattern, stripped)
        if match is None:
            return None
        after = stripped[match.end() :]
        if after.strip() and not after.lstrip(" \t").startswith("#"):
            return None
        return spaces, quote, match.group(1), after + ending
    comment = re.search(r"(?:^|[ \t])#", stripped)
    value = stripped[: comment.start()] if comment else stripped
    plain = value.rstrip(" \t")
    return spaces, "", plain, stripped[len(plain) :] + ending


def value_span(lines: list[str], index: int) -> ValueSpan | None:
    """Cut the key line at index into its parts, or None when its value is not one plain scalar.

    Block scalars (`|`, `>`), flow collections, anchors, tags and values continued on indented
    lines are not simple; an edit refuses them rather than guess.
    """
    found = key_line(lines[index])
    if found is None:
        return None
    key, key_end, colon = found
    cut = _cut_value(lines[index][colon:])
    if cut is None:
        return None
    spaces, quote, value, tail = cut
    if not quote and value[:1] in ("|", ">", "[", "{", "&", "*", "!", "%", "@", "`"):
        return None
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if _continues(following):
        return None
    return ValueSpan(index, key, key_end, lines[index][:colon] + spaces, quote, value, tail)


def _continues(line: str) -> bool:
    """Tell whether a line continues the entry above it: indented, or a `- item` at column 0."""
    if not line.strip():
        return False
    return line[:1] in (" ", "\t") or line.rstrip("\r\n") == "-" or line.startswith("- ")


def top_level_keys(block: Block) -> dict[str, list[int]]:
    """Return each top-level key of the block with the indexes of the lines that write it."""
    keys: dict[str, list[int]] = {}
    if block.start is None or block.end is None:
        return keys
    for index in range(block.start + 1, block.end):
        found = key_line(block.lines[index])
        if found is not None:
            keys.setdefault(found[0], []).append(index)
    return keys


def entry_end(block: Block, index: int) -> int:
    """Return the index after the last line of the entry starting at index (continuations in)."""
    assert block.end is not None
    last = index
    for following in range(index + 1, block.end):
        line = block.lines[following]
        if not line.strip():
            continue
        if _continues(line):
            last = following
        else:
            break
    return last + 1
