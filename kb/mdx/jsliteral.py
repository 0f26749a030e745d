"""A small reader for JavaScript object/array literals as MDX components carry them (never eval)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any


class JsError(ValueError):
    """A JS literal the reader cannot follow, with the offset where it failed."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


_JS_SKIP = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)+", re.DOTALL)
_JS_WORD = re.compile(r"[A-Za-z_$][\w$]*|-?\.?\d[\w.]*")
_JS_CODE = re.compile(r"\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2}))")
_JS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _js_string(src: str, pos: int) -> tuple[str, int]:
    """Read the quoted string starting at pos; return its value and the offset after it."""
    quote, i, out = src[pos], pos + 1, list[str]()
    while i < len(src):
        ch = src[i]
        if ch == quote:
            return "".join(out), i + 1
        if ch == "\n" and quote != "`":
            break
        if ch != "\\":
            out.append(ch)
            i += 1
        elif code := _JS_CODE.match(src, i):
            value = int(next(g for g in code.groups() if g), 16)
            i = code.end()
            low = _JS_CODE.match(src, i) if 0xD800 <= value < 0xDC00 else None
            low_value = int(next(g for g in low.groups() if g), 16) if low else 0
            if 0xDC00 <= low_value < 0xE000 and low:
                value, i = 0x10000 + ((value - 0xD800) << 10) + (low_value - 0xDC00), low.end()
            # Lone surrogates and out-of-range code points could not be stored as UTF-8.
            out.append("\ufffd" if 0xD800 <= value < 0xE000 or value > 0x10FFFF else chr(value))
        elif src[i + 1 : i + 2] in ("\n", "\r"):  # a backslash-newline continues the string
            i += 3 if src[i + 1 : i + 3] == "\r\n" else 2
        else:
            out.append(_JS_ESCAPES.get(src[i + 1 : i + 2], src[i + 1 : i + 2]))
            i += 2
    raise JsError("unterminated string", pos)


def _js_tokens(src: str, pos: int) -> Iterator[tuple[str, str, int]]:
    """Yield (kind, text, offset) tokens of a JS literal from pos on."""
    while True:
        if skip := _JS_SKIP.match(src, pos):
            pos = skip.end()
        if pos >= len(src):
            return
        if src.startswith("/*", pos):
            raise JsError("unclosed comment", pos)
        if src[pos] in "\"'`":
            value, end = _js_string(src, pos)
            yield "str", value, pos
            pos = end
        elif src.startswith("...", pos) or src[pos] in "[]{}(),:+":
            text = "..." if src.startswith("...", pos) else src[pos]
            yield "punct", text, pos
            pos += len(text)
        elif word := _JS_WORD.match(src, pos):
            yield "word", word.group(), pos
            pos = word.end()
        else:
            raise JsError(f"unexpected {src[pos]!r}", pos)


class JsReader:
    """A recursive-descent reader for the array/object/string subset of JS that glossaries use."""

    def __init__(self, src: str, pos: int) -> None:
        self.tokens = _js_tokens(src, pos)
        self.ahead: tuple[str, str, int] | None = None
        self.end = len(src)
        self.depth = 0

    def peek(self) -> tuple[str, str, int]:
        """Return the next token without taking it."""
        if self.ahead is None:
            self.ahead = next(self.tokens, ("eof", "", self.end))
        return self.ahead

    def take(self, punct: str | None = None) -> tuple[str, str, int]:
        """Take the next token, requiring it to be the given punctuation if one is named."""
        tok = self.peek()
        if tok[0] == "eof" or (punct and tok[1:2] != (punct,)):
            raise JsError(f"expected {punct or 'a value'}, found {tok[1] or 'end of page'}", tok[2])
        self.ahead = None
        return tok

    def accept(self, punct: str) -> bool:
        """Take the next token if it is the given punctuation."""
        if self.peek()[0] == "punct" and self.peek()[1] == punct:
            self.ahead = None
            return True
        return False

    def value(self) -> tuple[Any, int]:
        """Read one value (string concatenations joined) and the offset where it starts."""
        kind, text, pos = self.take()
        self.depth += 1
        if self.depth > 64:
            raise JsError("nested too deeply", pos)
        result: Any = None
        if (kind, text) == ("punct", "("):
            result = self.value()[0]
            self.take(")")
        elif (kind, text) == ("punct", "["):
            result = []
            while not self.accept("]"):
                result.append(self.value()[0])
                if not self.accept(","):
                    self.take("]")
                    break
        elif (kind, text) == ("punct", "{"):
            result = self._object()
        elif kind == "str":
            result = text
        elif kind == "word":
            result = {"true": True, "false": False, "null": None}.get(text, JsRef(text))
        else:
            raise JsError(f"unexpected {text!r}", pos)
        while isinstance(result, str) and self.accept("+"):
            more = self.value()[0]
            if not isinstance(more, str):
                raise JsError("only strings can be joined with +", pos)
            result += more
        self.depth -= 1
        return result, pos

    def _object(self) -> dict[str, tuple[Any, int]]:
        """Read object members after the opening brace: key → (value, offset)."""
        members: dict[str, tuple[Any, int]] = {}
        while not self.accept("}"):
            kind, key, pos = self.take()
            if kind not in ("str", "word"):
                raise JsError(f"unexpected {key!r} where a key was expected", pos)
            members[key] = self.value() if self.accept(":") else (JsRef(key), pos)
            if not self.accept(","):
                self.take("}")
                break
        return members


class JsRef(str):
    """A bare identifier or number in a JS literal: not a string value."""
