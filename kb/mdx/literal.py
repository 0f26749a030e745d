"""Read JavaScript literals the way MDX exports, attributes and glossary components write them.

Nothing is ever run. The reader knows strings (quoted and template, with `${name}` holes filled
from the names in scope), numbers, true/false/null/undefined, arrays, objects (identifier, string
or number keys, shorthand members), parentheses, strings joined with `+`, member access (`a.b`,
`a[0]`, `a?.b`, `list.length`), JSX elements as values (rendered later, as MDX) and names from a
scope. Without a scope, a bare name reads as a JsName so a caller can tell it from a string.
Objects and arrays remember where each value starts, so callers can name lines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kb.mdx.js import JsError, Jsx, decode_string, skip_braces, skip_jsx, skip_string

_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None, "undefined": None}
MAX_DEPTH = 100  # nested arrays and objects; deeper is not a docs literal


class JsName(str):
    """A bare name read without a scope (a variable or a number word): not a string value."""


class JsObject(dict[str, Any]):
    """An object literal; `pos` is where it starts and `value_pos` where each value starts."""

    pos: int = 0
    value_pos: dict[str, int]


class JsArray(list[Any]):
    """An array literal; `pos` is where it starts and `positions` where each item starts."""

    pos: int = 0
    positions: list[int]


class LiteralReader:
    """A recursive-descent reader over src from a position; names resolve in env when given."""

    def __init__(
        self,
        src: str,
        pos: int = 0,
        env: Mapping[str, Any] | None = None,
        base: int = 0,
        *,
        end_name: str = "end of input",
    ) -> None:
        """Read src from pos; base is src's offset in its file, for positions and errors.

        end_name names the end of src in errors ("end of page" reads better to an author).
        """
        self.src = src
        self.end_name = end_name
        self.index = pos
        self.env = env
        self.base = base
        self.depth = 0

    def error(self, message: str) -> JsError:
        """Return an error at the current position."""
        return JsError(message, self.base + self.index)

    def space(self) -> None:
        """Skip whitespace and comments."""
        src = self.src
        while self.index < len(src):
            if src[self.index] in " \t\r\n":
                self.index += 1
            elif src.startswith("//", self.index):
                newline = src.find("\n", self.index)
                self.index = len(src) if newline < 0 else newline
            elif src.startswith("/*", self.index):
                end = src.find("*/", self.index)
                if end < 0:
                    raise self.error("unclosed comment")
                self.index = end + 2
            else:
                return

    def accept(self, token: str) -> bool:
        """Take token if it comes next (after space)."""
        self.space()
        if self.src.startswith(token, self.index):
            self.index += len(token)
            return True
        return False

    def expect(self, token: str) -> None:
        """Take token or fail."""
        if not self.accept(token):
            found = (
                repr(self.src[self.index : self.index + 1]) if self.index < len(self.src) else ""
            )
            raise self.error(f"expected {token!r}, found {found or self.end_name}")

    def next_token(self) -> str:
        """Name what comes next, for an error: a word, a number, a character or the end."""
        if self.index >= len(self.src):
            return self.end_name
        word = _IDENT.match(self.src, self.index) or _NUMBER.match(self.src, self.index)
        return repr(word.group(0)[:40] if word else self.src[self.index])

    def value(self) -> Any:
        """Read one value: a primary, its member accesses, and strings joined with +."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("nested too deeply")
        self.space()
        result = self.members(self.primary())
        while isinstance(result, str) and not isinstance(result, JsName) and self.accept("+"):
            more = self.value()
            if not isinstance(more, str) or isinstance(more, JsName):
                raise self.error("only strings can be joined with +")
            result += more
        self.depth -= 1
        return result

    def members(self, result: Any) -> Any:
        """Apply the member accesses that follow a value: .name, [key], ?.name, ?.[key]."""
        while True:
            self.space()
            if self.accept("?."):
                if not self.src.startswith("[", self.index):
                    result = _member(result, self.identifier())
                    continue
            elif self.src.startswith(".", self.index) and not self.src.startswith(
                "...", self.index
            ):
                self.index += 1
                result = _member(result, self.identifier())
                continue
            if not self.src.startswith("[", self.index):
                return result
            self.index += 1
            key = self.value()
            self.expect("]")
            result = _member(result, key)

    def identifier(self) -> str:
        """Read the name after a member dot."""
        match = _IDENT.match(self.src, self.index)
        if not match:
            raise self.error("bad member access")
        self.index = match.end()
        return match.group(0)

    def primary(self) -> Any:
        """Read a literal, name, array, object, parenthesized value or JSX element."""
        src, index = self.src, self.index
        char = src[index : index + 1]
        if not char:
            raise self.error(f"unexpected {self.end_name}")
        if char in "\"'`":
            end = skip_string(src, index)
            self.index = end
            return self.string(src[index + 1 : end - 1], char)
        if char == "[":
            return self.array()
        if char == "{":
            return self.object()
        if char == "<":
            self.index = skip_jsx(src, index)
            return Jsx(src[index : self.index], self.base + index)
        if char == "(":
            self.index += 1
            inner = self.value()
            self.expect(")")
            return inner
        if number := _NUMBER.match(src, index):
            self.index = number.end()
            return self.number(number.group(0))
        if ident := _IDENT.match(src, index):
            self.index = ident.end()
            return self.name(ident.group(0))
        raise self.error(f"unexpected {char!r}")

    def number(self, text: str) -> int | float:
        """Read a number literal; one Python cannot hold (01, 5,000 digits) is an error."""
        try:
            return float(text) if "." in text or "e" in text.lower() else int(text, 10)
        except ValueError:
            raise self.error(f"bad number {text[:20]!r}") from None

    def name(self, word: str) -> Any:
        """Resolve a bare name: a constant, a name in scope, or a JsName when there is no scope."""
        if word in _CONSTANTS:
            return _CONSTANTS[word]
        if self.env is None:
            return JsName(word)
        if word in self.env:
            return self.env[word]
        raise JsError(f"unknown name {word}", self.base + self.index - len(word))

    def array(self) -> JsArray:
        """Read an array literal: values separated by commas, a trailing comma allowed."""
        items = JsArray()
        items.pos, items.positions = self.base + self.index, []
        self.index += 1
        while not self.accept("]"):
            items.positions.append(self.base + self.index)
            items.append(self.value())
            if not self.accept(","):
                self.expect("]")
                break
        return items

    def object(self) -> JsObject:
        """Read an object literal with identifier, string or number keys and shorthand members."""
        result = JsObject()
        result.pos, result.value_pos = self.base + self.index, {}
        self.index += 1
        while not self.accept("}"):
            key = self.key()
            self.space()
            result.value_pos[key] = self.base + self.index
            if self.accept(":"):
                self.space()
                result.value_pos[key] = self.base + self.index
                result[key] = self.value()
            else:
                result[key] = self.env.get(key) if self.env is not None else JsName(key)
            if not self.accept(","):
                self.expect("}")
                break
        return result

    def key(self) -> str:
        """Read an object key: a quoted string, an identifier or a number."""
        self.space()
        char = self.src[self.index : self.index + 1]
        if char in ("'", '"'):
            end = skip_string(self.src, self.index)
            key = decode_string(self.src[self.index + 1 : end - 1])
            self.index = end
            return key
        match = _IDENT.match(self.src, self.index) or _NUMBER.match(self.src, self.index)
        if not match:
            raise self.error(f"unexpected {self.next_token()} where a key was expected")
        self.index = match.end()
        return match.group(0)

    def string(self, body: str, quote: str) -> str:
        """Decode a string or template literal body (template holes filled from the scope)."""
        if quote == "`" and "${" in body:
            body = _fill_template(body, self.env)
        return decode_string(body)


def _fill_template(body: str, env: Mapping[str, Any] | None) -> str:
    """Replace ${...} holes that read as known values; keep the others as written."""
    parts: list[str] = []
    index = 0
    while (start := body.find("${", index)) >= 0:
        parts.append(body[index:start])
        try:
            end = skip_braces(body, start + 1)
            if env is None:
                raise JsError("no scope")
            value = evaluate(body[start + 2 : end - 1], env)
            parts.append(value if isinstance(value, str) else str(value))
        except (JsError, IndexError, RecursionError):
            end = body.find("}", start) + 1 or len(body)
            parts.append(body[start:end])
        index = end
    parts.append(body[index:])
    return "".join(parts)


def _member(value: Any, key: Any) -> Any:
    """Return value[key] the way JavaScript would for arrays and objects."""
    if isinstance(value, list) and isinstance(key, int | float) and 0 <= int(key) < len(value):
        return value[int(key)]
    if isinstance(value, list) and key == "length":
        return len(value)
    if isinstance(value, dict) and str(key) in value:
        return value[str(key)]
    raise JsError(f"no member {key!r}")


def evaluate(source: str, env: Mapping[str, Any], base: int = 0) -> Any:
    """Read a whole source as one literal value (strings, numbers, arrays, objects, names, JSX)."""
    reader = LiteralReader(source, 0, env, base)
    result = reader.value()
    reader.space()
    if reader.index != len(source):
        raise reader.error("trailing input")
    return result
