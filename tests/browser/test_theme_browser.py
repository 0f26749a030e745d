"""The dark theme in headless Chromium: the system's choice, the toggle, no flash, axe in both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.browser import test_accessibility
from tests.browser.conftest import DESKTOP, PHONE, BrowserPage, open_tab
from tests.browser.test_accessibility import check_accessible

# axe-core's source, fetched once a session by the accessibility tests' fixture.
axe_source = test_accessibility.axe_source

pytestmark = pytest.mark.browser

DOC = "/docs/get-started/quickstart"
# Read before the body exists, so it is what the first paint of the body uses.
RECORD_FIRST_THEME = """
new MutationObserver((changes, observer) => {
  if (document.body) {
    window.kbThemeAtFirstPaint = document.documentElement.getAttribute("data-theme") || "none";
    window.kbBackgroundAtFirstPaint = getComputedStyle(document.body).backgroundColor;
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""
BODY_BACKGROUND = "getComputedStyle(document.body).backgroundColor"
THEMED_PAGES = [
    "/",
    "/search?q=flag",
    DOC,
    "/docs/reference/audit-logs",
    "/glossary",
    "/reports",
    "/reports/stale",
]


@pytest.fixture
def dark_tab(browser: Browser, live_server: str) -> Iterator[BrowserPage]:
    """Return a desktop tab whose system asks for dark colours."""
    yield from open_tab(browser, live_server, DESKTOP, color_scheme="dark")


@pytest.fixture
def dark_phone_tab(browser: Browser, live_server: str) -> Iterator[BrowserPage]:
    """Return a phone-sized tab whose system asks for dark colours."""
    yield from open_tab(browser, live_server, PHONE, color_scheme="dark")


def luminance(css_colour: str) -> float:
    """Return the relative brightness (0 black, 1 white) of an rgb()/rgba() colour."""
    numbers = css_colour[css_colour.index("(") + 1 : css_colour.index(")")].split(",")
    red, green, blue = (float(n) for n in numbers[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def toggle(tab: BrowserPage) -> str:
    """Press the theme button and return the choice it shows afterwards."""
    button = tab.page.locator(".kb-theme-toggle")
    button.click()
    return button.get_attribute("data-choice") or ""


def test_dark_system_gets_the_dark_theme_without_a_choice(dark_tab: BrowserPage) -> None:
    page = dark_tab.page
    page.goto(dark_tab.url(DOC))
    assert page.evaluate("document.documentElement.getAttribute('data-theme')") is None
    assert luminance(page.evaluate(BODY_BACKGROUND)) < 0.15
    assert luminance(page.evaluate("getComputedStyle(document.body).color")) > 0.75
    button = page.locator(".kb-theme-toggle")
    assert button.is_visible()
    assert button.get_attribute("aria-label") == "Theme: System (dark). Switch to light"
    # The code takes the dark Pygments style: a keyword is not the light style's green.
    keyword = page.locator(".kb-content .highlight .kd").first
    assert keyword.evaluate("e => getComputedStyle(e).color") != "rgb(0, 128, 0)"
    dark_tab.screenshot("theme-dark-desktop.png")
    assert not dark_tab.errors


def test_light_system_gets_the_light_theme(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url(DOC))
    assert luminance(page.evaluate(BODY_BACKGROUND)) > 0.95
    keyword = page.locator(".kb-content .highlight .kd").first
    assert keyword.evaluate("e => getComputedStyle(e).color") == "rgb(0, 128, 0)"
    tab.screenshot("theme-light-desktop.png")
    assert not tab.errors


def test_toggle_choice_persists_across_pages_with_no_flash(tab: BrowserPage) -> None:
    page = tab.page
    page.add_init_script(RECORD_FIRST_THEME)
    page.goto(tab.url("/"))
    assert page.evaluate("window.kbThemeAtFirstPaint") == "none"
    assert toggle(tab) == "dark"
    assert page.evaluate("document.documentElement.getAttribute('data-theme')") == "dark"
    assert luminance(page.evaluate(BODY_BACKGROUND)) < 0.15
    page.locator(".kb-nav a", has_text="Glossary").click()
    page.wait_for_url("**/glossary")
    assert page.evaluate("window.kbThemeAtFirstPaint") == "dark"
    assert luminance(page.evaluate("window.kbBackgroundAtFirstPaint")) < 0.15
    page.goto(tab.url(DOC))
    assert page.evaluate("window.kbThemeAtFirstPaint") == "dark"
    assert page.evaluate("localStorage.getItem('kb-theme')") == "dark"
    # Next: light chosen for good (the system's own), then back to following the system.
    assert toggle(tab) == "light"
    page.reload()
    assert page.evaluate("window.kbThemeAtFirstPaint") == "light"
    assert toggle(tab) == "system"
    assert page.evaluate("localStorage.getItem('kb-theme')") is None
    page.reload()
    assert page.evaluate("window.kbThemeAtFirstPaint") == "none"
    assert not tab.errors


def test_light_choice_wins_over_a_dark_system(dark_tab: BrowserPage) -> None:
    page = dark_tab.page
    page.goto(dark_tab.url(DOC))
    assert toggle(dark_tab) == "light"
    page.goto(dark_tab.url("/reports"))
    assert luminance(page.evaluate(BODY_BACKGROUND)) > 0.95
    keyword_colour = "e => getComputedStyle(e).color"
    page.goto(dark_tab.url(DOC))
    assert page.locator(".highlight .kd").first.evaluate(keyword_colour) == "rgb(0, 128, 0)"
    assert not dark_tab.errors


def test_paper_is_light_whatever_the_screen_shows(dark_tab: BrowserPage) -> None:
    page = dark_tab.page
    page.goto(dark_tab.url(DOC))
    assert toggle(dark_tab) == "light"
    assert toggle(dark_tab) == "dark"
    page.emulate_media(media="print")
    assert luminance(page.evaluate(BODY_BACKGROUND)) > 0.95
    keyword = page.locator(".kb-content .highlight .kd").first
    assert keyword.evaluate("e => getComputedStyle(e).color") == "rgb(0, 128, 0)"
    assert not page.locator(".kb-theme-toggle").is_visible()


def test_without_javascript_the_system_decides_and_no_toggle_shows(
    browser: Browser, live_server: str
) -> None:
    for tab in open_tab(browser, live_server, DESKTOP, javascript=False, color_scheme="dark"):
        tab.page.goto(tab.url(DOC))
        assert luminance(tab.page.evaluate(BODY_BACKGROUND)) < 0.15
        assert not tab.page.locator(".kb-theme-toggle").is_visible()
        assert not tab.page.locator("#kb-search-dialog").is_visible()


def test_report_charts_are_readable_in_the_dark(dark_tab: BrowserPage) -> None:
    page = dark_tab.page
    page.goto(dark_tab.url("/reports/stale"))
    label = page.locator("svg.kb-chart text").first
    assert luminance(label.evaluate("e => getComputedStyle(e).fill")) > 0.6
    dark_tab.screenshot("theme-dark-report.png")
    assert not dark_tab.errors


@pytest.mark.parametrize("path", THEMED_PAGES)
def test_dark_theme_has_no_serious_violation(
    dark_tab: BrowserPage,
    axe_source: str,
    path: str,
) -> None:
    dark_tab.page.goto(dark_tab.url(path))
    check_accessible(dark_tab, axe_source, f"{path} in the dark theme")


@pytest.mark.parametrize("path", ["/", DOC, "/reports/stale"])
def test_dark_phone_layout_has_no_serious_violation(
    dark_phone_tab: BrowserPage,
    axe_source: str,
    path: str,
) -> None:
    dark_phone_tab.page.goto(dark_phone_tab.url(path))
    name = path.strip("/").replace("/", "-") or "home"
    dark_phone_tab.screenshot(f"theme-dark-phone-{name}.png")
    check_accessible(dark_phone_tab, axe_source, f"{path} in the dark theme at 390 px")
