"""The scale benchmark's own parts: a one-page edit never writes into a hard-linked file and
re-indexes one page each way; the loopback replay counts a refused request as a failure."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import loopback
import scale_build

from kb.config import EXAMPLE_SITE
from kb.index.generations import link_tree
from tests.conftest import index_site


def test_replace_text_leaves_a_hard_linked_twin_alone(tmp_path: Path) -> None:
    """The edited file gets a new inode; the corpus file it was linked to keeps its text."""
    original = tmp_path / "corpus.mdx"
    original.write_text("# Title\n\nBody.\n", encoding="utf-8")
    linked = tmp_path / "site.mdx"
    os.link(original, linked)
    scale_build.replace_text(linked, "# Title\n\nEdited.\n")
    assert linked.read_text(encoding="utf-8") == "# Title\n\nEdited.\n"
    assert original.read_text(encoding="utf-8") == "# Title\n\nBody.\n"
    assert original.stat().st_ino != linked.stat().st_ino
    assert not list(tmp_path.glob(".*scale-tmp"))


def test_incremental_edits_and_reverts_one_page(tmp_path: Path) -> None:
    """Edit then revert each re-index exactly one page, incrementally; the site ends as it began."""
    corpus, site = tmp_path / "corpus", tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, corpus)
    link_tree(corpus, site)  # as synth_corpus builds sites: every file a hard link
    index_dir = tmp_path / "index"
    index_site(site, index_dir)
    page = scale_build.edited_page(site)
    before = page.read_text(encoding="utf-8")
    twin = corpus / page.relative_to(site)
    twin_written = twin.stat().st_mtime_ns
    row = scale_build.timed_incremental(site, index_dir, tmp_path)
    assert row["incremental_page"] == page.relative_to(site).as_posix()
    for label in ("edit", "revert"):
        assert row[f"incr_{label}_mode"] != "full"
        assert row[f"incr_{label}_indexed"] == 1
        assert row[f"incr_{label}_rejected"] == 0
        assert row[f"incr_{label}_cpu_s"] > 0
    assert page.read_text(encoding="utf-8") == before
    assert twin.read_text(encoding="utf-8") == before
    assert twin.stat().st_mtime_ns == twin_written  # never written through the shared inode
    assert (EXAMPLE_SITE / page.relative_to(site)).read_text(encoding="utf-8") == before


@pytest.mark.server
def test_loopback_times_the_mix_and_reports_a_refused_request(
    example_index: Path, tmp_path: Path
) -> None:
    """Real gunicorn: every query is timed; one too long for gunicorn's request line is refused
    (414), counted apart and left out of the latencies."""
    mix = [("title words", "feature flags"), ("hostile", "x" * 20_000), ("one word", "webhooks")]
    result = loopback.loopback(example_index, mix, 1, tmp_path)
    assert len(result["open_ms"]) == 1 and result["open_ms"][0] > 0
    for label in ("cold", "warm"):
        assert result[label]["refused_too_long"] == 1
        assert result[label]["failures"] == 0
        assert [q["kind"] for q in result[label]["slowest"]].count("hostile") == 0
        assert len(result[label]["slowest"]) == 2
        assert 0 < result[label]["p50_ms"] <= result[label]["max_ms"]
    workers = result["processes"]["workers"]
    assert len(workers) == 1 and workers[0]["rss_mib"] > 0
    row = loopback.flatten(result)
    assert row["http_warm_refused_too_long"] == 1 and row["http_warm_failures"] == 0
    assert row["http_worker_max_rss_mib"] > 0
