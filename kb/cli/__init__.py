"""The `kb` command: thin click commands that hand off to plain functions."""

from __future__ import annotations

import errno
import json
import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from kb.build.indexer import BuildSummary, IndexRefused, build_index
from kb.config import load_settings
from kb.index.generation import Generation
from kb.index.generations import IndexBusy, NoIndex, current_generation
from kb.reports.facts import (
    ReportQueryError,
    generation_facts,
    over_budget_count,
    parse_stale_query,
    stale_report,
)
from kb.reports.stale import SORT_KEYS, report_to_csv, report_to_json
from kb.reports.tables import (
    ACTION_STATUSES,
    CHECKS,
    format_checks_table,
    format_stale_table,
    run_checks,
)

INDEX_DIR_OPTION = click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KB_INDEX_DIR",
    default=".kb-index",
    show_default=True,
    help="Folder holding the index generations.",
)


@click.group()
@click.version_option(package_name="kb")
def main() -> None:
    """kb: a searchable knowledge base for docs-as-code."""


@main.command("index")
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
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def index_command(
    site_root: Path,
    index_dir: Path,
    full: bool,
    excludes: tuple[str, ...],
    allow_shrink: bool,
    as_json: bool,
) -> None:
    """Index SITE_ROOT into a new generation and switch to it."""
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
                settings, full=full, allow_shrink=allow_shrink, progress=progress.update
            )
        except (IndexBusy, IndexRefused) as exc:
            click.echo(f"kb index: {exc}", err=True)
            sys.exit(1)
        except (OSError, sqlite3.Error) as exc:
            click.echo(f"kb index: {write_failure(exc, index_dir)}", err=True)
            sys.exit(1)
    if as_json:
        click.echo(json.dumps(summary.to_dict(), indent=2))
    else:
        click.echo(format_summary(summary))


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


def format_summary(summary: BuildSummary) -> str:
    """Render a build summary for a terminal."""
    lines = [
        f"Indexed {summary.indexed} pages ({summary.mode}), {summary.unchanged} unchanged, "
        f"{summary.removed} removed, {len(summary.rejected)} rejected; "
        f"{summary.pages} pages in {summary.generation} after {summary.seconds:.1f} s."
    ]
    if summary.rejected:
        lines.append("Rejected:")
        lines += [f"  {path}: {reason}" for path, reason in summary.rejected]
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


@main.command("serve")
@INDEX_DIR_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--watch",
    "watch_root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Re-index this site root incrementally whenever a file changes.",
)
def serve_command(
    index_dir: Path, host: str, port: int, workers: int, watch_root: Path | None
) -> None:
    """Serve the index with a production server (gunicorn)."""
    from kb.serve import serve, watch

    if watch_root is not None:
        settings = load_settings(watch_root.resolve(), {"index_dir": index_dir})
        try:
            build_index(settings)
        except (IndexBusy, IndexRefused) as exc:
            click.echo(f"kb serve: {exc}", err=True)
        watch(settings)
    serve(index_dir, host, port, workers)


# --- reports for docs CI ------------------------------------------------------------------------

FAIL_OVER_STALE_HELP = (
    "Exit 1 when more than N of the reported pages (after --section and --status) are stale or "
    "invalid (status stale: past the review window; invalid: validatedOn unreadable, empty or "
    "misspelled). Due, never, future, fresh and exempt pages never count. "
    "Default: the site's stale_budget setting; without one, no budget."
)


def _open_generation(command: str, index_dir: Path) -> Generation:
    """Open the served generation, or exit 2 with a clear message when there is none."""
    try:
        return Generation(current_generation(index_dir))
    except NoIndex as exc:
        click.echo(f"kb {command}: {exc}", err=True)
        sys.exit(2)


@main.command("stale")
@INDEX_DIR_OPTION
@click.option(
    "--as-of", default="today", show_default=True, help="YYYY-MM-DD, today, or +N/-N days."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option("--section", default="", help="Only pages of this section.")
@click.option(
    "--status",
    default="",
    help="Only pages with these statuses, comma-separated (invalid, stale, due, never, future, "
    "fresh, exempt). The table lists invalid, stale, due and future pages unless this is given.",
)
@click.option("--sort", type=click.Choice(SORT_KEYS), default="status", show_default=True)
@click.option(
    "--fail-over", type=click.IntRange(min=0), default=None, metavar="N", help=FAIL_OVER_STALE_HELP
)
def stale_command(
    index_dir: Path,
    as_of: str,
    fmt: str,
    section: str,
    status: str,
    sort: str,
    fail_over: int | None,
) -> None:
    """Report every page's review status (keyed on validatedOn) as of a date."""
    try:
        query = parse_stale_query(
            {"as_of": as_of, "section": section, "status": status, "sort": sort}, date.today()
        )
    except ReportQueryError as exc:
        raise click.UsageError(str(exc)) from None
    gen = _open_generation("stale", index_dir)
    report = stale_report(gen, query)
    if fmt == "json":
        click.echo(json.dumps(report_to_json(report), indent=2))
    elif fmt == "csv":
        click.echo(report_to_csv(report), nl=False)
    else:
        click.echo(format_stale_table(report, listed=None if status else ACTION_STATUSES))
    budget = fail_over if fail_over is not None else generation_facts(gen).settings.stale_budget
    _judge_budget("stale", over_budget_count(report), budget, "pages stale or invalid")


def _judge_budget(command: str, count: int, budget: int | None, what: str) -> None:
    """Say how the count compares with the budget (on stderr) and exit 1 when it is exceeded."""
    if budget is None:
        return
    if count > budget:
        click.echo(f"kb {command}: {count} {what}, over the budget of {budget}", err=True)
        sys.exit(1)
    click.echo(f"kb {command}: {count} {what}, within the budget of {budget}", err=True)


@main.command("check")
@click.argument("checks", nargs=-1, type=click.Choice(CHECKS))
@INDEX_DIR_OPTION
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--fail-over",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Exit 1 when the checks run find more than N findings in total. Default: no budget.",
)
def check_command(
    checks: tuple[str, ...], index_dir: Path, fmt: str, fail_over: int | None
) -> None:
    """Report deprecated terms, broken links and anchors, and glossary drift (default: all)."""
    gen = _open_generation("check", index_dir)
    results = run_checks(gen, checks or CHECKS)
    if fmt == "json":
        click.echo(
            json.dumps(
                {name: {"count": len(f), "findings": f} for name, f in results.items()}, indent=2
            )
        )
    else:
        click.echo(format_checks_table(results))
    total = sum(len(f) for f in results.values())
    _judge_budget("check", total, fail_over, "findings")


if __name__ == "__main__":
    main()
