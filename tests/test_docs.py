"""The contract lives in the repo: generated docs match the code, every route is documented."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from scripts.gen_docs import CLI_DOC, SETTINGS_DOC, cli_markdown, settings_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_generated_docs_are_up_to_date() -> None:
    """docs/cli.md and docs/settings.md are what scripts/gen_docs.py writes from the code."""
    assert CLI_DOC.read_text(encoding="utf-8") == cli_markdown(), "run scripts/gen_docs.py"
    assert SETTINGS_DOC.read_text(encoding="utf-8") == settings_markdown(), (
        "run scripts/gen_docs.py"
    )


def test_every_route_is_in_the_http_api_doc(app: Flask) -> None:
    documented = (DOCS / "http-api.md").read_text(encoding="utf-8")
    for rule in app.url_map.iter_rules():
        # /docs/<path:path> is written /docs/<path> in the doc.
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"<\1>", rule.rule)
        if rule.endpoint == "static":
            path = "/static/<file>"
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        assert f"`{method} {path}" in documented, f"{method} {path} is not in docs/http-api.md"


def test_every_setting_and_command_is_documented() -> None:
    settings = SETTINGS_DOC.read_text(encoding="utf-8")
    for name in ("site_root", "glossary_pages", "section_policies", "stale_budget"):
        assert f"| `{name}` |" in settings
    cli = CLI_DOC.read_text(encoding="utf-8")
    for command in ("index", "serve", "stale", "check"):
        assert f"## `kb {command}`" in cli
