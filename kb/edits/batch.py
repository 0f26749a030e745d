"""Carry out planned edits: all or nothing by default, so a refusal never leaves half a batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from kb.edits.diffs import unified_diff
from kb.edits.sources import Edit, write_atomically


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: pages written, refused, unchanged, and held back by a refusal."""

    written: list[Edit]
    refused: list[Edit]
    unchanged: list[Edit]
    held: list[Edit] = field(default_factory=list)


def split_batch(edits: Sequence[Edit]) -> BatchResult:
    """Sort planned edits into those that change a file, those refused and those with no change."""
    return BatchResult(
        written=[e for e in edits if e.refused is None and e.changes],
        refused=[e for e in edits if e.refused is not None],
        unchanged=[e for e in edits if e.refused is None and not e.changes],
    )


def _changed_since_read(edit: Edit) -> Edit | None:
    """Return the edit refused when its file no longer holds the bytes it was planned on."""
    try:
        current = edit.path.read_bytes()
    except OSError as exc:
        return replace(edit, refused=f"cannot be read again ({exc.strerror or exc})")
    if current != edit.old:
        return replace(edit, refused="changed since kb read it; run the command again")
    return None


def apply_batch(edits: Sequence[Edit], skip_refused: bool = False) -> BatchResult:
    """Write every changing edit, unless one was refused and skip_refused is off (then none).

    Each file is checked again just before the batch is written: one edited meanwhile (by an
    editor, a git checkout) is refused rather than overwritten.
    """
    result = split_batch(edits)
    late = [r for e in result.written if (r := _changed_since_read(e)) is not None]
    if late:
        late_paths = {e.path for e in late}
        result = BatchResult(
            [e for e in result.written if e.path not in late_paths],
            [*result.refused, *late],
            result.unchanged,
        )
    if result.refused and not skip_refused:
        return BatchResult([], result.refused, result.unchanged, result.written)
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
