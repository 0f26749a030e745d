"""What MDX emitters share: page-wide findings, per-source names, and attribute reading."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from kb.markup.fences import FenceInfo
from kb.markup.hygiene import scrub
from kb.mdx import components as comp
from kb.mdx.js import Jsx
from kb.mdx.literal import evaluate
from kb.mdx.nodes import Element, Expr
from kb.pages import Link, TooltipUse

EVAL_ERRORS = (ValueError, IndexError, KeyError, TypeError, RecursionError)
_DROPPED_ATTRS = re.compile(r"^(?:style|on\w+|key|ref|dangerouslySetInnerHTML)$", re.IGNORECASE)
_ATTR_RENAMES = {"className": "class", "htmlFor": "for"}
_TAGS = re.compile(r"<[^>]*>")
_EMPHASIS = re.compile(r"[*_`]+")

# include(scope, snippet path, props, line) → the snippet's Markdown
Include = Callable[["Scope", str, dict[str, Any], int], str]


class HtmlRenderer(Protocol):
    """What the MDX reader has rendered for it: components' Markdown children and code blocks.

    kb.render provides one; the reader itself stays free of any Markdown renderer.
    """

    def fragment(self, markdown: str, references: Mapping[str, tuple[str, str]]) -> str:
        """Return Markdown as HTML (sanitized later, with the whole page)."""
        ...

    def code(self, code: str, info: FenceInfo, *, show_title: bool = True) -> str:
        """Return one code block as HTML."""
        ...


@dataclass
class Shared:
    """What a page and all the snippets it inlines add to."""

    renderer: HtmlRenderer
    load_snippet: Callable[[str], str | None] | None
    include: Include | None = None
    tooltips: list[TooltipUse] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    snippets: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    references: dict[str, tuple[str, str]] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    jsx: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class Scope:
    """Names visible to one source (values, snippet imports) and where its lines are."""

    env: dict[str, Any]
    snippets: dict[str, str]
    line_of: Callable[[int], int]
    depth: int = 0
    active: tuple[str, ...] = ()


def plain_text(markup: str) -> str:
    """Return the visible text of inline Markdown/HTML (tags and emphasis marks dropped)."""
    text = _EMPHASIS.sub("", _TAGS.sub("", markup))
    return " ".join(html.unescape(text).split())


class AttributeReader:
    """Read element attributes: strings, booleans and {expressions} (JSX values included)."""

    def __init__(self, shared: Shared, scope: Scope, base: int = 0) -> None:
        """Work for one source; base is the offset of its positions within the scope's file."""
        self.shared = shared
        self.scope = scope
        self.base = base

    def line(self, pos: int) -> int:
        """Return the file line of a position in this source."""
        return self.scope.line_of(self.base + pos)

    def attr_line(self, node: Element, attr: str) -> int:
        """Return the file line an attribute is written on (the tag's line if unknown)."""
        return self.line(node.attr_pos.get(attr, node.pos))

    def fragment(self, markdown: str) -> str:
        """Render a piece of Markdown to HTML with the page's link references."""
        return self.shared.renderer.fragment(markdown, self.shared.references)

    def jsx_inline(self, value: Jsx) -> str:
        """Return the inline Markdown+HTML of a JSX value (the emitter knows how)."""
        raise NotImplementedError

    def value(self, node: Element, attr: str) -> Any:
        """Return an attribute's value: a string, True, an evaluated expression, or None."""
        raw = node.attrs.get(attr)
        if isinstance(raw, Expr):
            try:
                return evaluate(raw.source, self.scope.env, raw.pos)
            except EVAL_ERRORS:
                return None
        if isinstance(raw, str):
            return scrub(html.unescape(raw))  # character references can name any code point
        return raw

    def attr_text(self, node: Element, attr: str) -> str | None:
        """Return an attribute as plain text (None when absent or not textual)."""
        value = self.value(node, attr)
        if isinstance(value, Jsx):
            return plain_text(self.jsx_inline(value))
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
        return None

    def attr_html(self, node: Element, attr: str) -> str | None:
        """Return an attribute as inline HTML (JSX values rendered, text escaped)."""
        value = self.value(node, attr)
        if isinstance(value, Jsx):
            return comp.unwrap_paragraph(self.fragment(self.jsx_inline(value)))
        text = self.attr_text(node, attr)
        return comp.escape(text) if text else None

    def html_attrs(self, node: Element) -> str:
        """Return an HTML element's attributes, JSX spellings mapped, script and style dropped."""
        parts = []
        for name in node.attrs:
            if _DROPPED_ATTRS.match(name):
                continue
            value = self.value(node, name)
            attr = _ATTR_RENAMES.get(name, name)
            if value is True:
                parts.append(f" {attr}")
            elif isinstance(value, str | int | float) and not isinstance(value, bool):
                parts.append(f' {attr}="{comp.escape(str(value))}"')
        return "".join(parts)

    def view(self, node: Element, body: str, parent: Element | None) -> comp.View:
        """Return the component view of an element whose children rendered to body."""
        return comp.View(
            name=node.name,
            text=lambda attr: self.attr_text(node, attr),
            html=lambda attr: self.attr_html(node, attr),
            value=lambda attr: self.value(node, attr),
            body=body,
            parent_text=lambda attr: self.attr_text(parent, attr) if parent else None,
        )

    def code_source(self, node: Element) -> str | None:
        """Return the code an element passes as children={x} or code={x}, if it is a string."""
        for attr in ("children", "code"):
            if isinstance(node.attrs.get(attr), Expr):
                value = self.value(node, attr)
                if isinstance(value, str):
                    return value
        return None
