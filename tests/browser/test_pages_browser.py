"""Page views and the glossary in headless Chromium: tooltips, tabs, filter, safety, looks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from werkzeug.serving import make_server

from kb.build.indexer import build_index
from kb.config import load_settings
from kb.web import create_app
from tests.browser.conftest import PHONE, BrowserPage, open_tab

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Dialog, Page, Response

pytestmark = pytest.mark.browser

CORPUS_PAGE = "/docs/get-started/architecture-scenarios/business-to-business/authorization"
MARKER = "window.__kbMarker"


def real_errors(tab: BrowserPage) -> list[str]:
    """Return the console and page errors and failed loads (open_tab leaves out only the
    browser's own favicon probe, which no page asked for)."""
    return tab.errors


def failed_requests(page: Page) -> list[str]:
    """Start recording responses of 400 and up (the favicon aside); return the live list."""
    failed: list[str] = []

    def on_response(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            failed.append(f"{response.status} {response.url}")

    page.on("response", on_response)
    return failed


def serve(index_dir: Path) -> Iterator[str]:
    """Serve an index over real HTTP in a background thread; yield its base URL."""
    server = make_server("127.0.0.1", 0, create_app({"INDEX_DIR": str(index_dir)}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve an index of the hostile site the page-view tests use."""
    from tests.test_web_docs import write_hostile_site

    root = write_hostile_site(tmp_path_factory.mktemp("hostile-browser") / "site")
    build_index(load_settings(root, {"index_dir": root.parent / "index"}))
    yield from serve(root.parent / "index")


def tip_of(page: Page, text: str) -> tuple[object, object]:
    """Return the tooltip link with a text and the tooltip it describes."""
    link = page.locator("a.kb-tooltip", has_text=text).first
    tip = page.locator(f"#{link.get_attribute('aria-describedby')}")
    return link, tip


def test_tooltip_shows_the_canonical_definition_on_hover(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/docs/flags/kill-switches"))
    link, tip = tip_of(page, "audit log")
    assert not tip.is_visible()  # type: ignore[attr-defined]
    link.hover()  # type: ignore[attr-defined]
    tip.wait_for(state="visible")  # type: ignore[attr-defined]
    text = tip.inner_text()  # type: ignore[attr-defined]
    # The page's tip carries the Webhook definition; kb shows the glossary's Audit Log one.
    assert "tamper-evident record" in text and "HTTP callback" not in text
    box = tip.bounding_box()  # type: ignore[attr-defined]
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280
    page.mouse.move(5, 5)
    tip.wait_for(state="hidden")  # type: ignore[attr-defined]
    assert link.get_attribute("href") == "/glossary/audit-log"  # type: ignore[attr-defined]
    assert real_errors(tab) == []


def test_tooltip_shows_on_keyboard_focus_and_escape_hides_it(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/docs/get-started/quickstart"))
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('kb-tooltip')"):
            break
    else:
        pytest.fail("no tooltip link is reachable with the Tab key")
    described = page.evaluate("document.activeElement.getAttribute('aria-describedby')")
    tip = page.locator(f"#{described}")
    tip.wait_for(state="visible")
    assert tip.get_attribute("role") == "tooltip"
    assert "A secret that lets a server-side SDK download" in tip.inner_text()
    page.keyboard.press("Escape")
    tip.wait_for(state="hidden")
    assert real_errors(tab) == []


def test_tabs_work_with_the_keyboard(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/docs/get-started/quickstart"))
    group = page.locator(".kb-tabs:not(.kb-code-group)").first
    tabs = group.get_by_role("tab")
    assert tabs.all_inner_texts() == ["Node.js", "Python", "Browser"]
    panels = group.locator(":scope > .kb-tab-panel")
    assert [p.is_visible() for p in panels.all()] == [True, False, False]
    tabs.nth(0).focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent") == "Python"
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    assert [p.is_visible() for p in panels.all()] == [False, True, False]
    page.keyboard.press("End")
    assert [p.is_visible() for p in panels.all()] == [False, False, True]
    page.keyboard.press("ArrowRight")  # wraps around to the first tab
    assert tabs.nth(0).get_attribute("aria-selected") == "true"
    assert tabs.nth(0).get_attribute("tabindex") == "0"
    assert tabs.nth(1).get_attribute("tabindex") == "-1"
    panel = panels.nth(0)
    assert panel.get_attribute("aria-labelledby") == tabs.nth(0).get_attribute("id")
    assert real_errors(tab) == []


def test_every_tab_panel_is_readable_without_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/docs/get-started/quickstart")
    panels = page.locator(".kb-tab-panel")
    assert panels.count() == 5
    assert all(p.is_visible() for p in panels.all())
    assert page.locator(".kb-tab-title", has_text="Python").is_visible()
    page.locator("a.kb-tooltip").first.focus()
    assert page.locator(".kb-tip").first.is_visible()  # CSS alone opens tooltips
    context.close()


def test_glossary_filters_as_you_type(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/glossary"))
    page.evaluate(f"{MARKER} = 'still here'")
    page.locator("#kb-glossary-q").press_sequentially("kill", delay=40)
    page.wait_for_function("() => document.querySelectorAll('.kb-term-entry').length === 1")
    assert page.locator(".kb-term-entry dt a").inner_text() == "Kill Switch"
    assert page.evaluate(MARKER) == "still here", "the page was reloaded"
    assert page.url.endswith("/glossary?q=kill")
    assert "1 of 18 terms match" in page.locator("#kb-glossary-count").inner_text()
    page.locator("#kb-glossary-q").fill("")
    page.locator("#kb-glossary-q").press("Backspace")
    page.wait_for_function("() => document.querySelectorAll('.kb-term-entry').length === 18")
    assert real_errors(tab) == []


def test_hostile_page_runs_no_script(browser: Browser, hostile_server: str) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    for tab in open_tab(browser, hostile_server, {"width": 1280, "height": 860}):
        page = tab.page
        page.on("dialog", on_dialog)
        page.goto(tab.url("/docs/hostile"))
        for element in page.locator(".kb-content *").all():
            if element.is_visible():
                element.hover()
        for link in page.locator(".kb-content a").all():
            link.focus()
        page.keyboard.press("Tab")
        page.wait_for_timeout(500)
        assert dialogs == []
        live = ", ".join(f".kb-content {tag}" for tag in ("script", "iframe", "form", "style"))
        assert page.evaluate(f"document.querySelectorAll('{live}').length") == 0
        assert page.evaluate("getComputedStyle(document.body).display") != "none"
        # A blocked inline script would show up as a CSP report in the console.
        assert real_errors(tab) == []
        page.goto(tab.url("/glossary/token"))
        page.wait_for_timeout(200)
        assert dialogs == [] and real_errors(tab) == []


def test_screenshots_of_a_page_and_the_glossary(
    tab: BrowserPage, browser: Browser, live_server: str
) -> None:
    page = tab.page
    failed = failed_requests(page)
    page.goto(tab.url("/docs/get-started/quickstart"))
    page.locator("a.kb-tooltip").first.hover()
    assert tab.screenshot("page.png").stat().st_size > 20_000
    page.goto(tab.url("/glossary"))
    assert tab.screenshot("glossary.png").stat().st_size > 20_000
    page.goto(tab.url("/reports/glossary"))
    tab.screenshot("glossary-report.png")
    for phone in open_tab(browser, live_server, PHONE):
        for path, name in (
            ("/docs/get-started/quickstart", "page-390.png"),
            ("/glossary", "glossary-390.png"),
        ):
            phone.page.goto(phone.url(path))
            width = phone.page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
            phone.screenshot(name)
        assert real_errors(phone) == []
    assert failed == [] and real_errors(tab) == []


@pytest.mark.corpus
def test_screenshot_of_a_real_corpus_page(browser: Browser, corpus_index: Path) -> None:
    for base in serve(corpus_index):
        for tab in open_tab(browser, base, {"width": 1280, "height": 860}):
            failed = failed_requests(tab.page)
            tab.page.goto(tab.url(CORPUS_PAGE))
            assert tab.page.locator("h1").inner_text() == "Business-to-Business Authorization"
            assert tab.page.locator(".kb-toc a").count() >= 10
            tab.page.locator("a.kb-tooltip").first.hover()
            tab.screenshot("page-corpus.png")
            assert failed == [] and real_errors(tab) == []
        for phone in open_tab(browser, base, PHONE):
            phone.page.goto(phone.url(CORPUS_PAGE))
            assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390
            phone.screenshot("page-corpus-390.png")
