"""CI cannot skip its way to green: with chromium or the corpus missing, a run under CI=true (or
with KB_REQUIRE naming them) fails saying why; a run without it skips with the reason.

Each case runs pytest in a subprocess on a tiny test file that uses the real browser and corpus
fixtures, with KB_CHROMIUM and KB_CORPUS pointing at paths that do not exist.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TINY_TESTS = """
from tests.browser.conftest import browser  # noqa: F401 - the fixture under test
from tests.conftest import corpus_root  # noqa: F401 - the fixture under test


def test_needs_a_browser(browser):
    assert browser.is_connected()


def test_needs_the_corpus(corpus_root):
    assert corpus_root.is_dir()
"""


def run_tiny_tests(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the tiny tests with chromium and the corpus missing, under the given variables."""
    test_file = tmp_path / "test_tiny.py"
    test_file.write_text(TINY_TESTS)
    environment = {
        k: v for k, v in os.environ.items() if k not in {"CI", "KB_REQUIRE", "PYTEST_ADDOPTS"}
    }
    environment |= {
        "PYTHONPATH": str(REPO),
        "KB_CHROMIUM": str(tmp_path / "no-such-chromium"),
        "KB_CORPUS": str(tmp_path / "no-such-corpus"),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(test_file), "-rs", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_ci_a_missing_browser_or_corpus_skips_with_the_reason(tmp_path: Path) -> None:
    result = run_tiny_tests(tmp_path)
    assert result.returncode == 0, result.stdout
    assert "2 skipped" in result.stdout
    assert f"chromium not installed: {tmp_path / 'no-such-chromium'} is missing" in result.stdout
    assert f"the real corpus is not at {tmp_path / 'no-such-corpus'}" in result.stdout


@pytest.mark.parametrize(
    ("env", "source"),
    [({"CI": "true"}, "CI=true"), ({"KB_REQUIRE": "browser,corpus"}, "KB_REQUIRE")],
)
def test_under_ci_a_missing_browser_or_corpus_fails_saying_why(
    tmp_path: Path, env: dict[str, str], source: str
) -> None:
    result = run_tiny_tests(tmp_path, **env)
    assert result.returncode == 1, result.stdout
    assert "2 errors" in result.stdout and "skipped" not in result.stdout
    assert (
        f"chromium not installed: {tmp_path / 'no-such-chromium'} is missing (run `make browser`) "
        f"(browser tests are required by {source}, so this fails)"
    ) in result.stdout
    assert (
        f"the real corpus is not at {tmp_path / 'no-such-corpus'} "
        f"(corpus tests are required by {source}, so this fails)"
    ) in result.stdout


def test_kb_require_names_only_what_it_requires(tmp_path: Path) -> None:
    result = run_tiny_tests(tmp_path, CI="true", KB_REQUIRE="corpus")
    assert result.returncode == 1, result.stdout
    assert "1 skipped" in result.stdout and "1 error" in result.stdout
    assert "chromium not installed" in result.stdout  # the skip, with its reason
