"""Tests of finding pages under a site root."""

from __future__ import annotations

import os
from pathlib import Path

from kb.build.discover import discover
from kb.urls import url_for_path


def write(root: Path, rel: str, text: str = "# Page\n") -> Path:
    """Write a file under root, creating folders."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_url_rules() -> None:
    assert url_for_path("docs/get-started/intro.mdx") == "/docs/get-started/intro"
    assert url_for_path("docs/flags/index.mdx") == "/docs/flags"
    assert url_for_path("docs/index.md") == "/docs"
    assert url_for_path("guide/README.md") == "/docs/guide"
    assert url_for_path("guide/setup.markdown") == "/docs/guide/setup"


def test_finds_pages_and_skips_includes_hidden_and_excluded(tmp_path: Path) -> None:
    write(tmp_path, "docs/a.mdx")
    write(tmp_path, "docs/b.md")
    write(tmp_path, "docs/notes.txt")
    write(tmp_path, "snippets/part.mdx")
    write(tmp_path, ".git/x.md")
    write(tmp_path, "node_modules/pkg/readme.md")
    write(tmp_path, "fr-ca/docs/a.mdx")
    found = discover(tmp_path, excludes=("fr-ca/**",), snippet_dirs=("snippets",))
    assert [s.url for s in found.sources] == ["/docs/a", "/docs/b"]
    assert found.problems == ()


def test_duplicate_urls_are_reported_and_one_kept(tmp_path: Path) -> None:
    write(tmp_path, "docs/setup.mdx")
    write(tmp_path, "docs/setup.md")
    write(tmp_path, "docs/setup/index.mdx")
    found = discover(tmp_path)
    assert [s.rel for s in found.sources] == ["docs/setup.mdx"]
    assert len(found.problems) == 2
    assert all("duplicate URL /docs/setup" in p for p in found.problems)


def test_symlinks_stay_inside_the_root_and_loops_end(tmp_path: Path) -> None:
    root = tmp_path / "site"
    outside = tmp_path / "outside"
    write(outside, "secret.md")
    write(root, "docs/real/page.md")
    os.symlink(outside, root / "docs" / "escape")
    os.symlink(outside / "secret.md", root / "docs" / "secret.md")
    os.symlink(root / "docs", root / "docs" / "real" / "loop")
    os.symlink(root / "docs" / "real" / "page.md", root / "docs" / "alias.md")
    os.symlink(root / "missing.md", root / "docs" / "dangling.md")
    found = discover(root)
    urls = [s.url for s in found.sources]
    assert "/docs/real/page" in urls and "/docs/alias" in urls
    assert not any("secret" in u for u in urls)
    text = "\n".join(found.problems)
    assert "docs/escape: symlink leads outside the site root" in text
    assert "docs/secret.md: symlink leads outside the site root" in text
    assert "symlink loop" in text
    assert "docs/dangling.md: broken symlink" in text


def test_the_index_folder_is_skipped_however_it_is_reached(tmp_path: Path) -> None:
    """An index folder inside the site (and a symlink to it) is not walked; a missing one is no
    error."""
    write(tmp_path, "docs/a.mdx")
    write(tmp_path, "docs/index-dir/gen-1/notes.md")
    (tmp_path / "docs" / "via-link").symlink_to(tmp_path / "docs" / "index-dir")
    found = discover(tmp_path, skip=(tmp_path / "docs" / "index-dir", tmp_path / "absent"))
    assert [s.rel for s in found.sources] == ["docs/a.mdx"]
    assert found.problems == ()
