"""The search dialog and code blocks in headless Chromium: keyboard, results, copy on plain HTTP."""

from __future__ import annotations

import pytest

from tests.browser import test_accessibility
from tests.browser.conftest import BrowserPage
from tests.browser.test_accessibility import check_accessible

# axe-core's source, fetched once a session by the accessibility tests' fixture.
axe_source = test_accessibility.axe_source

pytestmark = pytest.mark.browser

DOC = "/docs/get-started/quickstart"
ACTIVE = "document.activeElement.id"


def open_with(tab: BrowserPage, key: str) -> None:
    """Press a shortcut and wait for the dialog, its box focused."""
    tab.page.keyboard.press(key)
    tab.page.locator("#kb-search-dialog[open]").wait_for()
    assert tab.page.evaluate(ACTIVE) == "kb-sd-q"


def type_query(tab: BrowserPage, query: str) -> int:
    """Type a query in the dialog and return how many results it lists once they arrive."""
    page = tab.page
    page.locator("#kb-sd-q").press_sequentially(query, delay=20)
    page.wait_for_function(
        "q => document.getElementById('kb-sd-all').getAttribute('href').endsWith(q)"
        " && document.getElementById('kb-sd-status').textContent.endsWith('found.')",
        arg=f"q={query}",
    )
    return page.locator("#kb-sd-list [role=option]").count()


def test_ctrl_k_opens_results_as_you_type_arrows_and_enter(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url(DOC))
    open_with(tab, "Control+k")
    box = page.locator("#kb-sd-q")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"
    count = type_query(tab, "webhook")
    assert count >= 2
    assert box.get_attribute("aria-expanded") == "true"
    assert page.locator("#kb-sd-list").get_attribute("role") == "listbox"
    page.keyboard.press("ArrowDown")
    first = page.locator("#kb-sd-list [role=option]").nth(0)
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowDown")
    second = page.locator("#kb-sd-list [role=option]").nth(1)
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert first.get_attribute("aria-selected") == "false"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    last = page.locator("#kb-sd-list [role=option]").nth(count - 1)
    assert box.get_attribute("aria-activedescendant") == last.get_attribute("id"), "no wrap"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    target = second.get_attribute("data-href") or ""
    tab.screenshot("search-dialog.png")
    page.keyboard.press("Enter")
    page.wait_for_url(tab.url(target))
    assert not tab.errors


def test_slash_opens_escape_closes_and_focus_returns(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url(DOC))
    page.locator(".kb-theme-toggle").focus()
    open_with(tab, "/")
    assert page.locator("#kb-sd-q").input_value() == "", "the slash was typed into the box"
    page.keyboard.type("flag")
    page.keyboard.press("Escape")
    page.locator("#kb-search-dialog").wait_for(state="hidden")
    assert page.evaluate("document.activeElement.className") == "kb-theme-toggle"
    # Reopened, it keeps the query and searches it again.
    open_with(tab, "Control+k")
    assert page.locator("#kb-sd-q").input_value() == "flag"
    page.wait_for_function("() => document.querySelectorAll('#kb-sd-list [role=option]').length")
    page.keyboard.press("Control+k")
    page.locator("#kb-search-dialog").wait_for(state="hidden")
    assert not tab.errors


def test_enter_without_a_choice_opens_the_full_results_page(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/glossary"))
    open_with(tab, "Meta+k")
    type_query(tab, "rollout")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=rollout")
    assert page.locator("#main .kb-hit-link").count() > 0
    assert not tab.errors


def test_a_query_with_no_match_says_so(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url("/"))
    open_with(tab, "Control+k")
    page.locator("#kb-sd-q").press_sequentially("zzqqxxyy", delay=20)
    status = page.locator("#kb-sd-status")
    page.wait_for_function(
        "() => /No pages/.test(document.getElementById('kb-sd-status').textContent)"
    )
    assert "zzqqxxyy" in status.inner_text()
    assert page.locator("#kb-sd-list").is_hidden()
    assert page.locator("#kb-sd-q").get_attribute("aria-expanded") == "false"
    assert not tab.errors


def test_dialog_with_results_has_no_serious_violation(
    tab: BrowserPage,
    axe_source: str,
) -> None:
    page = tab.page
    page.goto(tab.url(DOC))
    open_with(tab, "Control+k")
    type_query(tab, "flag")
    page.keyboard.press("ArrowDown")
    check_accessible(tab, axe_source, "the search dialog with a result chosen")


def test_phone_dialog_fits_the_screen(phone_tab: BrowserPage) -> None:
    page = phone_tab.page
    page.goto(phone_tab.url(DOC))
    open_with(phone_tab, "Control+k")
    type_query(phone_tab, "webhook")
    box = page.locator("#kb-search-dialog").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    phone_tab.screenshot("search-dialog-phone.png")
    first = page.locator("#kb-sd-list [role=option]").first
    target = first.get_attribute("data-href") or ""
    first.click()
    page.wait_for_url(phone_tab.url(target))
    assert not phone_tab.errors


def test_code_lines_are_highlighted_and_numbered(tab: BrowserPage) -> None:
    page = tab.page
    page.goto(tab.url(DOC))
    block = page.locator(".kb-content pre.kb-code-numbered").first
    lines = block.locator(".kb-line")
    assert lines.count() == 7
    number = "e => getComputedStyle(e, '::before').content"
    assert lines.nth(0).evaluate(number) == '"1"'
    assert lines.nth(6).evaluate(number) == '"7"'
    marked = block.locator(".kb-line-hl")
    assert marked.count() == 2
    assert "LanternflyClient(" in marked.nth(0).inner_text()
    tint = "e => getComputedStyle(e).backgroundColor"
    assert marked.nth(0).evaluate(tint) != lines.nth(0).evaluate(tint)


def test_copy_works_without_the_clipboard_api(tab: BrowserPage) -> None:
    """On a plain-HTTP host navigator.clipboard is missing: the button copies another way."""
    page = tab.page
    page.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined});"
        "document.addEventListener('copy', e => {"
        " window.kbCopied = e.target.value !== undefined ? e.target.value"
        " : getSelection().toString(); }, true);"
    )
    page.goto(tab.url("/docs/reference/audit-logs"))
    block = page.locator(".kb-content .kb-code", has=page.locator(".kb-code-numbered"))
    button = block.locator(".kb-code-copy")
    button.click()
    assert button.inner_text() == "Copied"
    copied = page.evaluate("window.kbCopied")
    assert copied.startswith("{\n  // Entries from other environments")
    assert "1{" not in copied, "the line numbers were copied with the code"
    assert page.locator(".kb-copy-buffer").count() == 0
    assert not tab.errors
