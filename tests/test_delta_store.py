"""Incremental builds at scale: the page store by delta over a hard-linked base, the cheap reuse
check, source stats, and Whoosh segments kept. Real sites, real index generations, real app."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index

from kb.build.indexer import build_index
from kb.config import EXAMPLE_SITE, Settings, load_settings
from kb.index import delta, generations, records
from kb.index.generations import WHOOSH_DIR
from kb.index.store import BASE_FILE, STORE_FILE, PageStore
from kb.search import writer
from kb.web import create_app

EDITED = "docs/flags/kill-switches.mdx"
EDITED_URL = "/docs/flags/kill-switches"
REMOVED = "docs/rollouts/scheduled-releases.mdx"
REMOVED_URL = "/docs/rollouts/scheduled-releases"
FRESH_WORD = "quillfeather"
QUERIES = ("flag", "kill switch", FRESH_WORD, "rollout", "webhook", "scheduled release")
VIEWS = (EDITED_URL, "/docs/flags/overview", "/docs/glossary", "/docs/api/webhooks")
REPORTS = ("glossary", "links", "owners", "stale", "terms")


def site_copy(root: Path) -> Path:
    """Copy the example site, whose pages use a glossary, tooltips, links and a snippet."""
    shutil.copytree(EXAMPLE_SITE, root)
    return root


def edit(site: Path, rel: str, extra: str) -> None:
    """Append a paragraph to a page by writing a new file and renaming it over the old one."""
    path = site / rel
    fresh = path.with_suffix(".tmp")
    fresh.write_text(path.read_text("utf-8") + f"\n\n{extra}\n", "utf-8")
    os.replace(fresh, path)


def settings_for(site: Path, index_dir: Path) -> Settings:
    """Settings of a site indexed into index_dir."""
    return load_settings(site, {"index_dir": index_dir})


def every_row(index_dir: Path) -> list[dict[str, Any]]:
    """Return every column of every page the served generation's store shows."""
    pages = PageStore(generations.current_generation(index_dir))
    try:
        return list(pages.rows(records.ALL_COLUMNS))
    finally:
        pages.close()


def every_meta(index_dir: Path) -> dict[str, Any]:
    """Return the served generation's meta values but the run summary."""
    folder = generations.current_generation(index_dir)
    conn = sqlite3.connect(folder / STORE_FILE)
    try:
        keys = [row[0] for row in conn.execute("SELECT key FROM meta WHERE key != 'summary'")]
    finally:
        conn.close()
    pages = PageStore(folder)
    try:
        usage = {slug: pages.term_pages(slug) for slug in pages.term_counts()}
        assert usage, "the example site's pages use glossary terms"
        return {key: pages.get_meta(key) for key in sorted(keys)} | {
            "term counts": pages.term_counts(),
            "term pages": usage,
        }
    finally:
        pages.close()


def what_is_served(index_dir: Path) -> dict[str, Any]:
    """Return what the app serves: search hits, page views and report data."""
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    served: dict[str, Any] = {}
    for query in QUERIES:
        answer = client.get("/api/search", query_string={"q": query})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        served[f"search {query}"] = sorted(hit["url"] for hit in answer.get_json()["results"])
    for url in (*VIEWS, REMOVED_URL):
        view = client.get(url)
        served[f"view {url}"] = (
            view.status_code,
            view.get_data(as_text=True) if view.status_code == 200 else "",
        )
    terms = client.get("/api/glossary").get_json()
    served["glossary"] = terms
    for term in terms:
        served[f"term {term['slug']}"] = client.get(f"/api/glossary/{term['slug']}").get_json()
    for report in REPORTS:
        answer = client.get(f"/api/reports/{report}")
        assert answer.status_code == 200, report
        served[f"report {report}"] = answer.get_json()
    return served


def test_a_one_page_incremental_build_serves_what_a_full_build_does(tmp_path: Path) -> None:
    site = site_copy(tmp_path / "site")
    built = settings_for(site, tmp_path / "ix")
    build_index(built)
    first = generations.current_generation(built.index_dir)
    before = generations.file_checksums(first)

    edit(site, EDITED, f"A {FRESH_WORD} lands here, see [the overview](/docs/flags/overview).")
    (site / REMOVED).unlink()
    summary = build_index(built)
    full = settings_for(site, tmp_path / "full")
    build_index(full)

    assert (summary.mode, summary.indexed, summary.removed) == ("incremental", 1, 1)
    second = generations.current_generation(built.index_dir)
    assert (second / BASE_FILE).exists() and os.path.samefile(
        second / BASE_FILE, first / STORE_FILE
    )
    assert every_row(built.index_dir) == every_row(full.index_dir)
    assert REMOVED_URL not in [row["url"] for row in every_row(built.index_dir)]
    assert every_meta(built.index_dir) == every_meta(full.index_dir)
    served = what_is_served(built.index_dir)
    assert served == what_is_served(full.index_dir)
    assert served[f"search {FRESH_WORD}"] == [EDITED_URL]
    assert served[f"view {REMOVED_URL}"][0] == 404
    assert generations.file_checksums(first) == before  # the previous generation, byte for byte
    assert generations.damage(first) is None and generations.damage(second) is None


def test_runs_chain_deltas_then_compact_and_always_match_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delta, "COMPACT_ROWS", 2)
    site = site_copy(tmp_path / "site")
    built = settings_for(site, tmp_path / "ix")
    build_index(built)
    full_store = (generations.current_generation(built.index_dir) / STORE_FILE).stat().st_ino
    has_base = []
    for n in range(4):
        edit(
            site,
            f"docs/flags/{('overview', 'actions', 'kill-switches', 'overview')[n]}.mdx",
            f"Run {n}.",
        )
        build_index(built)
        has_base.append((generations.current_generation(built.index_dir) / BASE_FILE).exists())
    # full store, then deltas of 1, 2 and 3 rows; the one over COMPACT_ROWS is folded in
    assert has_base == [True, True, True, False]
    served = generations.current_generation(built.index_dir)
    assert (served / STORE_FILE).stat().st_ino != full_store  # a new full store
    full = settings_for(site, tmp_path / "full")
    build_index(full)
    assert every_row(built.index_dir) == every_row(full.index_dir)
    assert every_meta(built.index_dir) == every_meta(full.index_dir)


def test_deleting_older_generations_never_breaks_the_served_one(tmp_path: Path) -> None:
    site = site_copy(tmp_path / "site")
    built = settings_for(site, tmp_path / "ix")
    build_index(built)
    for n in range(3):
        edit(site, EDITED, f"Edit {n} with {FRESH_WORD}.")
        build_index(built)
    served = generations.current_generation(built.index_dir)
    for folder in built.index_dir.glob("gen-*"):
        if folder != served:
            shutil.rmtree(folder)
    assert generations.damage(served) is None
    client = create_app({"TESTING": True, "INDEX_DIR": str(built.index_dir)}).test_client()
    assert client.get("/healthz").get_json()["pages"] == 21
    view = client.get("/docs/flags/overview")
    assert view.status_code == 200 and "Feature flags overview" in view.get_data(as_text=True)
    hits = client.get("/api/search", query_string={"q": FRESH_WORD}).get_json()["results"]
    assert [hit["url"] for hit in hits] == [EDITED_URL]
    edit(site, EDITED, "One more.")
    assert build_index(built).mode == "incremental"  # the base outlived the folder it began in


def test_a_damaged_delta_is_not_copied_forward_even_behind_an_unchanged_mtime(
    tmp_path: Path,
) -> None:
    site = site_copy(tmp_path / "site")
    built = settings_for(site, tmp_path / "ix")
    build_index(built)
    edit(site, EDITED, "First edit.")
    build_index(built)
    served = generations.current_generation(built.index_dir)
    overwrite_keeping_mtime(served / STORE_FILE, b"\x00" * 64, at=4096)
    edit(site, EDITED, "Second edit.")

    summary = build_index(built)

    assert summary.mode == "full"
    assert (
        served.name,
        f"not reused ({STORE_FILE} is damaged (its checksum no longer matches)); rebuilt in full",
    ) in summary.problems
    assert generations.damage(generations.current_generation(built.index_dir)) is None


@pytest.mark.parametrize("verify", [False, True])
def test_a_flipped_base_byte_is_found_by_verify_and_a_truncated_file_always(
    tmp_path: Path, verify: bool
) -> None:
    site = site_copy(tmp_path / "site")
    built = settings_for(site, tmp_path / "ix")
    build_index(built)
    edit(site, EDITED, "First edit.")
    build_index(built)
    served = generations.current_generation(built.index_dir)
    base = served / BASE_FILE
    overwrite_keeping_mtime(base, b"Q", at=base.read_bytes().index(b"Feature flags overview"))
    edit(site, EDITED, "Second edit.")

    summary = build_index(built, verify=verify)

    # Without --verify a flipped byte behind an unchanged size and mtime is trusted; the base is
    # linked, not copied, so it keeps its original checksum and the damage stays on record.
    assert summary.mode == ("full" if verify else "incremental")
    if verify:
        assert (
            served.name,
            f"not reused ({BASE_FILE} is damaged (its checksum no longer matches)); rebuilt in full",
        ) in summary.problems
    else:
        after = generations.current_generation(built.index_dir)
        assert (
            generations.damage(after) == f"{BASE_FILE} is damaged (its checksum no longer matches)"
        )
        with open(after / STORE_FILE, "r+b") as handle:
            handle.truncate(8192)
        edit(site, EDITED, "Third edit.")
        again = build_index(built)
        assert again.mode == "full"
        assert (
            after.name,
            f"not reused ({STORE_FILE} is damaged (changed since it was published)); rebuilt in full",
        ) in again.problems
    assert generations.damage(generations.current_generation(built.index_dir)) is None


def overwrite_keeping_mtime(path: Path, data: bytes, at: int) -> None:
    """Overwrite bytes of a file in place, then set its mtime back (a flipped bit on disk)."""
    info = path.stat()
    with open(path, "r+b") as handle:
        handle.seek(at)
        handle.write(data)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_an_unchanged_source_is_not_read_again_and_a_changed_one_is(tmp_path: Path) -> None:
    site = site_copy(tmp_path / "site")
    built = settings_for(site, tmp_path / "ix")
    build_index(built)
    path = site / EDITED
    info = path.stat()
    text = path.read_text("utf-8")
    same_size = text.replace("kill switch", "kill swatch", 1)
    assert len(same_size.encode()) == info.st_size
    path.write_text(same_size, "utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))

    trusted = build_index(built)  # same size and mtime: the recorded hash stands

    assert (trusted.indexed, trusted.unchanged) == (0, 21)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))
    reread = build_index(built)  # a new mtime: the bytes are hashed, and they differ
    assert (reread.indexed, reread.unchanged) == (1, 20)
    touched = build_index(built)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 9_000_000_000))
    same_bytes = build_index(built)  # a new mtime over the same bytes: hashed, unchanged
    assert (touched.indexed, same_bytes.indexed, same_bytes.unchanged) == (0, 0, 21)


def test_an_incremental_commit_adds_a_segment_and_merges_only_many_small_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "MAX_SMALL_SEGMENTS", 2)
    monkeypatch.setattr(writer, "SMALL_SHARE", 0.3)  # each run's segment is small, not the first
    site = site_copy(tmp_path / "site")
    built = settings_for(site, tmp_path / "ix")
    build_index(built)
    counts = []
    for n in range(4):
        before = set((generations.current_generation(built.index_dir) / WHOOSH_DIR).glob("*.seg"))
        edit(site, EDITED, f"Segment run {n}.")
        build_index(built)
        after = generations.current_generation(built.index_dir) / WHOOSH_DIR
        names = {p.name for p in after.glob("*.seg")}
        kept = {p.name for p in before} & names
        counts.append((len(kept), len(names)))
    # one segment, then one more per run; a run finding three small ones merges them with its own
    assert counts == [(1, 2), (2, 3), (3, 4), (1, 2)]
    ix = whoosh_index.open_dir(str(generations.current_generation(built.index_dir) / WHOOSH_DIR))
    with ix.searcher() as searcher:
        assert searcher.document(url=EDITED_URL)["url"] == EDITED_URL
    ix.close()
