"""Browser fixtures: the app on a real HTTP server over the example index, and headless Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest
from werkzeug.serving import make_server

from kb.web import create_app
from tests.required import cannot_run

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request, ViewportSize

# KB_CHROMIUM points the tests at another browser binary (tests/test_required.py hides it with it).
CHROMIUM = Path(os.environ.get("KB_CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass
class BrowserPage:
    """A browser tab on the live server, with every console error and page error it produced."""

    page: Page
    base_url: str
    errors: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on the live server."""
        return self.base_url + path

    def screenshot(self, name: str) -> Path:
        """Save a full-page screenshot under test-artifacts/ and return its path."""
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / name
        self.page.screenshot(path=str(target), full_page=True)
        return target


@pytest.fixture(scope="session")
def live_server(example_index: Path) -> Iterator[str]:
    """Serve the example index over real HTTP on a free port, in a background thread."""
    app = create_app({"INDEX_DIR": str(example_index)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="kb-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch Debian's headless Chromium through Playwright, or skip saying what is missing."""
    if not CHROMIUM.exists():
        cannot_run("browser", f"chromium not installed: {CHROMIUM} is missing (run `make browser`)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        cannot_run("browser", f"the playwright package is missing ({exc})")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Error as exc:
            cannot_run("browser", f"chromium at {CHROMIUM} would not start ({exc.message})")
        yield launched
        launched.close()


def open_tab(
    browser: Browser,
    base_url: str,
    viewport: ViewportSize,
    *,
    javascript: bool = True,
    color_scheme: Literal["light", "dark"] = "light",
) -> Iterator[BrowserPage]:
    """Open a tab that records console errors (CSP violations and responses of 400 and up among
    them), page errors and requests that failed (navigation cancelling a request aside)."""
    context = browser.new_context(
        viewport=viewport, java_script_enabled=javascript, color_scheme=color_scheme
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    tab = BrowserPage(page, base_url)

    def on_console(message: ConsoleMessage) -> None:
        # base.html names no icon, so Chromium's own /favicon.ico probe 404s: not a page error.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            tab.errors.append(message.text)

    page.on("console", on_console)

    def on_request_failed(request: Request) -> None:
        failure = request.failure or ""
        if "ERR_ABORTED" not in failure:  # a navigation or htmx swap cancelled it: not an error
            tab.errors.append(f"request failed: {request.method} {request.url} ({failure})")

    page.on("pageerror", lambda exc: tab.errors.append(f"page error: {exc}"))
    page.on("requestfailed", on_request_failed)
    yield tab
    context.close()


@pytest.fixture
def tab(browser: Browser, live_server: str) -> Iterator[BrowserPage]:
    """Return a desktop-sized tab; the test fails on any console error, CSP violation or failed
    resource load it left unchecked (a test expecting one clears it)."""
    for opened in open_tab(browser, live_server, DESKTOP):
        yield opened
        assert opened.errors == [], f"console errors or failed loads: {opened.errors}"


@pytest.fixture
def phone_tab(browser: Browser, live_server: str) -> Iterator[BrowserPage]:
    """Return a phone-sized tab (390 px wide); it fails like `tab` does."""
    for opened in open_tab(browser, live_server, PHONE):
        yield opened
        assert opened.errors == [], f"console errors or failed loads: {opened.errors}"


@pytest.fixture
def browser_without_js(browser: Browser, live_server: str) -> Iterator[BrowserPage]:
    """Return a desktop-sized tab with JavaScript turned off; it fails like `tab` does."""
    for opened in open_tab(browser, live_server, DESKTOP, javascript=False):
        yield opened
        assert opened.errors == [], f"console errors or failed loads: {opened.errors}"
