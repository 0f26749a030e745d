"""Tests for kb.mdx.document: MDX bodies to Markdown with components mapped, plus tooltips and links."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.mdx.document import MdxDocument, mdx_to_markdown
from kb.render.markdown import MarkdownRenderer, RenderedPage, render_markdown


def convert(body: str, **kwargs: object) -> tuple[MdxDocument, RenderedPage]:
    """Run a body through MDX and rendering, as the indexer does."""
    document = mdx_to_markdown(body, renderer=MarkdownRenderer(), **kwargs)  # type: ignore[arg-type]
    return document, render_markdown(document.markdown)


def loader(root: Path) -> Callable[[str], str | None]:
    """Return a snippet loader reading import paths under root."""

    def load(path: str) -> str | None:
        target = root / path.lstrip("/")
        return target.read_text() if target.is_file() else None

    return load


def test_imports_and_exports_go_but_code_keeps_its_lookalikes() -> None:
    """Top-level ESM (multi-line too) disappears; the same text inside fences stays code."""
    body = (
        'import { A } from "/snippets/A.jsx";\nimport {\n  B,\n} from "b";\n\n'
        "export const sample = `line one\nline two`;\n\nexport const data = {\n  a: [1, 2],\n};\n\n"
        'Prose.\n\n```python\nimport http.client\nexport x\n<script src="x.js"></script>\n```\n'
    )
    document, page = convert(body)
    assert "import" not in page.text and "line two" not in page.html and "[1, 2]" not in page.html
    assert page.text == "Prose."
    assert page.code == 'import http.client\nexport x\n<script src="x.js"></script>'
    assert "<script" not in page.html
    assert document.problems == ()


def test_exported_template_fills_a_code_component() -> None:
    """children={NAME} of an exported template renders as a code block in its language."""
    body = (
        'export const php = `<?php\necho "hi";`;\n\n'
        '<AuthCodeBlock children={php} language="php" filename="index.php" />\n'
    )
    _, page = convert(body)
    assert page.code == '<?php\necho "hi";'
    assert 'class="language-php"' in page.html
    assert '<p class="kb-code-title">index.php</p>' in page.html


def test_snippets_are_inlined_with_props_nesting_and_guards(tmp_path: Path) -> None:
    """Snippet imports inline recursively; props fill {name}; loops and misses are problems."""
    (tmp_path / "snippets").mkdir()
    (tmp_path / "snippets" / "greet.mdx").write_text(
        "---\ntitle: x\n---\n"
        'import Inner from "/snippets/inner.mdx";\n\nHello {who}!\n\n<Inner />\n'
    )
    (tmp_path / "snippets" / "inner.mdx").write_text("<Info>Inner **note**</Info>\n")
    (tmp_path / "snippets" / "loop.mdx").write_text(
        'import Loop from "/snippets/loop.mdx";\n\n<Loop />\n'
    )
    body = (
        'import Greet from "/snippets/greet.mdx";\nimport Loop from "/snippets/loop.mdx";\n'
        'import Gone from "/snippets/gone.mdx";\nimport { Widget } from "/snippets/Widget.jsx";\n\n'
        '<Greet who="World" />\n\n<Loop />\n\n<Gone />\n\n<Widget>kept child</Widget>\n'
    )
    document, page = convert(body, load_snippet=loader(tmp_path))
    assert "Hello World!" in page.text and "Inner note" in page.text and "kept child" in page.text
    assert "<strong>note</strong>" in page.html and "title: x" not in page.text
    assert document.snippets == ("/snippets/greet.mdx", "/snippets/inner.mdx", "/snippets/loop.mdx")
    assert any("/snippets/loop.mdx includes itself" in p for p in document.problems)
    assert "snippet /snippets/gone.mdx not found (line 10)" in document.problems


def test_jsx_comments_are_dropped_outside_code_only() -> None:
    """{/* */} comments vanish from prose but stay in code spans and fences."""
    body = (
        "Before {/* hidden */} after.\n\n{/*\nmulti\nline\n*/}\n\n"
        "`{/* shown */}`\n\n```\n{/* code */}\n```\n"
    )
    _, page = convert(body)
    assert "hidden" not in page.html and "multi" not in page.html
    assert "{/* shown */}" in page.text and page.code == "{/* code */}"


def test_attribute_expressions_with_nested_braces_and_jsx() -> None:
    """Braces nested in {…}, strings with quotes and JSX text with apostrophes all parse."""
    body = (
        '<div style={{color: "red", nested: {a: "}"}}}>Styled *text*</div>\n\n'
        '<Accordion title={<span>It\'s {"done"}</span>}>Body</Accordion>\n'
    )
    document, page = convert(body)
    assert "<div>Styled <em>text</em></div>" in page.html
    assert "<summary><span>It's done</span></summary>" in page.html
    assert document.problems == ()


def test_raw_html_comes_through_for_the_sanitizer() -> None:
    """img, table, br and divs pass through; the sanitizer drops what is unsafe."""
    body = (
        '<img src="/a.png" alt="A" onerror="alert(1)" />\n\nLine<br/>break\n\n'
        "<table>\n  <tr>\n    <td>**cell**</td>\n  </tr>\n</table>\n\n"
        '<a href="javascript:alert(1)">bad</a> <div hx-get="/x">d</div>\n'
    )
    _, page = convert(body)
    assert '<img src="/a.png" alt="A">' in page.html and "Line<br>break" in page.html
    assert "<td><strong>cell</strong></td>" in page.html
    assert (
        "javascript" not in page.html and "hx-get" not in page.html and "onerror" not in page.html
    )


def test_links_in_prose_are_recorded_with_lines_but_not_in_code() -> None:
    """Markdown links, <a href> and reference definitions count; code spans and fences do not."""
    body = (
        "See [Tokens](/docs/tokens#id) and `[not](/code)`.\n"
        '<a href="https://example.com">Ext</a>\n\n```md\n[fence](/no)\n```\n\n![img](/pic.png)\n\n'
        "[ref]: /docs/ref\n"
    )
    document, _ = convert(body, line_offset=100)
    assert [(x.target, x.line, x.text) for x in document.links] == [
        ("/docs/tokens#id", 101, "Tokens"),
        ("https://example.com", 102, "Ext"),
        ("/docs/ref", 110, "ref"),
    ]


def test_components_inside_list_items_stay_in_the_list() -> None:
    """A component under a list item (CommonMark 3-space indent) stays inside that item."""
    body = (
        "1. Open it.\n\n   <Frame>![shot](/s.png)</Frame>\n2. Then:\n\n   ```bash\n   run\n   ```\n"
    )
    _, page = convert(body)
    items = re.findall(r"<li>.*?</li>", page.html, re.S)
    assert len(items) == 2 and "kb-frame" in items[0] and "<pre" in items[1]


def test_indented_component_content_is_not_code() -> None:
    """Deeply indented prose inside components stays prose (MDX has no indented code)."""
    body = "<Info>\n        Indented text.\n\n        More text.\n</Info>\n"
    _, page = convert(body)
    assert "<pre" not in page.html and page.text == "Indented text. More text."


def test_problems_name_the_line_of_unclosed_tags() -> None:
    """An unclosed component is reported with its file line; its content is kept."""
    document, page = convert('Text\n\n<Tabs>\n<Tab title="A">\nInside\n</Tab>\n', line_offset=37)
    assert document.problems == ("unclosed <Tabs> at line 40",)
    assert "Inside" in page.text


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["<Info>", "</Info>", "<Tab title='x'>", "</Tabs>", "{", "}", "`", "```", "\n", "  ",
             "<Tooltip tip=\"a\">", "</Tooltip>", "text", "export const a = `", "import x from 'y'",
             "<div>", "</div>", "{/*", "*/}", "- ", "1. ", "<", ">", "\\", "<Card href={", "\t"]
        ),
        max_size=40,
    ).map("".join)
)  # fmt: skip
def test_bad_input_never_raises(body: str) -> None:
    """Any jumble of MDX pieces converts and renders without raising."""
    document, page = convert(body)
    assert isinstance(document.problems, tuple) and isinstance(page.html, str)


KNOWN_TAGS = (
    "Tooltip|Tabs|Tab|Info|Warning|Tip|Note|Check|Callout|Steps|Step|AccordionGroup|Accordion|"
    "CardGroup|Card|Frame|ParamField|ResponseField|Expandable|CodeGroup|AuthCodeGroup|AuthCodeBlock"
)
LITERAL_TAG = re.compile(rf"(?:<|&lt;)/?(?:{KNOWN_TAGS})\b")
CODE_ELEMENTS = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.S)
FRONTMATTER = re.compile(r"---[ \t]*\n.*?\n---[ \t]*(?:\n|$)", re.S)


def _has_prose(body: str) -> bool:
    """Tell whether a body has a sentence outside code, ESM statements and tags."""
    text = re.sub(r"```.*?```|`[^`]*`", " ", body, flags=re.S)
    text = re.sub(r"(?m)^(?:import|export)\b.*$|<[^>]*>|\{[^{}]*\}", " ", text)
    return re.search(r"[A-Za-z]{3,}(?:[ \t]+[A-Za-z,.]{2,}){3,}", text) is not None


@pytest.mark.corpus
def test_every_corpus_page_converts_without_leftover_components(corpus_root: Path) -> None:
    """All corpus pages convert; none shows a known component tag as text outside code."""
    load = loader(corpus_root)
    failures: list[str] = []
    pages = sorted((corpus_root / "docs").rglob("*.mdx"))
    assert len(pages) > 2000
    for path in pages:
        source = path.read_text(encoding="utf-8")
        match = FRONTMATTER.match(source) if source.startswith("---") else None
        body = source[match.end() :] if match else source
        offset = source[: match.end()].count("\n") if match else 0
        _, page = convert(body, line_offset=offset, load_snippet=load)
        prose = CODE_ELEMENTS.sub("", page.html)
        if LITERAL_TAG.search(prose):
            failures.append(f"{path}: {LITERAL_TAG.search(prose).group(0)}")  # type: ignore[union-attr]
        if _has_prose(body) and not page.html.strip():
            failures.append(f"{path}: empty HTML")
    assert failures == []
