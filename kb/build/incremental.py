"""What an incremental build may reuse: the served generation, and which sources changed.

A generation is reused only when it was built by the same schema, settings and site root and it
is intact; a source is unchanged when its bytes and the includes it read hash the same.

"Intact" is checked cheaply on every run: each file still has the size and mtime it was published
with, and the checksums of the store files whose bytes are copied forward (kb.index.delta) still
match. Files shared by hard link keep the checksum recorded when they were first published, so a
damaged one is never certified anew; `kb index --verify` checks every checksum first.
A source's bytes are hashed again only when its size or mtime differ from those recorded with
its hash (or its mtime was too recent to trust): the hash, not the mtime, decides.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kb.build.discover import SourceFile
from kb.build.languages import mintlify_folders
from kb.build.snippets import combined_digest, include_digest
from kb.config import Settings
from kb.index import delta, generations
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
    verify: bool = False,
) -> Path | None:
    """Return the generation an incremental run can start from, or None for a full build.

    A damaged or unreadable generation is not copied forward: the run rebuilds in full and
    says why in problems. verify checks every file's checksum, not only sizes and mtimes.
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
    problem = _damage(current, verify) or _unreadable(current)
    if problem is not None:
        problems.append((current.name, f"not reused ({problem}); rebuilt in full"))
        return None
    return current


def _damage(folder: Path, verify: bool) -> str | None:
    """Say what in a generation changed since it was published (None when nothing did)."""
    if verify:
        return generations.damage(folder)
    problem = generations.changed_since_published(folder)
    if problem is not None:
        return problem
    try:
        copied = delta.copied_forward(folder)
    except Exception as exc:  # a store that cannot even be counted is not built on
        return f"cannot be opened: {type(exc).__name__}: {exc}"
    for name in copied:
        problem = problem or generations.damage(folder, name)
    return problem


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
    """Split sources into changed ones and a count of unchanged; also find removed URLs.

    The sources whose bytes were hashed have their size, mtime and hash recorded in the store.
    """
    known = {row["url"]: row for row in store.rows(("url", "content_hash", "deps"))}
    stats = store.source_stats()
    hashed: list[tuple[str, int, int, str]] = []
    include_digests: dict[str, str | None] = {}
    changes = Changes([])
    seen: set[str] = set()
    for source in sources:
        seen.add(source.url)
        row = known.get(source.url)
        if row is None:
            changes.changed.append(source)
            continue
        raw_digest = _raw_digest(source, stats.get(source.url), hashed)
        if raw_digest is None:
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
    store.put_source_stats(hashed)
    return changes


def record_sources(sources: Iterable[SourceFile], store: PageStore) -> None:
    """Record the size, mtime and hash of every source, so the next run need not read them."""
    hashed: list[tuple[str, int, int, str]] = []
    for source in sources:
        _raw_digest(source, None, hashed)
    store.put_source_stats(hashed)


# A file written this close to the moment its mtime is recorded may change again within the
# same mtime tick without its mtime moving: such a record is not trusted later.
_RECENT_NS = 2_000_000_000


def _raw_digest(
    source: SourceFile,
    recorded: tuple[int, int, str] | None,
    hashed: list[tuple[str, int, int, str]],
) -> str | None:
    """Return the SHA-256 of a source's bytes: recorded when its size and mtime match, else read.

    A source that was read is appended to hashed; None when it cannot be read.
    """
    try:
        # stat before reading: a write after the stat leaves an mtime that differs next time.
        info = os.stat(source.file)
        if recorded is not None and recorded[:2] == (info.st_size, info.st_mtime_ns):
            return recorded[2]
        with open(source.file, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None
    recent = time.time_ns() - info.st_mtime_ns < _RECENT_NS
    hashed.append((source.url, info.st_size, -1 if recent else info.st_mtime_ns, digest))
    return digest


def served_count(index_dir: Path) -> int:
    """Return how many pages the served generation has (0 when none)."""
    try:
        manifest = generations.read_manifest(generations.current_generation(index_dir))
    except generations.NoIndex:
        return 0
    pages = manifest.get("pages", 0)
    return pages if isinstance(pages, int) else 0
