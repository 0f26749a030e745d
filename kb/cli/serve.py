"""`kb serve`: serve the index with gunicorn, optionally re-indexing edits as they happen."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kb.build.watch import reindex, watch
from kb.cli.options import INDEX_DIR_OPTION, STATE_DIR_OPTION
from kb.config import load_settings
from kb.serve import serve


@click.command("serve")
@INDEX_DIR_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option(
    "--workers",
    default=2,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (each serves 4 requests at a time).",
)
@STATE_DIR_OPTION
@click.option(
    "--watch",
    "watch_root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Re-index this site root incrementally whenever a file changes.",
)
def serve_command(
    index_dir: Path,
    host: str,
    port: int,
    workers: int,
    state_dir: Path | None,
    watch_root: Path | None,
) -> None:
    """Serve the index with a production server (gunicorn).

    Workers pick up a newly switched generation within a second. With --watch, the site is
    indexed first and again whenever one of its files changes.
    """
    try:  # a bad KB_* setting is a usage error here, not a crash in every worker
        load_settings(None, {"index_dir": index_dir})
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if watch_root is not None:
        try:
            settings = load_settings(watch_root.resolve(), {"index_dir": index_dir})
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
        problem = reindex(settings)
        if problem is not None:
            click.echo(f"kb serve: {problem}", err=True)
        watch(settings)
        # Workers read the site's kb.toml for their own settings (the search log's).
        os.environ.setdefault("KB_SITE_ROOT", str(watch_root.resolve()))
    serve(index_dir, host, port, workers, state_dir=state_dir)
