"""Property tests over hostile input: MDX and Markdown rendering, the sanitizer, frontmatter and
search queries never raise, and no output carries live script.

Sizes come from the Hypothesis profile loaded in conftest.py: `ci` by default, `nightly`
(10,000 cases a property) with KB_LONG_TESTS=1.
"""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.markup.frontmatter import split_frontmatter
from kb.mdx.document import mdx_to_markdown
from kb.render.markdown import MarkdownRenderer, render_markdown
from kb.render.sanitize import sanitize_html
from kb.search.engine import SearchResults, search
from kb.search.query import parse_query

FORBIDDEN_TAGS = {
    "script", "iframe", "object", "embed", "style", "form", "frame", "frameset", "base", "meta",
    "link", "applet", "svg", "math", "template", "input", "button", "textarea", "select",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "poster", "background", "data",
    "srcset", "cite", "longdesc", "ping", "codebase", "manifest", "srcdoc",
}  # fmt: skip
LIVE_SCHEMES = ("javascript:", "data:", "vbscript:")
_C0_AND_SPACE = "".join(chr(n) for n in range(0x21))
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")


class _Elements(HTMLParser):
    """Collect every start tag with its attributes, as a browser would read them."""

    def __init__(self) -> None:
        """Start with no tags."""
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record a start tag."""
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record a self-closing tag."""
        self.tags.append((tag, attrs))


def live_script(html: str) -> list[str]:
    """Return every way the HTML could run script or be driven by htmx (empty when it is inert)."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    found = []
    for tag, attrs in parser.tags:
        if tag in FORBIDDEN_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name.startswith(("hx-", "data-hx-")):
                found.append(f"<{tag} {name}>")
            if name in {"style", "srcdoc"}:
                found.append(f"<{tag} {name}>")
            # Browsers strip control characters and spaces around a URL, tabs and newlines inside.
            url = (value or "").strip(_C0_AND_SPACE).translate(_TAB_NEWLINE).lower()
            if name in URL_ATTRIBUTES and url.startswith(LIVE_SCHEMES):
                found.append(f"<{tag} {name}={value!r}>")
    return found


def test_the_checker_finds_live_script() -> None:
    hostile = (
        '<script>x</script><a href=" jav&#x09;ascript:alert(1)">a</a><img src="DATA:text/html,x">'
        '<b onclick="x">b</b><div hx-get="/x" data-hx-post="/y">d</div><p style="x">p</p>'
    )
    assert live_script(hostile) == [
        "<script>",
        "<a href=' jav\\tascript:alert(1)'>",
        "<img src='DATA:text/html,x'>",
        "<b onclick>",
        "<div hx-get>",
        "<div data-hx-post>",
        "<p style>",
    ]
    assert live_script('<a href="/docs/x">x</a><img src="https://e.com/a.png" alt="x">') == []


PAYLOAD_URLS = st.sampled_from(
    [
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:x",
        "jav&#x09;ascript:x", "&#106;avascript:x", "javascript&colon;x", "\x01javascript:x",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "DATA:image/svg+xml,<svg>",
        "vbscript:msgbox(1)", "https://example.com/", "//evil.example/x", "/docs/x", "#a",
        "mailto:a@b.c", "x\" onerror=\"alert(1)", "' onmouseover='x", "<script>alert(1)</script>",
    ]
)  # fmt: skip
ATTRIBUTE_NAMES = st.sampled_from(
    [
        "href", "src", "action", "formaction", "srcdoc", "style", "onerror", "onload", "OnClick",
        "onmouseover", "hx-get", "hx-post", "hx-on:click", "data-hx-get", "hx-trigger",
        "xlink:href", "data", "poster", "background", "id", "name", "class", "data-term", "title",
        "open", "alt", "srcset", "ping",
    ]
)  # fmt: skip
TAG_NAMES = st.sampled_from(
    [
        "script", "ScRiPt", "iframe", "object", "embed", "style", "form", "svg", "math",
        "template", "noscript", "textarea", "title", "xmp", "base", "meta", "link", "frame",
        "img", "a", "div", "p", "input", "button", "details", "summary", "video", "table", "td",
        "h2", "span", "code", "pre", "select", "option", "plaintext", "image",
    ]
)  # fmt: skip
QUOTES = st.sampled_from(['"', "'", ""])
TEXTS = st.text(max_size=20) | st.sampled_from(
    ["alert(1)", "</", "<!--", "-->", "<![CDATA[", "]]>", "&lt;", "&#60;", "\x00", "\u202e", "x"]
)


@st.composite
def attribute(draw: st.DrawFn) -> str:
    """Draw one attribute, quoted or not, with a hostile or plain value."""
    quote = draw(QUOTES)
    value = draw(PAYLOAD_URLS | TEXTS)
    if not quote:
        value = value.replace(" ", "")
    return f" {draw(ATTRIBUTE_NAMES)}={quote}{value}{quote}"


@st.composite
def element(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    """Draw one element, sometimes unclosed, around inner markup."""
    tag = draw(TAG_NAMES)
    attrs = "".join(draw(st.lists(attribute(), max_size=3)))
    end = draw(st.sampled_from([f"</{tag}>", "", "/>", f"</{tag.upper()}>"]))
    return f"<{tag}{attrs}>{draw(inner)}{end}"


HTMLISH = st.recursive(
    TEXTS | PAYLOAD_URLS,
    lambda inner: st.lists(element(inner) | inner, max_size=4).map("".join),
    max_leaves=12,
)
COMPONENTS = st.sampled_from(
    [
        "Tooltip", "Card", "Callout", "Note", "Warning", "Info", "Tip", "Check", "Tabs", "Tab",
        "CodeGroup", "Steps", "Step", "Accordion", "AccordionGroup", "ParamField",
        "ResponseField", "Frame", "Expandable", "CardGroup", "Unknown", "GlossaryPage",
    ]
)  # fmt: skip
PROP_NAMES = st.sampled_from(
    ["href", "tip", "title", "cta", "icon", "img", "src", "path", "type", "onClick", "style"]
)


@st.composite
def component(draw: st.DrawFn, inner: st.SearchStrategy[str]) -> str:
    """Draw one MDX component with string, expression or JSX props around inner MDX."""
    name = draw(COMPONENTS)
    props = []
    for _ in range(draw(st.integers(0, 3))):
        value = draw(PAYLOAD_URLS | TEXTS).replace('"', "")
        form = draw(
            st.sampled_from(['"{}"', '{{"{}"}}', "{{`{}`}}", "{{<b>{}</b>}}", "{{[{{a: '{}'}}]}}"])
        )
        props.append(f" {draw(PROP_NAMES)}={form.format(value)}")
    if draw(st.booleans()):
        return f"<{name}{''.join(props)} />"
    return f"<{name}{''.join(props)}>\n{draw(inner)}\n</{name}>"


@st.composite
def markdown_piece(draw: st.DrawFn) -> str:
    """Draw one Markdown construct carrying a payload: links, images, fences, headings."""
    url = draw(PAYLOAD_URLS)
    text = draw(TEXTS)
    forms = [
        f"[{text}]({url})", f"![{text}]({url})", f"<{url}>", f"[r]: {url}\n\n[{text}][r]",
        f"# {text} <img src=x onerror=alert(1)>", f"```html\n<script>{text}</script>\n```",
        f"`<script>{text}</script>`", f"| a | b |\n|---|---|\n| {url} | {text} |",
        f"> {url}", f"- [{text}]({url})\n  - nested", f"{{/* {text} */}}", f"{{{text}}}",
        f"import X from '{text}'", f"export const a = '{url}'", f"<!-- {url} -->", "---",
        f'<details open ontoggle="alert(1)"><summary>{text}</summary></details>',
        f"[{text}](<{url}>)", f'[{text}]({url} "title")', f"*{text}*", "\\", "    code",
    ]  # fmt: skip
    return draw(st.sampled_from(forms))


MDX = st.recursive(
    markdown_piece() | HTMLISH | TEXTS,
    lambda inner: component(inner) | st.lists(inner, max_size=4).map("\n".join),
    max_leaves=10,
)


@given(MDX)
@example('<Card href="javascript:alert(1)" title="x">y</Card>')
@example('<Tooltip tip="x" href="jav&#x09;ascript:alert(1)">t</Tooltip>')
@example("[x](javascript:alert(1)) ![y](data:text/html,x) <javascript:alert(1)>")
def test_mdx_and_markdown_render_without_raising_or_live_script(body: str) -> None:
    document = mdx_to_markdown(body, renderer=MarkdownRenderer())
    page = render_markdown(document.markdown)
    assert live_script(page.html) == []
    assert isinstance(page.text, str) and all(isinstance(p, str) for p in document.problems)


@given(HTMLISH)
@example('<a href="java\tscript:alert(1)">x</a>')
@example("<svg><a xlink:href=javascript:alert(1)>x</a></svg>")
@example("<math><mi><table><mglyph><style><img src=x onerror=alert(1)>")
@example('<form><button formaction="javascript:alert(1)">x</button></form>')
@example('<noscript><p title="</noscript><img src=x onerror=alert(1)>">')
def test_sanitize_is_idempotent_and_leaves_no_live_script(markup: str) -> None:
    once = sanitize_html(markup)
    assert sanitize_html(once) == once
    assert live_script(once) == []


YAML_SCALARS = st.sampled_from(
    [
        "2026-02-30", "2024-01-01", "07-20-2026", "2024-01-01T10:00:00Z", "~", "null", "yes",
        "no", "on", "1e400", "-.inf", ".nan", "0x1F", "0o17", "9" * 40, "'unterminated",
        '"esc \\x00 \\u263a"', "[a, b", "{a: 1", "&anchor x", "*anchor", "!!binary aGk=",
        "!!python/object/apply:os.system ['x']", "!!set {a, b}", "!!omap [a: 1]", "|\n  block",
        ">-\n  folded", "@at", "`tick", "%TAG", "? complex", "- item", "a: b: c", "\t", "'",
        "<script>alert(1)</script>", "日本語", "\u202e", "\x00",
    ]
)  # fmt: skip
YAML_KEYS = st.sampled_from(
    ["title", "description", "validatedOn", "validation", "sidebarTitle", "openapi", "tags",
     "? [a, b]", "<<", "", "1", "title ", "- x"]
)  # fmt: skip


@st.composite
def yaml_line(draw: st.DrawFn) -> str:
    """Draw one YAML-ish line: key and value, list item, nested key or plain text."""
    key, value = draw(YAML_KEYS), draw(YAML_SCALARS | st.text(max_size=15))
    indent = " " * draw(st.integers(0, 4))
    return draw(
        st.sampled_from(
            [
                f"{key}: {value}",
                f"{indent}- {value}",
                f"{indent}{key}:",
                f"{value}",
                f"{key}:{value}",
            ]
        )
    )


@st.composite
def frontmatter_text(draw: st.DrawFn) -> str:
    """Draw text with zero, one or two --- blocks of YAML-ish lines, closed or not."""
    lines = draw(st.lists(yaml_line(), max_size=8))
    opener = draw(
        st.sampled_from(["---\n", "--- \n", "---\r\n", "\ufeff---\n", " ---\n", "----\n"])
    )
    closer = draw(st.sampled_from(["---\n", "---", "--- \n", "...\n", "", "---\n---\n"]))
    body = draw(st.text(max_size=40) | st.just("---\nx: y\n---\nbody"))
    return opener + "\n".join(lines) + "\n" + closer + body


NESTED_ALIASES = "---\nt: x\n" + "\n".join(
    [
        "a: &a [x, x, x, x, x, x, x, x, x]",
        *(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]"
            for i in range(8)
        ),
    ]
)


@given(frontmatter_text() | st.text())
@example("---\na: &a [*a]\n---\nbody")
@example("---\na: &a {b: *a}\ntitle: T\n---\nbody")
@example("---\nx: " + "[" * 1500 + "]" * 1500 + "\n---\nbody")
@example(NESTED_ALIASES + "\n---\nbody")
def test_split_frontmatter_never_raises(text: str) -> None:
    parsed = split_frontmatter(text)
    assert isinstance(parsed.meta, dict) and all(isinstance(k, str) for k in parsed.meta)
    assert len(json.dumps(parsed.meta, ensure_ascii=False)) < 10 * len(text) + 100  # no alias bomb
    assert text.endswith(parsed.body) and parsed.body_line >= 1
    consumed = text[: len(text) - len(parsed.body)]
    assert parsed.body_line == consumed.count("\n") + 1
    assert all(isinstance(p, str) and p for p in parsed.problems)


def test_frontmatter_nested_past_the_yaml_parser_limit_is_reported_not_a_crash() -> None:
    """libyaml recurses in C: 40,000 nested brackets would kill the process, so they are refused."""
    script = (
        "from kb.markup.frontmatter import split_frontmatter\n"
        "parsed = split_frontmatter('---\\ntitle: Deep\\nx: ' + '[' * 40000 + ']' * 40000 + '\\n---\\nbody')\n"
        "print(parsed.meta.get('title'), '|', parsed.problems[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-500:]
    title, problem = result.stdout.strip().split(" | ")
    assert title == "Deep"
    assert problem.startswith("malformed frontmatter: nested deeper than")


QUERY_WORDS = st.sampled_from(
    [
        "flag", "flags", "kill", "switch", "rollout", "sdk", "environment", "webhook", "variation",
        "AND", "OR", "NOT", "&&", "||", "-", "+", "(", ")", '"', "*", "?", "~", "^", "\\", ":",
        "title:", "heading:", "section:", "status:", "section:flags", "status:stale", "fla*", "*",
        "a*b", "[", "]", "{", "}", "/", "'", "“", "”", "ｆｌａｇ", "İ", "ß", "\u0301", "\x00",
        "\x7f", "\u200b", "🙂", "日本語", "<script>", "%", "title:(", "-(", "NOT NOT", "OR OR",
    ]
)  # fmt: skip
QUERIES = st.lists(QUERY_WORDS | st.text(max_size=12), max_size=12).map(" ".join) | st.text(
    max_size=80
)


@pytest.fixture(scope="module")
def example_generation(example_index: Path) -> Generation:
    """Return the example index's generation with its search index opened."""
    generation = Generation(current_generation(example_index))
    search(generation, "warm up")
    return generation


def _snippet_tags(results: SearchResults) -> set[str]:
    """Return the tag names in the results' snippets (a tag with attributes is left out)."""
    parser = _Elements()
    for hit in results.hits:
        parser.feed(hit.snippet)
    return {tag for tag, attrs in parser.tags if not attrs}


@given(
    query=QUERIES,
    page=st.integers(-(10**20), 10**20) | st.sampled_from([1, 2, 100]),
    limit=st.integers(-5, 10**6) | st.sampled_from([1, 10, 100]),
    section=st.none() | st.sampled_from(["flags", "FLAGS", "nope", "", "../x", "glossary"]),
    status=st.none() | st.sampled_from(["stale", "fresh,due", "bogus", ",,", "STALE, never"]),
)
@example(query="(" * 200 + "flag" + ")" * 200, page=1, limit=10, section=None, status=None)
@example(query='"' * 301 + " OR " * 300, page=1, limit=10, section=None, status=None)
@example(query="a* " * 400, page=1, limit=10, section=None, status=None)
@example(query="-flag NOT kill", page=1, limit=10, section=None, status=None)
def test_search_never_raises(
    example_generation: Generation,
    query: str,
    page: int,
    limit: int,
    section: str | None,
    status: str | None,
) -> None:
    parse_query(query)
    results = search(
        example_generation, query, page=page, limit=limit, section=section, status=status
    )
    assert len(results.hits) <= results.limit <= 100
    assert results.total >= len(results.hits)
    assert _snippet_tags(results) <= {"mark"}
