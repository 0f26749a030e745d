"""Read JavaScript literals as MDX exports and attributes use them (never executed)."""

from __future__ import annotations

import json
import re
from typing import Any

from kb.mdx.js import JsError, Jsx, skip_braces, skip_jsx, skip_string

_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")

_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


class _Reader:
    """A recursive-descent reader of JSON-like JavaScript literals with member access."""

    def __init__(self, src: str, env: dict[str, Any], base: int) -> None:
        """Read src; identifiers resolve in env; base is src's offset in its file."""
        self.src = src
        self.env = env
        self.base = base
        self.index = 0

    def space(self) -> None:
        """Skip whitespace and comments."""
        while self.index < len(self.src):
            if self.src[self.index] in " \t\r\n":
                self.index += 1
            elif self.src.startswith("//", self.index):
                newline = self.src.find("\n", self.index)
                self.index = len(self.src) if newline < 0 else newline
            elif self.src.startswith("/*", self.index):
                end = self.src.find("*/", self.index)
                self.index = len(self.src) if end < 0 else end + 2
            else:
                return

    def value(self) -> Any:
        """Read one value with any member access that follows it."""
        self.space()
        result = self.primary()
        while True:
            self.space()
            if self.src.startswith("?.", self.index):
                self.index += 1
            if self.src.startswith(".", self.index):
                self.index += 1
                match = _IDENT.match(self.src, self.index)
                if not match:
                    raise JsError("bad member access")
                self.index = match.end()
                result = _member(result, match.group(0))
            elif self.src.startswith("[", self.index):
                self.index += 1
                key = self.value()
                self.expect("]")
                result = _member(result, key)
            else:
                return result

    def expect(self, char: str) -> None:
        """Consume char or fail."""
        self.space()
        if not self.src.startswith(char, self.index):
            raise JsError(f"expected {char!r}")
        self.index += len(char)

    def primary(self) -> Any:
        """Read a literal, identifier, array, object or JSX element."""
        src, index = self.src, self.index
        char = src[index : index + 1]
        if not char:
            raise JsError("unexpected end")
        if char in "\"'`":
            end = skip_string(src, index)
            self.index = end
            return self.string(src[index + 1 : end - 1], char)
        if char == "[":
            self.index += 1
            items: list[Any] = []
            while True:
                self.space()
                if self.src.startswith("]", self.index):
                    self.index += 1
                    return items
                items.append(self.value())
                self.space()
                if self.src.startswith(",", self.index):
                    self.index += 1
        if char == "{":
            return self.object()
        if char == "<":
            end = skip_jsx(src, index)
            self.index = end
            return Jsx(src[index:end], self.base + index)
        if char == "(":
            self.index += 1
            inner = self.value()
            self.expect(")")
            return inner
        number = _NUMBER.match(src, index)
        if number:
            self.index = number.end()
            return (
                json.loads(number.group(0).lstrip("+"))
                if "." not in number[0]
                else float(number[0])
            )
        ident = _IDENT.match(src, index)
        if ident:
            self.index = ident.end()
            word = ident.group(0)
            constants = {"true": True, "false": False, "null": None, "undefined": None}
            if word in constants:
                return constants[word]
            if word in self.env:
                return self.env[word]
            raise JsError(f"unknown name {word}")
        raise JsError(f"unexpected {char!r}")

    def object(self) -> dict[str, Any]:
        """Read an object literal with identifier, string or number keys."""
        self.index += 1
        result: dict[str, Any] = {}
        while True:
            self.space()
            if self.src.startswith("}", self.index):
                self.index += 1
                return result
            char = self.src[self.index : self.index + 1]
            if char in "\"'":
                end = skip_string(self.src, self.index)
                key = self.string(self.src[self.index + 1 : end - 1], char)
                self.index = end
            else:
                match = _IDENT.match(self.src, self.index) or _NUMBER.match(self.src, self.index)
                if not match:
                    raise JsError("bad object key")
                key = match.group(0)
                self.index = match.end()
            self.space()
            if self.src.startswith(":", self.index):
                self.index += 1
                result[key] = self.value()
            else:
                result[key] = self.env.get(key)
            self.space()
            if self.src.startswith(",", self.index):
                self.index += 1

    def string(self, body: str, quote: str) -> str:
        """Decode a string or template literal body (template holes filled from env)."""
        if quote == "`" and "${" in body:
            body = _fill_template(body, self.env)
        if "\\" not in body:
            return body
        return re.sub(
            r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", _unescape, body, flags=re.S
        )


def _unescape(match: re.Match[str]) -> str:
    """Decode one backslash escape of a JavaScript string."""
    code = match.group(1)
    if code.startswith("u{"):
        return chr(int(code[2:-1], 16))
    if code[0] in "ux" and len(code) > 1:
        return chr(int(code[1:], 16))
    if code == "\n":
        return ""
    return _SIMPLE_ESCAPES.get(code, code)


def _fill_template(body: str, env: dict[str, Any]) -> str:
    """Replace ${name} holes that name known string values; keep the others as written."""
    parts: list[str] = []
    index = 0
    while True:
        start = body.find("${", index)
        if start < 0:
            parts.append(body[index:])
            return "".join(parts)
        parts.append(body[index:start])
        try:
            end = skip_braces(body, start + 1)
            value = evaluate(body[start + 2 : end - 1], env)
            parts.append(value if isinstance(value, str) else str(value))
        except (JsError, IndexError, RecursionError):
            end = body.find("}", start) + 1 or len(body)
            parts.append(body[start:end])
        index = end


def _member(value: Any, key: Any) -> Any:
    """Return value[key] the way JavaScript would for arrays and objects."""
    if isinstance(value, list) and isinstance(key, int | float) and 0 <= int(key) < len(value):
        return value[int(key)]
    if isinstance(value, list) and key == "length":
        return len(value)
    if isinstance(value, dict) and str(key) in value:
        return value[str(key)]
    raise JsError(f"no member {key!r}")


def evaluate(source: str, env: dict[str, Any], base: int = 0) -> Any:
    """Evaluate a literal expression (strings, numbers, arrays, objects, names, JSX)."""
    reader = _Reader(source, env, base)
    result = reader.value()
    reader.space()
    if reader.index != len(source):
        raise JsError("trailing input")
    return result
