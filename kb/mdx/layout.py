"""Layout: code spans, dedented component children, MDX lists laid out for python-markdown."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.markup.fences import fence_ranges
from kb.mdx.nodes import Element, Fence, Node, Text

# Characters Markdown would act on inside already-rendered HTML; entities keep them inert.
_INERT = (
    ("*", "&#42;"), ("_", "&#95;"), ("`", "&#96;"), ("[", "&#91;"), ("]", "&#93;"),
    ("\\", "&#92;"), ("!", "&#33;"), ("\n", "&#10;"), ("\r", ""), ("\t", "&#9;"),
    ("|", "&#124;"), ("~", "&#126;"),
)  # fmt: skip
_LIST_ITEM = re.compile(r"(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,9}[.)])(?P<gap>[ \t]+|$)")
_THEMATIC_BREAK = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1){2,}[ \t]*$")


def make_inert(fragment: str) -> str:
    """Put rendered HTML on one line that Markdown will pass through unchanged."""
    fragment = fragment.strip()
    for char, entity in _INERT:  # str.replace beats str.translate on long multi-char mappings
        if char in fragment:
            fragment = fragment.replace(char, entity)
    return fragment


def indent_width(line: str) -> int:
    """Return the width of a line's leading whitespace (tabs stop every 4 columns)."""
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def reindent(line: str, width: int) -> str:
    """Return the line with its leading whitespace replaced by width spaces."""
    return " " * width + line.lstrip(" \t")


def shift(line: str, delta: int) -> str:
    """Move a line right (delta > 0) or left by up to -delta columns."""
    if delta >= 0:
        return " " * delta + line if line.strip() else line
    width = indent_width(line)
    return reindent(line, max(0, width + delta)) if width else line


@dataclass
class _Item:
    """An open list item: where its content starts in the source and in the output."""

    source_column: int
    output_column: int


def settle_indentation(markdown: str, width: int = 0) -> str:
    """Dedent by width, then re-indent lists to python-markdown's 4-space rule.

    MDX follows CommonMark (content under "1. " starts at column 3, a list may interrupt a
    paragraph, no indented code), while python-markdown nests at 4 columns, needs blank lines
    around lists and turns 4-space-indented paragraphs into code.
    """
    lines = markdown.split("\n")
    if width:
        lines = [shift(line, -width) for line in lines]
    layout = _Layout()
    fences = dict(fence_ranges(lines))
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            layout.blank(line)
            index += 1
            continue
        column = indent_width(line)
        item = layout.list_item(line, column)
        if item:
            layout.add_item(line, column, item)
            index += 1
            continue
        end = fences.get(index, index)
        layout.add_block(lines[index : end + 1], column)
        index = end + 1
    return "\n".join(layout.out)


class _Layout:
    """The lines laid out so far, the list items still open, and what the last line was."""

    def __init__(self) -> None:
        """Start before the first line, as after a blank one."""
        self.out: list[str] = []
        self.items: list[_Item] = []
        self.previous_blank = True
        self.previous_item = False

    def blank(self, line: str) -> None:
        """Keep a blank line."""
        self.out.append(line)
        self.previous_blank = True

    def list_item(self, line: str, column: int) -> re.Match[str] | None:
        """Return the list marker a line starts with, if it starts a list item here."""
        item = _LIST_ITEM.match(line)
        items = self.items
        if item and (
            _THEMATIC_BREAK.match(line)
            or (items and column >= items[-1].source_column + 4 and not self.previous_blank)
        ):
            return None  # a rule, or continuation text that happens to start with "-"
        if item and not self.previous_blank and not self.previous_item:
            opens_list = not items or column >= items[-1].source_column
            if opens_list and item["marker"][0].isdigit() and item["marker"][:-1] != "1":
                return None  # CommonMark: only "1." may interrupt a paragraph
            if opens_list:
                self.out.append("")  # python-markdown needs the blank line to start a list
        return item

    def add_item(self, line: str, column: int, item: re.Match[str]) -> None:
        """Lay out a list item's first line at its list's 4-column depth."""
        items, out = self.items, self.out
        depth = len(items)
        while items and column < items[-1].source_column:
            items.pop()
        if not self.previous_blank and len(items) < depth - 1 and out and out[-1]:
            out.append("")  # python-markdown keeps a block in its deepest list otherwise
        output = items[-1].output_column if items else 0
        gap = item["gap"].expandtabs(4)
        content = column + len(item["marker"]) + (len(gap) if 0 < len(gap) <= 4 else 1)
        marker = item["marker"].replace(")", ".")
        out.append(" " * output + marker + " " + line[item.end() :])
        items.append(_Item(content, output + 4))
        self.previous_blank, self.previous_item = False, True

    def add_block(self, lines: list[str], column: int) -> None:
        """Lay out a line of text (or a whole fenced block) under the list item it belongs to."""
        items = self.items
        if self.previous_blank:
            while items and column < items[-1].source_column:
                items.pop()
            # Extra indentation would make indented code, which MDX does not have.
            target = items[-1].output_column if items else (0 if column >= 4 else column)
        elif items and column >= items[-1].source_column:
            target = items[-1].output_column
        else:
            target = column  # lazy continuation of a paragraph: indentation does not matter
        self.out.append(reindent(lines[0], target))
        self.out.extend(shift(line, target - column) for line in lines[1:])
        self.previous_blank, self.previous_item = False, False


def common_indent(nodes: list[Node]) -> int:
    """Return the indentation shared by the children's lines (the first line if on the tag's)."""
    widths: list[int] = []
    at_line_start = False
    for node in nodes:
        if isinstance(node, Text):
            for number, line in enumerate(node.text.split("\n")):
                if (number or at_line_start) and line.strip():
                    widths.append(indent_width(line))
            at_line_start = node.text.endswith("\n")
        elif isinstance(node, Fence):
            widths.append(indent_width(node.indent))
            at_line_start = node.text.endswith("\n")
        elif isinstance(node, Element) and node.line_start:
            widths.append(node.indent)
            at_line_start = False
        else:
            at_line_start = False
    return min(widths, default=0)
