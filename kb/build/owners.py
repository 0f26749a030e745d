"""Who owns each page: its frontmatter (`owner` / `owners`), else its section's owners in kb.toml
(`section_owners`, the nearest parent section), else the repository's CODEOWNERS."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kb.build.codeowners import CodeOwners, load_codeowners, repository_root

FRONTMATTER_KEYS = ("owners", "owner")


def frontmatter_owners(meta: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Read owners from frontmatter: a list, or one text of names split by commas or spaces."""
    for key in FRONTMATTER_KEYS:
        value = (meta or {}).get(key)
        if value is None:
            continue
        items = value if isinstance(value, list | tuple) else [value]
        names = [n for item in items for n in re.split(r"[\s,]+", str(item).strip()) if n]
        if names:
            return tuple(dict.fromkeys(names))
    return ()


def section_owners(section: str, table: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Return the owners kb.toml gives a section or its nearest parent (none: empty)."""
    parts = (section or "").strip("/").split("/")
    for depth in range(len(parts), 0, -1):
        owners = table.get("/".join(parts[:depth]))
        if owners:
            return tuple(owners)
    return ()


class OwnerResolver:
    """Resolve the owners of the pages of one site (reads its CODEOWNERS once)."""

    def __init__(self, site_root: Path, table: Mapping[str, tuple[str, ...]]) -> None:
        """Find the repository's CODEOWNERS and the site's place below the repository root."""
        top = repository_root(site_root)
        self.codeowners: CodeOwners = load_codeowners(top)
        root = site_root.resolve()
        self.prefix = "" if root == top else root.relative_to(top).as_posix() + "/"
        self.table = table

    def owners(self, path: str, section: str, meta: Mapping[str, Any] | None) -> list[str]:
        """Return a page's owners from the first source that names any."""
        found = (
            frontmatter_owners(meta)
            or section_owners(section, self.table)
            or self.codeowners.owners_of(self.prefix + path)
        )
        return list(found)
