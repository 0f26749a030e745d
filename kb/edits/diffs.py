"""Unified diffs of planned edits, as `git diff` and `patch` read them."""

from __future__ import annotations

import difflib

from kb.edits.frontmatter_lines import split_lines

_NO_NEWLINE = "\\ No newline at end of file\n"


def _lines(text: str) -> list[str]:
    """Split text into lines, each with its ending; the last may have none (marked in the diff)."""
    return [line for line in split_lines(text) if line]


def unified_diff(label: str, old: str, new: str, context: int = 3) -> str:
    """Return the unified diff from old to new under a/label and b/label ("" when equal)."""
    if old == new:
        return ""
    out = []
    for line in difflib.unified_diff(
        _lines(old), _lines(new), f"a/{label}", f"b/{label}", n=context
    ):
        out.append(line if line.endswith("\n") else line + "\n" + _NO_NEWLINE)
    return "".join(out)
