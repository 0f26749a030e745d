"""Carry out planned edits: all or nothing by default, so a refusal never leaves half a batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kb.edits.diffs import unified_diff
from kb.edits.sources import Edit, write_atomically


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: the pages written, refused and left as they were."""

    written: list[Edit]
    refused: list[Edit]
    unchanged: list[Edit]


def split_batch(edits: Sequence[Edit]) -> BatchResult:
    """Sort planned edits into those that change a file, those refused and those with no change."""
    return BatchResult(
        written=[e for e in edits if e.refused is None and e.changes],
        refused=[e for e in edits if e.refused is not None],
        unchanged=[e for e in edits if e.refused is None and not e.changes],
    )


def apply_batch(edits: Sequence[Edit], skip_refused: bool = False) -> BatchResult:
    """Write every changing edit, unless one was refused and skip_refused is off (then none)."""
    result = split_batch(edits)
    if result.refused and not skip_refused:
        return BatchResult([], result.refused, result.unchanged)
    for edit in result.written:
        assert edit.new is not None
        write_atomically(edit.path, edit.new)
    return result


def edit_diff(edit: Edit, label: str) -> str:
    """Return the unified diff of one planned edit (text as written, BOM left out)."""
    if edit.new is None or not edit.changes:
        return ""
    old = edit.old.decode("utf-8").removeprefix("\ufeff")
    new = edit.new.decode("utf-8").removeprefix("\ufeff")
    return unified_diff(label, old, new)
