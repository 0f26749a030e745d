"""CODEOWNERS files as GitHub and GitLab read them: who owns a path.

Patterns follow gitignore: `*` and `?` stay within one folder, `**` crosses folders, a leading
`/` or a slash inside anchors the pattern at the repository root (otherwise it matches at any
depth), a trailing `/` matches folders only, and a pattern matching a folder owns everything
below it — except `dir/*`, which owns the files directly in `dir/` and not deeper ones (as both
GitHub and GitLab document). The last matching rule wins; a rule without owners leaves the path
unowned. GitLab `[Section]` headers (`^[Optional]`, `[Section][2]`, default owners after the
header) give each section its own last match, and the owners of every section are combined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# Where GitHub (then GitLab) looks; the first file found is the only one read.
LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
_SECTION = re.compile(r"^\^?\[([^\]]+)\](?:\[\d+\])?\s*(.*)$")


@dataclass(frozen=True)
class Rule:
    """One pattern line: the compiled pattern, how it may match, its owners, its section."""

    pattern: str
    regex: re.Pattern[str]
    folders_only: bool
    owns_below: bool
    owners: tuple[str, ...]
    section: str
    line: int


@dataclass(frozen=True)
class CodeOwners:
    """The rules of one CODEOWNERS file, and the lines that could not be read."""

    rules: tuple[Rule, ...] = ()
    problems: tuple[str, ...] = ()
    source: str = ""

    def owners_of(self, path: str) -> tuple[str, ...]:
        """Return the owners of a file path (relative to the repository root, `/`-separated)."""
        path = path.strip("/")
        last: dict[str, Rule] = {}
        for rule in self.rules:
            if _matches(rule, path):
                last[rule.section] = rule
        owners: dict[str, None] = {}
        for rule in last.values():
            owners.update(dict.fromkeys(rule.owners))
        return tuple(owners)


def _matches(rule: Rule, path: str) -> bool:
    """Tell whether a rule matches the file itself or (when it may) a folder above it."""
    if not rule.folders_only and rule.regex.fullmatch(path):
        return True
    if not rule.owns_below:
        return False
    parts = path.split("/")
    return any(rule.regex.fullmatch("/".join(parts[:depth])) for depth in range(1, len(parts)))


def _split_line(line: str) -> list[str]:
    """Split a line into tokens at unescaped whitespace, dropping a trailing comment."""
    tokens: list[str] = []
    current: list[str] = []
    escaped = False
    for char in line:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char.isspace():
            if current:
                tokens.append("".join(current))
                current = []
        elif char == "#" and not current:
            break
        else:
            current.append(char)
    if current:
        tokens.append("".join(current))
    return tokens


def _segment(text: str) -> str:
    """Translate the wildcards of one path segment (no `/`) into a regex."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := text.find("]", i + 2)) != -1:
            body = text[i + 1 : end]
            negate = body[:1] in ("!", "^")
            body = body[1:] if negate else body
            out.append(("[^" if negate else "[") + body.replace("\\", "\\\\") + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def compile_pattern(pattern: str) -> tuple[re.Pattern[str], bool, bool]:
    """Compile a pattern into (regex over whole paths, folders only, owns what is below)."""
    folders_only = pattern.endswith("/")
    body = pattern.strip("/")
    anchored = pattern.startswith("/") or "/" in body
    parts = body.split("/") if body else ["**"]
    # Repeated ** mean no more than one, and each copy would multiply the regex's backtracking.
    parts = [p for i, p in enumerate(parts) if not (p == "**" and i and parts[i - 1] == "**")]
    regex = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            # a/** is everything inside a; **/b and a/**/b allow any folders (or none) between.
            regex += ".+" if last and index else "(?:.*/)?" if not last else ".*"
        else:
            regex += _segment(part) + ("" if last else "/")
    if not anchored:
        regex = "(?:.*/)?" + regex
    owns_below = not (len(parts) > 1 and parts[-1] == "*")
    return re.compile(regex), folders_only, owns_below


def parse_codeowners(text: str, source: str = "CODEOWNERS") -> CodeOwners:
    """Read a CODEOWNERS file; unreadable lines are named in problems and skipped."""
    rules: list[Rule] = []
    problems: list[str] = []
    section, defaults = "", tuple[str, ...]()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if header := _SECTION.match(line):
            section = header[1].strip().casefold()
            defaults = tuple(_split_line(header[2]))
            continue
        tokens = _split_line(line)
        if not tokens:
            continue
        pattern, owners = tokens[0], tuple(tokens[1:]) or defaults
        if pattern.startswith("!"):
            problems.append(f"{source}:{number}: negated pattern {pattern!r} is not supported")
            continue
        try:
            regex, folders_only, owns_below = compile_pattern(pattern)
        except re.error as exc:
            problems.append(f"{source}:{number}: pattern {pattern!r} cannot be read ({exc})")
            continue
        rules.append(Rule(pattern, regex, folders_only, owns_below, owners, section, number))
    return CodeOwners(tuple(rules), tuple(problems), source)


def repository_root(site_root: Path) -> Path:
    """Return the nearest folder at or above the site root holding `.git`, else the site root."""
    start = site_root.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def load_codeowners(repo_root: Path) -> CodeOwners:
    """Read the first CODEOWNERS file found where GitHub and GitLab look (none: no rules)."""
    for location in LOCATIONS:
        path = repo_root / location
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                return CodeOwners(problems=(f"{location}: cannot be read ({exc})",))
            return parse_codeowners(text, location)
    return CodeOwners()
