"""Tests for kb.render.markdown: Markdown to sanitized HTML, headings, sections, prose and code."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.markup.blocks import BLOCK_MARKER
from kb.markup.fences import parse_fence_info
from kb.render.markdown import markdown_to_html, render_markdown
from kb.render.outline import slugify
from kb.render.sanitize import sanitize_html

HOSTILE = [
    '<script>alert(1)</script><p onclick="x()">hi</p>',
    '<img src="x.png" onerror="alert(1)" alt="pic">',
    '<a href="javascript:alert(1)">js</a><a href="JaVaScRiPt&#58;alert(1)">js2</a>',
    '<a href="vbscript:msgbox(1)">vb</a><img src="data:image/png;base64,AAAA" alt="d">',
    '<div hx-get="/admin" data-hx-post="/x" hx-trigger="load">htmx</div>',
    '<p style="color:red">styled</p><style>p{}</style>',
    '<iframe src="https://evil.example"></iframe><object data="x"></object><embed src="y">',
    '<form action="/x"><input name="q"><button>go</button></form>',
    "<svg><script>alert(1)</script></svg><math><mi>x</mi></math>",
    '<div id="search" class="x">clobber</div><h2 id="ok">Heading</h2>',
    '<a href="https://example.com" target="_blank" rel="opener">ext</a>',
    "<p>unclosed <b>bold <i>both</p> tail",
    "<!-- comment --><p>after comment</p>",
    '<img src="mailto:x@example.com" alt="m">',
]


def test_headings_get_unique_github_style_anchors() -> None:
    """Anchors are GitHub-style slugs, unique per page, and the same ids the HTML carries."""
    page = render_markdown(
        "# Intro\n\n## Sub & Part\n\ntext\n\n## Sub & Part\n\n### `event.client`\n"
    )
    assert [h.anchor for h in page.headings] == ["intro", "sub--part", "sub--part-1", "eventclient"]
    assert [h.level for h in page.headings] == [1, 2, 2, 3]
    for heading in page.headings:
        assert f'id="{heading.anchor}"' in page.html
    assert page.headings[3].text == "event.client"


def test_slugify_keeps_letters_of_other_languages() -> None:
    """A heading in another language keeps its letters in the anchor."""
    assert slugify("Über die Straße") == "über-die-straße"
    assert slugify("Configure Auth0 (Dashboard)") == "configure-auth0-dashboard"


def test_sections_split_prose_by_heading_and_leave_code_out() -> None:
    """Text before the first heading has anchor ""; code blocks go to code, not prose."""
    page = render_markdown(
        "Lead text.\n\n# Title\n\nFirst part with `inline`.\n\n```py\nsecret_code()\n```\n\n"
        "## Next\n\nSecond part.\n"
    )
    assert [(s.anchor, s.heading, s.text) for s in page.sections] == [
        ("", "", "Lead text."),
        ("title", "Title", "First part with inline."),
        ("next", "Next", "Second part."),
    ]
    assert page.first_h1 == "Title"
    assert "secret_code" not in page.text
    assert page.code == "secret_code()"
    assert page.text == "Lead text. First part with inline. Second part."


def test_first_h1_is_none_without_one() -> None:
    """A page without an h1 says so."""
    assert render_markdown("## Only a subheading\n").first_h1 is None


def test_fenced_code_is_highlighted_with_classes_and_titled() -> None:
    """Pygments marks tokens with classes (no inline styles) and the title stays visible."""
    page = render_markdown(
        '```js index.js {1}\nconst a = 1 < 2;\n```\n\n```py title="main.py"\nx\n```'
    )
    assert '<p class="kb-code-title">index.js</p>' in page.html
    assert '<p class="kb-code-title">main.py</p>' in page.html
    assert 'class="language-js"' in page.html
    assert '<span class="kd">const</span>' in page.html
    assert "style=" not in page.html
    assert page.code == "const a = 1 < 2;\nx"


def test_fence_info_strings() -> None:
    """Info strings split into language, title and options."""
    info = parse_fence_info("py webappexample/views.py highlight={1-18} lines")
    assert (info.language, info.title) == ("py", "webappexample/views.py")
    assert ("highlight", "{1-18}") in info.options and ("lines", "") in info.options
    assert parse_fence_info("json Event Object").title == "Event Object"
    assert parse_fence_info('bash title="Run it"').title == "Run it"
    assert parse_fence_info("").language == ""


def test_fence_inside_list_item_stays_in_the_item() -> None:
    """An indented fence under a list item is code inside that item."""
    page = render_markdown("1. Install:\n    ```bash\n    npm i\n    ```\n2. Run\n")
    item = re.search(r"<li>Install:.*?</li>", page.html, re.S)
    assert item is not None and "npm" in item.group(0) and "<pre" in item.group(0)


def test_unknown_language_is_escaped_not_guessed() -> None:
    """Code in a language Pygments does not know is escaped as is."""
    page = render_markdown("```nosuchlang\n<b>x</b>\n```\n")
    assert "&lt;b&gt;x&lt;/b&gt;" in page.html


def test_tables_and_lists_render() -> None:
    """Tables and lists come out as HTML tables and lists."""
    page = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n- x\n- y\n\n3. three\n4. four\n")
    assert "<table>" in page.html and "<td>2</td>" in page.html
    assert "<ul>" in page.html and '<ol start="3">' in page.html


@pytest.mark.parametrize("hostile", HOSTILE)
def test_sanitize_removes_everything_outside_the_allowlist(hostile: str) -> None:
    """No script, style, frame, form, handler, htmx or dangerous URL survives."""
    cleaned = sanitize_html(hostile).lower()
    for needle in ("<script", "alert(", "onerror", "onclick", "javascript:", "vbscript:", "data:"):
        assert needle not in cleaned
    for needle in (
        "hx-",
        "style=",
        "<style",
        "<iframe",
        "<object",
        "<embed",
        "<form",
        "<input",
        "<svg",
    ):
        assert needle not in cleaned
    assert "mailto:" not in cleaned or "<img" not in cleaned


@pytest.mark.parametrize("hostile", HOSTILE)
def test_sanitize_is_idempotent_on_hostile_input(hostile: str) -> None:
    """Sanitizing twice gives the same HTML as sanitizing once."""
    once = sanitize_html(hostile)
    assert sanitize_html(once) == once


def test_sanitize_keeps_allowed_markup_and_marks_external_links() -> None:
    """Allowed attributes stay; only external links get rel; ids only on headings."""
    cleaned = sanitize_html(
        '<div class="kb-callout" role="note" aria-label="Info" lang="en" id="x">'
        '<a class="kb-tooltip" href="/glossary?term=A" data-term="A" title="t">A</a>'
        '<a href="https://example.com/">ext</a><details open><summary>S</summary></details>'
        '<table><tr><td colspan="2" rowspan="1">c</td></tr></table><ol start="3"><li>x</li></ol>'
        '<div data-component="Badge">b</div><img src="/a.png" alt="alt text">'
        '<h3 id="h">H</h3></div>'
    )
    assert 'class="kb-callout" role="note" aria-label="Info" lang="en">' in cleaned
    assert 'href="/glossary?term=A" data-term="A" title="t">A</a>' in cleaned
    assert '<a href="https://example.com/" rel="noopener noreferrer">ext</a>' in cleaned
    assert "<details open" in cleaned and 'colspan="2"' in cleaned and 'start="3"' in cleaned
    assert 'data-component="Badge"' in cleaned and 'alt="alt text"' in cleaned
    assert '<h3 id="h">' in cleaned and 'id="x"' not in cleaned


_HTML_PIECES = st.sampled_from(
    ["<p>", "</p>", "<b>", "</b>", "<div class='a'>", "</div>", "<table>", "<td>", "<tr>", "x",
     " ", "&amp;", "&lt;", "<", ">", '"', "<a href='/x'>", "<a href='http://e.com'>", "</a>",
     "<script>", "</script>", "<h2>", "</h2>", "<pre>", "</pre>", "<li>", "<ul>", "<img src=x>"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_HTML_PIECES, max_size=30).map("".join))
def test_sanitize_is_idempotent_on_random_markup(markup: str) -> None:
    """Idempotence holds for arbitrary tag soup."""
    once = sanitize_html(markup)
    assert sanitize_html(once) == once


def test_rendered_html_is_sanitized_and_stable() -> None:
    """Raw HTML in Markdown is cleaned, and the page HTML is a fixed point of sanitize."""
    page = render_markdown(
        "# T\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b onmouseover=x>b</b>\n"
    )
    assert "<script" not in page.html and "javascript:" not in page.html
    assert "onmouseover" not in page.html
    assert sanitize_html(page.html) == page.html


def test_marked_html_lines_pass_through_untouched() -> None:
    """Lines of pre-rendered HTML keep their Markdown-looking characters."""
    html = markdown_to_html(f'{BLOCK_MARKER}<div class="x">*not em* and [not](link)</div>\n')
    assert '<div class="x">*not em* and [not](link)</div>' in html


def test_markers_inside_code_stay_code() -> None:
    """A marker shown inside a fenced block is code, not HTML."""
    page = render_markdown(f"```html\n{BLOCK_MARKER}<b>x</b>\n```\n")
    assert "<b>" not in page.html
    assert page.code == f"{BLOCK_MARKER}<b>x</b>"


@pytest.mark.parametrize(
    "markdown",
    [
        "",
        "\x00\x02wzxhzdk:0\x03",
        "```\nunclosed",
        "<div>" * 50,
        "# \n##\n",
        "[a]: <>\n[a]",
        "".join("    " * depth + "- deep\n" for depth in range(300)),
    ],
)
def test_odd_input_never_raises(markdown: str) -> None:
    """Odd input renders to something instead of raising."""
    page = render_markdown(markdown)
    assert sanitize_html(page.html) == page.html


def test_a_failed_conversion_leaves_the_next_page_unharmed() -> None:
    """A page too deeply nested for python-markdown must not change how the next one renders."""
    list_with_block = "1. Open it.\n\n    <p>inside</p>\n\n2. Then.\n"
    before = render_markdown(list_with_block).html
    render_markdown("".join("    " * depth + "- deep\n" for depth in range(300)))
    assert render_markdown(list_with_block).html == before
