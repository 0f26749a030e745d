"""Build pages in parallel: a pool of forked workers when there are many, in-process otherwise."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator

from kb.build.dialect import SiteMarkup
from kb.build.discover import SourceFile
from kb.build.page import BuiltPage, build_page
from kb.config import Settings

PARALLEL_THRESHOLD = 64  # below this, a process pool costs more than it saves


_worker_settings: Settings | None = None
_worker_markup: SiteMarkup | None = None
_worker_cache: dict[str, tuple[str, str] | None] = {}


def _init_worker(settings: Settings, markup: SiteMarkup | None) -> None:
    """Give a pool worker the settings, how pages are read, and an empty include cache."""
    global _worker_settings, _worker_markup
    _worker_settings = settings
    _worker_markup = markup
    _worker_cache.clear()


def _build_in_worker(source: SourceFile) -> BuiltPage:
    """Build one page inside a pool worker."""
    assert _worker_settings is not None
    return build_page(source, _worker_settings, _worker_cache, _worker_markup)


def build_pages(
    sources: list[SourceFile], settings: Settings, markup: SiteMarkup | None = None
) -> Iterator[BuiltPage]:
    """Build pages, in a process pool when there are many."""
    if len(sources) < PARALLEL_THRESHOLD or (multiprocessing.cpu_count() or 1) < 2:
        cache: dict[str, tuple[str, str] | None] = {}
        for source in sources:
            yield build_page(source, settings, cache, markup)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(
        processes=multiprocessing.cpu_count(),
        initializer=_init_worker,
        initargs=(settings, markup),
    ) as pool:
        yield from pool.imap(_build_in_worker, sources, chunksize=8)
