"""What several commands share: the index folder option, the served generation, budgets."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.index.generation import Generation
from kb.index.generations import NoIndex, current_generation

INDEX_DIR_OPTION = click.option(
    "--index-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KB_INDEX_DIR",
    default=".kb-index",
    show_default=True,
    help="Folder holding the index generations.",
)


STATE_DIR_OPTION = click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The server's writable state folder, holding its search log (default: the state_dir "
    "setting, else INDEX_DIR-state beside the index folder).",
)


def open_generation(command: str, index_dir: Path) -> Generation:
    """Open the served generation, or exit 2 with a clear message when there is none."""
    try:
        return Generation(current_generation(index_dir))
    except NoIndex as exc:
        click.echo(f"kb {command}: {exc}", err=True)
        sys.exit(2)


def judge_budget(command: str, count: int, budget: int | None, what: str) -> None:
    """Say how the count compares with the budget (on stderr) and exit 1 when it is exceeded."""
    if budget is None:
        return
    if count > budget:
        click.echo(f"kb {command}: {count} {what}, over the budget of {budget}", err=True)
        sys.exit(1)
    click.echo(f"kb {command}: {count} {what}, within the budget of {budget}", err=True)
