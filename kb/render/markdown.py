"""Markdown to safe HTML: python-markdown with highlighted fences, sanitized, then outlined."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Mapping
from functools import lru_cache

from markdown import Markdown
from markdown.preprocessors import Preprocessor

from kb.markup.blocks import BLOCK_LINE, BLOCK_MARKER
from kb.markup.fences import (
    FenceInfo,
    dedent_fence_body,
    fence_end,
    opening_fence,
    parse_fence_info,
)
from kb.render import restyle
from kb.render.code import code_block_html
from kb.render.extensions import ExtensionPlan
from kb.render.outline import Outline, outline_html
from kb.render.sanitize import CONTROL_CHARS, sanitize_html

_EXTENSIONS = ["tables", "sane_lists"]
_MAX_CONVERTERS = 4  # per thread: MDX's, and a site's Markdown extensions (rarely more than one)
# Component children repeat across pages (a type link in every API reference page): the short
# ones are remembered, the long ones are page bodies that never repeat.
_REMEMBERED_LENGTH = 1000
_REMEMBERED_FRAGMENTS = 2048
# A single line no Markdown rule (block or inline) could act on.
_PLAIN_LINE = re.compile(
    r" {0,3}(?![-+=#>\s]|\d+[.)])[^\n\\`*_\[\]<>&!|~:\x02\x03{}]*[^\s\\`*_\[\]<>&!|~:\x02\x03{}]"
)

# A rendered page body is the outline of its sanitized HTML.
RenderedPage = Outline

_local = threading.local()


class RenderedBlockPreprocessor(Preprocessor):
    """Stash lines of pre-rendered HTML so Markdown neither parses nor changes them."""

    def run(self, lines: list[str]) -> list[str]:
        """Return the lines with each marked HTML line swapped for a stash placeholder."""
        output = []
        for line in lines:
            match = BLOCK_LINE.match(line) if BLOCK_MARKER in line else None
            if match:
                output.append(match[1] + self.md.htmlStash.store(match[2]))
            else:
                output.append(line)
        return output


class FencePreprocessor(Preprocessor):
    """Replace fenced code blocks (at any indentation) by highlighted HTML in the stash."""

    def run(self, lines: list[str]) -> list[str]:
        """Return the lines with every fenced block swapped for a stash placeholder."""
        output: list[str] = []
        index = 0
        while index < len(lines):
            match = opening_fence(lines[index])
            if not match:
                output.append(lines[index])
                index += 1
                continue
            end = fence_end(lines, index, match["fence"])
            code = dedent_fence_body(lines[index + 1 : end], match["indent"])
            block = code_block_html(code + "\n" if code else "", parse_fence_info(match["info"]))
            placeholder = self.md.htmlStash.store(block)
            indent = match["indent"]
            if indent:
                output.append(indent + placeholder)
            else:
                output.extend(["", placeholder, ""])
            index = end + 1
        return output


def _converter(plan: ExtensionPlan | None = None) -> Markdown:
    """Return this thread's reusable Markdown instance for a plan (building it is the slow part)."""
    converters: dict[str, Markdown] = _local.__dict__.setdefault("converters", {})
    key = plan.fingerprint() if plan else ""
    converter = converters.get(key)
    if converter is None:
        if len(converters) >= _MAX_CONVERTERS:
            converters.clear()  # a watcher's process outlives many edits of mkdocs.yml
        converter = _new_converter(plan)
        converters[key] = converter
    return converter


def _new_converter(plan: ExtensionPlan | None) -> Markdown:
    """Build a converter: kb's fences and blocks, plus a site's extensions restyled as kb's."""
    extra = [name for name in plan.names() if name not in _EXTENSIONS] if plan else []
    converter = Markdown(
        extensions=[*_EXTENSIONS, *extra],
        extension_configs=plan.configs() if plan else {},
        output_format="html",
    )
    converter.preprocessors.register(FencePreprocessor(converter), "kb_fences", 25)
    # After fences (so code that shows a marker stays code), before raw HTML parsing.
    converter.preprocessors.register(RenderedBlockPreprocessor(converter), "kb_blocks", 24)
    if plan is not None:
        restyle.install(converter)
    return converter


def markdown_to_html(
    markdown: str,
    references: Mapping[str, tuple[str, str]] | None = None,
    plan: ExtensionPlan | None = None,
) -> str:
    """Convert Markdown to unsanitized HTML with highlighted code blocks.

    With a plan, the page is plain Markdown read with a site's extensions (a MkDocs page).
    """
    if plan is None and _PLAIN_LINE.fullmatch(markdown):
        # One line of plain words is one paragraph: skip the (costly) full Markdown pipeline.
        return f"<p>{markdown.strip()}</p>"
    if plan is None and len(markdown) <= _REMEMBERED_LENGTH and "[" not in markdown:
        # Without a "[" no reference link can be in it, so the page's references cannot matter.
        return _remembered_html(markdown)
    return _converted(markdown, references, plan)


@lru_cache(maxsize=_REMEMBERED_FRAGMENTS)
def _remembered_html(markdown: str) -> str:
    """Convert a short MDX fragment that needs no references, once per process."""
    return _converted(markdown, None, None)


def _converted(
    markdown: str, references: Mapping[str, tuple[str, str]] | None, plan: ExtensionPlan | None
) -> str:
    """Run the full Markdown pipeline on a reset converter."""
    converter = _converter(plan)
    converter.reset()
    if references:
        converter.references.update(references)
    try:
        return converter.convert(CONTROL_CHARS.sub("", markdown))
    except BaseException:
        # A conversion that failed half-way (nesting too deep) leaves the parser's state behind,
        # which would change how the next page of this thread renders: start afresh instead.
        _local.__dict__.pop("converters", None)
        raise


class MarkdownRenderer:
    """Renders what the MDX reader cannot render itself: Markdown fragments and code blocks."""

    def fragment(self, markdown: str, references: Mapping[str, tuple[str, str]]) -> str:
        """Return a component's Markdown children as (unsanitized) HTML."""
        return markdown_to_html(markdown, references)

    def code(self, code: str, info: FenceInfo, *, show_title: bool = True) -> str:
        """Return one highlighted code block."""
        return code_block_html(code, info, show_title=show_title)


def render_markdown(markdown: str, plan: ExtensionPlan | None = None) -> RenderedPage:
    """Render Markdown to sanitized HTML and read its headings, sections, prose and code.

    Without a plan the Markdown is what the MDX reader made; with one, a plain Markdown page.
    """
    try:
        raw = markdown_to_html(markdown, plan=plan)
    except RecursionError:
        # Nesting deeper than python-markdown can follow: keep the words, one paragraph a block.
        paragraphs = re.split(r"\n[ \t]*\n", markdown)
        raw = "".join(f"<p>{html.escape(text)}</p>" for text in paragraphs if text.strip())
    return outline_html(sanitize_html(raw))
