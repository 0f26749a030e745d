"""The prose of a source body: its lines outside fenced code, for the checks and the glossary."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kb.markup.fences import fenced_lines
from kb.markup.spans import mask_code_spans

# Link targets and bare URLs are addresses, not prose.
_LINK_TARGET = re.compile(r"\]\([^)]*\)|\bhref=(\"[^\"]*\"|'[^']*'|\{[^}]*\})|https?://\S+")
_IMPORT_EXPORT = re.compile(r"^(import|export)\s")


def unfenced_lines(body: str, line_offset: int = 0) -> list[tuple[int, str]]:
    """Return (file line, text) for every line of a body, lines of fenced code left blank."""
    lines = body.split("\n")
    fenced = fenced_lines(lines)
    return [
        (number, "" if index in fenced else line)
        for index, (number, line) in enumerate(enumerate(lines, start=1 + line_offset))
    ]


def _blank(match: re.Match[str]) -> str:
    """Return spaces as long as the match, so columns stay where they were."""
    return " " * len(match.group(0))


def prose_lines(body: str, line_offset: int = 0) -> Iterator[tuple[int, str]]:
    """Yield (file line, text) of the prose lines of an MDX or Markdown body.

    Fenced code and import/export lines are left out; inline code, link targets and URLs are
    blanked with spaces, so a word found in the text is a word a reader reads, at the column
    where it stands in the file.
    """
    unfenced = unfenced_lines(body, line_offset)
    masked = mask_code_spans("\n".join(text for _, text in unfenced)).split("\n")
    fenced = fenced_lines(body.split("\n"))
    for index, ((number, _), line) in enumerate(zip(unfenced, masked, strict=True)):
        if index in fenced or _IMPORT_EXPORT.match(line):
            continue
        yield number, _LINK_TARGET.sub(_blank, line)
