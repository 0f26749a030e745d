"""YAML frontmatter: where the block ends, what it holds, and what was wrong with it.

YAML is read with a safe loader that keeps dates as text, so `2026-02-30` is reported rather than
fatal; malformed YAML is reported with its line and its simple `key: value` lines salvaged.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import frontmatter
import yaml

from kb.markup.hygiene import scrub

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


@dataclass(frozen=True)
class Frontmatter:
    """A text split into frontmatter and body: the mapping, the body, its first file line, problems."""

    meta: dict[str, Any]
    body: str
    body_line: int
    problems: tuple[str, ...]


class DatesAsTextLoader(_BaseLoader):
    """A safe YAML loader that keeps dates as text, so `2026-02-30` is reported rather than fatal."""


DatesAsTextLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}

_YAML = frontmatter.YAMLHandler()
_SIMPLE_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
MAX_YAML_DEPTH = 200  # libyaml recurses in C: ~30,000 nested levels crash the whole process
MAX_YAML_VALUES = 10_000  # aliases can expand a few hundred bytes into billions of values
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_LINE_NESTING = re.compile(r"^[ \t]*(?:[-?][ \t]+)*", re.M)


def _json_safe(value: Any) -> Any:
    """Turn YAML values into JSON-ready data (dates become ISO text)."""
    if isinstance(value, dict):
        return {scrub(str(k)): _json_safe(v) for k, v in value.items()}
    if isinstance(value, str):
        # YAML escapes ("\u202e") can bring characters the decoded file did not hold.
        return scrub(value)
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None or isinstance(value, int | float | bool):
        return value
    return str(value)


def _salvage(block: str) -> dict[str, Any]:
    """Read `key: value` lines from frontmatter YAML could not parse, so the title survives."""
    meta: dict[str, Any] = {}
    for line in block.splitlines():
        match = _SIMPLE_KEY.match(line)
        if match:
            value = match.group(2).strip()
            value = value.strip("'\"").strip()
            meta[match.group(1)] = value or None
    return meta


def _yaml_reason(exc: yaml.YAMLError) -> str:
    """Describe a YAML error with the file lines it names (the block starts on line 1)."""
    parts = []
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        parts.append(f"{context} starting at line {context_mark.line + 1}")
    problem, mark = getattr(exc, "problem", None), getattr(exc, "problem_mark", None)
    if problem:
        parts.append(f"{problem} at line {mark.line + 1}" if mark is not None else problem)
    return ", ".join(parts) or str(exc).splitlines()[0]


def strip_frontmatter(text: str) -> str:
    """Return text without its frontmatter block (unchanged when it has none or it is not closed)."""
    if not _YAML.detect(text):
        return text
    try:
        _, content = _YAML.split(text)
    except ValueError:
        return text
    return content[1:] if content.startswith("\n") else content


def split_frontmatter(text: str) -> Frontmatter:
    """Split text into frontmatter and body; malformed YAML is reported and salvaged."""
    problems: list[str] = []
    meta: dict[str, Any] = {}
    body, body_line = text, 1
    if _YAML.detect(text):
        try:
            block, content = _YAML.split(text)
        except ValueError:
            problems.append("frontmatter is not closed by a '---' line; read as body")
            block, content = "", text
        else:
            body = content
            body_line = text.count("\n", 0, len(text) - len(content)) + 1
            if body.startswith("\n"):
                body, body_line = body[1:], body_line + 1
            meta, problem = _load_meta(block)
            if problem is not None:
                problems.append(problem)
    return Frontmatter(meta, body, body_line, tuple(problems))


def _load_meta(block: str) -> tuple[dict[str, Any], str | None]:
    """Read a frontmatter block into JSON-ready data, or salvage simple keys and say why."""
    if _nesting_bound(block) > MAX_YAML_DEPTH:
        reason = f"nested deeper than {MAX_YAML_DEPTH} levels"
        return _salvage(block), f"malformed frontmatter: {reason}; simple keys salvaged"
    try:
        loaded = yaml.load(block, Loader=DatesAsTextLoader)
    except yaml.YAMLError as exc:
        return _salvage(block), f"malformed frontmatter: {_yaml_reason(exc)}; simple keys salvaged"
    if expands_past(loaded, MAX_YAML_VALUES):
        reason = f"YAML aliases expand it to over {MAX_YAML_VALUES:,} values"
        return _salvage(block), f"malformed frontmatter: {reason}; simple keys salvaged"
    if isinstance(loaded, dict):
        return {scrub(str(k)): _json_safe(v) for k, v in loaded.items()}, None
    if loaded is not None:
        return {}, "frontmatter is not a mapping of keys to values; ignored"
    return {}, None


def _nesting_bound(block: str) -> int:
    """Return an upper bound of how deep YAML nests: brackets, indentation and `- - -` entries."""
    depth = deepest = 0
    for bracket in _NOT_BRACKET.sub("", block):
        depth = depth + 1 if bracket in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    lines = max((len(m.group(0)) for m in _LINE_NESTING.finditer(block)), default=0)
    return deepest + lines


def expands_past(
    value: Any, limit: int, inside: Callable[[Any], Iterable[Any]] | None = None
) -> bool:
    """Tell whether loaded YAML holds more than limit values once aliases are expanded (or loops).

    `inside` names what a value of another kind holds (a reader's own node types, such as a
    tagged value kept inert).
    """
    pending, seen = [value], 0
    while pending:
        item = pending.pop()
        seen += 1
        if seen > limit:
            return True
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif inside is not None:
            pending.extend(inside(item))
    return False
