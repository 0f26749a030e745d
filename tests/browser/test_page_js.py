"""static/page.js in headless Chromium: it survives a malformed #hash and disconnects the table of
contents' observer when its headings leave the page. The `tab` fixture fails on any console or
page error."""

from __future__ import annotations

import pytest

from tests.browser.conftest import BrowserPage
from tests.browser.test_search_browser import type_query

pytestmark = pytest.mark.browser

PAGE = "/docs/get-started/quickstart"
# Count what IntersectionObservers observe and disconnect, before page.js runs.
COUNT_OBSERVERS = """
window.__kbObserving = 0;
window.__kbDisconnects = 0;
const observe = IntersectionObserver.prototype.observe;
const disconnect = IntersectionObserver.prototype.disconnect;
IntersectionObserver.prototype.observe = function (target) {
  window.__kbObserving += 1;
  return observe.call(this, target);
};
IntersectionObserver.prototype.disconnect = function () {
  window.__kbDisconnects += 1;
  return disconnect.call(this);
};
"""


@pytest.mark.parametrize("fragment", ["%E0%A4%A", "%", "%zz", "%ED%A0%80", "a%20b%"])
def test_a_malformed_hash_breaks_nothing(tab: BrowserPage, fragment: str) -> None:
    page = tab.page
    page.goto(tab.url(f"{PAGE}#{fragment}"))
    # Everything page.js enhances after reading the hash is still enhanced.
    assert page.locator(".kb-content [role='tablist']").count() > 0
    assert page.locator(".kb-toc a[aria-current='true']").count() <= 1
    page.evaluate(f"location.hash = '#{fragment}x'")
    page.evaluate("location.hash = '#%C0'")
    page.wait_for_timeout(100)
    tabs = page.locator(".kb-content [role='tab']")
    tabs.nth(1).click()
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    assert tab.errors == []


def test_the_toc_observer_is_disconnected_when_its_headings_leave(tab: BrowserPage) -> None:
    page = tab.page
    page.add_init_script(COUNT_OBSERVERS)
    page.goto(tab.url(PAGE))
    assert page.evaluate("window.__kbObserving") > 0
    assert page.evaluate("window.__kbDisconnects") == 0
    page.locator("#kb-q").click()
    type_query(tab, "kill switch")  # htmx swaps the results into #main: the headings are gone
    # htmx:load may fire a moment after the results show on a busy machine.
    page.wait_for_function("() => window.__kbDisconnects >= 1", timeout=5_000)
    assert page.evaluate("window.__kbDisconnects") == 1
    assert tab.errors == []


def test_the_toc_observer_is_disconnected_when_the_page_is_hidden(tab: BrowserPage) -> None:
    page = tab.page
    page.add_init_script(COUNT_OBSERVERS)
    page.goto(tab.url(PAGE))
    assert page.evaluate("window.__kbObserving") > 0
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    assert page.evaluate("window.__kbDisconnects") == 1
    page.evaluate("window.dispatchEvent(new PageTransitionEvent('pagehide'))")
    assert page.evaluate("window.__kbDisconnects") == 1  # nothing left to disconnect
    assert tab.errors == []
