"""Which lines of a code block are highlighted and numbered, as the fence's info string says.

Docs sites spell it several ways, all read here: ``{1,3-5}`` (Docusaurus, Mintlify, MDX),
``highlight={1,3}`` / ``mark={2}`` (Mintlify, Expressive Code), ``hl_lines="2 3"`` (MkDocs), and for
numbers ``showLineNumbers`` / ``showLineNumbers{10}`` / ``showLineNumbers=10`` (Docusaurus,
rehype-pretty-code), ``lines`` (Mintlify) and ``linenums="1"`` (MkDocs); ``wrap`` (Mintlify) wraps
long lines instead of scrolling them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from kb.markup.fences import FenceInfo

_HIGHLIGHT_KEYS = frozenset({"highlight", "hl_lines", "mark", "highlightlines"})
_NUMBER_FLAGS = frozenset({"showlinenumbers", "lines", "linenums", "linenumbers", "numberlines"})
_START_KEYS = frozenset({"startline", "startfrom", "start"})
_RANGE = re.compile(r"^(\d+)(?:\s*[-:]\s*(\d+))?$")
# A range past the block's end is cut there; this bounds a spec before the length is known.
MAX_LINE = 100_000


@dataclass(frozen=True)
class LineOptions:
    """How to draw a block's lines: which to highlight, numbers from where (None: none), wrap."""

    highlighted: frozenset[int] = frozenset()
    first_number: int | None = None
    wrap: bool = False

    @property
    def plain(self) -> bool:
        """Whether the block needs no per-line markup."""
        return not self.highlighted and self.first_number is None


def parse_line_ranges(spec: str) -> frozenset[int]:
    """Read '1,3-5', '{1, 3-5}' or '2 3 4-6' into line numbers; parts that are no range are skipped."""
    lines: set[int] = set()
    for part in re.split(r"[\s,]+", spec.strip().strip("{}\"'")):
        match = _RANGE.match(part)
        if not match:
            continue
        first = int(match[1])
        last = int(match[2]) if match[2] else first
        if first > last:
            first, last = last, first
        lines.update(range(max(first, 1), min(last, MAX_LINE) + 1))
    return frozenset(lines)


def _number(value: str, default: int = 1) -> int:
    """Read a first line number; anything that is not a whole number from 0 up means the default."""
    value = value.strip().strip("{}\"'")
    return int(value) if value.isdigit() and int(value) <= MAX_LINE else default


def line_options(info: FenceInfo) -> LineOptions:
    """Return the line highlights and numbering an info string asks for."""
    highlighted: set[int] = set()
    first: int | None = None
    start: int | None = None
    for key, value in info.options:
        name = key.lower()
        if name in _HIGHLIGHT_KEYS:
            highlighted |= parse_line_ranges(value)
        elif name in _NUMBER_FLAGS:
            # MkDocs' linenums="0" is a real first number; a bare flag starts at 1.
            first = _number(value) if value else 1
        elif name in _START_KEYS:
            start = _number(value)
    if first is not None and start is not None:
        first = start
    wrap = any(key.lower() == "wrap" for key, _ in info.options)
    return LineOptions(frozenset(highlighted), first, wrap)


def number_lines(body: str, options: LineOptions) -> tuple[str, str]:
    """Wrap each line of highlighted HTML in a span; return it and the classes for the <pre>.

    Pygments closes its spans at every line end, so splitting the HTML at newlines never cuts a
    tag. The number is a data attribute the stylesheet draws, so copying the code leaves it out.
    """
    classes = ["kb-code-wrap"] if options.wrap else []
    if options.plain:
        return body, " ".join(classes)
    lines = body.split("\n")
    first = options.first_number
    if first is not None:
        width = len(str(first + len(lines) - 1))
        classes += ["kb-code-numbered", f"kb-ln-w{min(width, 6)}"]
    wrapped = []
    for index, line in enumerate(lines, start=1):
        css = "kb-line kb-line-hl" if index in options.highlighted else "kb-line"
        number = f' data-line="{html.escape(str(first + index - 1))}"' if first is not None else ""
        ending = "\n" if index < len(lines) else ""
        wrapped.append(f'<span class="{css}"{number}>{line}{ending}</span>')
    return "".join(wrapped), " ".join(classes)
