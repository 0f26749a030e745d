"""Tests of building, updating and switching index generations."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from kb.build.indexer import IndexRefused, build_index
from kb.config import load_settings
from kb.index import generations
from kb.index.store import PageStore


def make_site(root: Path, pages: int, words: int = 200) -> Path:
    """Write a plain-Markdown site of numbered pages."""
    for n in range(pages):
        path = root / "docs" / f"part-{n % 7}" / f"page-{n}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = " ".join(f"word{(n * 31 + i) % 997}" for i in range(words))
        path.write_text(f"---\ntitle: Page {n}\n---\n# Page {n}\n\n## Part\n\n{body}\n", "utf-8")
    return root


def served(index_dir: Path) -> tuple[str, int, int]:
    """Return the served generation's name, store count and Whoosh page count."""
    folder = generations.current_generation(index_dir)
    store = PageStore(folder)
    ix = whoosh_index.open_dir(str(folder / "whoosh"))
    with ix.searcher() as searcher:
        pages = sum(1 for fields in searcher.all_stored_fields() if fields["kind"] == "page")
    return folder.name, store.count(), pages


def test_full_then_incremental_build(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 12)
    settings = load_settings(site, {"index_dir": tmp_path / "ix"})
    first = build_index(settings)
    assert (first.mode, first.indexed, first.pages, first.generation) == (
        "full",
        12,
        12,
        "gen-000001",
    )
    assert served(settings.index_dir) == ("gen-000001", 12, 12)

    (site / "docs/part-1/page-1.md").write_text("---\ntitle: Changed\n---\nNew text\n", "utf-8")
    (site / "docs/part-2/page-2.md").unlink()
    (site / "docs/new.md").write_text("# Brand new\n", "utf-8")
    second = build_index(settings)
    assert (second.mode, second.indexed, second.unchanged, second.removed) == (
        "incremental",
        2,
        10,
        1,
    )
    assert served(settings.index_dir) == ("gen-000002", 12, 12)
    store = PageStore(generations.current_generation(settings.index_dir))
    page = store.get("/docs/part-1/page-1")
    assert page is not None and page.title == "Changed"
    assert store.get("/docs/part-2/page-2") is None

    third = build_index(settings)
    assert (third.indexed, third.unchanged, third.removed) == (0, 12, 0)
    assert sorted(p.name for p in settings.index_dir.glob("gen-*")) == ["gen-000002", "gen-000003"]


def test_snippet_change_reindexes_the_pages_that_include_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "snippets").mkdir(parents=True)
    (site / "docs").mkdir()
    (site / "snippets/note.mdx").write_text("Shared words alpha.\n", "utf-8")
    for name in ("a", "b"):
        (site / f"docs/{name}.mdx").write_text(
            f'import Note from "/snippets/note.mdx";\n\n# Page {name}\n\n<Note />\n', "utf-8"
        )
    (site / "docs/c.mdx").write_text("# Page c\n", "utf-8")
    settings = load_settings(site, {"index_dir": tmp_path / "ix"})
    build_index(settings)
    (site / "snippets/note.mdx").write_text("Shared words beta.\n", "utf-8")
    summary = build_index(settings)
    assert (summary.indexed, summary.unchanged) == (2, 1)
    page = PageStore(generations.current_generation(settings.index_dir)).get("/docs/a")
    assert page is not None and "beta" in page.text


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 3)
    docs = site / "docs"
    (docs / "empty.md").write_bytes(b"")
    (docs / "binary.md").write_bytes(b"\x00\x01\x02")
    (docs / "latin1.md").write_bytes(b"# Caf\xe9\n\nText\n")
    (docs / "yaml.mdx").write_text('---\ntitle: "Broken\nx: [\n---\nBody\n', "utf-8")
    (docs / "huge.md").write_text("x" * 5000, "utf-8")
    settings = load_settings(site, {"index_dir": tmp_path / "ix", "max_page_bytes": 4000})
    summary = build_index(settings)
    assert dict(summary.rejected) == {
        "docs/binary.md": "binary file (contains NUL bytes)",
        "docs/empty.md": "empty file",
        "docs/huge.md": "too large (5,000 bytes; the limit is 4,000)",
    }
    problems = dict(summary.problems)
    assert problems["docs/latin1.md"].startswith("invalid UTF-8 at byte 5")
    assert problems["docs/yaml.mdx"].startswith("malformed frontmatter")
    assert summary.pages == 5


def test_nothing_indexable_keeps_the_old_generation(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 2)
    settings = load_settings(site, {"index_dir": tmp_path / "ix"})
    build_index(settings)
    for page in (site / "docs").rglob("*.md"):
        page.write_bytes(b"")
    with pytest.raises(IndexRefused, match="no page could be indexed"):
        build_index(settings, full=True)
    assert served(settings.index_dir)[0] == "gen-000001"


def test_switch_is_refused_when_most_pages_would_vanish(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 10)
    settings = load_settings(site, {"index_dir": tmp_path / "ix"})
    build_index(settings)
    for n in range(8):
        next((site / "docs").rglob(f"page-{n}.md")).unlink()
    with pytest.raises(IndexRefused, match="8 of 10 pages"):
        build_index(settings)
    assert served(settings.index_dir) == ("gen-000001", 10, 10)
    assert build_index(settings, allow_shrink=True).pages == 2


def test_a_second_writer_gets_a_clear_message(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 2)
    index_dir = tmp_path / "ix"
    with generations.writer_lock(index_dir):
        result = subprocess.run(
            [sys.executable, "-m", "kb.cli", "index", str(site), "--index-dir", str(index_dir)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert "another `kb index` is writing" in result.stderr
    assert f"pid {os.getpid()}" in result.stderr
    assert not (index_dir / "CURRENT").exists()


@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0])
def test_kill_9_mid_index_leaves_the_previous_generation_serving(
    tmp_path_factory: pytest.TempPathFactory, delay: float
) -> None:
    root = tmp_path_factory.mktemp("kill")
    site = make_site(root / "site", 400, words=400)
    index_dir = root / "ix"
    settings = load_settings(site, {"index_dir": index_dir})
    build_index(settings)
    before = served(index_dir)
    for page in list((site / "docs").rglob("*.md"))[:300]:
        page.write_text(page.read_text("utf-8") + "\nmore words\n", "utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kb.cli",
            "index",
            str(site),
            "--index-dir",
            str(index_dir),
            "--full",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    name, count, pages = served(index_dir)
    assert (count, pages) == (400, 400)
    assert name in (before[0], "gen-000002")
    after = build_index(settings)
    assert served(index_dir)[1:] == (400, 400)
    assert not list(index_dir.glob("*.tmp"))
    assert after.generation > name


def test_a_page_that_parses_too_long_is_rejected_and_the_rest_indexed(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 3)
    (site / "docs" / "nested.md").write_text("[" * 20000 + "x" + "]" * 20000 + "\n", "utf-8")
    settings = load_settings(site, {"index_dir": tmp_path / "ix", "max_parse_seconds": 0.5})
    summary = build_index(settings)
    assert dict(summary.rejected) == {
        "docs/nested.md": "took longer than 0.5 s to parse (pathologically nested content?)"
    }
    assert summary.pages == 3


def test_incremental_build_links_the_previous_index_and_leaves_it_intact(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", 40)
    settings = load_settings(site, {"index_dir": tmp_path / "ix"})
    build_index(settings)
    first = generations.current_generation(settings.index_dir)
    before = generations.file_checksums(first)

    (site / "docs/part-1/page-1.md").write_text("---\ntitle: Edited\n---\nfresh words\n", "utf-8")
    build_index(settings)
    second = generations.current_generation(settings.index_dir)

    segments = [p for p in (first / "whoosh").iterdir() if p.suffix == ".seg"]
    assert segments and all((second / "whoosh" / p.name).exists() for p in segments)
    assert all(os.path.samefile(p, second / "whoosh" / p.name) for p in segments)
    assert generations.file_checksums(first) == before
    assert generations.damage(first) is None and generations.damage(second) is None
    recorded = generations.read_manifest(second)["checksums"]
    assert recorded == generations.file_checksums(second)
    old = whoosh_index.open_dir(str(first / "whoosh"))
    new = whoosh_index.open_dir(str(second / "whoosh"))
    with old.searcher() as old_s, new.searcher() as new_s:
        assert old_s.document(url="/docs/part-1/page-1")["title"] == "Page 1"
        assert new_s.document(url="/docs/part-1/page-1")["title"] == "Edited"
        assert old_s.doc_count() == new_s.doc_count()


def test_link_tree_links_and_copies_across_devices(tmp_path: Path) -> None:
    source = tmp_path / "a"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "f").write_bytes(b"x")
    generations.link_tree(source, tmp_path / "b")
    assert os.path.samefile(source / "sub" / "f", tmp_path / "b" / "sub" / "f")
    shm = Path("/dev/shm")
    if os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.fail("/dev/shm is on the same device as the temporary folder: no way to test EXDEV")
    other = Path(tempfile.mkdtemp(dir=shm))
    try:
        generations.link_tree(source, other / "c")
        copied = other / "c" / "sub" / "f"
        assert copied.read_bytes() == b"x" and not os.path.samefile(source / "sub" / "f", copied)
    finally:
        shutil.rmtree(other)
