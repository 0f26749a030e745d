"""Read the terms of a glossary page: a terms={[...]} component, a definition list, or headings."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from kb.glossary.terms import Term, make_term
from kb.markup.prose import unfenced_lines
from kb.mdx.js import JsError
from kb.mdx.literal import JsName, JsObject, LiteralReader
from kb.urls import is_glossary_path


class _Entry(NamedTuple):
    """A term as read from the page, before aliases are derived."""

    name: str
    definition: str
    line: int
    aliases: tuple[str, ...] = ()
    slug: str | None = None


def _js_entries(
    body: str, problems: list[str], line_at: Callable[[int], int]
) -> list[_Entry] | None:
    """Read the `terms={[...]}` array of a page, or None when the page has none."""
    found = re.search(r"\bterms\s*=\s*\{\s*(\[|[A-Za-z_$][\w$]*)", body)
    if not found:
        return None
    start = found.start(1)
    if body[start] != "[":
        name = found.group(1)
        decl = re.search(rf"\b(?:const|let|var)\s+{re.escape(name)}\s*=\s*\[", body)
        if not decl:
            problems.append(f"line {line_at(start)}: glossary terms come from {name}, not found")
            return []
        start = decl.end() - 1
    return _array_entries(body, start, problems, line_at)


def _array_entries(
    body: str, start: int, problems: list[str], line_at: Callable[[int], int]
) -> list[_Entry]:
    """Read the array literal of term objects that opens at `start` (never evaluated)."""
    reader, entries = LiteralReader(body, start, end_name="end of page"), []
    try:
        reader.expect("[")
        while not reader.accept("]"):
            reader.space()
            pos = reader.index
            entries.extend(_entry_from_object(reader.value(), pos, line_at, problems))
            if not reader.accept(","):
                reader.expect("]")
                break
    except JsError as exc:
        problems.append(f"line {line_at(exc.pos)}: glossary terms array: {exc}")
    except (IndexError, RecursionError) as exc:  # a malformed literal the reader could not place
        problems.append(f"glossary terms array unreadable ({type(exc).__name__})")
    return entries


def _entry_from_object(
    item: Any, pos: int, line_at: Callable[[int], int], problems: list[str]
) -> list[_Entry]:
    """Turn one array element read from the page into an entry, or explain why it is not one."""
    if not isinstance(item, JsObject):
        problems.append(f"line {line_at(pos)}: glossary entry is not an object")
        return []
    texts = {k: v for k, v in item.items() if isinstance(v, str) and not isinstance(v, JsName)}
    name = next((k for k in ("term", "name", "title") if k in texts), None)
    text = next((k for k in ("description", "definition", "desc", "text") if k in texts), None)
    if name is None or not texts[name].strip():
        problems.append(f"line {line_at(pos)}: glossary entry has no term name")
        return []
    line = line_at(item.value_pos[name])
    if text is None or not texts[text].strip():
        problems.append(f"line {line}: glossary term {texts[name]!r} has no definition")
        return []
    raw = next((item[k] for k in ("aliases", "alias", "synonyms") if k in item), ())
    listed = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    aliases = [a for a in listed if isinstance(a, str) and not isinstance(a, JsName)]
    return [_Entry(texts[name], texts[text], line, tuple(aliases), texts.get("slug"))]


_HEADING = re.compile(r"^(#{2,6})\s+(.+?)\s*#*\s*$")
_BOLD_ITEM = re.compile(r"^\s*(?:[-*+]\s+)?\*\*(.+?)\*\*\s*(?::\s*|\s+[—–-]\s+)(\S.*)$")


def _clean_name(text: str) -> str:
    """Strip Markdown decoration and an explicit {#anchor} from a term name."""
    text = re.sub(r"\s*\{#[^}]*\}\s*$", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return " ".join(re.sub(r"[*_`]{1,3}", "", text).split()).rstrip(":")


def _deflist_entries(lines: list[tuple[int, str]]) -> list[_Entry]:
    """Read `Term` / `: definition` pairs, with indented continuation lines."""
    entries: list[_Entry] = []
    i = 1
    while i < len(lines):
        line = lines[i][1]
        prev_number, prev = lines[i - 1]
        if not re.match(r":[ \t]+\S", line) or not prev.strip() or prev.startswith(":"):
            i += 1
            continue
        parts = [line[1:].strip()]
        i += 1
        while i < len(lines):
            text = lines[i][1]
            nxt = lines[i + 1][1] if i + 1 < len(lines) else ""
            if re.match(r":[ \t]+\S", text):
                parts.append("\n" + text[1:].strip())
            elif text.startswith(("  ", "\t")) and text.strip():
                parts.append(" " + text.strip())
            elif not text.strip() and nxt.startswith(("  ", "\t")) and nxt.strip():
                parts.append("\n")
            else:
                break
            i += 1
        entries.append(_Entry(_clean_name(prev), "".join(parts).strip(), prev_number))
    return entries


def _bold_entries(lines: list[tuple[int, str]]) -> list[_Entry]:
    """Read `**Term**: definition` lines (bulleted or not)."""
    found = [(n, _BOLD_ITEM.match(text)) for n, text in lines]
    return [_Entry(_clean_name(m.group(1)), m.group(2).strip(), n) for n, m in found if m]


def _heading_entries(lines: list[tuple[int, str]]) -> list[_Entry]:
    """Read one term per heading, the definition being the text up to the next heading."""
    entries: list[_Entry] = []
    current: tuple[int, str] | None = None
    text: list[str] = []

    def close_term() -> None:
        """Keep the term under way if text follows its heading (letter headings have none)."""
        definition = re.sub(r"\n{3,}", "\n\n", "\n".join(text)).strip()
        if current and definition:
            entries.append(_Entry(current[1], definition, current[0]))

    for number, line in lines:
        if heading := _HEADING.match(line):
            close_term()
            current, text = (number, _clean_name(heading.group(2))), []
        else:
            text.append(line)
    close_term()
    return entries


def looks_like_glossary(path: str, body: str) -> bool:
    """Say whether a page is a glossary: named like one, or holding a terms={[...]} component."""
    return is_glossary_path(path) or bool(re.search(r"<GlossaryPage\b|\bterms\s*=\s*\{\s*\[", body))


def _line_finder(body: str, line_offset: int) -> Callable[[int], int]:
    """Return a function mapping an offset in a text to its 1-based file line."""
    newlines = [m.start() for m in re.finditer("\n", body)]

    def line_at(pos: int) -> int:
        """Map an offset in the body to its 1-based body line."""
        return bisect.bisect_left(newlines, pos) + 1 + line_offset

    return line_at


_IMPORT = re.compile(r"^\s*import\s*\{([^}]*)\}\s*from\s*['\"]([^'\"]+\.jsx?)['\"]", re.MULTILINE)


def imported_components(body: str) -> list[tuple[str, str]]:
    """Return (component, module path) of the named .jsx/.js imports a page renders as <Name />."""
    found = []
    for m in _IMPORT.finditer(body):
        for part in m.group(1).split(","):
            name = part.split(" as ")[-1].strip()
            if re.fullmatch(r"[A-Z][\w$]*", name) and re.search(rf"<{re.escape(name)}\b", body):
                found.append((name, m.group(2)))
    return found


def parse_glossary_component(
    path: str, source: str, name: str
) -> tuple[list[Term], list[str]] | None:
    """Read the terms array an exported component holds (`export const Name = () => { const
    TERMS = [...] }`), or None when the module exports no such component or it holds no array.
    """
    export = re.search(
        rf"^export\s+(?:const|let|var|function)\s+{re.escape(name)}\b", source, re.MULTILINE
    )
    if export is None:
        return None
    following = re.compile(r"^export\s", re.MULTILINE).search(source, export.end())
    end = following.start() if following else len(source)
    array = re.compile(r"\b(?:const|let|var)\s+[A-Za-z_$][\w$]*\s*=\s*\[|\bterms\s*=\s*\{?\s*\[")
    opened = array.search(source, export.end(), end)
    if opened is None:
        return None
    problems: list[str] = []
    line_at = _line_finder(source, 0)
    entries = _array_entries(source[:end], opened.end() - 1, problems, line_at)
    return _terms_of(entries, path, problems)


def parse_glossary_page(path: str, body: str, line_offset: int = 0) -> tuple[list[Term], list[str]]:
    """Read the terms of a glossary page; line_offset is the file line just before the body."""
    problems: list[str] = []
    line_at = _line_finder(body, line_offset)
    entries = _js_entries(body, problems, line_at)
    if entries is None:
        lines = unfenced_lines(body, line_offset)
        entries = _deflist_entries(lines)
        if not entries and len(bold := _bold_entries(lines)) >= 2:
            entries = bold
        if not entries:
            entries = _heading_entries(lines)
    return _terms_of(entries, path, problems)


def _terms_of(
    entries: list[_Entry], path: str, problems: list[str]
) -> tuple[list[Term], list[str]]:
    """Make terms of the entries read, naming unusable and duplicate ones in problems."""
    terms: dict[str, Term] = {}
    for entry in entries:
        line = entry.line
        term = make_term(entry.name, entry.definition, path, line, entry.aliases, entry.slug)
        if not term.slug:
            problems.append(f"line {line}: glossary term {entry.name!r} has no usable name")
        elif term.slug in terms:
            first = terms[term.slug]
            problems.append(
                f"line {line}: duplicate glossary term {term.term!r} (first at line {first.line})"
            )
        else:
            terms[term.slug] = term
    if not terms and not problems:
        problems.append("no glossary terms found")
    return list(terms.values()), problems
