"""`kb fix-terms`: rewrite deprecated terms in prose, case kept, and nothing else.

What is prose, which words match and which uses are legitimate is the terms report's rule
(kb.reports.terms over kb.markup.prose), so the fixer changes exactly what `kb check terms`
reports: never code, link targets, tags, attribute names, comments or frontmatter keys. The case
of what was found is kept (Rules → Actions, RULES → ACTIONS, rules → actions), and an article
right before it follows the new word (a Rule → an Action).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.edits.frontmatter_lines import split_lines
from kb.edits.sources import Edit, EditRefused, read_for_edit
from kb.markup.frontmatter import split_frontmatter
from kb.render.outline import slugify
from kb.reports.terms import TermMatch, term_matches

_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
_ARTICLE = re.compile(r"(?<![\w-])(a|an|A|An|AN)([ \t]+)\Z")


@dataclass(frozen=True)
class TermFix:
    """One page's planned fix: the edit, how many terms it replaces and how many it leaves."""

    edit: Edit
    replaced: int = 0
    suppressed: int = 0
    # Headings whose anchor the fix changes: links to the old anchor will break.
    anchors: tuple[str, ...] = ()


def keep_case(found: str, replacement: str) -> str:
    """Write the replacement in the case of what was found: ALL CAPS, Capitalised or lower."""
    if len(found) > 1 and found.isupper():
        return replacement.upper()
    if found[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    if found.islower():
        return replacement.lower()
    return replacement


def _starts_with_vowel(word: str) -> bool:
    """Tell whether a word takes "an" by its spelling (a plain rule: a, e, i, o, u)."""
    return word[:1].lower() in "aeiou"


def _article(before: str, found: str, new: str) -> str:
    """Return the text before a replaced word, its article changed when the new word needs it."""
    match = _ARTICLE.search(before)
    if match is None or _starts_with_vowel(found) == _starts_with_vowel(new):
        return before
    article = match.group(1)
    if _starts_with_vowel(new):
        changed = {"a": "an", "A": "An"}.get(article, article)
    else:
        changed = {"an": "a", "An": "A", "AN": "A"}.get(article, article)
    return before[: match.start(1)] + changed + match.group(2)


def _rewrite_line(line: str, matches: Sequence[TermMatch]) -> str:
    """Replace the matches in one line, from the right so earlier columns stay valid."""
    for match in sorted(matches, key=lambda m: -m.start):
        if line[match.start : match.end] != match.found:
            raise EditRefused(f"line {match.line}: the text moved under the fixer; not edited")
        new = keep_case(match.found, match.replacement)
        line = _article(line[: match.start], match.found, new) + new + line[match.end :]
    return line


def fix_terms_text(
    text: str,
    terms: Mapping[str, str],
    *,
    path: str = "",
    allow: Mapping[str, Sequence[str]] | None = None,
) -> tuple[str, int, int]:
    """Return the text with its deprecated terms replaced, the count replaced and left alone.

    `text` keeps its line endings (CRLF too); `path` (from the site root) is what the allowlist
    globs match. Frontmatter that YAML cannot read is left alone; its body is still fixed.
    """
    if "\r" in text.replace("\r\n", ""):
        raise EditRefused("line endings are bare carriage returns (CR); not edited")
    normal = text.replace("\r\n", "\n")
    parsed = split_frontmatter(normal)
    offset = parsed.body_line - 1
    head = "" if parsed.problems else "\n".join(normal.split("\n", offset)[:offset])
    found = term_matches(parsed.body, offset, terms, head=head, path=path, allow=allow)
    active = [m for m in found if m.suppressed is None]
    by_line: dict[int, list[TermMatch]] = {}
    for match in active:
        by_line.setdefault(match.line, []).append(match)
    lines = split_lines(text)
    for number, matches in by_line.items():
        body = lines[number - 1].rstrip("\r\n")
        lines[number - 1] = _rewrite_line(body, matches) + lines[number - 1][len(body) :]
    return "".join(lines), len(active), len(found) - len(active)


def plan_term_fix(
    path: Path,
    terms: Mapping[str, str],
    rel: str = "",
    allow: Mapping[str, Sequence[str]] | None = None,
) -> TermFix:
    """Plan the term fix of one page: its bytes before and after, or why it is refused."""
    try:
        raw, editable = read_for_edit(path)
        new_text, replaced, suppressed = fix_terms_text(editable.text, terms, path=rel, allow=allow)
    except EditRefused as exc:
        return TermFix(Edit(path, b"", refused=str(exc)))
    note = f"{replaced} replaced, {suppressed} left (suppressed)"
    edit = Edit(path, raw, editable.encode(new_text), note=note)
    return TermFix(edit, replaced, suppressed, moved_anchors(editable.text, new_text))


def moved_anchors(old: str, new: str) -> tuple[str, ...]:
    """Name the headings whose anchor a fix changes ("line N: #old → #new").

    A fix leaves the number of lines alone, so headings compare line by line.
    """
    moved = []
    for number, (before, after) in enumerate(
        zip(split_lines(old), split_lines(new), strict=True), start=1
    ):
        if before == after:
            continue
        was, now = _HEADING.match(before.rstrip("\r\n")), _HEADING.match(after.rstrip("\r\n"))
        if was and now and slugify(was["text"]) != slugify(now["text"]):
            moved.append(f"line {number}: #{slugify(was['text'])} → #{slugify(now['text'])}")
    return tuple(moved)
