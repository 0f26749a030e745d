"""MDX to Markdown: ESM removed, snippets inlined, components mapped to plain HTML."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kb.mdx_emit import MAX_SNIPPET_DEPTH, Emitter, Scope, Shared
from kb.mdx_layout import settle_indentation
from kb.mdx_js import evaluate
from kb.mdx_scan import Element, Esm, Node, Scanner, Text
from kb.pages import Link, TooltipUse

_IMPORT = re.compile(r"import\s+(?P<what>[^;]+?)\s+from\s+(?P<quote>[\"'])(?P<path>[^\"']+)(?P=quote)", re.S)
_EXPORT_VALUE = re.compile(r"export\s+(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*=\s*", re.S)
_REFERENCE = re.compile(r"^ {0,3}\[([^\]]+)\]:[ \t]*<?(\S+?)>?(?:[ \t]+[\"'(](.*?)[\"')])?[ \t]*$", re.M)
_SNIPPET_SUFFIXES = (".mdx", ".md")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class MdxDocument:
    """An MDX body turned into Markdown, with what was found on the way."""

    markdown: str
    tooltips: tuple[TooltipUse, ...]
    links: tuple[Link, ...]
    snippets: tuple[str, ...]
    problems: tuple[str, ...]


def _line_counter(src: str, line_offset: int) -> Callable[[int], int]:
    """Return a function from a position in src to its 1-based line in the file."""
    starts = [0] + [match.end() for match in re.finditer("\n", src)]

    def line_of(pos: int) -> int:
        return bisect.bisect_right(starts, pos) + line_offset

    return line_of


def _bind_imports(statement: str, shared: Shared, scope: Scope) -> None:
    """Bind default .mdx imports as snippets and named .mdx imports as their exported values."""
    match = _IMPORT.match(statement.strip())
    if not match:
        return
    path, what = match["path"], match["what"].strip()
    if not path.lower().endswith(_SNIPPET_SUFFIXES):
        return  # .jsx/.js components cannot run here: their tags keep only their children
    default, _, named = what.partition("{")
    default = default.strip().rstrip(",").strip()
    if default and not default.startswith("*"):
        scope.snippets[default] = path
    if named:
        exports = _module_exports(path, shared, scope)
        for item in named.rstrip("} \n").split(","):
            original, _, alias = item.strip().partition(" as ")
            if original.strip() in exports:
                scope.env[(alias or original).strip()] = exports[original.strip()]


def _module_exports(path: str, shared: Shared, scope: Scope) -> dict[str, Any]:
    """Return the values exported by an .mdx module (loaded once per page)."""
    if path in shared.modules:
        return shared.modules[path]
    shared.modules[path] = {}
    source = shared.load_snippet(path) if shared.load_snippet else None
    if source is None or scope.depth >= MAX_SNIPPET_DEPTH:
        return {}
    env: dict[str, Any] = {}
    for node in Scanner(source).parse():
        if isinstance(node, Esm) and node.source.startswith("export"):
            _bind_export(node, env)
    shared.modules[path] = env
    return env


def _bind_export(node: Esm, env: dict[str, Any]) -> None:
    """Evaluate `export const NAME = literal` into env; other exports are code we skip."""
    match = _EXPORT_VALUE.match(node.source)
    if not match:
        return
    value_source = node.source[match.end() :].rstrip().rstrip(";")
    try:
        env[match["name"]] = evaluate(value_source, env, node.pos + match.end())
    except (ValueError, IndexError, KeyError, TypeError, RecursionError):
        return


def _collect_references(nodes: list[Node], shared: Shared) -> None:
    """Gather [label]: url definitions so Markdown inside components can use them too."""
    for node in nodes:
        if isinstance(node, Text) and "]:" in node.text:
            for match in _REFERENCE.finditer(node.text):
                shared.references.setdefault(match[1].lower(), (match[2], match[3]))
        elif isinstance(node, Element):
            _collect_references(node.children, shared)


def process_source(src: str, shared: Shared, scope: Scope, label: str = "") -> str:
    """Turn one MDX source (a page body or a snippet) into Markdown."""
    src = _CONTROL.sub("", src.replace("\r\n", "\n").replace("\r", "\n"))
    scanner = Scanner(src)
    nodes = scanner.parse()
    where = _line_counter(src, 0)
    for pos, message in scanner.problems:
        line = where(pos) if label else scope.line_of(pos)
        shared.problems.append(f"{message} at line {line}" + (f" of {label}" if label else ""))
    for node in nodes:
        if isinstance(node, Esm):
            if node.source.startswith("import"):
                _bind_imports(node.source, shared, scope)
            else:
                _bind_export(node, scope.env)
    _collect_references(nodes, shared)
    markdown = Emitter(shared, scope).emit(nodes, 0)
    return settle_indentation(markdown, 0)


def mdx_to_markdown(
    body: str,
    *,
    line_offset: int = 0,
    load_snippet: Callable[[str], str | None] | None = None,
) -> MdxDocument:
    """Turn an MDX page body (frontmatter removed) into Markdown plus its tooltips and links."""
    shared = Shared(load_snippet=load_snippet)
    normalized = _CONTROL.sub("", body.replace("\r\n", "\n").replace("\r", "\n"))
    scope = Scope(env={}, snippets={}, line_of=_line_counter(normalized, line_offset))
    try:
        markdown = process_source(normalized, shared, scope)
    except RecursionError:
        shared.problems.append("MDX nested too deeply to read; shown as plain text")
        markdown = normalized.replace("<", "&lt;")
    markdown = markdown.strip("\n") + "\n"
    return MdxDocument(
        markdown=markdown,
        tooltips=tuple(shared.tooltips),
        links=tuple(shared.links),
        snippets=tuple(shared.snippets),
        problems=tuple(shared.problems),
    )
