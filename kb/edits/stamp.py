"""`kb validate`: stamp `validatedOn: DATE` into a page's frontmatter, one line and nothing else.

The line that holds the key is rewritten in place: its quotes, any comment after the value and
its line ending stay as they were. A page without the key gets one new line after `description`
(else `title`, else at the end of the block), quoted the way most of the block's values are; a
page without frontmatter gets a new block. A misspelled key (the rule of
kb.reports.validation) is renamed only when asked. Anything kb cannot edit safely is refused
with the reason and left untouched.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from kb.edits.frontmatter_lines import Block, entry_end, find_block, top_level_keys, value_span
from kb.edits.sources import Edit, EditRefused, line_ending, read_for_edit
from kb.markup.frontmatter import split_frontmatter
from kb.reports.validation import KEY, misspelled_key

# Where a new validatedOn line goes: after the first of these keys the page has.
ANCHOR_KEYS = ("description", "title")


def _quote_style(block: Block) -> str:
    """Return the quote most of the block's simple values use ("" for plain, ties plain)."""
    styles: Counter[str] = Counter()
    for indexes in top_level_keys(block).values():
        for index in indexes:
            span = value_span(block.lines, index)
            if span is not None and span.value:
                styles[span.quote] += 1
    if not styles:
        return ""
    best = max(styles.values())
    return "" if styles[""] == best else max(styles, key=lambda q: styles[q])


def _restamp(block: Block, index: int, on: str, rename: bool) -> list[str]:
    """Rewrite the key line at index with the new date (and the canonical key when renaming)."""
    span = value_span(block.lines, index)
    if span is None:
        raise EditRefused(
            f"line {index + 1}: the value of '{block.lines[index].split(':')[0].strip()}' is not "
            "a single plain value (a list, a block or continued lines); edit it by hand"
        )
    head = KEY + span.head[span.key_end :] if rename else span.head
    if not span.value and not span.quote and not head.endswith((" ", "\t")):
        head += " "
    # An empty value leaves a comment right after the spaces; YAML needs a space before `#`.
    tail = " " + span.tail if span.tail.startswith("#") else span.tail
    lines = list(block.lines)
    lines[index] = f"{head}{span.quote}{on}{span.quote}{tail}"
    return lines


def _insert(block: Block, on: str) -> list[str]:
    """Add a validatedOn line after the anchor key's entry (or at the end of the block)."""
    assert block.start is not None and block.end is not None
    keys = top_level_keys(block)
    at = block.end
    for anchor in ANCHOR_KEYS:
        if anchor in keys:
            at = entry_end(block, keys[anchor][-1])
            break
    eol = line_ending(block.lines[block.start])
    quote = _quote_style(block)
    lines = list(block.lines)
    lines.insert(at, f"{KEY}: {quote}{on}{quote}{eol}")
    return lines


def _meta_of(text: str) -> dict[str, object]:
    """Read a text's frontmatter mapping, refusing malformed YAML with the reader's reason."""
    parsed = split_frontmatter(text.replace("\r\n", "\n"))
    if parsed.problems:
        raise EditRefused(parsed.problems[0].replace("; simple keys salvaged", ""))
    return parsed.meta


def stamp_text(text: str, on: date, fix_key: bool = False) -> tuple[str, str]:
    """Return the text with validatedOn set to a date, and a note on what was done.

    Raises EditRefused when the frontmatter is malformed, the key is misspelled and fix_key is
    off, the key is written twice or its value is not one plain scalar.
    """
    if "\r" in text.replace("\r\n", ""):
        raise EditRefused("line endings are bare carriage returns (CR); not edited")
    try:
        block = find_block(text)
    except ValueError as exc:
        raise EditRefused(str(exc)) from None
    day = on.isoformat()
    if block.start is None:
        eol = line_ending(text)
        return f"---{eol}{KEY}: {day}{eol}---{eol}{text}", "frontmatter added"
    meta = _meta_of(text)
    lines, note = _stamped_lines(block, meta, day, fix_key)
    new = "".join(lines)
    _check(meta, _meta_of(new), day)
    return new, note


def _stamped_lines(
    block: Block, meta: dict[str, object], day: str, fix_key: bool
) -> tuple[list[str], str]:
    """Return the block's lines with the date stamped, and what was done."""
    keys = top_level_keys(block)
    key = KEY if KEY in meta else misspelled_key(meta)
    if key is None:
        return _insert(block, day), "added"
    written = keys.get(key, [])
    if len(written) != 1:
        where = "is written on several lines" if written else "is not a simple top-level key"
        raise EditRefused(f"key '{key}' {where}; edit it by hand")
    if key != KEY and not fix_key:
        raise EditRefused(
            f"key '{key}' looks like a misspelling of {KEY}; rerun with --fix-key to rename it"
        )
    note = f"key '{key}' renamed to {KEY}" if key != KEY else "updated"
    return _restamp(block, written[0], day, key != KEY), note


def _check(before: dict[str, object], after: dict[str, object], day: str) -> None:
    """Refuse a stamp that would change anything but validatedOn (or its misspelled key)."""
    if str(after.get(KEY)) != day:
        raise EditRefused(f"the stamp would not read back as {KEY}: {day}; edit it by hand")
    old_key = misspelled_key(before) if KEY not in before else None
    kept = {k: v for k, v in before.items() if k not in (KEY, old_key)}
    if {k: v for k, v in after.items() if k != KEY} != kept:
        raise EditRefused("the stamp would change other frontmatter keys; edit it by hand")


def plan_stamp(path: Path, on: date, fix_key: bool = False) -> Edit:
    """Plan the stamp of one page: its bytes before and after, or the reason it is refused."""
    try:
        raw, editable = read_for_edit(path)
        new_text, note = stamp_text(editable.text, on, fix_key)
    except EditRefused as exc:
        return Edit(path, b"", refused=str(exc))
    new = editable.encode(new_text)
    if new == raw:
        return Edit(path, raw, new, note=f"already validated on {on.isoformat()}")
    return Edit(path, raw, new, note=note)
