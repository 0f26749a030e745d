"""A site's redirects as Mintlify and MkDocs spell them, matched fast and followed safely.

Rules are `source → destination`. A source is an exact path, or a pattern: `*` (any text, also
across `/`), `:name` (one segment), `:name?` (an optional segment), `:name*` / `:name+` (zero or
more / one or more segments). A destination may reuse `:name` and `*` (in order). Exact rules are
a dictionary look-up; patterns are compiled once, each behind its literal prefix, so a miss costs
a few `startswith` checks. Chains are followed to the end (at most MAX_HOPS), a loop is reported,
never followed, and the caller never asks for a path that is a page: a redirect never shadows one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_HOPS = 10
_TOKEN = re.compile(r"/:(\w+)([?*+]?)|:(\w+)|\*")
_DEST_TOKEN = re.compile(r":(\w+)[?*+]?|\*")


def normalize(path: str) -> str:
    """Return a redirect path as matched: a leading slash, no trailing slash."""
    path = path.strip()
    if not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/") or "/"


def is_external(target: str) -> bool:
    """Tell whether a destination leaves the site (an absolute URL)."""
    return bool(urlsplit(target).scheme) or target.startswith("//")


def is_pattern(source: str) -> bool:
    """Tell whether a source holds wildcards or parameters."""
    return "*" in source or bool(re.search(r":\w", source))


def _compile(source: str) -> re.Pattern[str]:
    """Compile a source pattern into an anchored regular expression with named groups."""
    out, pos, stars = [], 0, 0
    for m in _TOKEN.finditer(source):
        out.append(re.escape(source[pos : m.start()]))
        if m.group(0) == "*":
            out.append(f"(?P<_star{stars}>.*)")
            stars += 1
        elif m.group(1):
            name, mod = m.group(1), m.group(2)
            out.append(
                {
                    "": f"/(?P<{name}>[^/]+)",
                    "?": f"(?:/(?P<{name}>[^/]+))?",
                    "*": f"(?:/(?P<{name}>.*))?",
                    "+": f"/(?P<{name}>.+)",
                }[mod]
            )
        else:
            out.append(f"(?P<{m.group(3)}>[^/]+)")
        pos = m.end()
    out.append(re.escape(source[pos:]))
    return re.compile("".join(out) + "/?")


def _fill(destination: str, match: re.Match[str]) -> str:
    """Put the values a pattern captured into its destination."""
    values = match.groupdict()
    stars = iter(v for k, v in sorted(values.items()) if k.startswith("_star"))

    def value(m: re.Match[str]) -> str:
        found = (next(stars, "") if m.group(0) == "*" else values.get(m.group(1))) or ""
        # A browser reads `/\\host` as `//host`: a captured backslash must not make a redirect leave.
        return found.replace("\\", "/")

    path, hash_, fragment = destination.partition("#")
    if is_external(path):
        head = path[: len(urlsplit(path).scheme) + 3]
        filled = head + _DEST_TOKEN.sub(value, path[len(head) :])
    else:
        filled = _DEST_TOKEN.sub(value, path)
    filled = re.sub(r"(?<!:)//+", "/", filled)
    return filled.rstrip("/") + hash_ + fragment if len(filled) > 1 else filled + hash_ + fragment


@dataclass(frozen=True)
class Hop:
    """Where a redirect leads: its target and whether the whole chain is permanent."""

    target: str
    permanent: bool
    hops: int


class RedirectLoop(Exception):
    """A chain of redirects that comes back to a path it passed."""


class Redirects:
    """A site's redirect rules, compiled once per generation."""

    def __init__(self, rules: Iterable[Mapping[str, Any]]) -> None:
        """Index rules ({"source", "destination", "permanent"}); the first rule for a source wins."""
        self.exact: dict[str, tuple[str, bool]] = {}
        self.patterns: list[tuple[str, re.Pattern[str], str, bool]] = []
        for rule in rules:
            source, dest = normalize(str(rule["source"])), str(rule["destination"])
            permanent = bool(rule.get("permanent", True))
            if is_pattern(source):
                prefix = re.split(r"[*:]", source, maxsplit=1)[0].rstrip("/")
                self.patterns.append((prefix, _compile(source), dest, permanent))
            else:
                self.exact.setdefault(source, (dest, permanent))

    def __len__(self) -> int:
        """Return how many rules there are."""
        return len(self.exact) + len(self.patterns)

    def match(self, path: str) -> tuple[str, bool] | None:
        """Return the destination and permanence of the first rule matching a path, if any."""
        path = normalize(path)
        found = self.exact.get(path)
        if found is not None:
            return found
        for prefix, pattern, dest, permanent in self.patterns:
            if path.startswith(prefix):
                m = pattern.fullmatch(path)
                if m is not None:
                    return _fill(dest, m), permanent
        return None

    def follow(self, path: str, is_page: Callable[[str], bool]) -> Hop | None:
        """Follow the rules from a path to the end: a page, an external URL, or no further rule.

        Raises RedirectLoop when the chain comes back to a path or runs past MAX_HOPS.
        """
        seen = [normalize(path)]
        current, permanent, hops = path, True, 0
        while True:
            found = self.match(current)
            if found is None:
                return Hop(current, permanent, hops) if hops else None
            target, rule_permanent = found
            hops, permanent = hops + 1, permanent and rule_permanent
            target_path = target.split("#", 1)[0].split("?", 1)[0]
            if is_external(target) or is_page(normalize(target_path)):
                return Hop(target, permanent, hops)
            key = normalize(target_path)
            if key in seen or hops >= MAX_HOPS:
                raise RedirectLoop(" → ".join([*seen, key]))
            seen.append(key)
            current = target_path
