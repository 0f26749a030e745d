"""Fault injection with real processes and files: kill -9 at each phase, damaged segments, a full
disk, an emptied docs folder. The served generation must stay complete and the next run recover."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.build.indexer import build_index
from kb.config import EXAMPLE_SITE, load_settings
from kb.index import generations
from kb.index.checkpoints import FILE_VARIABLE, PAUSE_VARIABLE, PHASES
from kb.index.generations import WHOOSH_DIR
from kb.search.writer import PARALLEL_DOCUMENTS
from kb.web import create_app
from tests.required import cannot_run

EXAMPLE_PAGES = 21
GENERATED_PAGES = 60  # with the example pages, over the threshold that starts the parse pool
MANY_PAGES = PARALLEL_DOCUMENTS  # enough for a full build to write Whoosh from sub-processes
OLD_WORD = "zephyrine"
NEW_WORD = "marigoldia"
CHANGED_PAGE = "docs/generated/page-3.md"
CHANGED_URL = "/docs/generated/page-3"


def make_site(root: Path, generated: int = GENERATED_PAGES) -> Path:
    """Copy the example docs and add generated pages, one of them holding OLD_WORD."""
    shutil.copytree(EXAMPLE_SITE, root)
    for n in range(generated):
        body = " ".join(f"filler{(n * 7 + i) % 89}" for i in range(80))
        extra = f"\n\nThe {OLD_WORD} appears here.\n" if n == 3 else ""
        page = root / "docs" / "generated" / f"page-{n}.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            f"---\ntitle: Generated {n}\n---\n# Generated {n}\n\n{body}{extra}", "utf-8"
        )
    return root


def kb_index(site: Path, index_dir: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    """Start `python -m kb.cli index` in its own process group."""
    return subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "index", str(site), "--index-dir", str(index_dir), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
        start_new_session=True,
    )


def run_kb_index(site: Path, index_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `kb index` to the end and return its exit code and output."""
    process = kb_index(site, index_dir, *args)
    stdout, stderr = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def kill_at(site: Path, index_dir: Path, phase: str, marks: Path, *args: str) -> list[str]:
    """Run `kb index` until it pauses at a phase, kill -9 its process group, return the phases seen."""
    process = kb_index(site, index_dir, *args, **{FILE_VARIABLE: str(marks), PAUSE_VARIABLE: phase})
    deadline = time.monotonic() + 90
    try:
        while phase not in (marks.read_text("utf-8").split() if marks.exists() else []):
            if process.poll() is not None:
                _, stderr = process.communicate()
                pytest.fail(f"kb index ended before reaching {phase}: {stderr}")
            if time.monotonic() > deadline:
                pytest.fail(f"kb index never reached {phase}")
            time.sleep(0.02)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    return list(dict.fromkeys(marks.read_text("utf-8").split()))


def assert_serves(index_dir: Path, generation: str, pages: int, word: str, url: str) -> None:
    """Check that the app on index_dir serves a complete generation: health, search, a page view."""
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json() == {"status": "ok", "generation": generation, "pages": pages}
    found = client.get(f"/api/search?q={word}")
    assert found.status_code == 200, found.get_json()
    assert url in [hit["url"] for hit in found.get_json()["results"]]
    view = client.get("/docs/flags/overview")
    assert view.status_code == 200
    assert "Feature flags overview" in view.get_data(as_text=True)
    switch = client.get("/api/search?q=kill+switch")
    assert "/docs/flags/kill-switches" in [hit["url"] for hit in switch.get_json()["results"]]


def leftovers(index_dir: Path) -> list[str]:
    """Return unfinished work in an index folder: *.tmp files or folders."""
    return sorted(p.name for p in index_dir.glob("*.tmp"))


@pytest.mark.parametrize("mode", ["full", "incremental"])
@pytest.mark.parametrize("phase", PHASES)
def test_kill_9_at_each_phase_keeps_a_complete_generation_serving(
    tmp_path: Path, phase: str, mode: str
) -> None:
    kill_and_recover(tmp_path, phase, mode, GENERATED_PAGES)


@pytest.mark.parametrize("phase", ["parse", "write", "commit"])
def test_kill_9_while_whoosh_writes_from_sub_processes(tmp_path: Path, phase: str) -> None:
    kill_and_recover(tmp_path, phase, "full", MANY_PAGES)


def kill_and_recover(tmp_path: Path, phase: str, mode: str, generated: int) -> None:
    """Change a page, kill -9 `kb index` at a phase, check what is served, then run it again."""
    site = make_site(tmp_path / "site", generated)
    index_dir = tmp_path / "ix"
    build_index(load_settings(site, {"index_dir": index_dir}))
    total = EXAMPLE_PAGES + generated
    changed = site / CHANGED_PAGE
    changed.write_text(changed.read_text("utf-8") + f"\nNow with {NEW_WORD}.\n", "utf-8")

    seen = kill_at(
        site, index_dir, phase, tmp_path / "marks", *(["--full"] if mode == "full" else [])
    )

    assert seen == list(PHASES[: PHASES.index(phase) + 1])
    served = generations.current_generation(index_dir)
    assert served.name == "gen-000001"
    assert generations.damage(served) is None
    assert_serves(index_dir, "gen-000001", total, OLD_WORD, CHANGED_URL)
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    assert client.get(f"/api/search?q={NEW_WORD}").get_json()["total"] == 0

    again = run_kb_index(site, index_dir, *(["--full"] if mode == "full" else []))
    assert again.returncode == 0, again.stderr
    assert f"({mode})" in again.stdout
    assert leftovers(index_dir) == []
    assert generations.current_generation(index_dir).name == "gen-000002"
    assert sorted(p.name for p in index_dir.glob("gen-*")) == ["gen-000001", "gen-000002"]
    assert_serves(index_dir, "gen-000002", total, NEW_WORD, CHANGED_URL)


def damage_segment(folder: Path, how: str) -> Path:
    """Truncate a generation's Whoosh segment, or overwrite part of it with garbage."""
    segment = next((folder / WHOOSH_DIR).glob("*.seg"))
    size = segment.stat().st_size
    with open(segment, "r+b") as handle:
        if how == "truncated":
            handle.truncate(size // 2)
        elif how == "emptied":
            handle.truncate(0)
        else:
            fraction = float(how.removeprefix("garbage@"))
            handle.seek(int(size * fraction))
            handle.write(b"\xde\xad\xbe\xef" * 256)
    return segment


def assert_search_unavailable_pages_served(index_dir: Path) -> None:
    """Check search answers 503 with a clear message while pages and health keep working."""
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    page = client.get("/search?q=flag")
    assert page.status_code == 503
    text = page.get_data(as_text=True)
    assert "Search is unavailable right now" in text and "Traceback" not in text
    fragment = client.get("/search?q=flag", headers={"HX-Request": "true"})
    assert fragment.status_code == 503
    assert "Search is unavailable right now" in fragment.get_data(as_text=True)
    api = client.get("/api/search?q=flag")
    assert api.status_code == 503
    assert api.is_json and "Search is unavailable right now" in api.get_json()["error"]
    assert "rebuild" in api.get_json()["error"]
    assert client.get("/api/suggest?q=fla").status_code == 503
    assert client.get("/healthz").status_code == 200
    view = client.get("/docs/flags/overview")
    assert view.status_code == 200 and "Feature flags overview" in view.get_data(as_text=True)
    assert client.get("/api/pages/flags/overview").get_json()["title"] == "Feature flags overview"
    assert client.get("/glossary").status_code == 200
    assert client.get("/reports/stale").status_code == 200


@pytest.mark.parametrize(
    "how", ["truncated", "emptied", *(f"garbage@{f}" for f in (0, 0.25, 0.5, 0.75, 0.99))]
)
def test_a_damaged_segment_makes_search_503_and_pages_keep_working(
    tmp_path: Path, how: str
) -> None:
    index_dir = tmp_path / "ix"
    build_index(load_settings(EXAMPLE_SITE, {"index_dir": index_dir}))
    served = generations.current_generation(index_dir)
    segment = damage_segment(served, how)
    assert (
        generations.damage(served)
        == f"{WHOOSH_DIR}/{segment.name} is damaged (its checksum no longer matches)"
    )
    assert_search_unavailable_pages_served(index_dir)


@pytest.mark.parametrize("how", ["truncated", "garbage@0.5"])
@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_a_rebuild_repairs_a_damaged_segment(tmp_path: Path, how: str, mode: str) -> None:
    site = make_site(tmp_path / "site")
    index_dir = tmp_path / "ix"
    build_index(load_settings(site, {"index_dir": index_dir}))
    damage_segment(generations.current_generation(index_dir), how)
    assert_search_unavailable_pages_served(index_dir)

    repaired = run_kb_index(site, index_dir, *(["--full"] if mode == "full" else []))

    assert repaired.returncode == 0, repaired.stderr
    assert "(full)" in repaired.stdout
    if mode == "incremental":
        assert "gen-000001: not reused (whoosh/" in repaired.stdout
        assert "rebuilt in full" in repaired.stdout
    assert generations.damage(generations.current_generation(index_dir)) is None
    assert_serves(index_dir, "gen-000002", EXAMPLE_PAGES + GENERATED_PAGES, OLD_WORD, CHANGED_URL)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """Mount a 4 MB tmpfs to hold an index, or skip saying why it cannot be mounted."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if shutil.which("mount") is None:
        cannot_run("tmpfs", "no mount command to create a small tmpfs")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        cannot_run(
            "tmpfs", f"cannot mount a tmpfs here: {result.stderr.strip() or result.returncode}"
        )
    try:
        yield mount_point
    finally:
        if subprocess.run(["umount", str(mount_point)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def fill(disk: Path, keep: int) -> Path:
    """Fill a file system with one file until only `keep` bytes are free."""
    stats = os.statvfs(disk)
    free = stats.f_bavail * stats.f_frsize
    filler = disk / "filler.bin"
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, free - keep))
    return filler


@pytest.mark.parametrize("mode", ["full", "incremental"])
def test_disk_full_fails_clearly_and_keeps_the_old_generation(
    small_disk: Path, tmp_path: Path, mode: str
) -> None:
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site)
    index_dir = small_disk / "ix"
    first = run_kb_index(site, index_dir)
    assert first.returncode == 0, first.stderr
    (site / "docs/flags/overview.mdx").write_text(
        (site / "docs/flags/overview.mdx").read_text("utf-8") + f"\n{NEW_WORD}\n", "utf-8"
    )
    filler = fill(small_disk, keep=64 * 1024)

    failed = run_kb_index(site, index_dir, *(["--full"] if mode == "full" else []))

    assert failed.returncode == 1
    assert "kb index: no space left on device" in failed.stderr
    assert "the previous generation (if any) keeps serving" in failed.stderr
    assert "Traceback" not in failed.stderr + failed.stdout
    assert generations.current_generation(index_dir).name == "gen-000001"
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    assert client.get("/healthz").get_json()["generation"] == "gen-000001"
    hits = client.get("/api/search?q=kill+switch").get_json()["results"]
    assert "/docs/flags/kill-switches" in [hit["url"] for hit in hits]
    assert client.get(f"/api/search?q={NEW_WORD}").get_json()["total"] == 0

    filler.unlink()
    again = run_kb_index(site, index_dir)
    assert again.returncode == 0, again.stderr
    assert leftovers(index_dir) == []
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    assert client.get("/healthz").get_json()["generation"] == "gen-000002"
    assert client.get(f"/api/search?q={NEW_WORD}").get_json()["total"] == 1


def test_an_emptied_docs_folder_is_refused_by_the_cli(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site)
    index_dir = tmp_path / "ix"
    assert run_kb_index(site, index_dir).returncode == 0
    shutil.rmtree(site / "docs")
    (site / "docs").mkdir()
    (site / "docs/index.mdx").write_text("# Home\n\nAll that is left.\n", "utf-8")

    refused = run_kb_index(site, index_dir)

    assert refused.returncode == 1
    assert "kb index: refusing to switch: 20 of 21 pages (95%) would vanish" in refused.stderr
    assert "over the 50% limit" in refused.stderr and "--allow-shrink" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert generations.current_generation(index_dir).name == "gen-000001"
    assert leftovers(index_dir) == [] and sorted(p.name for p in index_dir.glob("gen-*")) == [
        "gen-000001"
    ]
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    assert client.get("/healthz").get_json() == {
        "status": "ok",
        "generation": "gen-000001",
        "pages": 21,
    }

    (site / "docs/index.mdx").unlink()
    nothing = run_kb_index(site, index_dir, "--full")
    assert nothing.returncode == 1
    assert "kb index: no page could be indexed; the previous index (if any) keeps serving" in (
        nothing.stderr
    )
    assert generations.current_generation(index_dir).name == "gen-000001"


def test_the_vanish_share_is_configurable_and_can_be_overridden(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site)
    index_dir = tmp_path / "ix"
    assert run_kb_index(site, index_dir).returncode == 0
    shutil.rmtree(site / "docs/rollouts")
    shutil.rmtree(site / "docs/troubleshooting")  # 6 of 21 pages, 29%

    strict = kb_index(site, index_dir, **{"KB_MAX_VANISH_SHARE": "0.2"})
    _, stderr = strict.communicate(timeout=120)
    assert strict.returncode == 1
    assert "6 of 21 pages (29%) would vanish, over the 20% limit" in stderr
    assert generations.current_generation(index_dir).name == "gen-000001"

    allowed = kb_index(site, index_dir, "--allow-shrink", **{"KB_MAX_VANISH_SHARE": "0.2"})
    stdout, stderr = allowed.communicate(timeout=120)
    assert allowed.returncode == 0, stderr
    assert "6 removed" in stdout and "15 pages in gen-000002" in stdout


def test_an_index_from_another_kb_version_makes_search_503_until_rebuilt(tmp_path: Path) -> None:
    """A schema pickled by a kb whose analyzer classes moved cannot load: 503, then a rebuild."""
    site = make_site(tmp_path / "site")
    index_dir = tmp_path / "ix"
    build_index(load_settings(site, {"index_dir": index_dir}))
    served = generations.current_generation(index_dir)
    toc = next((served / WHOOSH_DIR).glob("*.toc"))
    assert b"kb.search.analysis" in toc.read_bytes()
    toc.write_bytes(
        toc.read_bytes().replace(b"kb.search.analysis", b"kb.analyzis")
    )  # a module now gone
    manifest = json.loads((served / "manifest.json").read_text("utf-8"))
    manifest["checksums"] = generations.file_checksums(served)  # intact, only from elsewhere
    manifest["stats"] = generations.file_stats(served)
    (served / "manifest.json").write_text(json.dumps(manifest), "utf-8")

    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    api = client.get("/api/search?q=flag")
    assert api.status_code == 503
    assert "cannot be read" in api.get_json()["error"] and "kb index" in api.get_json()["error"]
    assert client.get("/docs/flags/overview").status_code == 200

    rebuilt = run_kb_index(site, index_dir)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "gen-000001: not reused (cannot be opened: ModuleNotFoundError" in rebuilt.stdout
    assert_serves(index_dir, "gen-000002", EXAMPLE_PAGES + GENERATED_PAGES, OLD_WORD, CHANGED_URL)
