"""Tests of `kb stale` and `kb check`, the reports for docs CI."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.build.indexer import build_index
from kb.cli import main
from kb.config import load_settings

AS_OF = "2026-11-26"


def _run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    """Run kb with arguments; return the exit code, stdout and stderr."""
    result = runner.invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def index_site(site: Path, index_dir: Path) -> None:
    """Index a site root into index_dir."""
    build_index(load_settings(site, {"index_dir": index_dir}))


def _fresh_site(root: Path, pages: int = 3, age_days: int = 5, toml: str = "") -> Path:
    """Write a small plain-Markdown site whose pages were validated `age_days` ago."""
    validated = (date.today() - timedelta(days=age_days)).isoformat()
    for i in range(pages):
        page = root / "docs" / "guides" / f"page-{i}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            f"---\ntitle: Page {i}\nvalidatedOn: {validated}\n---\n\n# Page {i}\n\nText {i}.\n",
            encoding="utf-8",
        )
    if toml:
        (root / "kb.toml").write_text(toml, encoding="utf-8")
    return root


def test_stale_table_lists_pages_needing_action(runner: CliRunner, example_index: Path) -> None:
    code, out, err = _run(runner, "stale", "--index-dir", str(example_index), "--as-of", AS_OF)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("Review status as of 2026-11-26 (window 180 days, warning 30 days)")
    assert "invalid 5 · stale 3 · due 2" in lines[1]
    header = next(line for line in lines if line.startswith("STATUS"))
    assert header.split() == ["STATUS", "AGE", "VALIDATED", "SECTION", "URL", "PROBLEM"]
    body = lines[lines.index(header) + 1 :]
    rows = [line for line in body if line.split()[:1] and line.split()[0] in {"invalid", "stale"}]
    assert len(rows) == 8
    # Columns are aligned: every URL starts where the URL header does.
    column = header.index("URL")
    assert all(row[column:].startswith("/docs/") for row in rows)
    assert "'07-20-2026'" in out and "did you mean 2026-07-20?" in out
    assert "use --status to list them" in out


def test_stale_status_filter_lists_any_status(runner: CliRunner, example_index: Path) -> None:
    code, out, _ = _run(
        runner, "stale", "--index-dir", str(example_index), "--as-of", AS_OF, "--status", "never"
    )
    assert code == 0
    assert sum(1 for line in out.splitlines() if line.startswith("never ")) == 3


def test_stale_csv_equals_json(runner: CliRunner, example_index: Path) -> None:
    base = ["stale", "--index-dir", str(example_index), "--as-of", AS_OF, "--section", "rollouts"]
    _, as_json, _ = _run(runner, *base, "--format", "json")
    _, as_csv, _ = _run(runner, *base, "--format", "csv")
    pages = json.loads(as_json)["pages"]
    assert [p["url"].rsplit("/", 1)[-1] for p in pages] == [
        "scheduled-releases",
        "percentage-rollouts",
        "experiments",
    ]
    rows = list(csv.DictReader(io.StringIO(as_csv, newline="")))
    assert rows == [{k: _csv_text(v) for k, v in p.items()} for p in pages]


def _csv_text(value: object) -> str:
    """Render a JSON value as the CSV writes it (lists joined by spaces, booleans lower case)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


@pytest.mark.parametrize(("budget", "code"), [("8", 0), ("7", 1), ("0", 1)])
def test_stale_budget_counts_stale_and_invalid(
    runner: CliRunner, example_index: Path, budget: str, code: int
) -> None:
    result = _run(
        runner,
        *("stale", "--index-dir", str(example_index), "--as-of", AS_OF, "--format", "json"),
        *("--fail-over", budget),
    )
    assert result[0] == code
    json.loads(result[1])  # the budget verdict goes to stderr; stdout stays JSON
    verdict = "over" if code else "within"
    assert f"8 pages stale or invalid, {verdict} the budget of {budget}" in result[2]


def test_stale_budget_follows_section_filter(runner: CliRunner, example_index: Path) -> None:
    args = ("stale", "--index-dir", str(example_index), "--as-of", AS_OF, "--fail-over", "0")
    assert _run(runner, *args, "--section", "rollouts")[0] == 1
    assert _run(runner, *args, "--section", "general")[0] == 0


def test_fresh_folder_passes_a_zero_budget(runner: CliRunner, tmp_path: Path) -> None:
    site = _fresh_site(tmp_path / "site")
    index_site(site, tmp_path / "ix")
    code, out, err = _run(runner, "stale", "--index-dir", str(tmp_path / "ix"), "--fail-over", "0")
    assert code == 0, out + err
    assert "fresh 3" in out and "within the budget of 0" in err


def test_site_budget_setting_is_the_default(runner: CliRunner, tmp_path: Path) -> None:
    site = _fresh_site(tmp_path / "site", pages=2, age_days=400, toml="[kb]\nstale_budget = 1\n")
    index_site(site, tmp_path / "ix")
    code, _, err = _run(runner, "stale", "--index-dir", str(tmp_path / "ix"))
    assert code == 1 and "2 pages stale or invalid, over the budget of 1" in err
    assert _run(runner, "stale", "--index-dir", str(tmp_path / "ix"), "--fail-over", "2")[0] == 0


def test_no_index_is_a_clear_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    for command in (["stale"], ["check", "links"]):
        code, _, err = _run(runner, *command, "--index-dir", str(tmp_path / "none"))
        assert code == 2
        assert "no index in" in err and "kb index SITE_ROOT" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "11-26-2026"], "did you mean 2026-11-26?"),
        (["--status", "rotten"], "unknown status 'rotten'"),
        (["--format", "xml"], "Invalid value for '--format'"),
        (["--fail-over", "-1"], "Invalid value for '--fail-over'"),
        (["--sort", "colour"], "Invalid value for '--sort'"),
    ],
)
def test_stale_usage_errors_exit_2(
    runner: CliRunner, example_index: Path, args: list[str], message: str
) -> None:
    code, _, err = _run(runner, "stale", "--index-dir", str(example_index), *args)
    assert code == 2 and message in err


def test_stale_help_says_what_the_budget_counts(runner: CliRunner) -> None:
    _, out, _ = _run(runner, "stale", "--help")
    flat = " ".join(out.split())
    assert "more than N of the reported pages" in flat and "stale or invalid" in flat


def test_check_runs_all_three_by_default(runner: CliRunner, example_index: Path) -> None:
    code, out, _ = _run(runner, "check", "--index-dir", str(example_index))
    assert code == 0
    assert "Deprecated terms: 6 findings" in out
    assert "Broken links: 2 findings" in out
    assert "Glossary drift:" in out
    assert "docs/get-started/sdk-keys.mdx:23" in out  # path:line, as editors and CI read it


def test_check_json_and_budget(runner: CliRunner, example_index: Path) -> None:
    base = ("check", "links", "terms", "--index-dir", str(example_index))
    code, out, _ = _run(runner, *base, "--format", "json")
    data = json.loads(out)
    assert list(data) == ["links", "terms"]
    assert (data["links"]["count"], data["terms"]["count"]) == (2, 6)
    assert all({"url", "line", "target", "kind"} <= set(f) for f in data["links"]["findings"])
    assert _run(runner, *base, "--fail-over", "8")[0] == 0
    code, _, err = _run(runner, *base, "--fail-over", "7")
    assert code == 1 and "8 findings, over the budget of 7" in err


def test_check_unknown_name_is_a_usage_error(runner: CliRunner, example_index: Path) -> None:
    assert _run(runner, "check", "spelling", "--index-dir", str(example_index))[0] == 2


@pytest.mark.corpus
def test_corpus_fails_a_zero_stale_budget(runner: CliRunner, corpus_index: Path) -> None:
    code, _, err = _run(
        runner, "stale", "--index-dir", str(corpus_index), "--as-of", AS_OF, "--fail-over", "0"
    )
    assert code == 1
    assert "96 pages stale or invalid, over the budget of 0" in err
