"""Owners in the served reports: stale rows and filters, the load per owner, a to-do per owner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from kb.build.indexer import build_index
from kb.cli import main
from kb.config import load_settings
from kb.web import create_app
from tests.conftest import csv_rows
from tests.gitrepo import Repo, page

AS_OF = "2026-06-01"


def _owned(validated: str | None, body: str, owners: str) -> str:
    """Return a page whose frontmatter names its owners."""
    return page(validated, body).replace("---\n\n", f"owners: {owners}\n---\n\n", 1)


@pytest.fixture(scope="module")
def owned_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Index a git site with CODEOWNERS, frontmatter owners and section owners in kb.toml."""
    root = tmp_path_factory.mktemp("owned")
    repo = Repo(root / "site")
    repo.commit(
        "2025-06-01",
        {
            ".github/CODEOWNERS": "* @docs-team\n/docs/api/ @api-team\n",
            "kb.toml": '[kb]\nsection_owners = {guides = ["@guides-team"]}\n',
            "docs/api/stale.mdx": page("2025-06-01", "Old API page."),
            "docs/api/fresh.mdx": page("2026-05-20", "New API page."),
            "docs/guides/edited.mdx": page("2026-04-01", "A guide."),
            "docs/misc/carol.mdx": _owned("2026-05-01", "Carol's page.", "[carol, '@docs-team']"),
            "docs/misc/unvalidated.mdx": page(None, "No date."),
        },
    )
    repo.commit("2026-05-11", {"docs/guides/edited.mdx": page("2026-04-01", "A guide, edited.")})
    index_dir = root / "index"
    build_index(load_settings(repo.root, {"index_dir": index_dir}))
    return index_dir


@pytest.fixture
def owned(owned_index: Path) -> FlaskClient:
    """Return a client of the owned site's index."""
    return create_app({"TESTING": True, "INDEX_DIR": str(owned_index)}).test_client()


def test_rows_carry_owners_and_filter_by_owner(owned: FlaskClient) -> None:
    data = owned.get(f"/api/reports/stale?as_of={AS_OF}").get_json()
    owners = {row["url"]: row["owners"] for row in data["pages"]}
    assert owners == {
        "/docs/api/fresh": ["@api-team"],
        "/docs/api/stale": ["@api-team"],
        "/docs/guides/edited": ["@guides-team"],
        "/docs/misc/carol": ["carol", "@docs-team"],
        "/docs/misc/unvalidated": ["@docs-team"],
    }
    api = owned.get(f"/api/reports/stale?as_of={AS_OF}&owner=@api-team").get_json()
    assert [r["url"] for r in api["pages"]] == ["/docs/api/stale", "/docs/api/fresh"]
    assert api["summary"]["stale"] == 1
    assert api["by_owner"] == {
        "@api-team": {"pages": 2, "changed_after_validation": 0, "stale": 1, "fresh": 1}
    }
    groups = data["by_owner"]
    assert (groups["@docs-team"]["pages"], groups["carol"]["pages"]) == (2, 1)
    assert groups["@guides-team"]["changed_after_validation"] == 1
    html = owned.get(f"/reports/stale?as_of={AS_OF}&owner=carol").get_data(as_text=True)
    assert 'data-url="/docs/misc/carol"' in html and 'data-url="/docs/api/stale"' not in html
    assert "owned by <strong>carol</strong>" in html
    rows = csv_rows(
        owned.get(f"/reports/stale.csv?as_of={AS_OF}&owner=carol").get_data(as_text=True)
    )
    # Owners start with @, which a spreadsheet would read as a formula: the cell is defused.
    assert [r["owners"] for r in rows] == ["carol @docs-team"]


def test_load_per_owner(owned: FlaskClient) -> None:
    data = owned.get(f"/api/reports/owners?as_of={AS_OF}").get_json()
    loads = {load["owner"]: load for load in data["owners"]}
    assert list(loads) == ["@api-team", "@guides-team", "@docs-team", "carol"]
    assert loads["@api-team"] == {
        "owner": "@api-team", "pages": 2, "stale": 1, "due": 0, "invalid": 0, "never": 0,
        "changed": 0, "todo": 1,
    }  # fmt: skip
    assert (loads["@guides-team"]["changed"], loads["@guides-team"]["todo"]) == (1, 1)
    assert (loads["@docs-team"]["pages"], loads["@docs-team"]["never"]) == (2, 1)
    html = owned.get(f"/reports/owners?as_of={AS_OF}").get_data(as_text=True)
    assert 'data-owner="@api-team"' in html
    assert "/reports/owners/todo?owner=@api-team" in html


def test_owner_todo_page_csv_and_json(owned: FlaskClient) -> None:
    data = owned.get(f"/api/reports/owners/todo?owner=@guides-team&as_of={AS_OF}").get_json()
    assert data["total"] == 1
    row = data["pages"][0]
    assert row["url"] == "/docs/guides/edited"
    assert row["reasons"] == ["edited 40 days after validation"]
    assert row["last_changed"] == "2026-05-11"
    html = owned.get(f"/reports/owners/todo?owner=@guides-team&as_of={AS_OF}").get_data(
        as_text=True
    )
    assert 'data-url="/docs/guides/edited"' in html
    assert "edited 40 days after validation" in html
    response = owned.get(f"/reports/owners/todo.csv?owner=@guides-team&as_of={AS_OF}")
    assert (
        'filename="kb-todo-guides-team-2026-06-01.csv"' in response.headers["Content-Disposition"]
    )
    rows = csv_rows(response.get_data(as_text=True))
    assert [(r["url"], r["reasons"]) for r in rows] == [
        ("/docs/guides/edited", "edited 40 days after validation")
    ]
    stale = owned.get(f"/api/reports/owners/todo?owner=@api-team&as_of={AS_OF}").get_json()
    assert [(r["url"], r["reasons"]) for r in stale["pages"]] == [("/docs/api/stale", ["stale"])]


def test_todo_of_every_owner_and_helpful_errors(owned: FlaskClient) -> None:
    everyone = owned.get(f"/api/reports/owners/todo?as_of={AS_OF}").get_json()
    assert everyone["owner"] == ""
    assert [r["url"] for r in everyone["pages"]] == ["/docs/api/stale", "/docs/guides/edited"]
    html = owned.get(f"/reports/owners/todo?as_of={AS_OF}").get_data(as_text=True)
    assert "To do: every owner" in html and "todo?owner=@guides-team" in html
    unknown = owned.get("/reports/owners/todo?owner=@nobody")
    assert unknown.status_code == 404
    assert "@api-team" in unknown.get_data(as_text=True)
    assert owned.get("/api/reports/owners/todo?owner=-").status_code == 200
    assert owned.get("/reports/owners/todo?owner=%00%ff").status_code == 404


def test_home_and_reports_show_the_load(owned: FlaskClient) -> None:
    for url in ("/", "/reports"):
        html = owned.get(url).get_data(as_text=True)
        assert 'data-owner="@api-team"' in html, url
        assert "kb-changed-count" in html, url
    data = owned.get("/api/reports").get_json()
    assert data["owner_count"] == 4
    assert data["history"] == {"on": True, "note": None}


def test_page_view_names_owners(owned: FlaskClient) -> None:
    html = owned.get("/docs/misc/carol").get_data(as_text=True)
    assert "Owned by" in html and "owner=carol" in html
    assert owned.get("/api/pages/misc/carol").get_json()["owners"] == ["carol", "@docs-team"]


def test_kb_stale_filters_by_owner_and_change(owned_index: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "stale",
            "--index-dir",
            str(owned_index),
            "--as-of",
            AS_OF,
            "--changed",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["url"] for r in data["pages"]] == ["/docs/guides/edited"]
    assert data["changed_after_validation"] == 1
    result = CliRunner().invoke(
        main,
        [
            "stale",
            "--index-dir",
            str(owned_index),
            "--as-of",
            AS_OF,
            "--owner",
            "carol",
            "--format",
            "csv",
        ],
    )
    assert [r["url"] for r in csv_rows(result.output)] == ["/docs/misc/carol"]
    table = (
        CliRunner()
        .invoke(main, ["stale", "--index-dir", str(owned_index), "--as-of", AS_OF, "--changed"])
        .output
    )
    assert "1 changed in git after validation" in table
    assert "/docs/guides/edited" in table and "/docs/api/stale" not in table
