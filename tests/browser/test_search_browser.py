"""Search in headless Chromium: search-as-you-type, history, keyboard, suggestions, glossary."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

if TYPE_CHECKING:  # tests/ is not a package on sys.path at run time; the fixtures provide these
    from tests.browser.conftest import BrowserPage

pytestmark = pytest.mark.browser

MARKER = "window.__kbMarker"


def query_in(url: str) -> str:
    """Return the q parameter of a URL ('' when absent)."""
    return parse_qs(urlsplit(url).query).get("q", [""])[0]


def results_for(tab: BrowserPage, query: str) -> None:
    """Wait until #main shows the results of a query."""
    tab.page.wait_for_function(
        "q => { const r = document.getElementById('kb-results');"
        " return r && r.dataset.query === q && !document.getElementById('main').ariaBusy; }",
        arg=query,
    )


def type_query(tab: BrowserPage, query: str) -> None:
    """Replace the header box's text with a query, as a reader would, and wait for its results."""
    box = tab.page.locator("#kb-q")
    box.fill("")
    box.press_sequentially(query, delay=40)
    results_for(tab, query)


def test_typing_shows_highlighted_results_without_a_page_load(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/docs/get-started/quickstart"))
    page.evaluate(f"{MARKER} = 'still here'")
    page.locator("#kb-q").click()
    type_query(tab, "kill switch")
    assert page.evaluate(MARKER) == "still here", "the page was reloaded"
    assert urlsplit(page.url).path == "/search" and query_in(page.url) == "kill switch"
    assert page.locator("#main .kb-hit-link").count() > 0
    assert page.locator("#main .kb-hit-snippet mark").count() > 0
    assert page.title().startswith("kill switch")
    assert page.locator("#kb-search-status").text_content() == page.locator(
        "#kb-results"
    ).get_attribute("data-count-text")
    tab.screenshot("search.png")
    assert not tab.errors


def test_back_restores_the_previous_query(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/"))
    page.evaluate(f"{MARKER} = 'still here'")
    type_query(tab, "webhook")
    page.wait_for_url(re.compile(r"q=webhook"))
    type_query(tab, "rollout")
    page.wait_for_url(re.compile(r"q=rollout"))
    page.go_back()
    results_for(tab, "webhook")
    assert query_in(page.url) == "webhook"
    assert page.locator("#kb-q").input_value() == "webhook"
    assert page.evaluate(MARKER) == "still here"
    page.go_back()
    page.wait_for_url(tab.url("/"))
    # The URL changes before htmx swaps the restored page in: wait for the swap (a timeout
    # here is the failure), then check it.
    page.wait_for_function(
        "() => document.getElementById('kb-q') && !document.getElementById('kb-results')"
    )
    assert page.locator("#kb-results").count() == 0
    page.go_forward()
    results_for(tab, "webhook")
    assert not tab.errors


def test_arrow_keys_move_through_results_and_enter_opens_one(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/search"))
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "kb-q"
    page.keyboard.type("flag", delay=40)
    results_for(tab, "flag")
    links = page.locator("#main .kb-hit-link")
    assert links.count() >= 2
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.className") == "kb-hit-link"
    page.keyboard.press("ArrowDown")
    second = links.nth(1).get_attribute("href")
    assert page.evaluate("document.activeElement.getAttribute('href')") == second
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "kb-q"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    tab.screenshot("search-keyboard.png")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert second and page.url == tab.url(second)
    assert page.locator("article.kb-page h1").count() == 1
    assert not tab.errors


def test_misspelled_query_offers_did_you_mean(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/search"))
    type_query(tab, "percentge rolouts")
    suggestion = page.locator(".kb-did-you-mean .kb-suggestion")
    suggested = suggestion.text_content() or ""
    assert suggested and suggested != "percentge rolouts"
    tab.screenshot("search-did-you-mean.png")
    suggestion.click()
    results_for(tab, suggested)
    assert query_in(page.url) == suggested
    assert page.locator("#kb-q").input_value() == suggested
    assert page.locator("#main .kb-hit-link").count() > 0
    assert not tab.errors


def test_mfa_shows_the_glossary_card(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/docs/flags/overview"))
    type_query(tab, "MFA")
    card = page.locator(".kb-glossary-card")
    card.wait_for()
    assert "MFA" in (card.locator(".kb-glossary-card-term").text_content() or "")
    assert (card.locator("a").first.get_attribute("href") or "").startswith("/glossary/")
    tab.screenshot("search-glossary.png")
    assert not tab.errors


def test_no_results_and_syntax_help(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/search"))
    tab.screenshot("search-empty.png")
    type_query(tab, "zzqqxxyy wwvvkk")
    assert page.locator(".kb-no-results").is_visible()
    assert page.locator(".kb-syntax").is_visible()
    tab.screenshot("search-no-results.png")
    assert not tab.errors


def test_phone_width_has_no_sideways_scroll(phone_tab: BrowserPage) -> None:
    page = phone_tab.page
    page.goto(phone_tab.url("/search?q=flag"))
    page.locator("#main .kb-hit-link").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_tab.screenshot("search-390.png")
    type_query(phone_tab, "MFA")
    page.locator(".kb-glossary-card").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone_tab.screenshot("search-390-glossary.png")
    assert not phone_tab.errors


def test_search_works_without_javascript(browser_without_js: BrowserPage) -> None:
    page = browser_without_js.page
    page.goto(browser_without_js.url("/docs/get-started/quickstart"))
    page.locator("#kb-q").fill("rollout")
    with page.expect_navigation():
        page.locator("#kb-q").press("Enter")
    assert query_in(page.url) == "rollout"
    assert page.locator("#main .kb-hit-link").count() > 0
    facet = page.locator(".kb-facet-link").first
    with page.expect_navigation():
        facet.click()
    assert page.locator(".kb-facet-link.is-selected").count() == 1
