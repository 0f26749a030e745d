"""Read MDX source into a tree: prose text, fenced code, JSX elements, expressions, ESM."""

from __future__ import annotations

import re

from kb.markup.fences import fence_end, opening_fence
from kb.markup.spans import code_span_end
from kb.mdx.js import JsError, skip_braces, skip_statement
from kb.mdx.nodes import (
    HTML_ELEMENTS,
    VOID_ELEMENTS,
    AttrValue,
    Collected,
    Element,
    Esm,
    Expr,
    Fence,
    Node,
)

_RAW_TEXT = frozenset({"script", "style", "textarea", "template"})
_SPECIAL = re.compile(r"[<{`\\\n]")
_TAG_NAME = re.compile(r"[A-Za-z][\w.:-]*")
_ATTR_NAME = re.compile(r"[^\s\"'<>/={}]+")
_UNQUOTED = re.compile(r"[^\s\"'<>=`{}]+")
_CLOSE_TAG = re.compile(r"</\s*([A-Za-z][\w.:-]*)?\s*>")
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>")
_ESM = re.compile(
    r"(?:import(?:\s+[\w${*]|\s*[{\"'*])|export\s+(?:(?:const|let|var|function|default|async|"
    r"class|interface|type|enum)\b|[{*]))"
)
# CommonMark escapes python-markdown does not know: drop the backslash, keep the character.
_ESCAPES = {char: char for char in "\"$%',/:;=?@^~"} | {"<": "&lt;", "&": "&amp;"}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_EQUALS = re.compile(r"\s*=\s*")
_COMMENT_CLOSE = re.compile(r"\s*\}")


def _is_line_start(src: str, pos: int) -> bool:
    """Tell whether only spaces stand between the start of pos's line and pos."""
    line_start = src.rfind("\n", 0, pos) + 1
    return not src[line_start:pos].strip(" \t")


class Scanner:
    """Build the node tree of one MDX source; problems are collected, never raised."""

    def __init__(self, src: str, allow_esm: bool = True) -> None:
        """Prepare to read src."""
        self.src = src
        self.allow_esm = allow_esm
        self.problems: list[tuple[int, str]] = []
        self.open_names: list[str] = []

    def parse(self) -> list[Node]:
        """Return the nodes of the whole source."""
        nodes, _, _ = self.children(0, None)
        return nodes

    def children(self, pos: int, closing: str | None) -> tuple[list[Node], int, bool]:
        """Read nodes up to `closing`'s end tag (consumed) or an ancestor's; tell if found."""
        src = self.src
        out = Collected(pos)
        at_line_start = pos == 0 or src[pos - 1] == "\n"
        while pos < len(src):
            if at_line_start:
                at_line_start = False
                block = self.line_block(pos, closing)
                if block is not None:
                    out.add_node(block[0], block[1])
                    pos = block[1]
                    at_line_start = True
                    continue
            match = _SPECIAL.search(src, pos)
            if not match:
                out.add_text(src[pos:], pos)
                pos = len(src)
                break
            if match.start() > pos:
                out.add_text(src[pos : match.start()], pos)
            pos, ended = self.special(match.start(), closing, out)
            if ended is not None:
                return out.finish(), pos, ended
            at_line_start = src[pos - 1] == "\n"
        return out.finish(), pos, closing is None

    def special(self, pos: int, closing: str | None, out: Collected) -> tuple[int, bool | None]:
        """Read what starts with the special character at pos; return the position after it,
        and whether `closing` was found when the level ends here (None: it goes on)."""
        src = self.src
        char = src[pos]
        if char == "\n":
            out.add_text("\n", pos)
            return pos + 1, None
        if char == "\\":
            escaped = src[pos + 1 : pos + 2]
            if escaped == "\n":
                out.add_text("\\", pos)
                return pos + 1, None
            out.add_text(_ESCAPES.get(escaped, "\\" + escaped), pos)
            return pos + 2, None
        if char == "`":
            _, span_end = code_span_end(src, pos)
            out.add_text(src[pos:span_end], pos)
            return span_end, None
        if char == "{":
            result = self.expression(pos)
            if result is None:
                out.add_text("{", pos)
                return pos + 1, None
            out.add_node(result[0], result[1])
            return result[1], None
        return self.markup(pos, closing, out)

    def markup(self, pos: int, closing: str | None, out: Collected) -> tuple[int, bool | None]:
        """Read the tag, comment or autolink at "<" (see special)."""
        tag = self.tag(pos, closing)
        if tag is None:
            out.add_text("&lt;", pos)
            return pos + 1, None
        if tag == "close":
            return _CLOSE_TAG.match(self.src, pos).end(), True  # type: ignore[union-attr]
        if tag == "ancestor":
            return pos, False
        if isinstance(tag, int):
            out.add_node(None, tag)
            return tag, None
        if isinstance(tag, Element):
            out.add_node(tag, tag.end)
            return tag.end, None
        out.add_text(tag, pos)
        return pos + len(tag), None

    def line_block(self, pos: int, closing: str | None) -> tuple[Node, int] | None:
        """Read a fenced code block or top-level import/export starting the line at pos."""
        src = self.src
        line_end = src.find("\n", pos)
        line = src[pos : len(src) if line_end < 0 else line_end]
        match = opening_fence(line)
        if match:
            lines = src[pos:].split("\n")
            end_line = fence_end(lines, 0, match["fence"])
            if end_line >= len(lines):
                self.problems.append((pos, "unclosed code fence"))
            block_lines = lines[: end_line + 1]
            end = min(len(src), pos + sum(len(x) + 1 for x in block_lines))
            raw = src[pos:end]
            body = "\n".join(lines[1:end_line])
            return Fence(raw, match["indent"], match["info"], body, pos), end
        if self.allow_esm and not self.open_names and closing is None and _ESM.match(src, pos):
            try:
                end = skip_statement(src, pos)
            except (JsError, IndexError, RecursionError):
                self.problems.append((pos, "unreadable import/export statement"))
                end = len(src) if line_end < 0 else line_end
            return Esm(src[pos:end], pos), end
        return None

    def expression(self, pos: int) -> tuple[Expr | None, int] | None:
        """Read {…}: a JSX comment gives (None, end); an unbalanced brace gives None."""
        src = self.src
        if src.startswith("{/*", pos):
            end = src.find("*/", pos + 3)
            if end >= 0:
                close = _COMMENT_CLOSE.match(src, end + 2)
                if close:
                    return None, close.end()
        try:
            end = skip_braces(src, pos)
        except (JsError, IndexError, RecursionError):
            return None
        if _BLANK_LINE.search(src, pos, end):
            return None  # prose braces, not an expression: MDX expressions never span paragraphs
        return Expr(src[pos + 1 : end - 1], pos), end

    def tag(self, pos: int, closing: str | None) -> Element | str | int | None:
        """Read the tag at "<": an element, "close"/"ancestor", a skip position, or literal text."""
        src = self.src
        if src.startswith("<!--", pos):
            end = src.find("-->", pos + 4)
            return len(src) if end < 0 else end + 3
        autolink = _AUTOLINK.match(src, pos)
        if autolink:
            return autolink.group(0)
        if src.startswith("</", pos):
            match = _CLOSE_TAG.match(src, pos)
            if not match:
                return None
            name = match.group(1) or ""
            if name == closing:
                return "close"
            if name in self.open_names:
                return "ancestor"
            if name[:1].isupper() or name.lower() in HTML_ELEMENTS:
                self.problems.append((pos, f"stray </{name}>"))
                return match.end()
            return None
        parsed = self.open_tag(pos)
        if parsed is None:
            return None
        element, self_closing = parsed
        name = element.name
        is_component = not name or name[0].isupper() or "." in name
        if not is_component and name.lower() not in HTML_ELEMENTS:
            return None
        if not self_closing and name.lower() in _RAW_TEXT and not is_component:
            closer = re.compile(r"</\s*" + re.escape(name) + r"\s*>", re.IGNORECASE)
            close = closer.search(src, element.end)
            element.end = len(src) if close is None else close.end()
            self_closing = True
        elif not self_closing and not (not is_component and name.lower() in VOID_ELEMENTS):
            self.open_names.append(name)
            element.children, element.end, closed = self.children(element.end, name)
            self.open_names.pop()
            if not closed:
                self.problems.append((pos, f"unclosed <{name}>"))
        element.indent = pos - (src.rfind("\n", 0, pos) + 1)
        line_end = src.find("\n", element.end)
        rest = src[element.end : len(src) if line_end < 0 else line_end]
        element.line_start = _is_line_start(src, pos)
        element.flow = element.line_start and not rest.strip()
        return element

    def attribute_value(self, pos: int) -> tuple[AttrValue, int] | None:
        """Read an attribute's value after its name: ="text", ='text', ={expression}, =bare, or
        nothing (a boolean attribute); return it with the position after it, None if malformed."""
        src = self.src
        value_match = _EQUALS.match(src, pos)
        if not value_match:
            return True, pos
        index = value_match.end()
        char = src[index : index + 1]
        if char in ("'", '"'):
            close = src.find(char, index + 1)
            return (src[index + 1 : close], close + 1) if close >= 0 else None
        if char == "{":
            try:
                end = skip_braces(src, index)
            except (JsError, IndexError, RecursionError):
                return None
            return Expr(src[index + 1 : end - 1], index + 1), end
        unquoted = _UNQUOTED.match(src, index)
        return (unquoted.group(0), unquoted.end()) if unquoted else None

    def open_tag(self, pos: int) -> tuple[Element, bool] | None:
        """Read "<Name attrs…>" at pos; return the element (end = after ">") and self-closing."""
        src = self.src
        match = _TAG_NAME.match(src, pos + 1)
        if match is None:
            if src.startswith("<>", pos):
                return Element("", {}, pos, pos + 2), False
            return None
        name = match.group(0)
        attrs: dict[str, AttrValue] = {}
        attr_pos: dict[str, int] = {}
        index = match.end()
        while index < len(src):
            start = index
            while index < len(src) and src[index] in " \t\r\n":
                index += 1
            if src.startswith("/>", index):
                return Element(name, attrs, pos, index + 2, attr_pos=attr_pos), True
            if src.startswith(">", index):
                return Element(name, attrs, pos, index + 1, attr_pos=attr_pos), False
            if index == start and index > match.end():
                return None
            if src.startswith("{", index):
                try:
                    index = skip_braces(src, index)  # a {...spread}: nothing we can use
                except (JsError, IndexError, RecursionError):
                    return None
                continue
            attr = _ATTR_NAME.match(src, index)
            if attr is None:
                return None
            attr_pos[attr.group(0)] = index
            read = self.attribute_value(attr.end())
            if read is None:
                return None
            attrs[attr.group(0)], index = read
        return None
