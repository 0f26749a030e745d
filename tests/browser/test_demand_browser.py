"""The search box in headless Chromium logs the query a reader settled on, not each keystroke."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from werkzeug.serving import make_server

from kb.web import create_app
from kb.web.demand import search_log

if TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


@pytest.fixture
def logging_server(example_index: Path, tmp_path: Path) -> Iterator[tuple[str, Flask]]:
    """Serve the example index over HTTP, logging searches into tmp_path."""
    app = create_app(
        {"INDEX_DIR": str(example_index), "SETTINGS": {"state_dir": str(tmp_path / "state")}}
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app
    server.shutdown()
    thread.join(timeout=5)
    found = search_log(app)
    if found is not None:
        found.close()


def logged(app: Flask) -> list[str]:
    """Return every logged query, oldest first."""
    found = search_log(app)
    assert found is not None
    with found.reading() as conn:
        return [q for (q,) in conn.execute("SELECT query FROM searches ORDER BY id")]


def wait_logged(app: Flask, expected: list[str], seconds: float = 10) -> None:
    """Wait until the log holds exactly the expected queries (and stays so for a moment)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and logged(app) != expected:
        time.sleep(0.1)
    time.sleep(0.5)  # a late duplicate would show up now
    assert logged(app) == expected


@pytest.fixture
def page(browser: Browser, logging_server: tuple[str, Flask]) -> Iterator[Page]:
    """A tab on the logging server."""
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def test_typing_logs_only_the_settled_query(page: Page, logging_server: tuple[str, Flask]) -> None:
    base, app = logging_server
    page.goto(base + "/")
    box = page.locator("#kb-q")
    # Slower than htmx's 250 ms delay: the server answers a request for "k", "ki", "kil"…
    with page.expect_request(lambda r: "q=kil" in r.url):
        box.press_sequentially("kill switch", delay=300)
    wait_logged(app, ["kill switch"])
    box.press("Enter")  # the same query again, at once: already counted
    page.wait_for_timeout(500)
    box.fill("flag")
    box.press("Enter")  # "search" and "submit" both fire: one row
    wait_logged(app, ["kill switch", "flag"])


def test_leaving_before_the_pause_still_logs_the_query(
    page: Page, logging_server: tuple[str, Flask]
) -> None:
    base, app = logging_server
    page.goto(base + "/")
    page.locator("#kb-q").press_sequentially("segment", delay=40)
    page.wait_for_selector("#main .kb-hit-link")
    page.locator("#main .kb-hit-link").first.click()  # before 1.5 s have passed
    page.wait_for_load_state()
    wait_logged(app, ["segment"])
