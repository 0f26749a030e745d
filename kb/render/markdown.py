"""Markdown to safe HTML: python-markdown, highlighted fences, an nh3 allowlist, an outline."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Mapping

import nh3
from markdown import Markdown

from kb.render.code import FencePreprocessor, RenderedBlockPreprocessor
from kb.render.outline import Outline, outline_html

# fmt: off
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "u", "ul", "var", "wbr",
})
# fmt: on
_GLOBAL_ATTRIBUTES = {"class", "title", "role", "lang", "data-term", "data-component"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _GLOBAL_ATTRIBUTES,
    "a": {"href"},
    "img": {"src", "alt"},
    "details": {"open"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    # Ids only on headings: anchors need them, and ids elsewhere invite DOM clobbering.
    **{f"h{level}": {"id"} for level in range(1, 7)},
}


def allowlist_cleaner(attributes: Mapping[str, set[str]]) -> nh3.Cleaner:
    """Return a cleaner keeping ALLOWED_TAGS with these attributes, aria-*, and safe URLs only."""
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style", "template", "textarea", "noscript", "iframe"},
        attributes=attributes,
        generic_attribute_prefixes={"aria-"},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )


_CLEANER = allowlist_cleaner(ALLOWED_ATTRIBUTES)
_ANCHOR_TAG = re.compile(r'<a\s(?:[^">]|"[^"]*")*>')
_EXTERNAL_HREF = re.compile(r'\shref="(?:https?:)?//', re.IGNORECASE)
_MAILTO_SRC = re.compile(r'(<img\b[^>]*?)\ssrc="mailto:[^"]*"', re.IGNORECASE)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EXTENSIONS = ["tables", "sane_lists"]
# A single line no Markdown rule (block or inline) could act on.
_PLAIN_LINE = re.compile(
    r" {0,3}(?![-+=#>\s]|\d+[.)])[^\n\\`*_\[\]<>&!|~:\x02\x03{}]*[^\s\\`*_\[\]<>&!|~:\x02\x03{}]"
)


# A rendered page body is the outline of its sanitized HTML.
RenderedPage = Outline

_local = threading.local()


def _converter() -> Markdown:
    """Return this thread's reusable Markdown instance (building it is the slow part)."""
    converter: Markdown | None = getattr(_local, "converter", None)
    if converter is None:
        converter = Markdown(extensions=_EXTENSIONS, output_format="html")
        converter.preprocessors.register(FencePreprocessor(converter), "kb_fences", 25)
        # After fences (so code that shows a marker stays code), before raw HTML parsing.
        converter.preprocessors.register(RenderedBlockPreprocessor(converter), "kb_blocks", 24)
        _local.converter = converter
    return converter


def markdown_to_html(markdown: str, references: dict[str, tuple[str, str]] | None = None) -> str:
    """Convert Markdown to unsanitized HTML with highlighted code blocks."""
    if _PLAIN_LINE.fullmatch(markdown):
        # One line of plain words is one paragraph: skip the (costly) full Markdown pipeline.
        return f"<p>{markdown.strip()}</p>"
    converter = _converter()
    converter.reset()
    if references:
        converter.references.update(references)
    return converter.convert(_CONTROL_CHARS.sub("", markdown))


def _add_rel(match: re.Match[str]) -> str:
    """Mark one external link so the target page cannot reach back into ours."""
    tag = match.group(0)
    if _EXTERNAL_HREF.search(tag):
        return tag[:-1] + ' rel="noopener noreferrer">'
    return tag


def _clean_once(markup: str) -> str:
    """Run the allowlist once and mark external links."""
    cleaned = _CLEANER.clean(_CONTROL_CHARS.sub("", markup))
    if "mailto:" in cleaned:
        cleaned = _MAILTO_SRC.sub(r"\1", cleaned)
    if "<a " in cleaned:
        cleaned = _ANCHOR_TAG.sub(_add_rel, cleaned)
    return cleaned


def sanitize_html(html: str) -> str:
    """Return the HTML cut to the allowlist, rel="noopener noreferrer" on external links."""
    cleaned = _clean_once(html)
    # The HTML parser can rebuild broken nesting into markup it then reads differently
    # (an <a> inside an <a>): clean again until the result no longer changes.
    for _ in range(4):
        again = _clean_once(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned


def render_markdown(markdown: str) -> RenderedPage:
    """Render Markdown to sanitized HTML and read its headings, sections, prose and code."""
    try:
        raw = markdown_to_html(markdown)
    except RecursionError:
        # Nesting deeper than python-markdown can follow: keep the words, one paragraph a block.
        paragraphs = re.split(r"\n[ \t]*\n", markdown)
        raw = "".join(f"<p>{html.escape(text)}</p>" for text in paragraphs if text.strip())
    return outline_html(sanitize_html(raw))
