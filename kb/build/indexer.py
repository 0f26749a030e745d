"""Build and update index generations: parse changed sources, write the search index and the
page store into a new generation folder, then switch it in with one atomic rename."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kb.build.dialect import SiteMarkup, site_markup
from kb.build.discover import Discovery, discover
from kb.build.incremental import (
    Changes,
    changed_sources,
    previous_generation,
    record_sources,
    served_count,
    settings_fingerprint,
)
from kb.build.languages import language_rules
from kb.build.page import BuiltPage, Rejection, describe, unexpected
from kb.build.pool import build_pages
from kb.build.summary import BuildSummary
from kb.build.touched import Touched
from kb.config import Settings, report_settings
from kb.index import generations
from kb.index.checkpoints import checkpoint
from kb.index.delta import store_after
from kb.index.store import PageStore
from kb.search.writer import SCHEMA_VERSION, IndexWriter

Progress = Callable[[int, int], None]


class IndexRefused(Exception):
    """The new generation was built but not switched in; the message says why."""


@dataclass
class _Run:
    """One build under way: the folder being built, its store and search writer, what changed."""

    building: Path
    store: PageStore
    writer: IndexWriter
    changes: Changes
    previous_pages: int
    previous: Path | None
    markup: SiteMarkup = field(default_factory=SiteMarkup)


def build_index(
    settings: Settings,
    *,
    full: bool = False,
    allow_shrink: bool = False,
    progress: Progress | None = None,
    verify: bool = False,
) -> BuildSummary:
    """Build a new generation (incrementally when possible) and switch it in atomically.

    verify checks every checksum of the served generation before building on it.
    """
    started = time.perf_counter()
    summary = BuildSummary()
    with generations.writer_lock(settings.index_dir):
        with summary.phase("walk"):
            generations.clean_leftovers(settings.index_dir)
            found = discover(
                settings.site_root,
                settings.excludes,
                settings.snippet_dirs,
                skip=(settings.index_dir,),
            )
        checkpoint("walk")
        with summary.phase("start"):
            run = _start(settings, found, full, summary, site_markup(settings), verify)
        try:
            _write(run, settings, summary, progress)
            summary.pages = run.store.count()
            run.store.put_meta("summary", summary.to_dict())
            run.store.put_meta("settings", report_settings(settings))
            run.store.commit()
        finally:
            run.store.close()
        checkpoint("commit")
        _refuse_a_bad_switch(run, settings, summary, allow_shrink)
        manifest = _manifest(settings, summary, run.markup)
        with summary.phase("publish"):
            final = generations.publish(settings.index_dir, run.building, manifest, run.previous)
            generations.clean_leftovers(settings.index_dir)
    summary.generation = final.name
    summary.seconds = time.perf_counter() - started
    return summary


def _start(
    settings: Settings,
    found: Discovery,
    full: bool,
    summary: BuildSummary,
    markup: SiteMarkup,
    verify: bool,
) -> _Run:
    """Open the folder of the next generation: built on the served one, or a new one."""
    summary.problems.extend(_split_problem(p) for p in found.problems)
    summary.problems.extend(markup.problems)
    summary.rejected.extend(found.rejected)
    previous = previous_generation(
        settings.index_dir, settings, full, summary.problems, markup.fingerprint(), verify
    )
    building = generations.new_generation_folder(settings.index_dir)
    try:
        run = _open_run(settings, found, previous, building, summary)
        run.markup = markup
        return run
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _open_run(
    settings: Settings,
    found: Discovery,
    previous: Path | None,
    building: Path,
    summary: BuildSummary,
) -> _Run:
    """Open the store and search writer in the building folder and find what changed."""
    if previous is not None:
        summary.mode = "incremental"
    store = (
        PageStore(building, writable=True) if previous is None else store_after(previous, building)
    )
    try:
        if previous is None:
            changes = Changes(list(found.sources))
            record_sources(found.sources, store)
            previous_pages = served_count(settings.index_dir)
        else:
            changes = changed_sources(found.sources, store, settings)
            summary.unchanged = changes.unchanged
            previous_pages = store.count()
        writer = IndexWriter(building, previous=previous, documents=len(changes.changed))
    except BaseException:
        store.close()
        raise
    return _Run(building, store, writer, changes, previous_pages, previous)


def _write(run: _Run, settings: Settings, summary: BuildSummary, progress: Progress | None) -> None:
    """Write the changed pages, drop the removed ones, derive generation-wide data, commit."""
    try:
        with summary.phase("pages"):
            _write_pages(run, settings, summary, progress)
            existing = set(run.store.urls())
            for url in run.changes.removed:
                if url in existing:
                    summary.removed += 1
                    run.store.delete(url)
                run.writer.drop(url)
        touched = Touched(run.store, run.previous, run.changes, settings)
        with summary.phase("derived"):
            terms = touched.derive(summary.problems)
            summary.derived = "delta" if terms is None else "full"
            if terms is not None:  # None: by delta, the glossary is the one already indexed
                run.writer.replace_terms(terms)
        with summary.phase("campaign"):
            summary.notes.extend(touched.campaign(by_delta=terms is None))
        checkpoint("write")
        with summary.phase("commit"):
            run.writer.commit(optimize=summary.mode == "full")
    except BaseException:
        run.writer.cancel()
        raise


def _write_pages(
    run: _Run, settings: Settings, summary: BuildSummary, progress: Progress | None
) -> None:
    """Parse the changed sources in parallel and write each page (or note its rejection)."""
    changed = run.changes.changed
    rules = language_rules(settings)
    for done, built in enumerate(build_pages(changed, settings, run.markup), start=1):
        checkpoint("parse")
        rejection = built.rejection
        if rejection is None and built.page is not None:
            page = built.page
            built = replace(built, page=replace(page, lang=rules.language_of(page.path, page.meta)))
            rejection = _put(run, built)
        if rejection is not None:
            summary.reject(rejection)
            run.changes.removed.add(built.url)
        elif built.page is not None:
            summary.problems.extend((built.page.path, p) for p in built.page.problems)
            summary.indexed += 1
        if progress is not None:
            progress(done, len(changed))


def _put(run: _Run, built: BuiltPage) -> Rejection | None:
    """Write one page to the store and the search index, or say why it cannot be written.

    What a page holds cannot fail the run: a record that will not encode, or that either store
    refuses, rejects that page alone. I/O and database errors (a full disk) still end the run.
    """
    page = built.page
    assert page is not None
    facts = {
        "glossary_terms": built.glossary_terms,
        "deprecated": built.deprecated,
        "deprecated_suppressed": built.deprecated_suppressed,
    }
    try:
        # Both stores take UTF-8: text no encoder can write fails here, before any write.
        json.dumps([page.to_dict(), built.deps, facts], ensure_ascii=False).encode()
        run.store.put(page, built.deps, facts)
    except Exception as exc:
        if not _about_the_page(exc):
            raise
        return Rejection(page.path, f"cannot be stored: {describe(exc)}")
    try:
        run.writer.put_page(page)
    except Exception as exc:
        if not _about_the_page(exc):
            raise
        run.store.delete(page.url)
        return unexpected(page.path, exc, "indexing it for search")
    return None


def _about_the_page(exc: Exception) -> bool:
    """Tell a page's own fault from one of the run's (I/O, the database itself)."""
    if isinstance(exc, sqlite3.DataError | sqlite3.IntegrityError):
        return True
    return not isinstance(exc, OSError | sqlite3.DatabaseError | MemoryError)


def _refuse_a_bad_switch(
    run: _Run, settings: Settings, summary: BuildSummary, allow_shrink: bool
) -> None:
    """Refuse to switch to a generation with no page, or one that lost too many pages."""
    before, after = run.previous_pages, summary.pages
    if after == 0:
        shutil.rmtree(run.building, ignore_errors=True)
        raise IndexRefused("no page could be indexed; the previous index (if any) keeps serving")
    if allow_shrink or before == 0:
        return
    lost = (before - after) / before
    if lost > settings.max_vanish_share:
        shutil.rmtree(run.building, ignore_errors=True)
        raise IndexRefused(
            f"refusing to switch: {before - after} of {before} pages ({lost:.0%}) would vanish, "
            f"over the {settings.max_vanish_share:.0%} limit; check the site root or pass --allow-shrink"
        )


def _manifest(settings: Settings, summary: BuildSummary, markup: SiteMarkup) -> dict[str, object]:
    """Describe the generation: what built it, from where, and how many pages it has."""
    return {
        "schema": SCHEMA_VERSION,
        "fingerprint": settings_fingerprint(settings, markup.fingerprint()),
        "site_root": str(settings.site_root),
        "pages": summary.pages,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _split_problem(problem: str) -> tuple[str, str]:
    """Split a "path: reason" problem into its parts."""
    path, _, reason = problem.partition(": ")
    return path, reason
