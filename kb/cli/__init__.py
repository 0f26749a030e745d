"""The `kb` command: thin click commands that hand off to plain functions.

Each command lives in a module of this package; docs/cli.md is generated from them.
"""

from __future__ import annotations

import click

from kb.cli.edits import fix_terms_command, validate_command
from kb.cli.index import index_command
from kb.cli.reports import check_command, stale_command
from kb.cli.serve import serve_command


@click.group()
@click.version_option(package_name="kb")
def main() -> None:
    """kb: a searchable knowledge base for docs-as-code."""


for command in (
    index_command,
    serve_command,
    stale_command,
    check_command,
    validate_command,
    fix_terms_command,
):
    main.add_command(command)
