"""Serve the app with gunicorn: workers forked first, each making its own app (no index is
opened before the fork) and warming its generation before its first request, each polling for a
newly switched generation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication


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

        return create_app({"POLL_GENERATIONS": True})


def _post_worker_init(worker: Any) -> None:
    """Open and warm the served generation before the worker takes its first request (at 30x
    the searcher and its spelling vocabulary take seconds, which no reader should wait for)."""
    from kb.web.context import serve_warm

    serve_warm(worker.wsgi)


def _worker_exit(_server: Any, worker: Any) -> None:
    """Write a worker's queued searches before it exits (atexit would too; this is sooner)."""
    from kb.web.demand import close_search_log

    app = getattr(worker, "wsgi", None)
    if app is not None and hasattr(app, "extensions"):
        close_search_log(app)


def serve(
    index_dir: Path,
    host: str,
    port: int,
    workers: int,
    threads: int = 4,
    state_dir: Path | None = None,
) -> None:
    """Run gunicorn in the foreground."""
    os.environ["KB_INDEX_DIR"] = str(index_dir)
    if state_dir is not None:
        os.environ["KB_STATE_DIR"] = str(state_dir)
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
            "post_worker_init": _post_worker_init,
            "worker_exit": _worker_exit,
        }
    ).run()
