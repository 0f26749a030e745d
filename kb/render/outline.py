"""The outline of sanitized HTML: heading anchors, plain prose per section and code text."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from kb.pages import Heading, Section

# nh3 output always double-quotes attribute values, which may still contain ">".
_TAG = re.compile(
    r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9]*)(?P<attrs>(?:\s+[^\s\"'>/=]+"
    r"(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*/?>"
)
_ANY_TAG = re.compile(r"<[^>]*>")
_ID_ATTR = re.compile(r'\sid="([^"]*)"')
_SPACES = re.compile(r"\s+")
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)
# fmt: off
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl",
    "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "img", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
})
# fmt: on
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def slugify(text: str) -> str:
    """Return a GitHub-style anchor: lower case, punctuation dropped, each space a hyphen."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    return _SLUG_DROP.sub("", text).replace(" ", "-")


def normalize_space(text: str) -> str:
    """Collapse whitespace runs to single spaces and trim."""
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class Outline:
    """Sanitized HTML with heading anchors, and what search reads from it: headings, prose, code."""

    html: str
    headings: tuple[Heading, ...]
    sections: tuple[Section, ...]
    text: str
    code: str

    @property
    def first_h1(self) -> str | None:
        """Return the text of the first level-1 heading, the page's title when it has no other."""
        return next((h.text for h in self.headings if h.level == 1), None)


class _Walker:
    """Collect prose, code and headings from a token stream of sanitized HTML."""

    def __init__(self) -> None:
        """Start with one untitled section and no anchors in use."""
        self.used: dict[str, int] = {}
        self.headings: list[Heading] = []
        self.sections: list[tuple[str, str, int, list[str]]] = [("", "", 0, [])]
        self.all_text: list[str] = []
        self.code: list[str] = []
        self.heading: tuple[int, list[str]] | None = None

    def unique(self, anchor: str) -> str:
        """Return anchor, suffixed -1, -2… when the page already uses it."""
        base = anchor or "section"
        candidate = base
        while candidate in self.used:
            self.used[base] += 1
            candidate = f"{base}-{self.used[base]}"
        self.used[candidate] = 0
        return candidate

    def add_text(self, text: str) -> None:
        """Send decoded text to the heading being read or to the current section."""
        if self.heading is not None:
            self.heading[1].append(text)
        else:
            self.sections[-1][3].append(text)
            self.all_text.append(text)

    def boundary(self) -> None:
        """Separate the words of adjacent blocks."""
        target = self.heading[1] if self.heading is not None else self.sections[-1][3]
        target.append(" ")
        if self.heading is None:
            self.all_text.append(" ")


def outline_html(source: str) -> Outline:
    """Give every heading a unique id and read the prose, sections and code of the HTML."""
    walker = _Walker()
    pieces: list[str] = []
    heading_start: tuple[int, int, str] | None = None  # piece index, level, explicit id
    position = 0
    while (match := _TAG.search(source, position)) is not None:
        if match.start() > position:
            chunk = source[position : match.start()]
            pieces.append(chunk)
            walker.add_text(html.unescape(chunk))
        position = match.end()
        name = match["name"].lower()
        closing = bool(match["close"])
        if name == "pre" and not closing:
            position = _read_code(source, match.start(), match.end(), walker, pieces)
            continue
        pieces.append(match.group(0))
        if name in _HEADINGS:
            if not closing and heading_start is None:
                explicit = _ID_ATTR.search(match["attrs"])
                heading_start = (len(pieces) - 1, int(name[1]), explicit[1] if explicit else "")
                walker.heading = (int(name[1]), [])
                continue
            if closing and heading_start is not None and walker.heading is not None:
                _finish_heading(walker, pieces, heading_start)
                heading_start = None
                continue
        if name in _BLOCK_TAGS:
            walker.boundary()
    if position < len(source):
        chunk = source[position:]
        pieces.append(chunk)
        walker.add_text(html.unescape(chunk))
    if heading_start is not None and walker.heading is not None:
        _finish_heading(walker, pieces, heading_start)
    return _outline(walker, pieces)


def _read_code(source: str, start: int, after: int, walker: _Walker, pieces: list[str]) -> int:
    """Take a whole <pre> block at once (code is most of a page's tags); return where it ends."""
    end = source.find("</pre>", after)
    end = len(source) if end < 0 else end + len("</pre>")
    block = source[start:end]
    pieces.append(block)
    walker.code.append(html.unescape(_ANY_TAG.sub("", block)) + "\n")
    walker.boundary()
    return end


def _outline(walker: _Walker, pieces: list[str]) -> Outline:
    """Assemble the outline from the rewritten HTML pieces and what the walker read."""
    sections = tuple(
        Section(anchor=anchor, heading=heading, level=level, text=normalize_space("".join(parts)))
        for anchor, heading, level, parts in walker.sections
        if anchor or normalize_space("".join(parts))
    )
    return Outline(
        html="".join(pieces),
        headings=tuple(walker.headings),
        sections=sections,
        text=normalize_space("".join(walker.all_text)),
        code="".join(walker.code).strip("\n"),
    )


def _finish_heading(walker: _Walker, pieces: list[str], start: tuple[int, int, str]) -> None:
    """Record the heading just read and put its anchor on its start tag."""
    piece_index, level, explicit = start
    assert walker.heading is not None
    text = normalize_space("".join(walker.heading[1]))
    walker.heading = None
    anchor = walker.unique(explicit or slugify(text))
    tag = pieces[piece_index]
    if explicit:
        tag = _ID_ATTR.sub(f' id="{html.escape(anchor)}"', tag, count=1)
    else:
        tag = f'{tag[:3]} id="{html.escape(anchor)}"{tag[3:]}'
    pieces[piece_index] = tag
    walker.headings.append(Heading(level=level, text=text, anchor=anchor))
    walker.sections.append((anchor, text, level, []))
