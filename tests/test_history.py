"""The git history pass on real repositories made in a temporary folder, with dated commits."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from kb.build.history import PageFiles, read_history
from kb.build.indexer import build_index
from kb.config import load_settings
from kb.web import create_app
from tests.gitrepo import Repo, page

AS_OF = "2026-06-01"
SNIPPET_PAGE = (
    "---\ntitle: Uses a snippet\nvalidatedOn: 2026-02-01\n---\n\n"
    'import Note from "/snippets/note.mdx";\n\nIntro text.\n\n<Note />\n'
)


def _index(root: Path, index_dir: Path, **overrides: object) -> dict[str, Any]:
    """Index a site and return the build summary as JSON data."""
    settings = load_settings(root, {"index_dir": index_dir, **overrides})
    return build_index(settings).to_dict()


def _rows(index_dir: Path, query: str = "") -> dict[str, dict[str, Any]]:
    """Return the stale report's JSON rows by URL."""
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    data = client.get(f"/api/reports/stale?as_of={AS_OF}{query}").get_json()
    return {row["url"]: row for row in data["pages"]}


@pytest.fixture
def campaign_repo(tmp_path: Path) -> Repo:
    """A site whose pages were validated on 2026-02-01, then edited in different ways."""
    repo = Repo(tmp_path / "site")
    repo.commit(
        "2026-01-10",
        {
            "docs/edited-after.mdx": page("2026-02-01", "First body."),
            "docs/edited-before.mdx": page("2026-01-05", "First body."),
            "docs/restamped.mdx": page("2026-02-01", "Same body all along."),
            "docs/snippet-user.mdx": SNIPPET_PAGE,
            "docs/unvalidated.mdx": page(None, "Never reviewed."),
            "snippets/note.mdx": "A note in a snippet.\n",
        },
    )
    repo.commit("2026-01-20", {"docs/edited-before.mdx": page("2026-01-05", "Second body.")})
    repo.commit("2026-02-01", {"docs/edited-before.mdx": page("2026-02-01", "Second body.")})
    repo.commit("2026-03-13", {"docs/edited-after.mdx": page("2026-02-01", "Rewritten body.")})
    repo.commit("2026-04-01", {"docs/restamped.mdx": page("2026-04-01", "Same body all along.")})
    repo.commit("2026-04-20", {"snippets/note.mdx": "The note, rewritten.\n"})
    return repo


def test_changed_after_validation_from_the_history(campaign_repo: Repo, tmp_path: Path) -> None:
    summary = _index(campaign_repo.root, tmp_path / "index")
    assert summary["notes"] == []
    rows = _rows(tmp_path / "index")
    after = rows["/docs/edited-after"]
    assert after["last_changed"] == "2026-03-13"
    assert after["changed_after_validation"] is True
    before = rows["/docs/edited-before"]
    # The body changed on 01-20; the 02-01 commit only restamped it.
    assert before["last_changed"] == "2026-01-20"
    assert before["changed_after_validation"] is False
    restamped = rows["/docs/restamped"]
    assert restamped["last_changed"] == "2026-01-10"
    assert restamped["changed_after_validation"] is False
    snippet = rows["/docs/snippet-user"]
    assert snippet["last_changed"] == "2026-04-20"
    assert snippet["changed_after_validation"] is True
    never = rows["/docs/unvalidated"]
    assert never["last_changed"] == "2026-01-10"
    assert never["changed_after_validation"] is False
    changed = _rows(tmp_path / "index", "&changed=1")
    assert sorted(changed) == ["/docs/edited-after", "/docs/snippet-user"]


def test_page_view_and_home_page_say_so(campaign_repo: Repo, tmp_path: Path) -> None:
    _index(campaign_repo.root, tmp_path / "index")
    client: FlaskClient = create_app(
        {"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}
    ).test_client()
    html = client.get("/docs/edited-after").get_data(as_text=True)
    assert "Edited 40 days after it was validated" in html
    assert "Content last changed 2026-01-20." in client.get("/docs/edited-before").get_data(
        as_text=True
    )
    data = client.get("/api/pages/edited-after").get_json()
    assert data["last_changed"] == "2026-03-13"
    assert data["changed_after_validation"] is True
    home = client.get("/").get_data(as_text=True)
    assert '<strong class="kb-changed-count">2</strong>' in home
    reports = client.get("/reports").get_data(as_text=True)
    assert '<strong class="kb-changed-count">2</strong>' in reports
    assert client.get("/api/reports").get_json()["changed_after_validation"] == 2


def test_csv_rows_carry_the_history_columns(campaign_repo: Repo, tmp_path: Path) -> None:
    _index(campaign_repo.root, tmp_path / "index")
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    text = client.get(f"/reports/stale.csv?as_of={AS_OF}&changed=1").get_data(as_text=True)
    lines = text.splitlines()
    assert ",last_changed,changed_after_validation,owners," in lines[0]
    assert len(lines) == 3
    assert all(",true," in line for line in lines[1:])


def test_incremental_build_sees_a_new_commit_to_a_snippet(
    campaign_repo: Repo, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    campaign_repo.write("snippets/note.mdx", "A note in a snippet.\n")  # back to the first text
    campaign_repo.commit("2026-01-30")
    _index(campaign_repo.root, index_dir)
    assert _rows(index_dir)["/docs/snippet-user"]["changed_after_validation"] is False
    campaign_repo.commit("2026-05-02", {"snippets/note.mdx": "Changed once more.\n"})
    summary = _index(campaign_repo.root, index_dir)
    assert summary["mode"] == "incremental"
    row = _rows(index_dir)["/docs/snippet-user"]
    assert (row["last_changed"], row["changed_after_validation"]) == ("2026-05-02", True)
    # A commit that changes no page's content moves no date.
    campaign_repo.commit("2026-05-10", {"README.md": "Not a page.\n"})
    assert _index(campaign_repo.root, index_dir)["indexed"] == 0
    assert _rows(index_dir)["/docs/snippet-user"]["last_changed"] == "2026-05-02"


def test_renames_are_followed(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "site")
    body = "\n".join(f"Line {n} of a long page." for n in range(30))
    repo.commit("2026-01-10", {"docs/old-name.mdx": page("2026-02-01", body)})
    repo.git("mv", "docs/old-name.mdx", "docs/new-name.mdx")
    repo.commit("2026-03-01", message="exact rename")
    repo.git("mv", "docs/new-name.mdx", "docs/final.mdx")
    repo.write("docs/final.mdx", page("2026-02-01", body.replace("Line 3 ", "Line three ")))
    repo.commit("2026-04-01", message="rename with an edit")
    repo.git("mv", "docs/final.mdx", "docs/moved.mdx")
    repo.write("docs/moved.mdx", page("2026-05-01", body.replace("Line 3 ", "Line three ")))
    repo.commit("2026-05-01", message="rename and restamp")
    history = read_history(repo.root, [PageFiles("/docs/moved", "docs/moved.mdx")], 30)
    assert history.complete and history.note is None
    assert history.pages["/docs/moved"]["last_changed"] == "2026-04-01"


def test_site_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("2026-01-10", {"site/docs/a.mdx": page("2026-02-01", "Body.")})
    repo.commit("2026-02-10", {"site/docs/a.mdx": page("2026-02-01", "New body.")})
    repo.commit("2026-02-20", {"other/docs/a.mdx": page(None, "Elsewhere.")})
    history = read_history(repo.root / "site", [PageFiles("/docs/a", "docs/a.mdx")], 30)
    assert history.pages["/docs/a"]["last_changed"] == "2026-02-10"


def test_not_a_repository_turns_the_feature_off(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "a.mdx").write_text(page("2026-02-01", "Body."))
    summary = _index(site, tmp_path / "index", history_seconds=30)
    assert any("not inside a git work tree" in note for note in summary["notes"])
    row = _rows(tmp_path / "index")["/docs/a"]
    assert (row["last_changed"], row["changed_after_validation"]) == (None, False)
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()
    assert "not inside a git work tree" in client.get("/").get_data(as_text=True)


def test_no_git_program_turns_the_feature_off(
    campaign_repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    summary = _index(campaign_repo.root, tmp_path / "index")
    assert summary["notes"] == ["git history is off: no git program on PATH"]
    assert summary["pages"] == 5


def test_zero_seconds_turns_the_feature_off(campaign_repo: Repo, tmp_path: Path) -> None:
    summary = _index(campaign_repo.root, tmp_path / "index", history_seconds=0)
    assert summary["notes"] == ["git history is off (history_seconds = 0)"]


def test_shallow_clone_turns_the_feature_off(campaign_repo: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    campaign_repo.git("clone", "-q", "--depth", "1", f"file://{campaign_repo.root}", str(clone))
    summary = _index(clone, tmp_path / "index")
    assert len(summary["notes"]) == 1
    assert "shallow clone" in summary["notes"][0]
    assert summary["pages"] == 5


def _pack_objects(repo: Path) -> int:
    """Count the objects in a repository's packs (a lazy fetch adds a pack)."""
    out = subprocess.run(
        ["git", "count-objects", "-v"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    return sum(
        int(line.split()[1]) for line in out.splitlines() if line.startswith(("count:", "in-pack:"))
    )


def test_partial_clone_reads_what_it_has_and_never_fetches(
    campaign_repo: Repo, tmp_path: Path
) -> None:
    campaign_repo.git("config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "partial"
    campaign_repo.git(
        "clone", "-q", "--filter=blob:none", f"file://{campaign_repo.root}", str(clone)
    )
    before = _pack_objects(clone)
    # Any fetch would now fail loudly: the promisor remote is gone.
    shutil.rmtree(campaign_repo.root / ".git")
    summary = _index(clone, tmp_path / "index")
    assert _pack_objects(clone) == before
    assert len(summary["notes"]) == 1 and "not in this clone" in summary["notes"][0]
    rows = _rows(tmp_path / "index")
    # Old blobs are missing, so each file's newest commit counts as its last content change.
    assert rows["/docs/edited-after"]["last_changed"] == "2026-03-13"
    assert rows["/docs/edited-after"]["changed_after_validation"] is True
    assert rows["/docs/snippet-user"]["last_changed"] == "2026-04-20"
    assert rows["/docs/restamped"]["last_changed"] == "2026-04-01"


def test_sparse_checkout_dates_the_pages_it_has(campaign_repo: Repo, tmp_path: Path) -> None:
    campaign_repo.commit("2026-05-01", {"blog/post.mdx": page(None, "Not in the cone.")})
    clone = tmp_path / "sparse"
    campaign_repo.git("clone", "-q", "--no-checkout", f"file://{campaign_repo.root}", str(clone))
    campaign_repo.git("sparse-checkout", "set", "docs", "snippets", cwd=clone)
    campaign_repo.git("checkout", "-q", "main", cwd=clone)
    assert not (clone / "blog").exists()
    _index(clone, tmp_path / "index")
    assert _rows(tmp_path / "index")["/docs/edited-after"]["changed_after_validation"] is True


def test_a_slow_history_is_cut_short_with_a_note(
    campaign_repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real git behind a wrapper that stalls before `git log` (a huge or slow repository).
    real = shutil.which("git")
    assert real is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "git"
    wrapper.write_text(
        f'#!/bin/sh\nfor a in "$@"; do [ "$a" = log ] && sleep 5 </dev/null >/dev/null 2>&1; done\n'
        f'exec {real} "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    summary = _index(campaign_repo.root, tmp_path / "index", history_seconds=0.5)
    assert len(summary["notes"]) == 1
    assert "stopped after 0.5 s (history_seconds)" in summary["notes"][0]
    assert summary["pages"] == 5
