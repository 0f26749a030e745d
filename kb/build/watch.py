"""Re-index a site incrementally whenever one of its files changes (`kb serve --watch`)."""

from __future__ import annotations

import logging
import threading
import time

from kb.build.indexer import IndexRefused, build_index
from kb.config import Settings
from kb.index.generations import IndexBusy

log = logging.getLogger(__name__)
DEBOUNCE_SECONDS = 0.5


def reindex(settings: Settings) -> str | None:
    """Index the site (incrementally when possible); return why it was skipped, if it was."""
    try:
        summary = build_index(settings)
    except (IndexBusy, IndexRefused, OSError) as exc:
        return f"re-index skipped: {exc}"
    log.warning(
        "re-indexed: %d changed, %d removed, %s",
        summary.indexed,
        summary.removed,
        summary.generation,
    )
    return None


def watch(settings: Settings) -> threading.Thread:
    """Re-index incrementally whenever a file under the site root changes (in a daemon thread)."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    changed = threading.Event()
    index_dir = settings.index_dir.resolve()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            if not str(event.src_path).startswith(str(index_dir)):
                changed.set()

    observer = Observer()
    observer.schedule(Handler(), str(settings.site_root), recursive=True)
    observer.daemon = True
    observer.start()

    def loop() -> None:
        while True:
            changed.wait()
            time.sleep(DEBOUNCE_SECONDS)
            changed.clear()
            attempt(settings)

    thread = threading.Thread(target=loop, name="kb-watch", daemon=True)
    thread.start()
    return thread


def attempt(settings: Settings) -> bool:
    """Re-index once for the watcher; log any failure and return whether it switched.

    The watch thread must outlive every failed run (a database or search-index error, a bug):
    the failure is logged, the served generation stays, and the next change tries again.
    """
    try:
        problem = reindex(settings)
    except Exception as exc:
        log.warning(
            "re-index failed (%s: %s); the served generation is unchanged, retrying on the "
            "next change",
            type(exc).__name__,
            " ".join(str(exc).split()),
        )
        log.debug("re-index failure", exc_info=True)
        return False
    if problem is not None:
        log.warning("%s; retrying on the next change", problem)
        return False
    return True
