"""Code blocks as the MDX states them: line highlights, line numbers, lexer errors as plain text."""

from __future__ import annotations

import re

import pytest

from kb.markup.fences import parse_fence_info
from kb.render.code import code_block_html, stylesheet
from kb.render.code_lines import LineOptions, line_options, number_lines, parse_line_ranges
from kb.render.markdown import render_markdown
from kb.render.sanitize import sanitize_html


@pytest.mark.parametrize(
    ("spec", "lines"),
    [
        ("1,3-5", {1, 3, 4, 5}),
        ("{1, 3-5}", {1, 3, 4, 5}),
        ("2 3 6-7", {2, 3, 6, 7}),  # MkDocs hl_lines
        ("5-3", {3, 4, 5}),
        ("0,2", {2}),
        ("x,2,-,3-y", {2}),
        ("", set()),
    ],
)
def test_line_ranges_in_every_spelling(spec: str, lines: set[int]) -> None:
    assert parse_line_ranges(spec) == lines


def test_a_huge_range_is_bounded() -> None:
    assert max(parse_line_ranges("1-999999999999")) == 100_000


@pytest.mark.parametrize(
    ("info", "highlighted", "first"),
    [
        ("js index.js {1,3-5} lines", {1, 3, 4, 5}, 1),  # Mintlify
        ('js title="a.js" {2} showLineNumbers', {2}, 1),  # Docusaurus
        ("ts showLineNumbers{10} {2}", {2}, 10),  # rehype-pretty-code
        ("ts showLineNumbers=5", set(), 5),
        ('py linenums="0" hl_lines="2 3"', {2, 3}, 0),  # MkDocs
        ('py linenums="1" hl_lines="1-2"', {1, 2}, 1),
        ("json highlight={1,3}", {1, 3}, None),
        ("js{4}", {4}, None),
        ("js mark={2}", {2}, None),
        ("bash", set(), None),
        ("js showLineNumbers=x", set(), 1),
        ('yaml highlight={} theme={null} title="a b"', set(), None),  # as the corpus writes
    ],
)
def test_fence_meta_of_each_site_generator(
    info: str, highlighted: set[int], first: int | None
) -> None:
    assert line_options(parse_fence_info(info)) == LineOptions(frozenset(highlighted), first)


def test_wrap_wraps_with_or_without_other_line_options() -> None:
    assert line_options(parse_fence_info("tsx wrap lines")) == LineOptions(frozenset(), 1, True)
    html = code_block_html("x\n", parse_fence_info("bash cURL wrap"))
    assert '<pre class="highlight kb-code-wrap">' in html and "kb-line" not in html
    numbered = code_block_html("x\n", parse_fence_info("bash wrap lines"))
    assert '<pre class="highlight kb-code-wrap kb-code-numbered kb-ln-w1">' in numbered


def test_fence_meta_leaves_the_title_alone() -> None:
    info = parse_fence_info("ts src/app.ts {1, 3} showLineNumbers{3}")
    assert (info.language, info.title) == ("ts", "src/app.ts")
    assert parse_fence_info("js{1,3}").language == "js"


def test_lines_are_wrapped_numbered_and_marked() -> None:
    html = code_block_html("a = 1\nb = 2\nc = 3\n", parse_fence_info("py {2} showLineNumbers{9}"))
    assert 'class="highlight kb-code-numbered kb-ln-w2"' in html
    lines = re.findall(r'<span class="(kb-line[^"]*)" data-line="(\d+)">', html)
    assert lines == [("kb-line", "9"), ("kb-line kb-line-hl", "10"), ("kb-line", "11")]
    # The text is unchanged: a newline ends every line but the last, as before.
    text = re.sub(r"<[^>]+>", "", html)
    assert text == "a = 1\nb = 2\nc = 3"


def test_highlights_without_numbers_and_unknown_languages() -> None:
    html = code_block_html("one\n<two>\n", parse_fence_info("mermaid {2}"))
    assert "data-line" not in html and "kb-code-numbered" not in html
    assert '<span class="kb-line kb-line-hl">&lt;two&gt;</span>' in html


def test_a_plain_block_gets_no_line_markup() -> None:
    html = code_block_html("x = 1\n", parse_fence_info("py"))
    assert "kb-line" not in html and '<pre class="highlight">' in html


def test_lines_split_inside_a_multiline_token_stay_balanced() -> None:
    code = '"""one\ntwo\nthree"""\nx = 1\n'
    html = code_block_html(code, parse_fence_info("py lines"))
    for line in re.findall(
        r'<span class="kb-line"[^>]*>(.*?)\n?</span>(?=<span class="kb-line|$)', html
    ):
        assert line.count("<span") == line.count("</span>")


def test_a_json_fence_holding_a_javascript_object_has_no_error_tokens() -> None:
    code = '{\n  // a comment\n  name: "x",\n  list: [1, 2,],\n}\n'
    html = code_block_html(code, parse_fence_info("json"))
    assert 'class="err"' not in html
    # Read as JSON5: the comment is a comment and a key is one token, not speckled fragments.
    assert '<span class="c1">// a comment</span>' in html
    assert re.search(r'<span class="[^"]+">name</span>', html)


def test_valid_json_keeps_the_strict_lexer_and_other_errors_are_plain_text() -> None:
    strict = code_block_html('{"a": [1, true]}\n', parse_fence_info("json"))
    assert '<span class="nt">"a"</span>' in strict
    broken = code_block_html("def f(:\n  `x\n", parse_fence_info("python"))
    assert 'class="err"' not in broken
    assert '(:</span>\n  `<span class="n">x</span>' in broken


def test_the_stylesheet_has_both_themes_and_no_error_box() -> None:
    css, etag = stylesheet()
    assert ".highlight .k {" in css
    assert ':root[data-theme="dark"] .highlight .k {' in css
    assert css.index("@media screen {") < css.index(':root[data-theme="dark"]'), "dark on paper"
    media = css.index("@media screen and (prefers-color-scheme: dark)")
    assert ':root:not([data-theme="light"]) .highlight .k {' in css[media:]
    assert ".err" not in css and "border" not in css
    assert len(etag) == 16


def test_numbers_survive_the_sanitizer_and_reach_the_page() -> None:
    page = render_markdown("# T\n\n```js {1} lines\nlet a;\n```\n")
    assert '<span class="kb-line kb-line-hl" data-line="1">' in page.html
    assert page.code == "let a;"
    assert 'data-line="x"' in sanitize_html('<span data-line="x">y</span>')
    assert "data-line" not in sanitize_html('<div data-line="x">y</div>')


def test_number_lines_leaves_plain_blocks_alone() -> None:
    assert number_lines("a\nb", LineOptions()) == ("a\nb", "")
