"""Tests of `kb serve` as a real gunicorn process, including --watch re-indexing."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.server


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get_json(url: str) -> tuple[int, dict[str, object]]:
    """GET a URL and return its status and JSON body."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def wait_for(check: object, seconds: float) -> float:
    """Poll a callable until it returns truthy; return how long it took, or fail."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if check():  # type: ignore[operator]
                return time.monotonic() - started
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    pytest.fail(f"condition not met within {seconds} s")


@contextlib.contextmanager
def kb_serve(
    index_dir: Path, log_file: Path, *extra: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run `kb serve` with two workers on an index until the block ends; yield its base URL and
    process once /healthz answers (stopped with SIGTERM, as a service manager does)."""
    port = free_port()
    with open(log_file, "w") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "kb.cli", "serve", "--index-dir", str(index_dir)),
                *("--port", str(port), "--workers", "2", *extra),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(lambda: get_json(base + "/healthz")[0] == 200, 60)
            yield base, process
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)


@pytest.fixture
def watched_server(site: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Run `kb serve --watch` on a private copy of the example site."""
    with kb_serve(tmp_path / "ix", tmp_path / "server.log", "--watch", str(site)) as (base, _):
        yield base, site


def test_serve_answers_with_gunicorn_and_no_debugger(watched_server: tuple[str, Path]) -> None:
    base, _ = watched_server
    status, body = get_json(base + "/healthz")
    assert status == 200 and body["status"] == "ok"
    status, body = get_json(base + "/api/pages/nope")
    assert status == 404 and "error" in body
    with urllib.request.urlopen(base + "/", timeout=5) as response:
        assert "gunicorn" in response.headers.get("Server", "")


def test_watch_reindexes_an_edited_page_within_seconds(watched_server: tuple[str, Path]) -> None:
    base, site = watched_server
    page = site / "docs" / "get-started" / "quickstart.mdx"
    text = page.read_text("utf-8")
    start_title = get_json(base + "/api/pages/get-started/quickstart")[1]["title"]
    page.write_text(
        text.replace(f"title: {start_title}", "title: Quickstart edited live", 1), "utf-8"
    )
    assert "Quickstart edited live" in page.read_text("utf-8")
    wait_for(
        lambda: (
            get_json(base + "/api/pages/get-started/quickstart")[1]["title"]
            == "Quickstart edited live"
        ),
        20,
    )
    # Each worker re-checks CURRENT within a second; /healthz may land on either of them.
    wait_for(lambda: get_json(base + "/healthz")[1]["generation"] != "gen-000001", 5)


def worker_pids(master: int) -> list[int]:
    """Return the gunicorn workers of a master process (its child processes)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def deleted_files_held(pids: list[int], index_dir: Path) -> dict[int, list[str]]:
    """Return, per process, the deleted files under index_dir it still has open."""
    held: dict[int, list[str]] = {}
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue  # closed between listing and reading
            if target.endswith(" (deleted)") and str(index_dir) in target:
                held.setdefault(pid, []).append(target)
    return held


def test_workers_close_superseded_generations(site: Path, tmp_path: Path) -> None:
    """After three switches, no worker holds a file of a deleted generation open."""
    index_dir = tmp_path / "ix"
    kb = [sys.executable, "-m", "kb.cli"]
    subprocess.run([*kb, "index", str(site), "--index-dir", str(index_dir)], check=True)
    page = site / "docs" / "get-started" / "quickstart.mdx"
    with kb_serve(index_dir, tmp_path / "server.log") as (base, process):
        workers = worker_pids(process.pid)
        assert len(workers) == 2
        for switch in range(1, 4):
            # Every worker opens the page store and search readers of the served generation.
            for _ in range(30):
                assert get_json(base + "/api/search?q=flag")[0] == 200
                assert get_json(base + "/api/pages/get-started/quickstart")[0] == 200
            page.write_text(page.read_text("utf-8") + f"\nEdited {switch}.\n", "utf-8")
            args = ["--full"] if switch == 2 else []
            subprocess.run(
                [*kb, "index", str(site), "--index-dir", str(index_dir), *args], check=True
            )
            expected = f"gen-{switch + 1:06d}"
            wait_for(lambda want=expected: get_json(base + "/healthz")[1]["generation"] == want, 10)
        assert not (index_dir / "gen-000001").exists() and not (index_dir / "gen-000002").exists()
        # Idle workers notice the switch too (they poll CURRENT every second).
        wait_for(lambda: not deleted_files_held(workers, index_dir), 15)
        assert deleted_files_held(workers, index_dir) == {}
        assert get_json(base + "/api/search?q=flag")[1]["total"] > 0


def search_files_open(pid: int, generation: Path) -> bool:
    """Tell whether a process has a generation's search index open (mapped or as a file)."""
    whoosh = str(generation / "whoosh")
    if whoosh in Path(f"/proc/{pid}/maps").read_text():
        return True
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd).startswith(whoosh):
                return True
        except OSError:
            continue  # closed between listing and reading
    return False


def test_workers_open_each_generation_before_a_search_needs_it(site: Path, tmp_path: Path) -> None:
    """No search request is sent: each worker opens its first generation's search index before
    its first request, and a newly published one in the background, then serves it."""
    index_dir = tmp_path / "ix"
    kb = [sys.executable, "-m", "kb.cli"]
    subprocess.run([*kb, "index", str(site), "--index-dir", str(index_dir)], check=True)
    with kb_serve(index_dir, tmp_path / "server.log") as (base, process):
        workers = worker_pids(process.pid)
        assert len(workers) == 2
        first = index_dir / "gen-000001"
        # No search was asked for: each worker opened the index on its own (the second one may
        # still be warming when the first answers /healthz).
        wait_for(lambda: all(search_files_open(pid, first) for pid in workers), 30)
        page = site / "docs" / "get-started" / "quickstart.mdx"
        page.write_text(page.read_text("utf-8") + "\nEdited.\n", "utf-8")
        subprocess.run([*kb, "index", str(site), "--index-dir", str(index_dir)], check=True)
        second = index_dir / "gen-000002"
        wait_for(lambda: all(search_files_open(pid, second) for pid in workers), 30)
        wait_for(lambda: get_json(base + "/healthz")[1]["generation"] == second.name, 10)
        assert get_json(base + "/api/search?q=flag")[1]["total"] > 0
