"""Build and update index generations: parse changed sources, write Whoosh and the page store, switch."""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import IndexingError

from kb.index import generations
from kb.index.generations import WHOOSH_DIR
from kb.index.checkpoints import checkpoint
from kb.config import Settings, report_settings
from kb.build.discover import SourceFile, discover
from kb.build.derived import derive_generation_data
from kb.build.page import combined_digest, include_digest
from kb.build.pool import PARALLEL_THRESHOLD, build_pages
from kb.search.schema import SCHEMA_VERSION, build_schema, page_document, term_document
from kb.index.store import PageStore

Progress = Callable[[int, int], None]


class IndexRefused(Exception):
    """The new generation was built but not switched in; the message says why."""


@dataclass
class BuildSummary:
    """What a run did: counts, rejected files with reasons, problems, seconds."""

    generation: str = ""
    mode: str = "full"
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-ready data."""
        return {
            "generation": self.generation,
            "mode": self.mode,
            "indexed": self.indexed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "rejected": [{"path": p, "reason": r} for p, r in self.rejected],
            "problems": [{"path": p, "problem": r} for p, r in self.problems],
            "pages": self.pages,
            "seconds": round(self.seconds, 3),
        }


def settings_fingerprint(settings: Settings) -> str:
    """Hash what changes how pages are parsed, so a change forces a full build."""
    text = repr(
        (
            SCHEMA_VERSION,
            settings.snippet_dirs,
            settings.max_page_bytes,
            settings.excludes,
            sorted(settings.deprecated_terms.items()),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _changed_sources(
    sources: Iterable[SourceFile], store: PageStore, settings: Settings
) -> tuple[list[SourceFile], int, set[str]]:
    """Split sources into changed ones and a count of unchanged; also return removed URLs."""
    known = {row["url"]: row for row in store.rows(("url", "content_hash", "deps"))}
    include_digests: dict[str, str | None] = {}
    changed: list[SourceFile] = []
    unchanged = 0
    seen: set[str] = set()
    for source in sources:
        seen.add(source.url)
        row = known.get(source.url)
        if row is None:
            changed.append(source)
            continue
        try:
            raw_digest = hashlib.sha256(source.path.read_bytes()).hexdigest()
        except OSError:
            changed.append(source)
            continue
        deps = {}
        for key in row["deps"] or {}:
            if key not in include_digests:
                include_digests[key] = include_digest(settings.site_root, key)
            deps[key] = include_digests[key] or "missing"
        if combined_digest(raw_digest, deps) == row["content_hash"]:
            unchanged += 1
        else:
            changed.append(source)
    return changed, unchanged, set(known) - seen


def build_index(
    settings: Settings,
    *,
    full: bool = False,
    allow_shrink: bool = False,
    progress: Progress | None = None,
) -> BuildSummary:
    """Build a new generation (incrementally when possible) and switch it in atomically."""
    started = time.perf_counter()
    summary = BuildSummary()
    index_dir = settings.index_dir
    with generations.writer_lock(index_dir):
        generations.clean_leftovers(index_dir)
        discovery = discover(
            settings.site_root,
            settings.excludes,
            settings.snippet_dirs,
            skip=(index_dir,),
        )
        checkpoint("walk")
        summary.problems.extend(_split_problem(p) for p in discovery.problems)
        previous = _previous_generation(index_dir, settings, full, summary.problems)
        building = generations.new_generation_folder(index_dir)
        if previous is not None:
            summary.mode = "incremental"
            shutil.copytree(previous / WHOOSH_DIR, building / WHOOSH_DIR)
            shutil.copy2(previous / "pages.sqlite", building / "pages.sqlite")
            store = PageStore(building, writable=True)
            ix = whoosh_index.open_dir(str(building / WHOOSH_DIR))
            changed, summary.unchanged, removed = _changed_sources(
                discovery.sources, store, settings
            )
            previous_count = store.count()
        else:
            (building / WHOOSH_DIR).mkdir()
            store = PageStore(building, writable=True)
            ix = whoosh_index.create_in(str(building / WHOOSH_DIR), build_schema())
            changed, removed, previous_count = (
                list(discovery.sources),
                set(),
                _served_count(index_dir),
            )
        writer = _writer(ix, len(changed))
        try:
            for done, built in enumerate(build_pages(changed, settings), start=1):
                checkpoint("parse")
                if built.rejection is not None:
                    summary.rejected.append((built.rejection.path, built.rejection.reason))
                    removed.add(built.url)
                elif built.page is not None:
                    page = built.page
                    summary.problems.extend((page.path, p) for p in page.problems)
                    facts = {"glossary_terms": built.glossary_terms, "deprecated": built.deprecated}
                    store.put(page, built.deps, facts)
                    writer.update_document(**page_document(page))
                    summary.indexed += 1
                if progress is not None:
                    progress(done, len(changed))
            existing = set(store.urls())
            for url in removed:
                if url in existing:
                    summary.removed += 1
                    store.delete(url)
                writer.delete_by_term("url", url)
            writer.delete_by_term("kind", "term")
            for term in derive_generation_data(store, settings):
                writer.add_document(**term_document(**term))
            checkpoint("write")
            writer.commit(optimize=summary.mode == "full")
        except BaseException:
            # A commit that failed half-way (a full disk) has closed the writer: keep its error.
            with contextlib.suppress(IndexingError, OSError):
                writer.cancel()
            raise
        summary.pages = store.count()
        store.put_meta("summary", summary.to_dict())
        store.put_meta("settings", report_settings(settings))
        store.commit()
        store.close()
        ix.close()
        checkpoint("commit")
        if summary.pages == 0:
            shutil.rmtree(building, ignore_errors=True)
            raise IndexRefused(
                "no page could be indexed; the previous index (if any) keeps serving"
            )
        _guard_shrink(previous_count, summary.pages, settings, allow_shrink, building)
        manifest = {
            "schema": SCHEMA_VERSION,
            "fingerprint": settings_fingerprint(settings),
            "site_root": str(settings.site_root),
            "pages": summary.pages,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        final = generations.publish(index_dir, building, manifest)
        generations.clean_leftovers(index_dir)
        summary.generation = final.name
        summary.seconds = time.perf_counter() - started
        return summary


def _writer(ix: Any, documents: int) -> Any:
    """Open a Whoosh writer; a large batch analyzes in sub-processes, as parsing does."""
    if documents >= PARALLEL_THRESHOLD * 4 and (multiprocessing.cpu_count() or 1) >= 2:
        return ix.writer(procs=2, limitmb=128, multisegment=True)
    return ix.writer(limitmb=256)


def _split_problem(problem: str) -> tuple[str, str]:
    """Split a "path: reason" problem into its parts."""
    path, _, reason = problem.partition(": ")
    return path, reason


def _previous_generation(
    index_dir: Path, settings: Settings, full: bool, problems: list[tuple[str, str]]
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
    if manifest.get("fingerprint") != settings_fingerprint(settings):
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
    try:
        ix = whoosh_index.open_dir(str(folder / WHOOSH_DIR))
        with ix.reader() as reader:
            reader.doc_count_all()
        ix.close()
        PageStore(folder).count()
    except Exception as exc:  # any failure means "do not build on it"; a full build is safe
        return f"cannot be opened: {type(exc).__name__}: {exc}"
    return None


def _served_count(index_dir: Path) -> int:
    """Return how many pages the served generation has (0 when none)."""
    try:
        manifest = generations.read_manifest(generations.current_generation(index_dir))
    except generations.NoIndex:
        return 0
    pages = manifest.get("pages", 0)
    return pages if isinstance(pages, int) else 0


def _guard_shrink(before: int, after: int, settings: Settings, allow: bool, building: Path) -> None:
    """Refuse a switch that would drop more than the allowed share of pages."""
    if allow or before == 0:
        return
    lost = (before - after) / before
    if lost > settings.max_vanish_share:
        shutil.rmtree(building, ignore_errors=True)
        raise IndexRefused(
            f"refusing to switch: {before - after} of {before} pages ({lost:.0%}) would vanish, "
            f"over the {settings.max_vanish_share:.0%} limit; check the site root or pass --allow-shrink"
        )
