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
_LINK_TARGET = re.compile(
    r"\]\([^)\n]*\)|\bhref=(\"[^\"\n]*\"|'[^'\n]*'|\{[^}\n]*\})|https?://[^\s]+"
)
_IMPORT_EXPORT = re.compile(r"^(import|export)\s")
_COMMENT = re.compile(r"\{/\*.*?\*/\}|<!--.*?-->", re.S)
_BRACE = re.compile(r"[{}]")
# Expressions are blanked first, braces kept, so inside a tag one is always `{   }`.
_EXPR = r"\{[^{}]*+\}"
_ATTRIBUTE = (
    rf"(?:[^\s\"'<>/={{}}]++(?:\s*+=\s*+(?:\"[^\"]*+\"|'[^']*+'|{_EXPR}|[^\s\"'<>={{}}`]++))?"
    rf"|{_EXPR})"
)
_TAG = re.compile(rf"</?[A-Za-z][\w.:-]*+(?:\s++{_ATTRIBUTE})*+\s*+/?>|<>|</>")
_STRING_ATTRIBUTE = re.compile(r"([\w:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
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


def _spaces(text: str) -> str:
    """Return text with every character but newlines turned into a space."""
    if "\n" not in text:
        return " " * len(text)
    return "\n".join(" " * len(part) for part in text.split("\n"))


def _blank(match: re.Match[str]) -> str:
    """Return spaces as long as the match (newlines kept), so columns stay where they were."""
    return _spaces(match.group(0))


def _blank_tag(match: re.Match[str]) -> str:
    """Blank a tag but the string values of the attributes a reader sees (title, alt …)."""
    tag = match.group(0)
    if "=" not in tag:
        return _spaces(tag)
    kept = list(_spaces(tag))
    for attribute in _STRING_ATTRIBUTE.finditer(tag):
        if attribute.group(1) in PROSE_ATTRIBUTES:
            group = 2 if attribute.group(2) is not None else 3
            start, end = attribute.span(group)
            kept[start:end] = tag[start:end]
    return "".join(kept)


def _blank_expressions(text: str) -> str:
    """Blank what balanced braces hold (the braces kept), in one pass over the braces.

    A brace that is never closed (or closes nothing) is left as it is, with what follows it.
    """
    spans: list[tuple[int, int]] = []
    open_at: list[int] = []
    for brace in _BRACE.finditer(text):
        if brace.group() == "{":
            open_at.append(brace.start())
        elif open_at:
            start = open_at.pop()
            if not open_at:
                spans.append((start + 1, brace.start()))
    if not spans:
        return text
    parts, last = [], 0
    for start, end in spans:
        parts += [text[last:start], _spaces(text[start:end])]
        last = end
    parts.append(text[last:])
    return "".join(parts)


def mask_markup(text: str) -> str:
    """Blank comments, HTML/JSX tags (prose attribute values kept) and JSX expressions."""
    if "{" in text or "<" in text:
        text = _COMMENT.sub(_blank, text)
    if "{" in text:
        text = _blank_expressions(text)
    if "<" in text:
        text = _TAG.sub(_blank_tag, text)
    return text


def prose_lines(body: str, line_offset: int = 0) -> Iterator[tuple[int, str]]:
    """Yield (file line, text) of the prose lines of an MDX or Markdown body.

    Fenced code and import/export lines are left out; everything else that is not prose (see the
    module's rule) is blanked with spaces, so a word found in the text is a word a reader reads,
    at the column where it stands in the file.
    """
    lines = body.split("\n")
    fenced = fenced_lines(lines)
    unfenced = "\n".join("" if index in fenced else line for index, line in enumerate(lines))
    masked = _LINK_TARGET.sub(_blank, mask_markup(mask_code_spans(unfenced))).split("\n")
    for index, line in enumerate(masked):
        if index in fenced or _IMPORT_EXPORT.match(line):
            continue
        yield index + 1 + line_offset, line


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
