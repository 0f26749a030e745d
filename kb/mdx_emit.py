"""Turn an MDX node tree into Markdown whose components are already safe-to-embed HTML."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kb import components as comp
from kb.mdx_js import Jsx, evaluate
from kb.mdx_scan import VOID_ELEMENTS, Element, Esm, Expr, Fence, Node, Scanner, Text
from kb.pages import Link, TooltipUse
from kb.render import markdown_to_html
from kb.mdx_layout import common_indent, make_inert, settle_indentation
from kb.render_code import BLOCK_MARKER, FenceInfo, code_block_html, dedent_fence_body
from kb.render_code import parse_fence_info

MAX_SNIPPET_DEPTH = 8
_EVAL_ERRORS = (ValueError, IndexError, KeyError, TypeError, RecursionError)
_INLINE_TAGS = frozenset(
    "a abbr b bdi bdo br cite code del dfn em font i img ins kbd mark q s samp small span strike "
    "strong sub sup time tt u var wbr button label input select".split()
)
_BLOCK_LEAF_TAGS = frozenset("td th li dt dd summary p h1 h2 h3 h4 h5 h6 caption figcaption".split())
_DROPPED_ATTRS = re.compile(r"^(?:style|on\w+|key|ref)$", re.IGNORECASE)
_ATTR_RENAMES = {"className": "class", "htmlFor": "for"}
_LINK = re.compile(
    r"(?<![!\\])\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\(\s*<?([^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)>?"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_REFERENCE = re.compile(r"^ {0,3}\[([^\]]+)\]:[ \t]*<?(\S+?)>?(?:[ \t]+[\"'(](.*?)[\"')])?[ \t]*$", re.M)
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)


@dataclass
class Shared:
    """What a page and all the snippets it inlines add to."""

    load_snippet: Callable[[str], str | None] | None
    tooltips: list[TooltipUse] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    snippets: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    references: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Scope:
    """Names visible to one source: values, snippet imports, and where its lines are."""

    env: dict[str, Any]
    snippets: dict[str, str]
    line_of: Callable[[int], int]
    depth: int = 0
    active: tuple[str, ...] = ()


class Emitter:
    """Emit Markdown for nodes of one source, rendering components to HTML as it goes."""

    def __init__(self, shared: Shared, scope: Scope, base: int = 0) -> None:
        """Work for one source; base is the offset of positions within the scope's file."""
        self.shared = shared
        self.scope = scope
        self.base = base
        self.parents: list[Element] = []

    def line(self, pos: int) -> int:
        """Return the file line of a position in this emitter's source."""
        return self.scope.line_of(self.base + pos)

    # -- prose -------------------------------------------------------------------------------

    def emit(self, nodes: list[Node], base_indent: int) -> str:
        """Return the Markdown of nodes; block components become one inert HTML line."""
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
                self.element(node, base_indent, out)
            elif isinstance(node, Esm):
                out.append("\n")
        return "".join(out)

    def element(self, node: Element, base_indent: int, out: list[str]) -> None:
        """Append one element: a snippet's Markdown, inline HTML, or a block of HTML."""
        if node.name in self.scope.snippets:
            markdown = self.snippet(node, self.scope.snippets[node.name])
            if node.flow and node.indent <= base_indent:
                _open_block(out)
                out.append(markdown.strip("\n") + "\n\n")
            elif node.flow:
                pad = "\n" + " " * node.indent
                out.append(markdown.strip("\n").replace("\n", pad))
            else:
                out.append(markdown.strip())
            return
        if not node.flow or self.is_inline(node):
            out.append(self.inline(node))
            return
        block = self.block(node)
        if not block:
            return
        # Blank lines around the block; its indentation still says which list item holds it.
        _open_block(out)
        out.append(" " * node.indent + BLOCK_MARKER + make_inert(block) + "\n\n")

    def is_inline(self, node: Element) -> bool:
        """Tell whether an element renders as phrasing content (stays inside its paragraph)."""
        if node.name.lower() == "tooltip":
            return True
        return node.name.islower() and node.name in _INLINE_TAGS

    def collect_links(self, node: Text) -> None:
        """Record [text](target) links and reference definitions of a prose node."""
        text = node.text
        if "[" not in text:
            return
        if "`" in text:
            text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)
        for match in _LINK.finditer(text):
            line = self.line(node.pos + text.count("\n", 0, match.start()))
            self.shared.links.append(Link(match.group(2), line, match.group(1).strip()))
        for match in _REFERENCE.finditer(text):
            line = self.line(node.pos + text.count("\n", 0, match.start()))
            self.shared.links.append(Link(match.group(2), line, match.group(1).strip()))

    def expression(self, node: Expr) -> str:
        """Return the Markdown of a {…} in prose: its value when known, else as written."""
        try:
            value = evaluate(node.source, self.scope.env, node.pos + 1)
        except _EVAL_ERRORS:
            return "{" + node.source + "}"
        if isinstance(value, Jsx):
            return self.jsx_inline(value)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return html.escape(str(value), quote=False)
        return "{" + node.source + "}"

    # -- attributes --------------------------------------------------------------------------

    def value(self, node: Element, attr: str) -> Any:
        """Return an attribute's value: a string, True, an evaluated expression, or None."""
        raw = node.attrs.get(attr)
        if isinstance(raw, Expr):
            try:
                return evaluate(raw.source, self.scope.env, raw.pos)
            except _EVAL_ERRORS:
                return None
        if isinstance(raw, str):
            return html.unescape(raw)
        return raw

    def attr_text(self, node: Element, attr: str) -> str | None:
        """Return an attribute as plain text (None when absent or not textual)."""
        value = self.value(node, attr)
        if isinstance(value, Jsx):
            return _plain(self.jsx_inline(value))
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

    def jsx_inline(self, value: Jsx) -> str:
        """Return the inline Markdown+HTML of a JSX value."""
        scanner = Scanner(value.source, allow_esm=False)
        nodes = scanner.parse()
        child = Emitter(self.shared, self.scope, value.pos)
        return child.emit(nodes, 0).strip()

    def html_attrs(self, node: Element) -> str:
        """Return an HTML element's attributes, JSX spellings mapped, inert ones dropped."""
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

    # -- elements ----------------------------------------------------------------------------

    def fragment(self, markdown: str) -> str:
        """Render a piece of Markdown to HTML with the page's link references."""
        return markdown_to_html(markdown, self.shared.references)

    def children_html(self, node: Element) -> str:
        """Render an element's children as Markdown (phrasing-only children lose their <p>)."""
        width = common_indent(node.children)
        self.parents.append(node)
        try:
            markdown = self.emit(node.children, width)
        finally:
            self.parents.pop()
        first, newline, rest = markdown.partition("\n")
        markdown = settle_indentation(first.strip() + newline + rest, width).strip("\n")
        if not markdown.strip():
            return ""
        rendered = self.fragment(markdown)
        if not re.search(r"\n[ \t]*\n", markdown.strip()):
            return comp.unwrap_paragraph(rendered)
        return rendered

    def inline(self, node: Element) -> str:
        """Return an element that stays inside its paragraph as Markdown with inline HTML."""
        key = node.name.lower()
        if key == "tooltip":
            return self.tooltip(node)
        if node.name.islower():
            attrs = self.html_attrs(node)
            if key == "a" and isinstance(href := self.value(node, "href"), str):
                text = _plain(self.emit(node.children, 0))
                self.shared.links.append(Link(href, self.line(node.pos), text))
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
        return f'<span class="kb-component" data-component="{comp.escape(node.name)}">{inner}</span>'

    def tooltip(self, node: Element) -> str:
        """Record a <Tooltip> and return its link to the glossary around its text."""
        inner = self.emit(node.children, 0)
        text = _plain(inner)
        tip = self.attr_text(node, "tip") or ""
        href = self.attr_text(node, "href") or ""
        term = comp.tooltip_term(href, tip, text)
        self.shared.tooltips.append(TooltipUse(term, tip, text, href, self.line(node.pos)))
        return f"{comp.tooltip_open_tag(term)}{inner}</a>"

    def view(self, node: Element, body: str) -> comp.View:
        """Return the component view of an element whose children rendered to body."""
        parent = self.parents[-1] if self.parents else None
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

    def block(self, node: Element) -> str:
        """Return the HTML of a block element (without the Markdown inert encoding)."""
        name, key = node.name, node.name.lower()
        if name.islower():
            attrs = self.html_attrs(node)
            if key in VOID_ELEMENTS:
                return f"<{name}{attrs}>"
            if key == "a" and isinstance(href := self.value(node, "href"), str):
                self.shared.links.append(Link(href, self.line(node.pos), ""))
            body = self.children_html(node)
            if key in _BLOCK_LEAF_TAGS:
                body = comp.unwrap_paragraph(body)
            return f"<{name}{attrs}>{body}</{name}>"
        code = self.code_source(node)
        if code is not None:
            language = self.attr_text(node, "language") or self.attr_text(node, "lang") or ""
            title = self.attr_text(node, "filename") or self.attr_text(node, "title") or ""
            return code_block_html(code.rstrip("\n") + "\n", FenceInfo(language, title))
        if _is_code_group(node):
            return self.code_group(node)
        if key == "card" and isinstance(href := self.attr_text(node, "href"), str):
            self.shared.links.append(Link(href, self.line(node.pos), self.attr_text(node, "title") or ""))
        body = self.children_html(node)
        if not name:
            return body
        view = self.view(node, body)
        rendered = comp.render_component(view)
        if rendered is not None:
            return rendered
        if not node.children or not body.strip():
            return ""
        return comp.unknown_component(view)

    def code_group(self, node: Element) -> str:
        """Return a group of labelled code panels, one per fenced block child."""
        panels = [comp.code_group_open()]
        for child in node.children:
            if isinstance(child, Fence):
                info = parse_fence_info(child.info)
                code = dedent_fence_body(child.body.split("\n"), child.indent) if child.body else ""
                label = info.title or info.language or "Code"
                block = code_block_html(code + "\n" if code else "", info, show_title=False)
                panels.append(comp.code_panel(label, block))
            elif isinstance(child, Element):
                panels.append(self.block(child))
            elif isinstance(child, Text) and child.text.strip():
                panels.append(self.fragment(child.text))
        panels.append("</div>")
        return "".join(panels)

    def snippet(self, node: Element, path: str) -> str:
        """Return the Markdown of an imported .mdx snippet (recursively, with a loop guard)."""
        from kb.mdx import process_source  # a snippet is a page of its own

        line = self.line(node.pos)
        if path in self.scope.active or self.scope.depth >= MAX_SNIPPET_DEPTH:
            self.shared.problems.append(f"snippet {path} includes itself (line {line})")
            return ""
        source = self.shared.load_snippet(path) if self.shared.load_snippet else None
        if source is None:
            self.shared.problems.append(f"snippet {path} not found (line {line})")
            return ""
        if path not in self.shared.snippets:
            self.shared.snippets.append(path)
        props = {name: self.value(node, name) for name in node.attrs}
        env = {**props, "props": props}
        scope = Scope(env, {}, lambda _pos: line, self.scope.depth + 1, (*self.scope.active, path))
        return process_source(_strip_frontmatter(source), self.shared, scope, label=path)


def _open_block(out: list[str]) -> None:
    """End the current line so a block can start at column 0 after a blank line."""
    if out:
        out[-1] = out[-1].rstrip(" \t")
    out.append("\n\n")


def _is_code_group(node: Element) -> bool:
    """Tell whether a component is a code group: a known one, or an unknown one of only fences."""
    key = node.name.lower()
    if key in comp.CODE_GROUPS:
        return True
    if not node.name[:1].isupper() or key in comp.KNOWN:
        return False
    significant = [c for c in node.children if not (isinstance(c, Text) and not c.text.strip())]
    return bool(significant) and all(isinstance(c, Fence) for c in significant)


def _plain(markup: str) -> str:
    """Return the visible text of inline Markdown/HTML (tags and emphasis marks dropped)."""
    text = re.sub(r"<[^>]*>", "", markup)
    text = re.sub(r"[*_`]+", "", text)
    return " ".join(html.unescape(text).split())


def _strip_frontmatter(source: str) -> str:
    """Drop a leading YAML frontmatter block from a snippet."""
    if source.startswith("---"):
        match = re.match(r"---[ \t]*\n.*?\n---[ \t]*(?:\n|$)", source, re.S)
        if match:
            return source[match.end() :]
    return source
