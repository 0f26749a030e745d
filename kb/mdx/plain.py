"""A plain Markdown page (not MDX) as the same document record an MDX page gives.

In a plain Markdown page `<` in prose is text, indented lines are code and `{…}` is not an
expression, so the MDX reader must not touch it: the body goes to the renderer as written, and
only its links are read here (for the link checks), at the lines where they stand. A link is
kept when the rendered page shows it: Markdown alone knows which indented lines are code (a
list item's or an admonition's body is indented too).
"""

from __future__ import annotations

import html
import re
from collections.abc import Container
from dataclasses import replace

from kb.markup.prose import unfenced_lines
from kb.markup.spans import mask_code_spans
from kb.mdx.document import MdxDocument, clean_source
from kb.mdx.emitter import LINK, REFERENCE
from kb.pages import Link

_HREF = re.compile(r'\shref="([^"]*)"')


def plain_document(body: str, *, line_offset: int = 0) -> MdxDocument:
    """Return a Markdown page body as a document: its text unchanged, no links yet.

    with_links() adds them once the page is rendered.
    """
    source = clean_source(body)
    return MdxDocument(
        markdown=source.strip("\n") + "\n",
        tooltips=(),
        links=(),
        snippets=(),
        problems=(),
    )


def shown_hrefs(rendered_html: str) -> frozenset[str]:
    """Return the link targets a rendered page shows, as written in its source."""
    return frozenset(html.unescape(match) for match in _HREF.findall(rendered_html))


def with_links(
    document: MdxDocument, body: str, line_offset: int, shown: Container[str]
) -> MdxDocument:
    """Return the document with the links of its body that the rendered page shows."""
    # The body as written (leading blank lines kept), so each link has its line in the file.
    links = _links(clean_source(body), line_offset)
    found = [link for link in links if link.target in shown]
    return replace(document, links=tuple(found))


def _links(source: str, line_offset: int) -> list[Link]:
    """Return the [text](target) links and [label]: target definitions outside code."""
    unfenced = unfenced_lines(source, line_offset)
    text = "\n".join(line for _, line in unfenced)
    if "[" not in text:
        return []
    masked = mask_code_spans(text) if "`" in text else text
    found: list[Link] = []
    for pattern in (LINK, REFERENCE):
        for match in pattern.finditer(masked):
            line = line_offset + 1 + masked.count("\n", 0, match.start())
            found.append(Link(match.group(2), line, match.group(1).strip()))
    return sorted(found, key=lambda link: link.line)
