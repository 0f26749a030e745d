"""MDX to Markdown: ESM removed, snippets inlined, components mapped to plain HTML."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kb.markup.frontmatter import strip_frontmatter
from kb.mdx.context import EVAL_ERRORS, HtmlRenderer, Scope, Shared
from kb.mdx.emitter import REFERENCE, Emitter
from kb.mdx.layout import settle_indentation
from kb.mdx.literal import evaluate
from kb.mdx.nodes import Element, Esm, Node, Text
from kb.mdx.scanner import Scanner
from kb.pages import Link, TooltipUse

MAX_SNIPPET_DEPTH = 8
_IMPORT = re.compile(
    r"import\s+(?P<what>[^;]+?)\s+from\s+(?P<quote>[\"'])(?P<path>[^\"']+)(?P=quote)", re.S
)
_EXPORT_VALUE = re.compile(r"export\s+(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*=\s*")
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


def clean_source(src: str) -> str:
    """Normalise line ends and drop control characters (Markdown uses some internally)."""
    return _CONTROL.sub("", src.replace("\r\n", "\n").replace("\r", "\n"))


def _as_plain_text(source: str) -> str:
    """Return source as Markdown text that no HTML in it can change."""
    return source.replace("&", "&amp;").replace("<", "&lt;")


def _line_counter(src: str, line_offset: int) -> Callable[[int], int]:
    """Return a function from a position in src to its 1-based line in the file."""
    starts = [0] + [match.end() for match in re.finditer("\n", src)]
    return lambda pos: bisect.bisect_right(starts, pos) + line_offset


def _load(shared: Shared, path: str) -> str | None:
    """Return a snippet's source without frontmatter, or None when it cannot be loaded."""
    try:
        source = shared.load_snippet(path) if shared.load_snippet else None
    except (OSError, ValueError):
        source = None
    if source is None:
        return None
    return strip_frontmatter(clean_source(source))


def _bind_imports(statement: str, shared: Shared, scope: Scope) -> None:
    """Bind default .mdx imports as snippets and named .mdx imports as their exported values."""
    match = _IMPORT.match(statement.strip())
    if not match or not match["path"].lower().endswith(_SNIPPET_SUFFIXES):
        return  # .jsx/.js components cannot run here: their tags keep only their children
    default, _, named = match["what"].strip().partition("{")
    default = default.strip().rstrip(",").strip()
    if default and not default.startswith("*"):
        scope.snippets[default] = match["path"]
    if named:
        exports = _module_exports(match["path"], shared, scope)
        for item in named.rstrip("} \n").split(","):
            original, _, alias = item.strip().partition(" as ")
            if original.strip() in exports:
                scope.env[(alias or original).strip()] = exports[original.strip()]


def _module_exports(path: str, shared: Shared, scope: Scope) -> dict[str, Any]:
    """Return the values exported by an .mdx module (loaded once per page)."""
    if path not in shared.modules:
        shared.modules[path] = {}
        source = _load(shared, path) if scope.depth < MAX_SNIPPET_DEPTH else None
        env: dict[str, Any] = {}
        for node in Scanner(source or "").parse():
            if isinstance(node, Esm) and node.source.startswith("export"):
                _bind_export(node, env)
        shared.modules[path] = env
    return shared.modules[path]


def _bind_export(node: Esm, env: dict[str, Any]) -> None:
    """Evaluate `export const NAME = literal` into env; other exports are code we skip."""
    match = _EXPORT_VALUE.match(node.source)
    if match:
        value_source = node.source[match.end() :].rstrip().rstrip(";")
        try:
            env[match["name"]] = evaluate(value_source, env, node.pos + match.end())
        except EVAL_ERRORS:
            return


def _collect_references(nodes: list[Node], shared: Shared) -> None:
    """Gather [label]: url definitions so Markdown inside components can use them too."""
    for node in nodes:
        if isinstance(node, Text) and "]:" in node.text:
            for match in REFERENCE.finditer(node.text):
                shared.references.setdefault(match[1].lower(), (match[2], match[3] or ""))
        elif isinstance(node, Element):
            _collect_references(node.children, shared)


def _include(scope: Scope, path: str, props: dict[str, Any], line: int, shared: Shared) -> str:
    """Return the Markdown of an imported .mdx snippet (recursively, with a loop guard)."""
    if path in scope.active or scope.depth >= MAX_SNIPPET_DEPTH:
        shared.problems.append(f"snippet {path} includes itself (line {line})")
        return ""
    source = _load(shared, path)
    if source is None:
        shared.problems.append(f"snippet {path} not found (line {line})")
        return ""
    if path not in shared.snippets:
        shared.snippets.append(path)
    env = {**props, "props": props}
    inner = Scope(env, {}, lambda _pos: line, scope.depth + 1, (*scope.active, path))
    return process_source(source, shared, inner, label=path)


def process_source(src: str, shared: Shared, scope: Scope, label: str = "") -> str:
    """Turn one MDX source (a page body, or a snippet when label names it) into Markdown."""
    scanner = Scanner(src)
    nodes = scanner.parse()
    own_lines = _line_counter(src, 0) if label else scope.line_of
    for pos, message in scanner.problems:
        where = f" of {label}" if label else ""
        shared.problems.append(f"{message} at line {own_lines(pos)}{where}")
    for node in nodes:
        if isinstance(node, Esm) and node.source.startswith("import"):
            _bind_imports(node.source, shared, scope)
        elif isinstance(node, Esm):
            _bind_export(node, scope.env)
    _collect_references(nodes, shared)
    return settle_indentation(Emitter(shared, scope).emit(nodes, 0), 0)


def mdx_to_markdown(
    body: str,
    *,
    renderer: HtmlRenderer,
    line_offset: int = 0,
    load_snippet: Callable[[str], str | None] | None = None,
) -> MdxDocument:
    """Turn an MDX page body (frontmatter removed) into Markdown plus its tooltips and links.

    Components render to HTML as they are read; `renderer` renders their Markdown children and
    code. `load_snippet` returns an imported snippet's body (frontmatter removed), or None.
    """
    shared = Shared(renderer=renderer, load_snippet=load_snippet)
    shared.include = lambda scope, path, props, line: _include(scope, path, props, line, shared)
    source = clean_source(body)
    scope = Scope(env={}, snippets={}, line_of=_line_counter(source, line_offset))
    try:
        markdown = process_source(source, shared, scope)
    except RecursionError:
        shared.problems.append("MDX nested too deeply to read; shown as plain text")
        markdown = _as_plain_text(source)
    except Exception as error:  # a page must never stop the index: keep its text, say why
        shared.problems.append(f"MDX could not be read ({type(error).__name__}: {error})")
        markdown = _as_plain_text(source)
    return MdxDocument(
        markdown=markdown.strip("\n") + "\n",
        tooltips=tuple(shared.tooltips),
        links=tuple(shared.links),
        snippets=tuple(shared.snippets),
        problems=tuple(shared.problems),
    )
