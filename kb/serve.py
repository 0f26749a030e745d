"""Serve the app with gunicorn, optionally re-indexing the docs as they change."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from kb.build.indexer import IndexRefused, build_index
from kb.config import Settings
from kb.index.generations import IndexBusy

log = logging.getLogger("kb.serve")
DEBOUNCE_SECONDS = 0.5


class KbServer(BaseApplication):
    """A gunicorn application running kb's Flask app."""

    def __init__(self, options: dict[str, Any]) -> None:
        """Keep the gunicorn options."""
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Hand the options to gunicorn."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Create the app inside each worker, so no index is opened before the fork."""
        from kb.web import create_app

        return create_app()


def serve(index_dir: Path, host: str, port: int, workers: int, threads: int = 4) -> None:
    """Run gunicorn in the foreground."""
    os.environ["KB_INDEX_DIR"] = str(index_dir)
    KbServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-",
            "errorlog": "-",
            "timeout": 60,
            "graceful_timeout": 10,
        }
    ).run()


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
            try:
                summary = build_index(settings)
                log.warning(
                    "re-indexed: %d changed, %d removed, %s",
                    summary.indexed,
                    summary.removed,
                    summary.generation,
                )
            except (IndexBusy, IndexRefused, OSError) as exc:
                log.warning("re-index skipped: %s", exc)

    thread = threading.Thread(target=loop, name="kb-watch", daemon=True)
    thread.start()
    return thread
