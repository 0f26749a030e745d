"""The MDX tree: prose, fenced code, expressions, import/export statements and elements."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Text:
    """Markdown prose, passed on as written."""

    text: str
    pos: int


@dataclass
class Fence:
    """A fenced code block, kept verbatim (with its indentation)."""

    text: str
    indent: str
    info: str
    body: str
    pos: int


@dataclass
class Expr:
    """A {...} expression in prose."""

    source: str
    pos: int


@dataclass
class Esm:
    """A top-level import or export statement."""

    source: str
    pos: int


AttrValue = str | bool | Expr


@dataclass
class Element:
    """A JSX component or HTML element with its children."""

    name: str
    attrs: dict[str, AttrValue]
    pos: int
    end: int = 0
    children: list[Node] = field(default_factory=list)
    flow: bool = False
    indent: int = 0
    line_start: bool = False
    attr_pos: dict[str, int] = field(default_factory=dict)


Node = Text | Fence | Expr | Esm | Element


class Collected:
    """The nodes read so far at one level, and the prose not yet closed into a Text node."""

    def __init__(self, pos: int) -> None:
        """Start empty at pos."""
        self.nodes: list[Node] = []
        self.text: list[str] = []
        self.text_pos = pos

    def add_text(self, piece: str, pos: int) -> None:
        """Add prose that starts at pos."""
        if not self.text:
            self.text_pos = pos
        self.text.append(piece)

    def add_node(self, node: Node | None, next_pos: int) -> None:
        """Close the pending prose, then add a node (None: something skipped, like a comment)."""
        self.flush()
        if node is not None:
            self.nodes.append(node)
        self.text_pos = next_pos

    def flush(self) -> None:
        """Close the pending prose into a Text node."""
        if self.text:
            self.nodes.append(Text("".join(self.text), self.text_pos))
            self.text.clear()

    def finish(self) -> list[Node]:
        """Return every node read at this level."""
        self.flush()
        return self.nodes


# fmt: off
HTML_ELEMENTS = frozenset({
    "a", "abbr", "address", "article", "aside", "audio", "b", "bdi", "bdo", "blockquote", "br",
    "button", "canvas", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "embed", "fieldset", "figcaption", "figure", "font",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i", "iframe", "img",
    "input", "ins", "kbd", "label", "legend", "li", "main", "mark", "nav", "noscript", "object",
    "ol", "optgroup", "option", "p", "picture", "pre", "q", "s", "samp", "script", "section",
    "select", "small", "source", "span", "strike", "strong", "style", "sub", "summary", "sup",
    "svg", "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "time", "tr",
    "tt", "u", "ul", "var", "video", "wbr",
})
VOID_ELEMENTS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
})
# fmt: on
