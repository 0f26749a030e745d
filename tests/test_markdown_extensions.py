"""A site's Markdown extensions: which kb loads and why not the others, and how their HTML is
restyled as kb's components and kept within the sanitizer."""

from __future__ import annotations

import re

import pytest

from kb.render.extensions import ExtensionPlan, plan_extensions
from kb.render.markdown import render_markdown
from kb.render.restyle import ADMONITION_KINDS, callout_kind
from kb.render.sanitize import sanitize_html
from kb.structure.mkdocs import YamlTag


def plan_of(*names: str, **configs: dict[str, object]) -> ExtensionPlan:
    """Plan these extensions (with configs by name, dots written as __)."""
    requested = [(name, configs.get(name.replace(".", "__"), {})) for name in names]
    return plan_extensions(requested)


def test_covered_extensions_are_silent_and_not_loaded() -> None:
    plan = plan_of("toc", "fenced_code", "codehilite", "pymdownx.superfences", "meta")
    assert plan == ExtensionPlan((), ())


def test_extra_is_loaded_part_by_part_and_long_names_are_shortened() -> None:
    plan = plan_of("extra", "markdown.extensions.admonition")
    assert plan.names() == [
        "abbr",
        "attr_list",
        "def_list",
        "footnotes",
        "md_in_html",
        "tables",
        "admonition",
    ]
    assert plan.problems == ()


def test_each_extension_left_out_says_why() -> None:
    plan = plan_of("pymdownx.snippets", "pymdownx.arithmatex", "mdx_truly_sane_lists")
    assert plan.extensions == ()
    snippets, math, unknown = plan.problems
    assert "pymdownx.snippets not applied: it reads other files" in snippets
    assert "pymdownx.arithmatex not applied: math needs a script" in math
    assert "mdx_truly_sane_lists not applied: kb does not know it" in unknown


def test_options_that_name_code_are_dropped_and_the_rest_kept() -> None:
    slugify = YamlTag("tag:yaml.org,2002:python/name:pymdownx.slugs.uslugify", "")
    plan = plan_of(
        "pymdownx.tabbed",
        pymdownx__tabbed={"alternate_style": True, "slugify": slugify},
    )
    assert plan.configs() == {"pymdownx.tabbed": {"alternate_style": True}}
    (problem,) = plan.problems
    assert "option slugify ignored: it names code (!!python/name:pymdownx.slugs.uslugify)" in (
        problem
    )


def test_options_an_extension_refuses_fall_back_to_none() -> None:
    plan = plan_of("admonition", "footnotes", footnotes={"NO_SUCH_OPTION": 1})
    assert plan.configs() == {"admonition": {}, "footnotes": {"SEPARATOR": ":"}}
    (problem,) = plan.problems
    assert "footnotes: options ['NO_SUCH_OPTION'] not usable" in problem
    assert "applied without them" in problem


def test_the_plan_fingerprint_follows_the_config() -> None:
    one = plan_of("pymdownx.tabbed", pymdownx__tabbed={"alternate_style": True})
    two = plan_of("pymdownx.tabbed", pymdownx__tabbed={"alternate_style": False})
    assert one.fingerprint() != two.fingerprint()
    assert (
        one.fingerprint()
        == plan_of("pymdownx.tabbed", pymdownx__tabbed={"alternate_style": True}).fingerprint()
    )


@pytest.mark.parametrize("alternate", [True, False])
def test_both_tab_styles_and_nested_sets_become_kb_tabs(alternate: bool) -> None:
    plan = plan_of("pymdownx.tabbed", pymdownx__tabbed={"alternate_style": alternate})
    html = render_markdown(
        '=== "Outer A"\n\n    a\n\n    === "Inner"\n\n        inner\n\n=== "Outer *B*"\n\n    b\n',
        plan,
    ).html
    assert re.findall(r'class="kb-tab-title" role="heading">(.*?)</p>', html) == [
        "Outer A",
        "Inner",
        "Outer <em>B</em>",
    ]
    outer_first = html.index("Outer A") < html.index("Inner") < html.index("Outer <em>B")
    assert outer_first and html.count('<div class="kb-tabs">') == 2
    assert "tabbed" not in html and "<input" not in html


def test_generic_blocks_get_the_same_styles() -> None:
    plan = plan_of("pymdownx.blocks.admonition", "pymdownx.blocks.details")
    html = render_markdown(
        "/// warning | Careful\nBody\n///\n\n/// details | More\n    open: True\nHidden\n///\n",
        plan,
    ).html
    assert '<div aria-label="Warning" class="kb-callout kb-callout-warning" role="note">' in html
    assert '<p class="kb-callout-title">Careful</p>' in html
    assert '<details class="kb-accordion kb-callout-note" open="">' in html


def test_every_admonition_type_maps_to_a_kb_callout_kind() -> None:
    kinds = {"info", "note", "tip", "check", "warning", "danger"}
    assert set(ADMONITION_KINDS.values()) <= kinds
    assert callout_kind(["admonition", "warning"]) == "warning"
    assert callout_kind(["admonition", "my-own-type"]) == "note"


def test_indented_code_keeps_its_characters_escaped_once() -> None:
    html = render_markdown("Text.\n\n    a && b < c > d\n", ExtensionPlan()).html
    assert "<code>a &amp;&amp; b &lt; c &gt; d</code>" in html
    assert html.count('<div class="kb-code">') == 1


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        ('<ol><li id="fn:1">x</li></ol>', '<ol><li id="fn:1">x</li></ol>'),
        ('<sup id="fnref:a">1</sup>', '<sup id="fnref:a">1</sup>'),
        ('<sup id="fnref2:a">1</sup>', '<sup id="fnref2:a">1</sup>'),
        ('<ol><li id="location">x</li></ol>', "<ol><li>x</li></ol>"),
        ('<sup class="c" id="cookie" title="t">1</sup>', '<sup class="c" title="t">1</sup>'),
        ('<p id="fn:1">x</p>', "<p>x</p>"),
        ('<div id="fn:1">x</div>', "<div>x</div>"),
    ],
)
def test_only_footnote_ids_pass_the_sanitizer(raw: str, kept: str) -> None:
    assert sanitize_html(raw) == kept


def test_attribute_lists_and_html_blocks_cannot_bring_scripts_or_styles() -> None:
    plan = plan_of("attr_list", "md_in_html", "admonition")
    html = render_markdown(
        '# Title { onclick="steal()" style="color:red" #location .ok }\n\n'
        '<div markdown onmouseover="x()">\n**bold** <script>alert(1)</script>\n</div>\n\n'
        '!!! note "<img src=x onerror=alert(1)>"\n    body { style="x" }\n\n'
        '[link](javascript:alert(1)){ target="_blank" }\n',
        plan,
    ).html
    assert "<script" not in html and "alert(1)</" not in html
    assert re.search(r"<[^>]*\s(?:on[a-z]+|style|target)=|javascript:", html) is None
    assert '<h1 class="ok" id="location">' in html  # heading ids stay (anchors need them)
    assert "<strong>bold</strong>" in html
