"""The prose of a page: the words a reader reads, for the checks, the glossary and the term fixer.

One rule, used by the deprecated-terms report and by `kb fix-terms` alike. Prose is the body
outside fenced code and import/export lines, with these blanked out (spaces, newlines kept, so a
word is found at the column where it stands in the file): inline code; link targets and URLs;
`{/* */}` and `<!-- -->` comments; JSX expressions in braces; HTML/JSX tags with their attribute
names and values, except the string values of the attributes a reader sees (PROSE_ATTRIBUTES).
In the frontmatter, the one-line values of PROSE_KEYS are prose too: they are the titles and
summaries readers see in the navigation and the search results.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kb.markup.fences import fenced_lines
from kb.markup.spans import mask_code_spans

PROSE_KEYS = ("title", "description", "sidebarTitle")
PROSE_ATTRIBUTES = frozenset(
    {"title", "alt", "label", "description", "tip", "caption", "placeholder", "aria-label"}
)

# Link targets and bare URLs are addresses, not prose.
_LINK_TARGET = re.compile(r"\]\([^)]*\)|\bhref=(\"[^\"]*\"|'[^']*'|\{[^}]*\})|https?://\S+")
_IMPORT_EXPORT = re.compile(r"^(import|export)\s")
_COMMENT = re.compile(r"\{/\*.*?\*/\}|<!--.*?-->", re.S)
# A JSX expression, nested up to three levels (style={{...}} holds two); bounded, so an unclosed
# brace costs a bounded scan.
_EXPR = r"\{(?:[^{}]|\{(?:[^{}]|\{[^{}]{0,2000}\}){0,2000}\}){0,4000}\}"
_ATTRIBUTE = (
    rf"(?:[^\s\"'<>/={{}}]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|{_EXPR}|[^\s\"'<>={{}}`]+))?|{_EXPR})"
)
_TAG = re.compile(rf"</?[A-Za-z][\w.:-]*(?:\s+{_ATTRIBUTE})*\s*/?>|<>|</>")
_STRING_ATTRIBUTE = re.compile(r"([\w:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_NOT_NEWLINE = re.compile(r"[^\n]")
_PROSE_KEY_LINE = re.compile(
    r"^(?:"
    + "|".join(PROSE_KEYS)
    + r")[ \t]*:[ \t]*(?P<value>[^\s|>\[{&*!%@`#].*?)[ \t]*(?:[ \t]#.*)?$"
)


def unfenced_lines(body: str, line_offset: int = 0) -> list[tuple[int, str]]:
    """Return (file line, text) for every line of a body, lines of fenced code left blank."""
    lines = body.split("\n")
    fenced = fenced_lines(lines)
    return [
        (number, "" if index in fenced else line)
        for index, (number, line) in enumerate(enumerate(lines, start=1 + line_offset))
    ]


def _blank(match: re.Match[str]) -> str:
    """Return spaces as long as the match (newlines kept), so columns stay where they were."""
    return _NOT_NEWLINE.sub(" ", match.group(0))


def _blank_tag(match: re.Match[str]) -> str:
    """Blank a tag but the string values of the attributes a reader sees (title, alt …)."""
    tag = match.group(0)
    kept = list(_NOT_NEWLINE.sub(" ", tag))
    for attribute in _STRING_ATTRIBUTE.finditer(tag):
        if attribute.group(1) in PROSE_ATTRIBUTES:
            group = 2 if attribute.group(2) is not None else 3
            start, end = attribute.span(group)
            kept[start:end] = tag[start:end]
    return "".join(kept)


def mask_markup(text: str) -> str:
    """Blank comments, HTML/JSX tags (prose attribute values kept) and JSX expressions."""
    text = _COMMENT.sub(_blank, text)
    text = _TAG.sub(_blank_tag, text)
    return re.sub(_EXPR, _blank, text)


def prose_lines(body: str, line_offset: int = 0) -> Iterator[tuple[int, str]]:
    """Yield (file line, text) of the prose lines of an MDX or Markdown body.

    Fenced code and import/export lines are left out; everything else that is not prose (see the
    module's rule) is blanked with spaces, so a word found in the text is a word a reader reads,
    at the column where it stands in the file.
    """
    unfenced = unfenced_lines(body, line_offset)
    masked = mask_markup(mask_code_spans("\n".join(text for _, text in unfenced))).split("\n")
    fenced = fenced_lines(body.split("\n"))
    for index, ((number, _), line) in enumerate(zip(unfenced, masked, strict=True)):
        if index in fenced or _IMPORT_EXPORT.match(line):
            continue
        yield number, _LINK_TARGET.sub(_blank, line)


def frontmatter_prose_lines(head: str) -> Iterator[tuple[int, str]]:
    """Yield (file line, text) of the frontmatter lines whose value is prose, key blanked.

    `head` is the text before the body (the block with its `---` lines). Only one-line values of
    PROSE_KEYS count; a value continued on the next line or written as a block is left alone.
    """
    lines = head.split("\n")
    for index, line in enumerate(lines):
        match = _PROSE_KEY_LINE.match(line)
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if match is None or following[:1] in (" ", "\t"):
            continue
        start, end = match.span("value")
        yield index + 1, " " * start + line[start:end] + " " * (len(line) - end)
