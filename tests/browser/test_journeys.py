"""Reader journeys end to end in headless Chromium: search, glossary tooltips, the stale report."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

from kb.reports.staleness import STATUS_LABELS
from tests.browser.conftest import ARTIFACTS, BrowserPage

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

pytestmark = pytest.mark.browser

MARKER = "window.__kbJourney"
# Chromium reports CSP violations in the console too; this makes each one an explicit error.
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", (e) =>
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")));"""
SEARCH_QUERY = "rate limit"
TOOLTIP_PAGE = "/docs/flags/kill-switches"
TOOLTIP_TERM = "/glossary/audit-log"
FILTER_STATUS = "invalid"  # statuses of invalid dates do not change with the day the test runs
HEADING_IN_VIEW = """id => {
  const heading = document.getElementById(id);
  if (!heading) return null;
  const box = heading.getBoundingClientRect();
  return {tag: heading.tagName, text: heading.textContent,
          inView: box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0};
}"""
TABLE_ROWS = """() => [...document.querySelectorAll("#kb-stale-table tbody tr")].map(tr => {
  const cells = [...tr.children].map(td => td.querySelector(".kb-url")
    ? td.querySelector("a").textContent.trim() : td.textContent.trim());
  return {url: tr.dataset.url, title: cells[0], section: cells[1], date: cells[2],
          age: cells[3], status: cells[4], problem: cells[6]};
})"""


def watch(tab: BrowserPage) -> list[str]:
    """Report CSP violations as console errors and record failed responses; return that list."""
    failed: list[str] = []

    def on_response(response: Response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            failed.append(f"{response.status} {response.url}")

    tab.page.add_init_script(CSP_LISTENER)
    tab.page.on("response", on_response)
    return failed


def snap(tab: BrowserPage, name: str, *, full_page: bool = True) -> Path:
    """Save test-artifacts/journey-<name>.png: the whole page, or only what the reader sees."""
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"journey-{name}.png"
    tab.page.screenshot(path=str(target), full_page=full_page)
    return target


def assert_clean(tab: BrowserPage, failed: list[str], where: str) -> None:
    """Fail when the journey so far logged a console error, CSP violation or failed request."""
    assert tab.errors == [], f"console errors by {where}: {tab.errors}"
    assert failed == [], f"failed requests by {where}: {failed}"


def hit_heading(page: Page) -> str:
    """Return the section heading named by the focused search result ('' for a whole page)."""
    return str(
        page.evaluate(
            "() => [...(document.activeElement.querySelector('.kb-hit-heading')?.childNodes || [])]"
            ".filter(n => n.nodeType === Node.TEXT_NODE).map(n => n.textContent).join('').trim()"
        )
    )


def test_search_as_you_type_then_open_a_section_with_the_keyboard(tab: BrowserPage) -> None:
    page = tab.page
    failed = watch(tab)
    page.goto(tab.url("/"))
    page.evaluate(f"{MARKER} = 'no reload'")
    page.locator("#kb-q").press_sequentially(SEARCH_QUERY, delay=40)
    page.wait_for_function(
        "q => document.getElementById('kb-results')?.dataset.query === q"
        " && !document.getElementById('main').ariaBusy",
        arg=SEARCH_QUERY,
    )
    assert page.evaluate(MARKER) == "no reload", "typing in the header reloaded the page"
    assert parse_qs(urlsplit(page.url).query)["q"] == [SEARCH_QUERY]
    links = page.locator("#main .kb-hit-link")
    assert links.count() > 0
    snap(tab, "search-results")
    assert_clean(tab, failed, "search as you type")

    # Walk down the results with the arrow keys to the first one that opens a page section.
    for _ in range(links.count()):
        page.keyboard.press("ArrowDown")
        href = str(page.evaluate("document.activeElement.getAttribute('href') || ''"))
        if "#" in href:
            break
    else:
        pytest.fail(f"no result for {SEARCH_QUERY!r} links a page section")
    assert "kb-hit-link" in page.evaluate("document.activeElement.className")
    heading = hit_heading(page)
    assert heading, "a result that links a section should name that section"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == tab.url(href)
    anchor = str(page.evaluate("decodeURIComponent(location.hash.slice(1))"))
    assert anchor and href.endswith("#" + urlsplit(page.url).fragment)
    landed: dict[str, Any] | None = page.evaluate(HEADING_IN_VIEW, anchor)
    assert landed is not None, f"the page has no element with id {anchor!r}"
    assert landed["tag"] in {"H2", "H3", "H4", "H5", "H6"}
    assert heading in landed["text"]
    assert landed["inView"], f"the heading {heading!r} is not in view after opening the result"
    snap(tab, "search-landed", full_page=False)
    assert_clean(tab, failed, "opening a search result")


def test_tooltip_to_glossary_term_and_back_to_a_page_using_it(tab: BrowserPage) -> None:
    page = tab.page
    failed = watch(tab)
    term = page.request.get(tab.url(f"/api{TOOLTIP_TERM}")).json()
    definition = term["definition"]
    page.goto(tab.url(TOOLTIP_PAGE))
    link = page.locator(f'a.kb-tooltip[href="{TOOLTIP_TERM}"]').first
    tip = page.locator(f"#{link.get_attribute('aria-describedby')}")
    assert not tip.is_visible()

    link.hover()
    tip.wait_for(state="visible")
    assert definition in tip.inner_text(), "the tooltip does not show the glossary's definition"
    snap(tab, "tooltip-hover", full_page=False)
    page.mouse.move(2, 2)
    tip.wait_for(state="hidden")

    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == TOOLTIP_TERM:
            break
    else:
        pytest.fail(f"the tooltip link to {TOOLTIP_TERM} is not reachable with the Tab key")
    tip.wait_for(state="visible")
    assert definition in tip.inner_text()
    snap(tab, "tooltip-focus", full_page=False)
    assert_clean(tab, failed, "the tooltip")

    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == tab.url(TOOLTIP_TERM)
    assert page.locator("h1").inner_text() == term["term"]
    assert definition in page.locator(".kb-definition").inner_text()
    clipped = "[...document.querySelectorAll('.kb-table-wrap')].filter(w => w.scrollWidth > w.clientWidth)"
    assert page.evaluate(f"{clipped}.length") == 0, "a table on the term page is cut off"
    snap(tab, "glossary-term")
    assert_clean(tab, failed, "the glossary term page")

    # Back to the docs: another page whose tooltips link this term.
    usage = page.locator(".kb-term-usage tbody tr")
    target = None
    for i in range(usage.count()):
        row = usage.nth(i)
        url = row.locator("a").first.get_attribute("href")
        if url != TOOLTIP_PAGE and int(row.locator("td").nth(1).inner_text()) > 0:
            target = row.locator("a").first
            break
    assert target is not None, "no other page has a tooltip for this term"
    destination = target.get_attribute("href") or ""
    with page.expect_navigation():
        target.click()
    assert urlsplit(page.url).path == destination
    back_link = page.locator(f'a.kb-tooltip[href="{TOOLTIP_TERM}"]').first
    back_link.hover()
    page.locator(f"#{back_link.get_attribute('aria-describedby')}").wait_for(state="visible")
    assert (
        definition in page.locator(f"#{back_link.get_attribute('aria-describedby')}").inner_text()
    )
    snap(tab, "term-used-on", full_page=False)
    assert_clean(tab, failed, "the page using the term")


def expected_cells(row: dict[str, str]) -> dict[str, str]:
    """Return what the stale table shows for one CSV row."""
    invalid = row["status"] == "invalid"
    date = (row["raw"] or "(empty)") if invalid else (row["validated_on"] or "—")
    return {
        "url": row["url"],
        "title": row["title"] or row["url"],
        "section": row["section"],
        "date": date,
        "age": row["age_days"] or "—",
        "status": STATUS_LABELS[row["status"]],
        "problem": row["problem"],
    }


def test_filter_sort_and_download_the_stale_report(tab: BrowserPage) -> None:
    page = tab.page
    failed = watch(tab)
    page.goto(tab.url("/reports/stale"))
    page.evaluate(f"{MARKER} = 'no reload'")
    everything = page.evaluate(TABLE_ROWS)

    page.select_option("#kb-stale-table select[name=status]", FILTER_STATUS)
    page.wait_for_function(
        "s => { const rows = [...document.querySelectorAll('#kb-stale-table tbody tr')];"
        " return rows.length > 0 && rows.every(r => r.dataset.status === s); }",
        arg=FILTER_STATUS,
    )
    filtered = page.evaluate(TABLE_ROWS)
    assert 1 < len(filtered) < len(everything)
    assert parse_qs(urlsplit(page.url).query)["status"] == [FILTER_STATUS]
    snap(tab, "stale-filtered")

    page.locator("#kb-stale-table th a", has_text="Title").click()
    page.wait_for_function("() => location.search.includes('sort=title')")
    title_header = page.locator("#kb-stale-table th", has_text="Title")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#kb-stale-table th')].some("
        "th => th.textContent.includes('Title') && th.getAttribute('aria-sort') !== 'none')"
    )
    shown = page.evaluate(TABLE_ROWS)
    titles = [r["title"] for r in shown]
    ascending = sorted(titles, key=str.casefold)
    direction = title_header.get_attribute("aria-sort")
    assert direction in {"ascending", "descending"}
    assert titles == (ascending if direction == "ascending" else ascending[::-1])
    assert sorted(r["url"] for r in shown) == sorted(r["url"] for r in filtered)
    assert page.locator("#kb-stale-table .kb-pager").count() == 0, "the table hides rows"
    assert page.evaluate(MARKER) == "no reload", "filtering or sorting reloaded the page"
    snap(tab, "stale-sorted")

    with page.expect_download() as caught:
        page.locator("#kb-stale-table .kb-exports a", has_text="CSV").click()
    download = caught.value
    assert download.suggested_filename.endswith(f"-{FILTER_STATUS}.csv")
    path = download.path()
    assert path is not None
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert [expected_cells(r) for r in rows] == shown
    assert_clean(tab, failed, "the stale report journey")
