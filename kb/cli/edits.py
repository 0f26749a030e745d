"""`kb validate` and `kb fix-terms`: commands that edit pages, shown as a diff before written."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import click

from kb.build.discover import discover
from kb.cli.options import INDEX_DIR_OPTION, open_generation
from kb.config import load_settings
from kb.edits.batch import BatchResult, apply_batch, edit_diff, split_batch
from kb.edits.select import expand_paths, pages_in_report
from kb.edits.sources import Edit
from kb.edits.stamp import plan_stamp
from kb.edits.terms import plan_term_fix
from kb.params import ParamError
from kb.reports.queries import parse_as_of, parse_stale_query

SKIP_REFUSED_HELP = (
    "Write the pages that can be edited even when others are refused (the exit status is still "
    "1). Without it, one refused page means nothing is written."
)


def _label(path: Path) -> str:
    """Name a path for a diff or a message: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def report_batch(
    edits: Sequence[Edit], dry_run: bool, skip_refused: bool, verb: str, hint: str = ""
) -> None:
    """Print diffs (dry run) or write the batch, say what happened, exit 1 on any refusal.

    `hint` is said once pages were written (what to do next).
    """
    if dry_run:
        result: BatchResult = split_batch(edits)
        for edit in result.written:
            click.echo(edit_diff(edit, _label(edit.path)), nl=False)
    else:
        result = apply_batch(edits, skip_refused)
        for edit in result.written:
            click.echo(f"{_label(edit.path)}: {edit.note}")
    for edit in result.refused:
        click.echo(f"{_label(edit.path)}: refused: {edit.refused}", err=True)
    if dry_run:
        done = f"{len(result.written)} pages would be {verb}"
    elif result.held:
        done = (
            f"nothing written: {len(result.held)} pages would be {verb}, but pages were refused "
            "(fix them, leave them out, or pass --skip-refused)"
        )
    else:
        done = f"{len(result.written)} pages {verb}"
    click.echo(
        f"kb: {done}; {len(result.unchanged)} unchanged, {len(result.refused)} refused", err=True
    )
    if hint and result.written and not dry_run:
        click.echo(f"kb: {hint}", err=True)
    if result.refused:
        sys.exit(1)


def _chosen_pages(
    paths: tuple[Path, ...], index_dir: Path, status: str, section: str, as_of: str
) -> list[Path]:
    """Return the pages named on the command line plus those the report filters select."""
    chosen = expand_paths(paths)
    if status or section:
        try:
            query = parse_stale_query(
                {"as_of": as_of, "section": section, "status": status}, date.today()
            )
        except ParamError as exc:
            raise click.UsageError(str(exc)) from None
        with open_generation("validate", index_dir) as gen:
            chosen = list(dict.fromkeys([*chosen, *pages_in_report(gen, query)]))
    if not chosen:
        raise click.UsageError("no page chosen: give PATH arguments or --status/--section")
    return chosen


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--on",
    "on",
    default="today",
    show_default=True,
    help="The date to stamp: YYYY-MM-DD, today, or +N/-N days.",
)
@click.option("--dry-run", is_flag=True, help="Print the unified diff; change nothing.")
@click.option(
    "--fix-key", is_flag=True, help="Rename a misspelled key (e.g. validation:) to validatedOn."
)
@click.option("--skip-refused", is_flag=True, help=SKIP_REFUSED_HELP)
@click.option(
    "--status",
    default="",
    help="Also every page of the indexed site with these statuses, comma-separated (as `kb stale --status`).",
)
@click.option(
    "--section",
    default="",
    help="Also every page of this section of the indexed site (with --status: both must match).",
)
@click.option(
    "--as-of", default="today", show_default=True, help="The date --status judges pages on."
)
@INDEX_DIR_OPTION
def validate_command(
    paths: tuple[Path, ...],
    on: str,
    dry_run: bool,
    fix_key: bool,
    skip_refused: bool,
    status: str,
    section: str,
    as_of: str,
    index_dir: Path,
) -> None:
    """Stamp validatedOn: DATE into the frontmatter of each page (files or folders in PATHS).

    Only the line holding validatedOn changes (quotes, comments and line endings kept); a page
    without it gets one line after description or title. A page with malformed frontmatter or a
    misspelled key (without --fix-key) is refused and nothing is written unless --skip-refused.
    Exit 0 when every page was stamped or already was; 1 when a page was refused.
    """
    try:
        day = parse_as_of(on, date.today())
    except ValueError as exc:
        raise click.UsageError(f"--on: {exc}") from None
    pages = _chosen_pages(paths, index_dir, status, section, as_of)
    edits = [plan_stamp(page, day, fix_key) for page in pages]
    hint = "run `kb index` so the reports show the new dates"
    report_batch(edits, dry_run, skip_refused, "stamped", hint)


def _relative(path: Path, root: Path) -> str:
    """Return a page's path from the site root (slashes), or "" when it lies outside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return ""


@click.command("fix-terms")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--site-root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar="KB_SITE_ROOT",
    default=".",
    show_default=True,
    help="The site whose kb.toml gives deprecated_terms and deprecated_allow; without PATHS, "
    "every page of it.",
)
@click.option("--write", is_flag=True, help="Apply the changes (default: print the diff only).")
@click.option("--skip-refused", is_flag=True, help=SKIP_REFUSED_HELP)
def fix_terms_command(
    paths: tuple[Path, ...], site_root: Path, write: bool, skip_refused: bool
) -> None:
    """Rewrite deprecated terms in prose (case kept) and print the unified diff; --write applies it.

    What is rewritten is exactly what `kb check terms` reports: never code, link targets, tags,
    attribute names, comments or frontmatter keys (title, description and sidebarTitle values
    are prose). Uses marked `kb-ignore deprecated` on the line before, and pages the
    deprecated_allow setting allows, stay. Exit 0 when done, 1 when a page was refused.
    """
    try:
        settings = load_settings(site_root.resolve())
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if paths:
        pages = expand_paths(paths)
    else:
        found = discover(settings.site_root, settings.excludes, settings.snippet_dirs)
        pages = [source.path for source in found.sources]
    fixes = [
        plan_term_fix(
            page,
            settings.deprecated_terms,
            _relative(page, settings.site_root),
            settings.deprecated_allow,
        )
        for page in pages
    ]
    for fix in fixes:
        for moved in fix.anchors:
            click.echo(f"{_label(fix.edit.path)}: heading anchor changes, {moved}", err=True)
    if any(fix.anchors for fix in fixes):
        click.echo("kb: links to the old anchors break; `kb check links` lists them", err=True)
    if write:
        click.echo(
            f"kb: {sum(f.replaced for f in fixes)} terms replaced, "
            f"{sum(f.suppressed for f in fixes)} suppressed uses left",
            err=True,
        )
    hint = "run `kb index` so the terms report shows the fix"
    report_batch([f.edit for f in fixes], not write, skip_refused, "fixed", hint)
