"""Tests of kb.render.rewrites: the view-time rewrites of a page's sanitized HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from kb.glossary.terms import Glossary, make_term
from kb.render.rewrites import (
    PageContext,
    add_heading_anchors,
    broken_by_target,
    clean,
    degrade_images,
    process_page_html,
    rewrite_links,
    rewrite_tooltips,
    wrap_tables,
)
from kb.render.sanitize import sanitize_html
from kb.render.tags import parse_attributes

GLOSSARY = Glossary(
    [
        make_term("Access Token", "Credential an application uses to call an API.", "g.mdx", 3),
        make_term("Identity Provider (IdP)", "A service that stores identities.", "g.mdx", 9),
        make_term("Danger", 'Says <b>"hi"</b> & <script>alert(1)</script>', "g.mdx", 12),
    ]
)


def tooltip(term: str, text: str = "word") -> str:
    """Return a tooltip the way the renderer stores it (sanitized)."""
    name = term.replace("+", " ")
    return sanitize_html(
        f'<p>See <a class="kb-tooltip" href="/glossary?term={term}" data-term="{name}">'
        f"{text}</a>.</p>"
    )


def context(**overrides: object) -> PageContext:
    """Return the context of a page docs/guide/start.mdx with a few known pages."""
    values: dict[str, object] = {
        "page_url": "/docs/guide/start",
        "page_path": "docs/guide/start.mdx",
        "glossary": GLOSSARY,
        "known_urls": frozenset({"/docs/guide/start", "/docs/guide/next", "/docs/other"}),
        **overrides,
    }
    return PageContext(**values)  # type: ignore[arg-type]


class _Tags(HTMLParser):
    """Collect every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Parse HTML into (tag, attributes) pairs."""
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_known_tooltip_gets_the_canonical_definition_and_term_page_link() -> None:
    html = rewrite_tooltips(tooltip("access+tokens", "tokens"), GLOSSARY)
    tags = tags_of(html)
    link = next(a for t, a in tags if t == "a")
    tip = next(a for t, a in tags if t == "span" and a.get("role") == "tooltip")
    assert link["href"] == "/glossary/access-token"
    assert link["aria-describedby"] == tip["id"]
    assert "Credential an application uses to call an API." in html
    assert '<strong class="kb-tip-term">Access Token</strong>' in html
    assert html.count(">tokens</a>") == 1


def test_tooltip_found_by_alias_links_to_its_term() -> None:
    html = rewrite_tooltips(tooltip("IdP"), GLOSSARY)
    assert 'href="/glossary/identity-provider"' in html
    assert "A service that stores identities." in html


def test_unknown_tooltip_links_to_the_glossary_search_and_says_so() -> None:
    html = rewrite_tooltips(tooltip("Holdout+Group"), GLOSSARY)
    assert 'href="/glossary?q=Holdout+Group"' in html
    assert "kb-tooltip-unknown" in html
    assert "is not in the glossary" in html


def test_tooltip_text_is_escaped() -> None:
    html = clean(rewrite_tooltips(tooltip("Danger"), GLOSSARY))
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_tooltip_ids_are_unique_on_a_page() -> None:
    source = tooltip("IdP") + tooltip("Access+Token") + tooltip("nothing")
    ids = re.findall(r'id="([^"]+)"', rewrite_tooltips(source, GLOSSARY))
    assert len(ids) == 3 and len(set(ids)) == 3


def test_hostile_term_attribute_cannot_break_out_of_its_quotes() -> None:
    source = (
        '<a class="kb-tooltip" href="/glossary?term=x" '
        'data-term="x&quot; onmouseover=&quot;alert(1)">t</a>'
    )
    html = process_page_html(source, context())
    tags = tags_of(html)
    for _, attributes in tags:
        assert not any(name.startswith("on") for name in attributes)
    link = next(a for t, a in tags if t == "a")
    assert link["data-term"] == 'x" onmouseover="alert(1)'
    assert link["href"] == "/glossary?q=x%22+onmouseover%3D%22alert%281%29"


def test_relative_and_suffixed_links_point_at_kb_routes() -> None:
    source = '<a href="next.mdx">n</a><a href="../other.md#part">o</a><a href="#here">h</a>'
    html = rewrite_links(source, context())
    assert 'href="/docs/guide/next"' in html
    assert 'href="/docs/other#part"' in html
    assert 'href="#here"' in html


def test_glossary_links_go_to_the_term_page() -> None:
    html = rewrite_links('<a href="/docs/glossary?term=access+token">a</a>', context())
    assert 'href="/glossary/access-token"' in html


def test_a_page_named_terms_is_not_mistaken_for_the_glossary() -> None:
    html = rewrite_links('<a href="/docs/legal/terms#liability">l</a>', context())
    assert 'href="/docs/legal/terms#liability"' in html


def test_external_links_are_left_alone() -> None:
    source = (
        '<a href="https://example.com/x" rel="noopener noreferrer">e</a>'
        '<a href="mailto:a@b.c">m</a>'
    )
    assert rewrite_links(source, context()) == source


def test_broken_links_are_marked_with_the_reason() -> None:
    findings = [
        {"target": "/docs/missing", "kind": "missing-page", "suggestion": "/docs/other"},
        {"target": "next#nowhere", "kind": "missing-anchor", "suggestion": None},
    ]
    ctx = context(broken=broken_by_target(findings, "docs/guide/start.mdx"))
    html = rewrite_links('<a href="/docs/missing">m</a> <a href="next.mdx#nowhere">n</a>', ctx)
    links = [a for t, a in tags_of(html) if t == "a"]
    assert all("kb-link-broken" in (a.get("class") or "") for a in links)
    assert links[0]["title"] == "Broken link: no page at /docs/missing. Did you mean /docs/other?"
    assert links[1]["title"] == "Broken link: /docs/guide/next has no section “#nowhere”."


def test_working_links_are_not_marked() -> None:
    ctx = context(broken=broken_by_target([{"target": "/docs/missing"}], "docs/guide/start.mdx"))
    assert "kb-link-broken" not in rewrite_links('<a href="/docs/other">o</a>', ctx)


def test_redirected_links_follow_the_redirect() -> None:
    ctx = context(redirects={"/docs/old": "/docs/other#intro"})
    assert 'href="/docs/other#intro"' in rewrite_links('<a href="/docs/old">o</a>', ctx)
    assert 'href="/docs/other#kept"' in rewrite_links('<a href="/docs/old#kept">o</a>', ctx)


def test_local_images_degrade_to_their_alt_text() -> None:
    html = degrade_images('<img src="/images/chart.png" alt="Chart of &lt;b&gt; usage">')
    assert "<img" not in html
    assert 'class="kb-img-missing"' in html
    assert "Chart of &lt;b&gt; usage" in html
    assert 'title="Image not available: /images/chart.png"' in html


def test_image_without_alt_text_shows_its_file_name() -> None:
    assert ">chart.png</span>" in degrade_images('<img src="../img/chart.png">')


def test_https_images_stay_and_protocol_relative_ones_use_https() -> None:
    kept = '<img src="https://cdn.example.com/a.png" alt="a">'
    assert degrade_images(kept) == kept
    assert 'src="https://cdn.example.com/b.png"' in degrade_images(
        '<img src="//cdn.example.com/b.png">'
    )


def test_tables_scroll_inside_a_focusable_region() -> None:
    html = wrap_tables("<table><tr><td>1</td></tr></table>")
    assert html.startswith('<div class="kb-table-wrap" role="region"')
    assert html.endswith("</table></div>")
    assert 'tabindex="0"' in clean(html)


def test_headings_get_a_self_link() -> None:
    html = add_heading_anchors('<h2 id="setup">Set <code>up</code></h2><h2>No id</h2>')
    assert (
        '<a class="kb-heading-anchor" href="#setup" aria-label="Link to “Set up”">#</a></h2>'
        in html
    )
    assert "<h2>No id</h2>" in html


def test_clean_keeps_the_added_markup_and_drops_live_content() -> None:
    html = clean(
        '<span class="kb-tip" role="tooltip" id="kb-tip-1">t</span>'
        '<a href="javascript:alert(1)" onclick="x()">j</a><script>alert(1)</script>'
        '<div hx-get="/x" data-hx-post="/y" style="color:red">d</div>'
    )
    assert 'id="kb-tip-1"' in html and 'role="tooltip"' in html
    for bad in ("javascript:", "onclick", "<script", "hx-get", "data-hx-post", "style="):
        assert bad not in html


def test_parse_attributes_unescapes_values() -> None:
    assert parse_attributes(' href="/a?b=1&amp;c=2" data-term="x &quot;y&quot;"') == {
        "href": "/a?b=1&c=2",
        "data-term": 'x "y"',
    }


def test_process_page_html_applies_every_rewrite() -> None:
    source = (
        '<h2 id="intro">Intro</h2>'
        + tooltip("IdP")
        + '<p><a href="next.mdx">next</a><img src="/images/x.png" alt="X"></p>'
        + "<table><tr><td>1</td></tr></table>"
    )
    html = process_page_html(source, context())
    assert "kb-heading-anchor" in html
    assert 'href="/glossary/identity-provider"' in html
    assert 'href="/docs/guide/next"' in html
    assert "kb-img-missing" in html
    assert "kb-table-wrap" in html
