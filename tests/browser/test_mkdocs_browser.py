"""The MkDocs test site in headless Chromium: its tabs, details and footnotes work like kb's own
components, within the CSP, and pass axe-core's WCAG rules."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from kb.build.indexer import build_index
from kb.config import load_settings
from tests.browser.conftest import DESKTOP, BrowserPage, open_tab
from tests.browser.test_accessibility import axe_source, check_accessible
from tests.browser.test_pages_browser import serve
from tests.test_mkdocs_site import SITE

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def mkdocs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve an index of the MkDocs test site over real HTTP."""
    index_dir = tmp_path_factory.mktemp("mkdocs-browser")
    build_index(load_settings(SITE, {"index_dir": index_dir}))
    yield from serve(index_dir)


@pytest.fixture
def mk_tab(browser: Browser, mkdocs_server: str) -> Iterator[BrowserPage]:
    """A desktop tab on the MkDocs site's server."""
    yield from open_tab(browser, mkdocs_server, DESKTOP)


def test_tabbed_blocks_are_keyboard_tabs(mk_tab: BrowserPage) -> None:
    page = mk_tab.page
    page.goto(mk_tab.url("/docs/guides/install"))
    tabs = page.locator(".kb-tabs [role=tab]")
    assert tabs.all_inner_texts() == ["Package", "Container"]
    assert page.get_by_text("sudo apt install lumen-controller").is_visible()
    assert not page.get_by_text("docker run --network host").is_visible()
    tabs.first.focus()
    page.keyboard.press("ArrowRight")
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    assert page.get_by_text("docker run --network host").is_visible()
    assert not page.get_by_text("sudo apt install lumen-controller").is_visible()
    assert mk_tab.errors == []


def test_details_open_and_close_and_footnotes_jump(mk_tab: BrowserPage) -> None:
    page = mk_tab.page
    page.goto(mk_tab.url("/docs/guides/install"))
    answer = page.get_by_text("Art-Net gateways listen on UDP port 6454.")
    assert not answer.is_visible()
    page.get_by_text("Which port does the gateway use?").click()
    assert answer.is_visible()
    assert page.get_by_text("Upgrade the gateway firmware before pairing").is_visible()  # ???+
    page.goto(mk_tab.url("/docs"))
    page.locator("a.footnote-ref").click()
    page.wait_for_url("**/docs#fn:dmx")
    note = page.locator("li[id='fn:dmx']")
    assert note.is_visible() and "one physical DMX link" in note.inner_text()
    page.locator("a.footnote-backref").click()
    page.wait_for_url("**/docs#fnref:dmx")
    assert mk_tab.errors == []


@pytest.mark.parametrize(
    "path", ["/docs", "/docs/guides/install", "/docs/guides/configure", "/docs/reference/cli"]
)
def test_mkdocs_pages_have_no_serious_axe_violation(
    mk_tab: BrowserPage, axe_source: str, path: str
) -> None:
    response = mk_tab.page.goto(mk_tab.url(path))
    assert response is not None and response.status == 200
    check_accessible(mk_tab, axe_source, path)
    assert mk_tab.errors == []


# axe_source is the accessibility tests' fixture, imported so pytest finds it here too.
__all__ = ["axe_source"]
