"""Inline code spans: a run of backticks closed by a run of the same length within a paragraph."""

from __future__ import annotations

import re

# A code span ends with its paragraph: a blank line or a line that starts a new block.
_NEW_BLOCK = re.compile(r"\n[ \t]*(?:\n|[-*+][ \t]|\d{1,9}[.)][ \t]|#|>|\|)")
_NOT_NEWLINE = re.compile(r"[^\n]")


def code_span_end(src: str, pos: int) -> tuple[int, int]:
    """Return where the backtick run at pos ends and where its code span ends (the same if none)."""
    run_end = pos
    while run_end < len(src) and src[run_end] == "`":
        run_end += 1
    closer = re.compile(r"(?<!`)`{" + str(run_end - pos) + r"}(?!`)")
    match = closer.search(src, run_end)
    if match and not _NEW_BLOCK.search(src, run_end, match.start()):
        return run_end, match.end()
    return run_end, run_end


def mask_code_spans(text: str) -> str:
    """Blank out inline code spans (newlines kept) so nothing inside them is read as prose."""
    parts, index = [], 0
    while (start := text.find("`", index)) >= 0:
        run_end, span_end = code_span_end(text, start)
        parts.append(text[index:start])
        if span_end > run_end:
            parts.append(_NOT_NEWLINE.sub(" ", text[start:span_end]))
        else:
            parts.append(text[start:run_end])
        index = span_end
    parts.append(text[index:])
    return "".join(parts)
