"""The scripts speak the reader's language: search dialog, copy button, theme toggle, in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import DESKTOP, BrowserPage

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

DOC = "/docs/reference/audit-logs"


def tab_in(browser: Browser, base_url: str, locale: str) -> Iterator[BrowserPage]:
    """Open a tab whose browser asks for `locale` (Accept-Language and navigator.language)."""
    context = browser.new_context(viewport=DESKTOP, locale=locale)
    page = context.new_page()
    page.set_default_timeout(10_000)
    tab = BrowserPage(page, base_url)
    page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: tab.errors.append(f"page error: {exc}"))
    yield tab
    context.close()


@pytest.fixture
def ja_tab(browser: Browser, live_server: str) -> Iterator[BrowserPage]:
    yield from tab_in(browser, live_server, "ja-JP")


@pytest.fixture
def fr_tab(browser: Browser, live_server: str) -> Iterator[BrowserPage]:
    yield from tab_in(browser, live_server, "fr-CA")


def test_search_dialog_speaks_japanese(ja_tab: BrowserPage) -> None:
    page = ja_tab.page
    page.goto(ja_tab.url(DOC))
    assert page.evaluate("document.documentElement.lang").startswith("ja")
    page.keyboard.press("Control+k")
    page.locator("#kb-search-dialog[open]").wait_for()
    box = page.locator("#kb-sd-q")
    assert box.get_attribute("placeholder") == "ドキュメントを検索"
    assert "で選択" in page.locator("#kb-sd-help").inner_text()
    box.press_sequentially("webhook", delay=20)
    status = page.locator("#kb-sd-status")
    page.wait_for_function(
        "() => document.getElementById('kb-sd-status').textContent.endsWith('見つかりました。')"
        " || document.getElementById('kb-sd-status').textContent.endsWith('表示しています。')"
    )
    assert "page" not in status.inner_text()
    box.fill("")
    box.press_sequentially("zzqqxxyy", delay=20)
    page.wait_for_function(
        "() => document.getElementById('kb-sd-status').textContent.includes('一致するページはありません')"
    )
    assert status.inner_text() == "「zzqqxxyy」に一致するページはありません。"
    ja_tab.screenshot("locale-ja-dialog.png")
    assert not ja_tab.errors


def test_copy_button_and_theme_toggle_speak_japanese(ja_tab: BrowserPage) -> None:
    page = ja_tab.page
    page.goto(ja_tab.url(DOC))
    block = page.locator(".kb-content .kb-code").first
    button = block.locator(".kb-code-copy")
    assert button.inner_text() == "コピー"
    button.click()
    page.wait_for_function(
        "() => ['コピーしました', 'Ctrl+C を押してください']"
        ".includes(document.querySelector('.kb-code-copy').textContent)"
    )
    toggle = page.locator(".kb-theme-toggle")
    label = toggle.get_attribute("aria-label") or ""
    assert label.startswith("テーマ：") and "に切り替え" in label
    assert "Theme" not in label and "Switch" not in label
    ja_tab.screenshot("locale-ja-page.png")
    assert not ja_tab.errors


def test_french_counts_use_the_french_plural_rule(fr_tab: BrowserPage) -> None:
    page = fr_tab.page
    page.goto(fr_tab.url("/search?q=webhook"))
    assert page.locator("h1").inner_text().startswith("Résultats pour")
    page.keyboard.press("Control+k")
    page.locator("#kb-search-dialog[open]").wait_for()
    page.locator("#kb-sd-q").press_sequentially("webhook", delay=20)
    page.wait_for_function(
        "() => / trouvées?\\.$/.test(document.getElementById('kb-sd-status').textContent)"
    )
    assert "found" not in page.locator("#kb-sd-status").inner_text()
    page.keyboard.press("Escape")
    fr_tab.screenshot("locale-fr-search.png")
    page.goto(fr_tab.url(DOC))
    assert page.locator(".kb-code-copy").first.inner_text() == "Copier"
    fr_tab.screenshot("locale-fr-page.png")
    assert not fr_tab.errors
