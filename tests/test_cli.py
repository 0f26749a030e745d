"""Tests of the kb command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kb.cli import main


def test_index_prints_a_summary_naming_bad_files(
    runner: CliRunner, site: Path, tmp_path: Path
) -> None:
    (site / "docs" / "empty.md").write_bytes(b"")
    result = runner.invoke(main, ["index", str(site), "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 0, result.output
    assert "rejected" in result.output
    assert "docs/empty.md: empty file" in result.output
    assert "docs/troubleshooting/broken-frontmatter.mdx: malformed frontmatter" in result.output


def test_index_json_summary(runner: CliRunner, site: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        main, ["index", str(site), "--index-dir", str(tmp_path / "ix"), "--json"]
    )
    data = json.loads(result.output)
    assert data["mode"] == "full" and data["generation"] == "gen-000001"
    assert data["pages"] == data["indexed"]


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(main, ["index", str(tmp_path / "missing")]).exit_code == 2
    assert runner.invoke(main, ["index"], env={"KB_SITE_ROOT": ""}).exit_code == 2


def test_nothing_to_index_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "empty-site").mkdir()
    result = runner.invoke(
        main, ["index", str(tmp_path / "empty-site"), "--index-dir", str(tmp_path / "ix")]
    )
    assert result.exit_code == 1
    assert "no page could be indexed" in result.output
