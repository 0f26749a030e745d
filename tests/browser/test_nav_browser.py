"""The site nav in headless Chromium: keyboard through the sidebar, previous/next, axe, the 404."""

from __future__ import annotations

import pytest

from tests.browser.conftest import BrowserPage
from tests.browser.test_accessibility import DOCUMENT_404, axe_source, check_accessible

pytestmark = pytest.mark.browser
__all__ = ["axe_source"]  # the fixture, shared with the accessibility tests

NESTED = "/docs/rollouts/scheduled-releases"


def _focused(tab: BrowserPage) -> str:
    return str(tab.page.evaluate("document.activeElement.outerHTML"))


def test_keyboard_through_the_sidebar(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/docs/get-started/quickstart"))
    page.focus(".kb-sidenav summary")  # "Get started"
    seen = []
    for _ in range(12):
        page.keyboard.press("Tab")
        seen.append(_focused(tab))
        if "Advanced rollouts" in seen[-1]:
            break
    assert any('href="/docs/flags/kill-switches"' in s for s in seen)
    assert "<summary>Advanced rollouts</summary>" in seen[-1]  # a closed group: its links skipped
    closed = page.locator('.kb-sidenav details:has(> summary:text("Advanced rollouts"))')
    assert closed.get_attribute("open") is None
    page.keyboard.press("Enter")  # opens the group
    assert closed.get_attribute("open") is not None
    page.keyboard.press("Tab")
    assert 'href="/docs/rollouts/scheduled-releases"' in _focused(tab)
    page.keyboard.press("Enter")
    page.wait_for_url("**" + NESTED)
    current = page.locator('.kb-sidenav a[aria-current="page"]')
    assert current.get_attribute("href") == NESTED and current.is_visible()
    assert not tab.errors


def test_previous_and_next_walk_the_nav_order(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/docs/get-started/environments"))
    page.locator('a[rel="next"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/docs/get-started/sdk-keys")
    assert page.locator("h1").inner_text() == "SDK keys and client-side IDs"
    page.locator('a[rel="next"]').click()
    page.wait_for_url("**/docs/flags/overview")  # across groups, in nav order
    page.locator('a[rel="prev"]').click()
    page.wait_for_url("**/docs/get-started/sdk-keys")
    assert not tab.errors


def test_sidebar_page_has_no_serious_violation(tab: BrowserPage, axe_source: str) -> None:
    tab.page.goto(tab.url(NESTED))
    check_accessible(tab, axe_source, NESTED)


def test_sidebar_works_without_javascript(browser_without_js: BrowserPage) -> None:
    page = browser_without_js.page
    page.goto(browser_without_js.url(NESTED))
    page.locator('.kb-sidenav summary:text("Flags")').click()  # <details> fold without scripts
    assert page.locator('.kb-sidenav a[href="/docs/flags/actions"]').is_hidden()


def test_the_404_offers_pages_and_a_search(tab: BrowserPage, axe_source: str) -> None:
    response = tab.page.goto(tab.url("/docs/flags/kil-switches"))
    assert response is not None and response.status == 404
    assert tab.errors == [DOCUMENT_404]
    tab.errors.clear()
    assert tab.page.locator("#kb-missing-q").input_value() == "flags kil switches"
    check_accessible(tab, axe_source, "the 404 of a near miss")
    tab.page.locator(".kb-missing-list a").first.click()
    tab.page.wait_for_url("**/docs/flags/kill-switches")
