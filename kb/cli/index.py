"""`kb index`: build a new generation of a site and switch it in."""

from __future__ import annotations

import errno
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from kb.build.indexer import IndexRefused, build_index
from kb.build.summary import BuildSummary
from kb.cli.options import INDEX_DIR_OPTION
from kb.config import load_settings
from kb.index.generations import IndexBusy


@click.command("index")
@click.argument(
    "site_root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar="KB_SITE_ROOT",
)
@INDEX_DIR_OPTION
@click.option("--full", is_flag=True, help="Rebuild everything instead of only what changed.")
@click.option(
    "--exclude", "excludes", multiple=True, help="Glob of files to leave out (repeatable)."
)
@click.option("--allow-shrink", is_flag=True, help="Switch even if many pages would vanish.")
@click.option(
    "--verify",
    is_flag=True,
    help="Check every checksum of the served generation before building on it (otherwise only "
    "sizes, mtimes and the checksums of the files copied forward are checked).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--debug",
    is_flag=True,
    help="Show the traceback of each page rejected for an unexpected exception.",
)
def index_command(
    site_root: Path,
    index_dir: Path,
    full: bool,
    excludes: tuple[str, ...],
    allow_shrink: bool,
    verify: bool,
    as_json: bool,
    debug: bool,
) -> None:
    """Index SITE_ROOT into a new generation and switch to it.

    Only the pages that changed since the served generation are parsed again, unless --full.
    The run ends with a summary: pages indexed, unchanged, removed, rejected (each with its path
    and reason) and problems found in pages that were still indexed. A page that makes any stage
    fail is rejected with the exception's class and message (its traceback with --debug) and the
    run goes on. Exit 0 when the new
    generation was switched in; 1 when nothing could be indexed, the switch was refused, the
    disk is full or another `kb index` holds the lock (the previous generation keeps serving).
    """
    try:
        settings = load_settings(site_root.resolve(), {"index_dir": index_dir})
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if excludes:
        settings = load_settings(
            site_root.resolve(),
            {"index_dir": index_dir, "excludes": (*settings.excludes, *excludes)},
        )
    with _Progress(enabled=sys.stderr.isatty() and not as_json) as progress:
        try:
            summary = build_index(
                settings,
                full=full,
                allow_shrink=allow_shrink,
                progress=progress.update,
                verify=verify,
            )
        except (IndexBusy, IndexRefused) as exc:
            click.echo(f"kb index: {exc}", err=True)
            sys.exit(1)
        except (OSError, sqlite3.Error) as exc:
            click.echo(f"kb index: {write_failure(exc, index_dir)}", err=True)
            sys.exit(1)
    if as_json:
        data = summary.to_dict()
        if debug:
            for item in data["rejected"]:
                item["traceback"] = summary.tracebacks.get(item["path"], "")
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(format_summary(summary, debug=debug))


def write_failure(exc: Exception, index_dir: Path) -> str:
    """Describe a failed run's I/O error, naming a full disk plainly (copytree and SQLite hide errno)."""
    text = str(exc)
    full = getattr(exc, "errno", None) == errno.ENOSPC or any(
        sign in text for sign in ("No space left on device", "database or disk is full")
    )
    if full:
        return (
            f"no space left on device for {index_dir}; the previous generation (if any) keeps "
            "serving. Free some space and run again."
        )
    return f"{text}; the previous generation (if any) keeps serving"


def format_summary(summary: BuildSummary, *, debug: bool = False) -> str:
    """Render a build summary for a terminal (with --debug, the tracebacks of rejected pages)."""
    lines = [
        f"Indexed {summary.indexed} pages ({summary.mode}), {summary.unchanged} unchanged, "
        f"{summary.removed} removed, {len(summary.rejected)} rejected; "
        f"{summary.pages} pages in {summary.generation} after {summary.seconds:.1f} s."
    ]
    if summary.rejected:
        lines.append("Rejected:")
        for path, reason in summary.rejected:
            lines.append(f"  {path}: {reason}")
            if debug and path in summary.tracebacks:
                lines += ["    " + line for line in summary.tracebacks[path].rstrip().splitlines()]
    lines += [f"Note: {note}" for note in summary.notes]
    if summary.problems:
        lines.append(f"Problems ({len(summary.problems)}):")
        lines += [f"  {path}: {problem}" for path, problem in summary.problems[:50]]
        if len(summary.problems) > 50:
            lines.append(f"  … and {len(summary.problems) - 50} more (use --json for all)")
    return "\n".join(lines)


class _Progress:
    """A progress bar on a terminal, silent elsewhere."""

    def __init__(self, enabled: bool) -> None:
        """Prepare the bar; it starts on the first update."""
        self.enabled = enabled
        self.bar: Any = None

    def __enter__(self) -> _Progress:
        """Start the context."""
        return self

    def update(self, done: int, total: int) -> None:
        """Advance the bar to done of total pages."""
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Indexing", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def __exit__(self, *exc: object) -> None:
        """Finish the bar."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
