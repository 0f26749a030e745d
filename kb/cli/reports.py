"""`kb stale` and `kb check`: the reports for docs CI, with budgets that fail a build."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from kb.cli.options import INDEX_DIR_OPTION, STATE_DIR_OPTION, judge_budget, open_generation
from kb.config import load_settings, state_folder
from kb.demand.log import LOG_FILE, utc_today
from kb.demand.report import DEFAULT_DAYS, MAX_DAYS, page_demand_from_file
from kb.params import ParamError
from kb.reports.export import report_to_csv, report_to_json
from kb.reports.facts import stale_report
from kb.reports.findings import suppressed_counts
from kb.reports.overview import over_budget_count
from kb.reports.queries import parse_stale_query
from kb.reports.stale import SORT_KEYS
from kb.reports.tables import (
    ACTION_STATUSES,
    CHECKS,
    format_checks_table,
    format_stale_table,
    run_checks,
    suppressed_note,
)

FAIL_OVER_STALE_HELP = (
    "Exit 1 when more than N of the reported pages (after --section and --status) are stale or "
    "invalid (status stale: past the review window; invalid: validatedOn unreadable, empty or "
    "misspelled). Due, never, future, fresh and exempt pages never count. "
    "Default: the site's stale_budget setting; without one, no budget."
)


@click.command("stale")
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
    help="A table for people, CSV for spreadsheets, JSON for tools (the /api/reports/stale body).",
)
@click.option("--section", default="", help="Only pages of this section.")
@click.option(
    "--status",
    default="",
    help="Only pages with these statuses, comma-separated (invalid, stale, due, never, future, "
    "fresh, exempt). The table lists invalid, stale, due and future pages unless this is given.",
)
@click.option(
    "--sort",
    type=click.Choice(SORT_KEYS),
    default="status",
    show_default=True,
    help="Order of the rows (status: worst first; age: oldest first; demand: most searched first).",
)
@click.option(
    "--changed",
    is_flag=True,
    help="Only pages whose content changed (in git) after their validatedOn date.",
)
@click.option("--owner", default="", help="Only pages of this owner (- for pages nobody owns).")
@click.option(
    "--fail-over", type=click.IntRange(min=0), default=None, metavar="N", help=FAIL_OVER_STALE_HELP
)
@STATE_DIR_OPTION
@click.option(
    "--days",
    type=click.IntRange(1, MAX_DAYS),
    default=DEFAULT_DAYS,
    show_default=True,
    help="Demand window: searches of the last N days (UTC) count.",
)
def stale_command(
    index_dir: Path,
    as_of: str,
    fmt: str,
    section: str,
    status: str,
    sort: str,
    changed: bool,
    owner: str,
    fail_over: int | None,
    state_dir: Path | None,
    days: int,
) -> None:
    """Report every page's review status (keyed on validatedOn) as of a date."""
    try:
        query = parse_stale_query(
            {
                "as_of": as_of,
                "section": section,
                "status": status,
                "sort": sort,
                "changed": "1" if changed else "",
                "owner": owner,
                # Demand is only useful most searched first.
                "order": "desc" if sort == "demand" else "asc",
            },
            date.today(),
        )
    except ParamError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        chosen = {"state_dir": state_dir} if state_dir is not None else {}
        settings = load_settings(None, {"index_dir": index_dir, **chosen})
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    demand = page_demand_from_file(state_folder(settings) / LOG_FILE, utc_today(), days)
    with open_generation("stale", index_dir) as gen:
        report = stale_report(gen, query, demand)
        budget = fail_over if fail_over is not None else gen.settings.stale_budget
    if fmt == "json":
        click.echo(json.dumps(report_to_json(report), indent=2))
    elif fmt == "csv":
        click.echo(report_to_csv(report), nl=False)
    else:
        click.echo(
            format_stale_table(report, listed=None if status or changed else ACTION_STATUSES)
        )
    judge_budget("stale", over_budget_count(report), budget, "pages stale or invalid")


@click.command("check")
@click.argument("checks", nargs=-1, type=click.Choice(CHECKS))
@INDEX_DIR_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A table (path:line first, as editors and CI annotations read it) or JSON.",
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
    """Report deprecated terms, broken links and anchors, glossary drift, and nav entries and
    redirects that lead nowhere (default: all)."""
    with open_generation("check", index_dir) as gen:
        results = run_checks(gen, checks or CHECKS)
        suppressed = suppressed_counts(gen) if "terms" in results else None
    if fmt == "json":
        data: dict[str, dict[str, Any]] = {
            name: {"count": len(f), "findings": f} for name, f in results.items()
        }
        if suppressed is not None:
            data["terms"]["suppressed"] = suppressed
        click.echo(json.dumps(data, indent=2))
    else:
        notes = {"terms": suppressed_note(suppressed)} if suppressed else {}
        click.echo(format_checks_table(results, notes))
    total = sum(len(f) for f in results.values())
    judge_budget("check", total, fail_over, "findings")
