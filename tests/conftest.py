"""Shared fixtures: example and corpus sites, built indexes, the app, its client and CLI runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings

from kb.build.indexer import build_index
from kb.config import EXAMPLE_SITE, Settings, load_settings
from kb.web import create_app
from tests.required import cannot_run

# KB_CORPUS points the corpus tests elsewhere (tests/test_required.py hides the corpus with it).
CORPUS = Path(
    os.environ.get("KB_CORPUS")
    or Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "auth0-docs"
)


def index_site(site_root: Path, index_dir: Path, **overrides: object) -> Settings:
    """Build an index of a site root into index_dir and return the settings used."""
    settings = load_settings(site_root, {"index_dir": index_dir, **overrides})
    build_index(settings)
    return settings


@pytest.fixture(scope="session")
def example_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Index the example docs once per session; tests must only read it."""
    index_dir = tmp_path_factory.mktemp("example-index")
    index_site(EXAMPLE_SITE, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def corpus_root() -> Path:
    """Return the real corpus, or skip with the reason when it is not beside the repo."""
    if not (CORPUS / "docs").is_dir():
        cannot_run("corpus", f"the real corpus is not at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory, corpus_root: Path) -> Path:
    """Index the real corpus once per session."""
    index_dir = tmp_path_factory.mktemp("corpus-index")
    index_site(corpus_root, index_dir)
    return index_dir


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """Return a private copy of the example docs that a test may change."""
    target = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, target)
    return target


@pytest.fixture
def app(example_index: Path) -> Flask:
    """Return the app serving the example index."""
    return create_app({"TESTING": True, "INDEX_DIR": str(example_index)})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client of the app."""
    return app.test_client()


@pytest.fixture
def corpus_client(corpus_index: Path) -> Iterator[FlaskClient]:
    """Return a test client of the app serving the real corpus."""
    yield create_app({"TESTING": True, "INDEX_DIR": str(corpus_index)}).test_client()


@pytest.fixture
def runner() -> CliRunner:
    """Return a CLI runner for the kb command."""
    return CliRunner()


# Hypothesis sizes: `ci` on every run, `nightly` (KB_LONG_TESTS=1) for the long fuzzing run.
settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile("nightly", max_examples=10_000, deadline=None)
settings.load_profile("nightly" if os.environ.get("KB_LONG_TESTS") == "1" else "ci")


def csv_rows(text: str) -> list[dict[str, str]]:
    """Parse CSV text (a report export) into dict rows keyed by its header."""
    import csv
    import io

    return list(csv.DictReader(io.StringIO(text, newline="")))


# The real corpus's review statuses as of 2026-11-26 under the default policy, counted from the
# frontmatter with grep and awk (the derivation is in tests/test_stale_report.py).
CORPUS_STATUS_COUNTS = {
    "invalid": 6,
    "stale": 90,
    "due": 3,
    "never": 2796,
    "future": 0,
    "fresh": 35,
    "exempt": 0,
}
