"""Turn an MDX node tree into Markdown whose components are already rendered HTML."""

from __future__ import annotations

import html
import re

from kb.markup.blocks import BLOCK_MARKER
from kb.markup.fences import FenceInfo, dedent_fence_body, parse_fence_info
from kb.markup.spans import mask_code_spans
from kb.mdx import components as comp
from kb.mdx.context import EVAL_ERRORS, AttributeReader, Scope, Shared, plain_text
from kb.mdx.js import Jsx
from kb.mdx.layout import common_indent, make_inert, settle_indentation
from kb.mdx.literal import evaluate
from kb.mdx.nodes import VOID_ELEMENTS, Element, Esm, Expr, Fence, Node, Text
from kb.mdx.scanner import Scanner
from kb.pages import Link, TooltipUse

# fmt: off
_INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "br", "button", "cite", "code", "del", "dfn", "em", "font", "i",
    "img", "input", "ins", "kbd", "label", "mark", "q", "s", "samp", "select", "small", "span",
    "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
})
_BLOCK_LEAF_TAGS = frozenset({
    "caption", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "li", "p", "summary", "td", "th",
})
# fmt: on
LINK = re.compile(
    r"(?<![!\\])\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
    r"\(\s*<?([^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)>?(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
REFERENCE = re.compile(
    r"^ {0,3}\[([^\]]+)\]:[ \t]*<?(\S+?)>?(?:[ \t]+[\"'(](.*?)[\"')])?[ \t]*$", re.M
)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


class Emitter(AttributeReader):
    """Emit Markdown for the nodes of one source, rendering components to HTML as it goes."""

    def __init__(self, shared: Shared, scope: Scope, base: int = 0) -> None:
        """Work for one source; base is the offset of its positions within the scope's file."""
        super().__init__(shared, scope, base)
        self.parents: list[Element] = []

    def emit(self, nodes: list[Node], base_indent: int) -> str:
        """Return the Markdown of nodes; block components become one marked line of HTML."""
        out: list[str] = []
        for node in nodes:
            if isinstance(node, Text):
                self.collect_links(node)
                out.append(node.text)
            elif isinstance(node, Fence):
                out.append(node.text)
            elif isinstance(node, Expr):
                out.append(self.expression(node))
            elif isinstance(node, Element):
                self.element(node, out)
            elif isinstance(node, Esm):
                out.append("\n")
        return "".join(out)

    def element(self, node: Element, out: list[str]) -> None:
        """Append one element: a snippet's Markdown, inline HTML, or a block of HTML."""
        if node.name in self.scope.snippets and self.shared.include is not None:
            props = {name: self.value(node, name) for name in node.attrs}
            path = self.scope.snippets[node.name]
            markdown = self.shared.include(self.scope, path, props, self.line(node.pos))
            if not node.flow:
                out.append(markdown.strip())
                return
            _open_block(out)
            pad = " " * node.indent
            out.append("\n".join(pad + line if line else line for line in markdown.split("\n")))
            out.append("\n\n")
            return
        if not node.flow or _is_phrasing(node):
            out.append(self.inline(node))
            return
        block = self.block(node)
        if block:
            # Blank lines around the block; its indentation still says which list item holds it.
            _open_block(out)
            out.append(" " * node.indent + BLOCK_MARKER + make_inert(block) + "\n\n")

    def collect_links(self, node: Text) -> None:
        """Record [text](target) links and reference definitions of a prose node."""
        text = node.text
        if "[" not in text:
            return
        if "`" in text:
            text = mask_code_spans(text)
        for pattern in (LINK, REFERENCE):
            for match in pattern.finditer(text):
                line = self.line(node.pos) + text.count("\n", 0, match.start())
                self.shared.links.append(Link(match.group(2), line, match.group(1).strip()))

    def expression(self, node: Expr) -> str:
        """Return the Markdown of a {…} in prose: its value when known, else as written."""
        try:
            value = evaluate(node.source, self.scope.env, node.pos + 1)
        except EVAL_ERRORS:
            return "{" + node.source + "}"
        if isinstance(value, Jsx):
            return self.jsx_inline(value)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return html.escape(str(value), quote=False)
        return "{" + node.source + "}"

    def jsx_inline(self, value: Jsx) -> str:
        """Return the inline Markdown+HTML of a JSX value."""
        key = (id(self.scope), self.base + value.pos)
        if key not in self.shared.jsx:  # once each, so its links and tooltips count once
            nodes = Scanner(value.source, allow_esm=False).parse()
            emitter = Emitter(self.shared, self.scope, self.base + value.pos)
            self.shared.jsx[key] = emitter.emit(nodes, 0).strip()
        return self.shared.jsx[key]

    def children_html(self, node: Element) -> str:
        """Render an element's children as Markdown (phrasing-only children lose their <p>)."""
        width = common_indent(node.children)
        self.parents.append(node)
        try:
            markdown = self.emit(node.children, width)
        finally:
            self.parents.pop()
        first, newline, rest = markdown.partition("\n")
        markdown = settle_indentation(first.strip() + newline + rest, width).strip()
        if not markdown:
            return ""
        rendered = self.fragment(markdown)
        return rendered if _BLANK_LINE.search(markdown) else comp.unwrap_paragraph(rendered)

    def inline(self, node: Element) -> str:
        """Return an element that stays inside its paragraph, as Markdown with inline HTML."""
        key = node.name.lower()
        if key == "tooltip":
            return self.tooltip(node)
        if node.name.islower():
            attrs = self.html_attrs(node)
            if key == "a" and isinstance(href := self.value(node, "href"), str):
                text = plain_text(self.emit(node.children, 0))
                self.shared.links.append(Link(href, self.attr_line(node, "href"), text))
            if key in VOID_ELEMENTS:
                return f"<{node.name}{attrs}>"
            return f"<{node.name}{attrs}>{self.emit(node.children, 0)}</{node.name}>"
        if not node.name:
            return self.emit(node.children, 0)
        if key in comp.KNOWN or self.code_source(node) is not None or _is_code_group(node):
            return make_inert(self.block(node))
        if not node.children:
            return ""
        inner = self.emit(node.children, 0)
        name = comp.escape(node.name)
        return f'<span class="kb-component" data-component="{name}">{inner}</span>'

    def tooltip(self, node: Element) -> str:
        """Record a <Tooltip> and return its glossary link around its text."""
        inner = self.emit(node.children, 0)
        text = plain_text(inner)
        tip = self.attr_text(node, "tip") or ""
        href = self.attr_text(node, "href") or ""
        term = comp.tooltip_term(href, tip, text)
        self.shared.tooltips.append(TooltipUse(term, tip, text, href, self.line(node.pos)))
        return f"{comp.tooltip_open_tag(term)}{inner}</a>"

    def block(self, node: Element) -> str:
        """Return the HTML of a block element."""
        name, key = node.name, node.name.lower()
        if name.islower():
            return self.html_block(node)
        code = self.code_source(node)
        if code is not None:
            language = self.attr_text(node, "language") or self.attr_text(node, "lang") or ""
            title = self.attr_text(node, "filename") or self.attr_text(node, "title") or ""
            return self.shared.renderer.code(code.rstrip("\n") + "\n", FenceInfo(language, title))
        if _is_code_group(node):
            return self.code_group(node)
        if key == "card" and isinstance(href := self.attr_text(node, "href"), str):
            title = self.attr_text(node, "title") or ""
            self.shared.links.append(Link(href, self.attr_line(node, "href"), title))
        body = self.children_html(node)
        if not name:
            return body
        view = self.view(node, body, self.parents[-1] if self.parents else None)
        rendered = comp.render_component(view)
        if rendered is not None:
            return rendered
        return comp.unknown_component(view) if body.strip() else ""

    def html_block(self, node: Element) -> str:
        """Return a raw HTML element with Markdown children, as MDX reads it."""
        name, key = node.name, node.name.lower()
        attrs = self.html_attrs(node)
        if key in VOID_ELEMENTS:
            return f"<{name}{attrs}>"
        if key == "a" and isinstance(href := self.value(node, "href"), str):
            self.shared.links.append(Link(href, self.attr_line(node, "href"), ""))
        body = self.children_html(node)
        if key in _BLOCK_LEAF_TAGS:
            body = comp.unwrap_paragraph(body)
        return f"<{name}{attrs}>{body}</{name}>"

    def code_group(self, node: Element) -> str:
        """Return a group of labelled code panels, one per fenced block child."""
        panels = [comp.code_group_open()]
        for child in node.children:
            if isinstance(child, Fence):
                info = parse_fence_info(child.info)
                code = dedent_fence_body(child.body.split("\n"), child.indent) if child.body else ""
                block = self.shared.renderer.code(
                    code + "\n" if code else "", info, show_title=False
                )
                panels.append(comp.code_panel(info.title or info.language or "Code", block))
            elif isinstance(child, Element):
                panels.append(self.block(child))
            elif isinstance(child, Text) and child.text.strip():
                panels.append(self.fragment(child.text))
        panels.append("</div>")
        return "".join(panels)


def _open_block(out: list[str]) -> None:
    """End the current line so a block starts on its own line after a blank line."""
    if out:
        out[-1] = out[-1].rstrip(" \t")
    out.append("\n\n")


def _is_phrasing(node: Element) -> bool:
    """Tell whether an element renders as phrasing content (stays inside its paragraph)."""
    if node.name.lower() == "tooltip":
        return True
    return node.name.islower() and node.name in _INLINE_TAGS


def _is_code_group(node: Element) -> bool:
    """Tell whether a component is a code group: a known one, or an unknown one of only fences."""
    key = node.name.lower()
    if key in comp.CODE_GROUPS:
        return True
    if not node.name[:1].isupper() or key in comp.KNOWN:
        return False
    significant = [c for c in node.children if not (isinstance(c, Text) and not c.text.strip())]
    return bool(significant) and all(isinstance(c, Fence) for c in significant)
