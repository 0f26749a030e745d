"""Cut HTML down to an allowlist (nh3): the one line between page content and the browser."""

from __future__ import annotations

import re
from collections.abc import Mapping

import nh3

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
    # Line numbers of a code block, drawn by the stylesheet (kb.render.code_lines).
    "span": {"data-line"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    # Ids only on headings: anchors need them, and ids elsewhere invite DOM clobbering.
    **{f"h{level}": {"id"} for level in range(1, 7)},
    # And on footnotes and their references, kept only when named like one (fn:1, fnref:1).
    "li": {"id"},
    "sup": {"id"},
}
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANCHOR_TAG = re.compile(r'<a\s(?:[^">]|"[^"]*")*>')
_EXTERNAL_HREF = re.compile(r'\shref="(?:https?:)?//', re.IGNORECASE)
_NOT_A_FOOTNOTE_ID = re.compile(r'(<(?:li|sup)\b[^>]*?)\sid="(?!fn(?:ref\d*)?:)[^"]*"')
_MAILTO_SRC = re.compile(r'(<img\b[^>]*?)\ssrc="mailto:[^"]*"', re.IGNORECASE)


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


def _add_rel(match: re.Match[str]) -> str:
    """Mark one external link so the target page cannot reach back into ours."""
    tag = match.group(0)
    if _EXTERNAL_HREF.search(tag):
        return tag[:-1] + ' rel="noopener noreferrer">'
    return tag


def _clean_once(markup: str) -> str:
    """Run the allowlist once and mark external links."""
    cleaned = _CLEANER.clean(CONTROL_CHARS.sub("", markup))
    if "mailto:" in cleaned:
        cleaned = _MAILTO_SRC.sub(r"\1", cleaned)
    if "<a " in cleaned:
        cleaned = _ANCHOR_TAG.sub(_add_rel, cleaned)
    if ' id="' in cleaned:
        cleaned = _NOT_A_FOOTNOTE_ID.sub(r"\1", cleaned)
    return cleaned


def sanitize_html(html: str) -> str:
    """Return the HTML cut to the allowlist, rel="noopener noreferrer" on external links."""
    cleaned = _clean_once(html)
    if cleaned == html:
        return cleaned  # already a fixed point: cleaning it again would give it back
    # The HTML parser can rebuild broken nesting into markup it then reads differently
    # (an <a> inside an <a>): clean again until the result no longer changes.
    for _ in range(4):
        again = _clean_once(cleaned)
        if again == cleaned:
            break
        cleaned = again
    return cleaned
