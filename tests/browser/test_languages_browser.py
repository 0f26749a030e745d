"""The language switcher and the localized interface in headless Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from werkzeug.serving import make_server

from kb.build.indexer import build_index
from kb.config import load_settings
from kb.web import create_app
from tests.browser.conftest import DESKTOP, BrowserPage, open_tab
from tests.multilingual import write_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def multilingual_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the multilingual fixture site (English, French, Japanese…) over real HTTP."""
    root = tmp_path_factory.mktemp("multilingual-browser")
    site = write_site(root / "site")
    build_index(load_settings(site, {"index_dir": root / "ix"}))
    server = make_server("127.0.0.1", 0, create_app({"INDEX_DIR": str(root / "ix")}), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def ml_tab(browser: Browser, multilingual_server: str) -> Iterator[BrowserPage]:
    for opened in open_tab(browser, multilingual_server, DESKTOP):
        yield opened
        assert opened.errors == [], f"console errors or failed loads: {opened.errors}"


def test_the_switcher_walks_one_page_through_its_languages(ml_tab: BrowserPage) -> None:
    page = ml_tab.page
    page.goto(ml_tab.url("/docs/ja-jp/tokens/refresh-tokens"))
    assert page.get_attribute("html", "lang") == "ja-jp"
    assert page.locator("#kb-q").get_attribute("placeholder") == "ドキュメントを検索"
    switcher = page.get_by_role("navigation", name="言語")
    assert switcher.locator("[aria-current]").inner_text() == "日本語"
    switcher.get_by_role("link", name="français (Canada)").click()
    page.wait_for_url("**/docs/fr-ca/tokens/refresh-tokens")
    assert page.get_attribute("html", "lang") == "fr-ca"
    assert page.locator("h1").inner_text() == "Rotation des jetons d’actualisation"
    assert page.locator("#kb-q").get_attribute("placeholder") == "Rechercher dans la documentation"
    page.get_by_role("navigation", name="Langues").get_by_role("link", name="English").click()
    page.wait_for_url("**/docs/tokens/refresh-tokens")
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("navigation", name="Languages").is_visible()


def test_the_switcher_is_reachable_by_keyboard(ml_tab: BrowserPage) -> None:
    page = ml_tab.page
    page.goto(ml_tab.url("/docs/tokens/refresh-tokens"))
    link = page.get_by_role("navigation", name="Languages").get_by_role("link", name="日本語")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/docs/ja-jp/tokens/refresh-tokens")
    assert page.locator("h1").inner_text() == "リフレッシュトークンのローテーション"


def test_a_search_from_a_japanese_page_stays_japanese(ml_tab: BrowserPage) -> None:
    page = ml_tab.page
    page.goto(ml_tab.url("/docs/ja-jp/tokens/refresh-tokens"))
    page.locator("#kb-q").fill("トークン")  # search as you type carries the page's language
    page.wait_for_url("**/search?**")
    assert "lang=ja-jp" in page.url
    assert page.get_attribute("html", "lang") == "ja-jp"
    first = page.locator(".kb-hit a").first
    assert "/docs/ja-jp/" in (first.get_attribute("href") or "")
