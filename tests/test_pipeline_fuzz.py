"""Whole pages through the whole pipeline: generated sites go through `kb index` to the page view
and search. No exception escapes a page, nothing served carries live script, every page is either
served or rejected with a reason, and a good page beside the hostile ones is always served.

The stage fuzzers (tests/test_fuzz.py) fuzz stages apart; this one fuzzes whole pages that mix
frontmatter, import/export lines with string, template and object literals in every JavaScript
escape form, JSX components with attribute expressions, tooltips, snippet imports (cycles, paths
that leave the site root, missing ones), code fences, tables and deep nesting.

Sizes come from the Hypothesis profile in conftest.py: 200 sites in CI, 10,000 with
KB_LONG_TESTS=1.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kb.cli import main
from kb.index.generation import GenerationWatcher
from kb.web import create_app
from kb.web.context import WATCHER
from tests.test_fuzz import live_script

GOOD_WORD = "zanzibarite"  # in the good page only, so a search for it must find that page
GOOD_PAGE = f"---\ntitle: Good page\n---\n# Good page\n\nThe {GOOD_WORD} page is always served.\n"
SURROGATE = re.compile("[\ud800-\udfff]")

# Every way JavaScript spells a character in a string: lone and paired surrogates, braced code
# points (past U+10FFFF too), non-characters, bidi controls, NUL, line continuations, bad escapes.
JS_ESCAPES = st.sampled_from(
    [
        "\\uD83D", "\\uDE00", "\\uD83D\\uDE00", "\\uDBFF\\uDFFF", "\\uDC00\\uD800", "\\u{D83D}",
        "\\u{1F600}", "\\u{10FFFF}", "\\u{110000}", "\\u{FFFFFF}", "\\uFFFE", "\\uFDD0",
        "\\u202E", "\\u2066", "\\u200F", "\\x41", "\\xff", "\\0", "\\n", "\\t", "\\'", '\\"',
        "\\`", "\\\\", "\\\n", "\\u12", "\\x", "\\u{", "\\q", "\\u0000", "\\u003cscript\\u003e",
        "${", "}",
    ]
)  # fmt: skip
PLAIN = st.sampled_from(
    [
        "text", "日本語", "😀", "javascript:alert(1)", "<script>alert(1)</script>", "Term: tip",
        "a\u202eb", "\ufffe", "", " ", "/docs/x", "#anchor", "&amp;", "&#xD800;", "&#x202E;",
    ]
)  # fmt: skip
JS_TEXT = st.lists(JS_ESCAPES | PLAIN, max_size=5).map("".join)


def _quoted(text: str) -> list[str]:
    """Every way a JavaScript literal quotes a text."""
    return [f'"{text}"', f"'{text}'", f"`{text}`", f'`a ${{"{text}"}} b`']


# Each strategy draws only the form it picks: drawing every alternative first and then choosing
# one made generation, not kb, the cost of a case.
JS_LEAVES = st.tuples(JS_TEXT, st.integers(0, 3)).map(lambda a: _quoted(a[0])[a[1]]) | st.just("42")
JS_LITERALS = st.recursive(
    JS_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3).map(lambda xs: f"[{', '.join(xs)}]")
        | st.lists(inner, max_size=3).map(
            lambda xs: "{" + ", ".join(f"k{i}: {v}" for i, v in enumerate(xs)) + "}"
        )
    ),
    max_leaves=6,
)
SNIPPETS = st.sampled_from(
    [
        "/snippets/a.mdx", "/snippets/b.mdx", "/snippets/missing.mdx", "../../../etc/passwd",
        "/../outside.mdx", "../snippets/a.mdx", "/snippets/", "/snippets/a.mdx\\u0000",
    ]
)  # fmt: skip
COMPONENTS = st.sampled_from(["Card", "Tooltip", "Tabs", "Tab", "Note", "Steps", "Unknown"])
ATTRIBUTES = st.sampled_from(["title", "tip", "href", "cta", "items", "icon", "onClick", "style"])
ATTRIBUTE_VALUES = (
    PLAIN.map(lambda t: f'"{t}"')
    | st.sampled_from(["{x}", "{x.k0}", "{x.nope.deeper}"])
    | JS_LITERALS.map(lambda v: f"{{{v}}}")
)
ATTRIBUTE_LISTS = st.lists(st.tuples(ATTRIBUTES, ATTRIBUTE_VALUES), max_size=3).map(
    lambda pairs: "".join(f" {name}={value}" for name, value in pairs)
)


def _table(text: str) -> str:
    """A Markdown table with an expression and a link in its cells."""
    return f"| a | {text} |\n| --- | --- |\n| {{x}} | [l]({text}) |"


LEAF_BLOCKS = st.one_of(
    st.tuples(PLAIN, JS_LITERALS).map(lambda a: f"Some {a[0]} prose with {{x}} and {{{a[1]}}}."),
    st.tuples(JS_LITERALS, PLAIN).map(
        lambda a: f'<Tooltip tip={{{a[0]}}} href="/docs/glossary?term={a[1]}">t</Tooltip>'
    ),
    JS_LITERALS.map(lambda v: f"```js\nconst s = {v};\n```"),
    PLAIN.map(lambda t: f"```\nunclosed {t}"),
    PLAIN.map(_table),
    st.tuples(st.integers(1, 60), PLAIN).map(lambda a: "> " * a[0] + a[1]),
    st.tuples(st.integers(1, 40), PLAIN).map(lambda a: "- " * a[0] + a[1]),
    st.tuples(PLAIN, PLAIN, PLAIN).map(lambda a: f"[{a[0]}]({a[1]}) ![i]({a[2]})"),
    PLAIN.map(lambda t: f"## {t} {{#{t}}}"),
    PLAIN.map(lambda t: f"{{/* {t} */}}"),
    st.tuples(COMPONENTS, ATTRIBUTE_LISTS).map(lambda a: f"<{a[0]}{a[1]} />"),
)


def _element(parts: tuple[str, str, list[str], bool]) -> str:
    """A JSX element around blocks, its closing tag sometimes missing."""
    name, attrs, children, closed = parts
    inner = "\n\n".join(children)
    return f"<{name}{attrs}>\n{inner}\n" + (f"</{name}>" if closed else "")


BLOCKS = st.recursive(
    LEAF_BLOCKS,
    lambda inner: st.tuples(
        COMPONENTS, ATTRIBUTE_LISTS, st.lists(inner, max_size=2), st.booleans()
    ).map(_element),
    max_leaves=8,
)
FRONTMATTER = st.one_of(
    st.just(""),
    JS_TEXT.map(lambda t: f"---\ntitle: {json.dumps(t)}\n---\n"),
    JS_TEXT.map(lambda t: f'---\ntitle: "{t}"\nvalidatedOn: 2026-01-01\n---\n'),
    st.sampled_from(["---\ntitle: [unclosed\n---\n", "---\ntitle: never closed\n"]),
)


@st.composite
def page(draw: st.DrawFn) -> str:
    """Draw a whole page: frontmatter, imports and exports, then body blocks."""
    lines = [f"export const x = {draw(JS_LITERALS)};"]
    for path in draw(st.lists(SNIPPETS, max_size=2)):
        lines.append(f'import S{len(lines)} from "{path}";')
        lines.append(f"<S{len(lines) - 1} name={{{draw(JS_LITERALS)}}} />")
    if draw(st.booleans()):
        lines.append(f"export const y = {draw(JS_LITERALS)}")  # no semicolon
    body = "\n\n".join(draw(st.lists(BLOCKS, min_size=1, max_size=5)))
    return draw(FRONTMATTER) + "\n".join(lines) + "\n\n" + body + "\n"


SITES = st.tuples(
    st.lists(page(), min_size=1, max_size=3),
    page(),  # snippets/a.mdx
    page(),  # snippets/b.mdx
)


@dataclass
class Served:
    """One app for every generated site: each is indexed into the same folder and switched in."""

    index_dir: Path
    client: FlaskClient
    watcher: GenerationWatcher


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    """Return the app every example's generation is served by (building an app per example
    would compile every template again, the larger part of a case's cost)."""
    index_dir = tmp_path_factory.mktemp("pipeline-fuzz-index")
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    return Served(index_dir, app.test_client(), app.extensions[WATCHER])


def write_site(root: Path, pages: list[str], snippet_a: str, snippet_b: str) -> Path:
    """Write a generated site: its pages, two snippets that include each other, a good page."""
    site = root / "site"
    (site / "docs").mkdir(parents=True)
    (site / "snippets").mkdir()
    (site / "docs" / "good.md").write_text(GOOD_PAGE)
    for number, text in enumerate(pages):
        (site / "docs" / f"page{number}.mdx").write_text(text)
    (site / "snippets" / "a.mdx").write_text(
        f'import B from "/snippets/b.mdx";\n\n{snippet_a}\n<B />\n'
    )
    (site / "snippets" / "b.mdx").write_text(
        f'import A from "/snippets/a.mdx";\n\n{snippet_b}\n<A />\n'
    )
    return site


def index_and_serve(served: Served, pages: list[str], snippet_a: str, snippet_b: str) -> None:
    """Write a site, index it with `kb index`, and check every page view and search."""
    with tempfile.TemporaryDirectory(prefix="kb-fuzz-") as tmp:
        site = write_site(Path(tmp), pages, snippet_a, snippet_b)
        args = ["index", str(site), "--index-dir", str(served.index_dir), "--json"]
        result = CliRunner().invoke(main, [*args, "--full", "--allow-shrink"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    rejected = {r["path"] for r in summary["rejected"]}
    assert all(r["reason"] for r in summary["rejected"])
    assert summary["indexed"] + len(rejected) == summary["pages"] + len(rejected) == len(pages) + 1
    served.watcher.refresh()
    client = served.client
    for number in range(len(pages)):
        response = client.get(f"/docs/page{number}")
        if f"docs/page{number}.mdx" in rejected:
            assert response.status_code == 404
            continue
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        content = html.split('<div class="kb-content">', 1)[-1].split("</article>")[0]
        assert live_script(content) == [], content
        assert not SURROGATE.search(html)
        assert client.get(f"/api/pages/page{number}").status_code == 200
    assert client.get("/docs/good").status_code == 200
    found = client.get("/api/search", query_string={"q": GOOD_WORD}).get_json()
    assert [hit["url"] for hit in found["results"]] == ["/docs/good"]
    for query in ("text", "日本語", "script", "\ufffd"):
        assert client.get("/api/search", query_string={"q": query}).status_code == 200
    assert client.get("/api/reports/links").status_code == 200
    assert client.get("/api/reports/glossary").status_code == 200


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(generated=SITES)
@example(
    generated=(['export const x = "\\uD83D";\n\n<Card title={"\\uD83D"}>{x}</Card>\n'], "a", "b")
)
@example(generated=(['<Tooltip tip={"\\uDE00"} cta={`\\u{D800}`}>t</Tooltip>\n'], "{x}", "{x}"))
@example(
    generated=(["export const x = {a: ['\\u202E', `\\uFFFE`]};\n\n{x.a[0]}{x.a[1]}\n"], "", "")
)
def test_whole_pages_through_the_whole_pipeline(
    served: Served, generated: tuple[list[str], str, str]
) -> None:
    pages, snippet_a, snippet_b = generated
    index_and_serve(served, pages, snippet_a, snippet_b)
