"""The stale report in a real headless Chromium: htmx filtering, history, CSV download, charts."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import BrowserPage

pytestmark = pytest.mark.browser

AS_OF = "2026-11-26"
MARKER = "window.__kbMarker"


def _statuses(tab: BrowserPage) -> list[str]:
    """Return the status of every row of the stale table, top to bottom."""
    cells = tab.page.locator("#kb-stale-table tbody tr")
    return [cells.nth(i).get_attribute("data-status") or "" for i in range(cells.count())]


def _wait_for_rows(tab: BrowserPage, status: str) -> None:
    """Wait until htmx has swapped in a table whose rows all have one status."""
    tab.page.wait_for_function(
        "s => { const rows = [...document.querySelectorAll('#kb-stale-table tbody tr')];"
        " return rows.length > 0 && rows.every(r => r.dataset.status === s); }",
        arg=status,
    )


def test_filter_by_status_updates_table_and_url_without_reload(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url(f"/reports/stale?as_of={AS_OF}"))
    charts = page.locator("svg.kb-chart")
    assert charts.count() == 2
    for i in range(2):
        box = charts.nth(i).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
    assert page.locator("svg.kb-chart rect.kb-status-stale").count() >= 1
    assert len(_statuses(tab)) >= 20
    page.evaluate(f"{MARKER} = 'still here'")

    page.select_option("#kb-stale-table select[name=status]", "stale")
    _wait_for_rows(tab, "stale")
    assert page.evaluate(MARKER) == "still here", "the page was reloaded"
    assert _statuses(tab) == ["stale", "stale", "stale"]
    params = parse_qs(urlsplit(page.url).query)
    assert params["status"] == ["stale"] and params["as_of"] == [AS_OF]
    assert page.locator("svg.kb-chart").count() == 2  # the charts stay outside the swap

    page.locator("#kb-stale-table .kb-chips a", has_text="due").click()
    _wait_for_rows(tab, "due")
    assert parse_qs(urlsplit(page.url).query)["status"] == ["due"]
    page.go_back()
    _wait_for_rows(tab, "stale")

    with page.expect_download() as caught:
        page.locator("#kb-stale-table .kb-exports a", has_text="CSV").click()
    download = caught.value
    assert download.suggested_filename == f"kb-stale-{AS_OF}-stale.csv"
    path = download.path()
    assert path is not None
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert [r["status"] for r in rows] == ["stale", "stale", "stale"]

    page.goto(tab.url(f"/reports/stale?as_of={AS_OF}"))
    tab.screenshot("reports-stale.png")
    assert not tab.errors, tab.errors


def test_sorting_by_a_column_header(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url(f"/reports/stale?as_of={AS_OF}"))
    page.locator("#kb-stale-table th a", has_text="Age").click()
    page.wait_for_function("() => location.search.includes('sort=age')")
    page.wait_for_selector("#kb-stale-table th[aria-sort=descending]")
    first = page.locator("#kb-stale-table tbody tr").first
    assert first.get_attribute("data-url") == "/docs/api/overview"
    assert not tab.errors, tab.errors


def test_filters_work_without_javascript(browser_without_js: BrowserPage) -> None:
    tab = browser_without_js
    page = tab.page
    page.goto(tab.url(f"/reports/stale?as_of={AS_OF}"))
    page.select_option("#kb-stale-table select[name=section]", "rollouts")
    page.locator("#kb-stale-table button[type=submit]").click()
    page.wait_for_url("**section=rollouts**")
    assert len(_statuses(tab)) == 3
    page.locator("#kb-stale-table .kb-chips a", has_text="stale").click()
    page.wait_for_url("**status=stale**")
    assert _statuses(tab) == ["stale"]
    assert parse_qs(urlsplit(page.url).query)["section"] == ["rollouts"]
