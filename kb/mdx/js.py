"""Just enough JavaScript for MDX: where a string, expression, JSX element or statement ends,
and what a string literal says once its escapes are decoded."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.markup.hygiene import scrub

_ESCAPE = re.compile(
    r"\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(\r\n|.))", re.S
)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
REPLACEMENT = "\ufffd"  # for a code point past U+10FFFF, which no string can hold
_TAG_NAME = re.compile(r"[A-Za-z][\w.:-]*")
_NEXT_WORD = re.compile(r"\s*(\S{0,3})")
# A "<" after one of these starts JSX rather than a comparison.
_JSX_AFTER = frozenset("(,=:?{[!&|>;}") | {""}


class JsError(ValueError):
    """The source is not JavaScript kb can read; pos is where reading failed (-1: unknown)."""

    def __init__(self, message: str, pos: int = -1) -> None:
        """Keep the message and the position."""
        super().__init__(message)
        self.pos = pos


@dataclass(frozen=True)
class Jsx:
    """A JSX element used as a value; its source is rendered later, as MDX."""

    source: str
    pos: int


def skip_string(src: str, pos: int) -> int:
    """Return the index after the quoted string (or template literal) starting at pos."""
    quote = src[pos]
    index = pos + 1
    while index < len(src):
        char = src[index]
        if char == "\\":
            index += 2
            continue
        if char == quote:
            return index + 1
        if quote == "`" and src.startswith("${", index):
            index = skip_braces(src, index + 1)
            continue
        if char == "\n" and quote != "`":
            raise JsError("unterminated string")
        index += 1
    raise JsError("unterminated string")


def decode_string(body: str) -> str:
    """Decode the escapes of a string body, joining surrogate pairs.

    Escapes bring characters the decoded file did not hold, so what they make is cleaned like a
    source (kb.markup.hygiene): a lone surrogate, a non-character or a code point past U+10FFFF
    becomes U+FFFD, a bidi control is dropped.
    """
    if "\\" not in body:
        return body
    out: list[str] = []
    index = 0
    for match in _ESCAPE.finditer(body):
        if match.start() > index:
            out.append(body[index : match.start()])
        index = match.end()
        hexa = match.group(1) or match.group(2) or match.group(3)
        if hexa is None:
            char = match.group(4)
            out.append("" if char in ("\n", "\r\n") else _SIMPLE_ESCAPES.get(char, char))
            continue
        code = int(hexa, 16)
        if (
            0xDC00 <= code < 0xE000
            and out
            and len(out[-1]) == 1
            and "\ud800" <= out[-1] <= "\udbff"
        ):
            high = ord(out.pop())
            out.append(chr(0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)))
        elif code > 0x10FFFF:
            out.append(REPLACEMENT)
        else:
            out.append(chr(code))
    out.append(body[index:])
    return scrub("".join(out))


def _previous_significant(src: str, pos: int, start: int) -> str:
    """Return the last non-space character before pos (or "" at the expression start)."""
    index = pos - 1
    while index >= start and src[index] in " \t\r\n":
        index -= 1
    if index < start:
        return ""
    if src[max(start, index - 5) : index + 1].endswith("return"):
        return "("
    return src[index]


def skip_jsx(src: str, pos: int) -> int:
    """Return the index after the JSX element (or fragment) starting with "<" at pos."""
    match = _TAG_NAME.match(src, pos + 1)
    name = match.group(0) if match else ""
    index = match.end() if match else pos + 1
    while True:
        while index < len(src) and src[index] in " \t\r\n":
            index += 1
        if index >= len(src):
            raise JsError("unterminated JSX tag")
        char = src[index]
        if src.startswith("/>", index):
            return index + 2
        if char == ">":
            index += 1
            break
        if char == "{":
            index = skip_braces(src, index)
        elif char in "\"'":
            index = skip_string(src, index)
        elif char == "=":
            index += 1
        else:
            attr = re.compile(r"[^\s=/>{\"']+").match(src, index)
            if not attr:
                raise JsError("bad JSX attribute")
            index = attr.end()
    closing = re.compile(r"</\s*" + re.escape(name) + r"\s*>")
    while index < len(src):
        char = src[index]
        if char == "{":
            index = skip_braces(src, index)
        elif char == "<":
            close = closing.match(src, index)
            if close:
                return close.end()
            if src.startswith("</", index):
                raise JsError("mismatched JSX closing tag")
            index = skip_jsx(src, index)
        else:
            index += 1
    raise JsError("unterminated JSX element")


def skip_braces(src: str, pos: int) -> int:
    """Return the index after the balanced {...}, [...] or (...) group starting at pos."""
    closers = {"{": "}", "[": "]", "(": ")"}
    stack = [closers[src[pos]]]
    index = pos + 1
    while index < len(src):
        char = src[index]
        if char in "\"'`":
            index = skip_string(src, index)
            continue
        if src.startswith("//", index):
            newline = src.find("\n", index)
            index = len(src) if newline < 0 else newline
            continue
        if src.startswith("/*", index):
            end = src.find("*/", index + 2)
            if end < 0:
                raise JsError("unterminated comment")
            index = end + 2
            continue
        if char == "<" and _previous_significant(src, index, pos + 1) in _JSX_AFTER:
            after = src[index + 1 : index + 2]
            if after.isalpha() or after == ">":
                index = skip_jsx(src, index)
                continue
        if char in closers:
            stack.append(closers[char])
        elif char in ")]}":
            if char != stack.pop():
                raise JsError("unbalanced brackets")
            if not stack:
                return index + 1
        index += 1
    raise JsError("unbalanced brackets")


def skip_statement(src: str, pos: int) -> int:
    """Return the index just past the end of the import/export statement starting at pos."""
    index = pos
    while index < len(src):
        char = src[index]
        if char in "\"'`":
            index = skip_string(src, index)
        elif char in "{[(":
            index = skip_braces(src, index)
        elif src.startswith("//", index):
            newline = src.find("\n", index)
            index = len(src) if newline < 0 else newline
        elif src.startswith("/*", index):
            end = src.find("*/", index + 2)
            index = len(src) if end < 0 else end + 2
        elif char == "<" and _previous_significant(src, index, pos) in _JSX_AFTER:
            index = skip_jsx(src, index)
        elif char == ";":
            return index + 1
        elif char == "\n":
            so_far = src[pos:index].rstrip()
            following = _NEXT_WORD.match(src, index + 1)
            next_text = following.group(1) if following else ""
            if (so_far and (so_far[-1] in "=,(+-*/?:&|[{" or so_far.endswith((" from", "=>")))) or (
                next_text[:1] in (".", "?", ":", "+", "=") and not next_text.startswith("...")
            ):
                index += 1
            else:
                return index
        else:
            index += 1
    return index
