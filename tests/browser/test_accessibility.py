"""Accessibility in headless Chromium: axe-core's WCAG 2.1 A/AA rules on every main page and state."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import BrowserPage
from tests.required import cannot_run

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "tests" / "browser" / "vendor" / "axe.min.js"
FETCH_AXE = REPO / "scripts" / "fetch_axe.py"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
PAGE_WITH_WIDGETS = "/docs/get-started/quickstart"
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return {
    passes: result.passes.length,
    violations: result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
    })),
  };
}"""

# (path, expected HTTP status): the main pages of every kind, the 404 page included.
MAIN_PAGES = [
    ("/", 200),
    ("/search?q=flag", 200),
    ("/search", 200),
    ("/search?q=zzqqxxyy", 200),
    (PAGE_WITH_WIDGETS, 200),
    ("/docs/flags/kill-switches", 200),
    ("/docs/glossary", 200),
    ("/glossary", 200),
    ("/glossary/audit-log", 200),
    ("/glossary?term=Nonexistent", 404),
    ("/reports", 200),
    ("/reports/stale", 200),
    ("/reports/glossary", 200),
    ("/reports/terms", 200),
    ("/reports/links", 200),
    ("/reports/owners", 200),
    ("/reports/owners/todo?owner=-", 200),
    ("/docs/no-such-page", 404),
]
# Chromium logs the 404 of the document itself: expected on the 404 pages, nowhere else.
DOCUMENT_404 = "Failed to load resource: the server responded with a status of 404 (NOT FOUND)"
PHONE_PAGES = ["/", "/search?q=flag", PAGE_WITH_WIDGETS, "/glossary", "/reports/stale"]


@pytest.fixture(scope="session")
def axe_source() -> str:
    """Return axe-core's source, fetched and checksum-verified by scripts/fetch_axe.py, or skip."""
    try:
        fetched = subprocess.run(
            [sys.executable, str(FETCH_AXE)], capture_output=True, text=True, timeout=300
        )
    except subprocess.TimeoutExpired:
        cannot_run("axe", "axe-core could not be fetched: `npm pack axe-core` timed out")
    if fetched.returncode != 0 or not AXE.exists():
        reason = fetched.stderr.strip() or f"exit status {fetched.returncode}"
        cannot_run(
            "axe", f"axe-core could not be fetched ({reason}); run `make axe` with npm installed"
        )
    return AXE.read_text(encoding="utf-8")


def describe(violations: list[dict[str, Any]]) -> str:
    """Return a readable list of axe violations with every failing node."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}\n      {node['html'][:200]}\n      {summary}")
    return "\n".join(lines)


def check_accessible(tab: BrowserPage, axe_source: str, where: str) -> None:
    """Run axe on the tab's current state; fail on any serious or critical violation."""
    page = tab.page
    # Playwright evaluates over CDP, which the page's CSP (script-src 'self') does not govern.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    result = page.evaluate(RUN_AXE, WCAG_TAGS)
    violations: list[dict[str, Any]] = result["violations"]
    if violations:
        print(f"axe on {where}:\n{describe(violations)}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"serious axe violations on {where}:\n{describe(violations)}"
    assert result["passes"] >= 10, f"axe checked almost nothing on {where}"
    assert not tab.errors, f"console errors on {where}: {tab.errors}"


@pytest.mark.parametrize(("path", "status"), MAIN_PAGES, ids=[p for p, _ in MAIN_PAGES])
def test_main_page_has_no_serious_violation(
    tab: BrowserPage, axe_source: str, path: str, status: int
) -> None:
    response = tab.page.goto(tab.url(path))
    assert response is not None and response.status == status
    if status == 404:
        assert tab.errors == [DOCUMENT_404]
        tab.errors.clear()
    check_accessible(tab, axe_source, path)


@pytest.mark.parametrize("path", PHONE_PAGES)
def test_phone_layout_has_no_serious_violation(
    phone_tab: BrowserPage, axe_source: str, path: str
) -> None:
    response = phone_tab.page.goto(phone_tab.url(path))
    assert response is not None and response.status == 200
    check_accessible(phone_tab, axe_source, f"{path} at 390 px")


def test_results_swapped_in_as_you_type(tab: BrowserPage, axe_source: str) -> None:
    page = tab.page
    page.goto(tab.url("/"))
    page.locator("#kb-q").press_sequentially("webhook", delay=30)
    page.wait_for_function(
        "() => document.getElementById('kb-results')?.dataset.query === 'webhook'"
        " && !document.getElementById('main').ariaBusy"
    )
    assert page.locator("#main .kb-hit-link").count() > 0
    check_accessible(tab, axe_source, "search results swapped in by htmx")


def test_page_view_with_a_tab_chosen_and_a_tooltip_open(tab: BrowserPage, axe_source: str) -> None:
    page = tab.page
    page.goto(tab.url(PAGE_WITH_WIDGETS))
    assert page.locator(".kb-content pre").count() > 0, "the page shows no code block"
    tabs = page.locator(".kb-content [role=tab]")
    assert tabs.count() >= 2, "page.js made no tabs"
    tabs.nth(1).click()
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    check_accessible(tab, axe_source, f"{PAGE_WITH_WIDGETS} with its second tab chosen")
    link = page.locator("a.kb-tooltip").first
    link.focus()
    page.locator(f"#{link.get_attribute('aria-describedby')}").wait_for(state="visible")
    check_accessible(tab, axe_source, f"{PAGE_WITH_WIDGETS} with a tooltip open")


def test_filtered_stale_report_and_glossary(tab: BrowserPage, axe_source: str) -> None:
    page = tab.page
    page.goto(tab.url("/reports/stale"))
    page.select_option("#kb-stale-table select[name=status]", "invalid")
    page.wait_for_function("() => location.search.includes('status=invalid')")
    page.wait_for_selector("#kb-stale-table tbody tr[data-status=invalid]")
    check_accessible(tab, axe_source, "/reports/stale filtered by htmx")
    page.goto(tab.url("/glossary"))
    page.locator("#kb-glossary-q").press_sequentially("flag", delay=30)
    page.wait_for_function("() => location.search.includes('q=flag')")
    page.wait_for_function("() => document.querySelectorAll('.kb-term-entry').length > 0")
    check_accessible(tab, axe_source, "/glossary filtered by htmx")
