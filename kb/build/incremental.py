"""What an incremental build may reuse: the served generation, and which sources changed.

A generation is reused only when it was built by the same schema, settings and site root and it
is intact; a source is unchanged when its bytes and the includes it read hash the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kb.build.discover import SourceFile
from kb.build.languages import mintlify_folders
from kb.build.snippets import combined_digest, include_digest
from kb.config import Settings
from kb.index import generations
from kb.index.store import PageStore
from kb.reports.terms import TERMS_RULE_VERSION
from kb.search.writer import SCHEMA_VERSION, readable


@dataclass
class Changes:
    """What differs from the previous generation: sources to parse, unchanged count, removed URLs."""

    changed: list[SourceFile]
    unchanged: int = 0
    removed: set[str] = field(default_factory=set)


def settings_fingerprint(settings: Settings, site: str = "") -> str:
    """Hash what changes how pages are parsed, so a change forces a full build.

    site describes what the site's own files decide (its mkdocs.yml markdown_extensions).
    """
    text = repr(
        (
            SCHEMA_VERSION,
            site,
            settings.md_dialect,
            settings.snippet_dirs,
            settings.max_page_bytes,
            settings.excludes,
            sorted(settings.deprecated_terms.items()),
            sorted(settings.deprecated_allow.items()),
            TERMS_RULE_VERSION,
            settings.glossary_pages,
            settings.default_language,
            sorted(settings.languages.items()),
            # A page's language may come from the site config: a change re-reads every page.
            sorted(mintlify_folders(settings.site_root, settings.default_language).items()),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def previous_generation(
    index_dir: Path,
    settings: Settings,
    full: bool,
    problems: list[tuple[str, str]],
    site: str = "",
) -> Path | None:
    """Return the generation an incremental run can start from, or None for a full build.

    A damaged or unreadable generation is not copied forward: the run rebuilds in full and
    says why in problems.
    """
    if full:
        return None
    try:
        current = generations.current_generation(index_dir)
    except generations.NoIndex:
        return None
    manifest = generations.read_manifest(current)
    if manifest.get("schema") != SCHEMA_VERSION:
        return None
    if manifest.get("fingerprint") != settings_fingerprint(settings, site):
        return None
    if manifest.get("site_root") != str(settings.site_root):
        return None
    problem = generations.damage(current) or _unreadable(current)
    if problem is not None:
        problems.append((current.name, f"not reused ({problem}); rebuilt in full"))
        return None
    return current


def _unreadable(folder: Path) -> str | None:
    """Say why a generation's index or page store cannot be opened (None when both open)."""
    store = PageStore(folder)
    try:
        readable(folder)
        store.count()
    except Exception as exc:  # any failure means "do not build on it"; a full build is safe
        return f"cannot be opened: {type(exc).__name__}: {exc}"
    finally:
        store.close()
    return None


def changed_sources(sources: Iterable[SourceFile], store: PageStore, settings: Settings) -> Changes:
    """Split sources into changed ones and a count of unchanged; also find removed URLs."""
    known = {row["url"]: row for row in store.rows(("url", "content_hash", "deps"))}
    include_digests: dict[str, str | None] = {}
    changes = Changes([])
    seen: set[str] = set()
    for source in sources:
        seen.add(source.url)
        row = known.get(source.url)
        if row is None:
            changes.changed.append(source)
            continue
        try:
            raw_digest = hashlib.sha256(source.path.read_bytes()).hexdigest()
        except OSError:
            changes.changed.append(source)
            continue
        deps = {}
        for key in row["deps"] or {}:
            if key not in include_digests:
                include_digests[key] = include_digest(settings.site_root, key)
            deps[key] = include_digests[key] or "missing"
        if combined_digest(raw_digest, deps) == row["content_hash"]:
            changes.unchanged += 1
        else:
            changes.changed.append(source)
    changes.removed = set(known) - seen
    return changes


def served_count(index_dir: Path) -> int:
    """Return how many pages the served generation has (0 when none)."""
    try:
        manifest = generations.read_manifest(generations.current_generation(index_dir))
    except generations.NoIndex:
        return 0
    pages = manifest.get("pages", 0)
    return pages if isinstance(pages, int) else 0
