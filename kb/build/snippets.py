"""Snippets a page imports: loaded from inside the site root only, hashed so a page whose
include changed is rebuilt by an incremental run."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kb.build.sources import decode
from kb.markup.frontmatter import strip_frontmatter


def combined_digest(raw_digest: str, deps: dict[str, str]) -> str:
    """Hash a source's bytes with the digests of the includes it read."""
    lines = [raw_digest, *(f"{k}:{v}" for k, v in sorted(deps.items()))]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def include_digest(site_root: Path, key: str) -> str | None:
    """Return the digest of an include file now, or None when it is gone."""
    loaded = _load_include(site_root, key)
    return None if loaded is None else loaded[0]


@dataclass
class SnippetLoader:
    """Load `.mdx` includes for one page from inside the site root, remembering what was read."""

    site_root: Path
    page_dir: PurePosixPath
    cache: dict[str, tuple[str, str] | None]
    used: dict[str, str] = field(default_factory=dict)

    def __call__(self, import_path: str) -> str | None:
        """Return the body of an included file, or None when it is missing or outside the root."""
        cleaned = import_path.strip()
        rel = (
            PurePosixPath(cleaned.lstrip("/"))
            if cleaned.startswith("/")
            else self.page_dir / cleaned
        )
        key = _normalise(rel)
        if key is None:
            return None
        if key not in self.cache:
            self.cache[key] = _load_include(self.site_root, key)
        loaded = self.cache[key]
        if loaded is None:
            self.used[key] = "missing"
            return None
        digest, body = loaded
        self.used[key] = digest
        return body


def _normalise(rel: PurePosixPath) -> str | None:
    """Collapse `..` segments; None when the path climbs out of the root."""
    parts: list[str] = []
    for part in rel.parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) or None


def _load_include(site_root: Path, key: str) -> tuple[str, str] | None:
    """Read an include file (digest, body) if it exists inside the root."""
    path = site_root / key
    try:
        resolved = path.resolve()
        resolved.relative_to(site_root.resolve())
        raw = resolved.read_bytes()
    except (OSError, ValueError):
        return None
    text, _ = decode(raw)
    return hashlib.sha256(raw).hexdigest(), strip_frontmatter(text)
