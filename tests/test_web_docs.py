"""Tests of the page view: rendering, tooltips, links, images, freshness, safety, the corpus."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kb.build.indexer import build_index
from kb.config import load_settings
from kb.web import create_app
from kb.web.context import generation

AS_OF = "as_of=2026-11-26"  # the date the example site's README states its statuses for
COMPONENT_NAMES = [
    *("Tooltip", "Tabs", "Tab", "Info", "Warning", "Note", "Steps", "Step", "Accordion"),
    *("AccordionGroup", "Card", "CardGroup", "ParamField", "ResponseField", "CodeGroup"),
    *("Frame", "Expandable", "Check", "Tip", "Callout"),
]
RAW_COMPONENT = re.compile(r"(?:<|&lt;)(?:" + "|".join(COMPONENT_NAMES) + r")(?=[\s>/]|&gt;)")
HOSTILE_PAGE = """---
title: Hostile <script>alert("title")</script>
description: "<img src=x onerror=alert(1)>"
---
<script>alert(1)</script>

<img src=x onerror=alert(1)>

[click](javascript:alert(1)) and <a href="JaVaScRiPt:alert(1)">mixed case</a>

<a href="data:text/html,<script>alert(1)</script>">data link</a>

<div hx-get="/x" hx-trigger="load">htmx div</div>

<div data-hx-post="/x" data-hx-trigger="load">data-hx div</div>

<style>body { display: none }</style>

<iframe src="https://example.com/frame"></iframe>

<form action="/steal"><input name="a"><button>go</button></form>

<svg onload="alert(1)"><circle r="1"/></svg>

<Tooltip tip='x" onmouseover="alert(1)' href="/docs/glossary?term=Token">tokens</Tooltip>

<Tooltip tip="Token: fine" href='/docs/glossary?term=Token" onfocus="alert(1)'>token two</Tooltip>

<Card title="card" href="javascript:alert(1)">card body</Card>

<Frame caption="frame"><img src="javascript:alert(1)" alt="js image" /></Frame>

<details open ontoggle="alert(1)"><summary>s</summary>body</details>
"""
HOSTILE_GLOSSARY = """---
title: Glossary
---
<GlossaryPage terms={[
  {
    term: "Token",
    description: "A <img src=x onerror=alert(1)> credential \\" onmouseover=\\"alert(1)",
  },
]} />
"""
LIVE_TAGS = {"script", "style", "iframe", "form", "input", "button", "svg", "object", "embed"}


class Tags(HTMLParser):
    """Collect every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def content_of(html: str) -> str:
    """Return the rendered content of a page view (the part that comes from the docs)."""
    start = html.index('<div class="kb-content">')
    return html[start : html.index('<footer class="kb-page-footer">', start)]


def live_markup(html: str) -> list[str]:
    """Name every piece of markup that could run code: tags, handlers, hx-*, script URLs."""
    parser = Tags()
    parser.feed(html)
    found = []
    for tag, attributes in parser.tags:
        if tag in LIVE_TAGS:
            found.append(f"<{tag}>")
        for name, value in attributes.items():
            if name.startswith(("on", "hx-", "data-hx-")) or name == "style":
                found.append(f"{tag}[{name}]")
            if name in ("href", "src") and re.match(
                r"\s*(javascript|data|vbscript):", value or "", re.I
            ):
                found.append(f"{tag}[{name}={value}]")
    return found


def write_hostile_site(root: Path) -> Path:
    """Write a site whose page tries every known way to get script into the page view."""
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "hostile.mdx").write_text(HOSTILE_PAGE, encoding="utf-8")
    (root / "docs" / "glossary.mdx").write_text(HOSTILE_GLOSSARY, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    """Return a client of the app serving an index of the hostile site."""
    root = write_hostile_site(tmp_path_factory.mktemp("hostile") / "site")
    index_dir = root.parent / "index"
    build_index(load_settings(root, {"index_dir": index_dir}))
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()


def test_page_view_shows_header_breadcrumbs_toc_and_source(client: FlaskClient) -> None:
    html = client.get(f"/docs/get-started/quickstart?{AS_OF}").get_data(as_text=True)
    assert "<h1>Quickstart</h1>" in html
    # The trail is labelled from the site's nav (docs.json): tab, then group.
    crumbs = html[
        html.index('class="kb-crumbs"') : html.index("</nav>", html.index('class="kb-crumbs"'))
    ]
    assert re.search(r'<a href="/docs">Guides</a>.*<span>Get started</span>', crumbs, re.S)
    assert '<span aria-current="page">Quickstart</span>' in html
    start = html.index('<details class="kb-toc"')
    toc = html[start : html.index("</details>", start)]
    for anchor in ("create-your-first-flag", "install-the-sdk", "target-specific-users"):
        assert f'href="#{anchor}"' in toc
    assert "Source file <code>docs/get-started/quickstart.mdx</code>" in html
    assert 'href="/assets/pygments.css"' in html


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("get-started/quickstart", "fresh", "Validated 2026-10-01 · 56 days ago · review due"),
        ("get-started/environments", "due", "169 days ago"),
        ("flags/kill-switches", "stale", "256 days ago · review was due"),
        ("flags/overview", "never", "No validatedOn date"),
        ("reference/audit-logs", "invalid", "2026-02-30"),
        ("troubleshooting/sdk-connection", "future", "2027-01-15"),
        ("api/overview", "exempt", "not reviewed"),
    ],
)
def test_freshness_badge(client: FlaskClient, path: str, status: str, detail: str) -> None:
    html = client.get(f"/docs/{path}?{AS_OF}").get_data(as_text=True)
    header = html[
        html.index('<header class="kb-page-header">') : html.index(
            "</header>", html.index('<header class="kb-page-header">')
        )
    ]
    assert f"kb-status-{status}" in header
    assert detail in header


def test_bad_as_of_is_400(client: FlaskClient) -> None:
    assert client.get("/docs/get-started/quickstart?as_of=soon").status_code == 400


def test_components_are_rendered_with_their_classes(client: FlaskClient) -> None:
    pages = {
        "get-started/quickstart": (
            "kb-steps",
            "kb-callout-tip",
            "kb-callout-check",
            "kb-tabs",
            "kb-code-group",
            "kb-code-title",
        ),
        "flags/kill-switches": ("kb-callout-warning", "<details", "kb-accordion-group"),
        "api/webhooks": ("kb-param-field", "kb-response-field", "kb-field-required"),
        "api/overview": ("kb-expandable",),
        "": ("kb-card-group", "kb-card", "kb-callout-info"),
        "rollouts/experiments": ("<figure", "<figcaption>"),
    }
    for path, classes in pages.items():
        content = content_of(client.get(f"/docs/{path}".rstrip("/")).get_data(as_text=True))
        for css in classes:
            assert css in content, f"{css} missing on {path}"
        assert not RAW_COMPONENT.search(re.sub(r"<pre\b.*?</pre>", "", content, flags=re.S))


def test_tooltips_show_the_canonical_definition_not_the_tip(client: FlaskClient) -> None:
    content = content_of(client.get("/docs/flags/kill-switches").get_data(as_text=True))
    audit = re.search(
        r'<a class="kb-tooltip" href="/glossary/audit-log"[^>]*aria-describedby="([^"]+)">'
        r"audit log</a>"
        r'<span class="kb-tip" role="tooltip" id="\1">(.*?)</span></span>',
        content,
    )
    assert audit, "the audit log tooltip is not rewritten"
    assert "tamper-evident record of every change" in audit.group(2)
    assert "HTTP callback" not in audit.group(2)


def test_unknown_tooltip_term_links_to_the_glossary_search(client: FlaskClient) -> None:
    content = content_of(client.get("/docs/rollouts/experiments").get_data(as_text=True))
    assert 'href="/glossary?q=Holdout+Group"' in content
    assert "“Holdout Group” is not in the glossary." in content


def test_broken_links_are_marked_and_good_ones_are_not(client: FlaskClient) -> None:
    content = content_of(client.get("/docs/troubleshooting/common-errors").get_data(as_text=True))
    parser = Tags()
    parser.feed(content)
    links = [a for tag, a in parser.tags if tag == "a"]
    broken = {a["href"]: a["title"] for a in links if "kb-link-broken" in (a.get("class") or "")}
    assert sorted(broken) == [
        "/docs/flags/flag-dependencies",
        "/docs/rollouts/percentage-rollouts#rollback-plan",
    ]
    assert str(broken["/docs/flags/flag-dependencies"]).startswith(
        "Broken link: no page at /docs/flags/flag-dependencies."
    )
    assert "has no section “#rollback-plan”" in str(
        broken["/docs/rollouts/percentage-rollouts#rollback-plan"]
    )
    good = [
        a for a in links if a["href"] == "/docs/flags/kill-switches#test-a-kill-switch-in-staging"
    ]
    assert good and "class" not in good[0]


def test_missing_image_degrades_to_alt_text(client: FlaskClient) -> None:
    content = content_of(client.get("/docs/rollouts/experiments").get_data(as_text=True))
    assert "<img" not in content
    assert re.search(
        r'<span class="kb-img-missing"[^>]*>Bar chart of conversion rate per variation</span>',
        content,
    )


def test_component_glossary_page_lists_its_terms(client: FlaskClient) -> None:
    content = content_of(client.get("/docs/glossary").get_data(as_text=True))
    assert "14 terms" in content
    assert (
        '<a href="/glossary/service-level-objective">Service Level Objective (SLO)</a>' in content
    )
    assert "A reliability target for a service" in content
    plain = content_of(client.get("/docs/reference/terms").get_data(as_text=True))
    assert "kb-defined-terms" not in plain  # its headings already show the terms


@pytest.mark.parametrize(
    "path", ["/docs/glossary?term=SLO", "/docs/glossary?term=Service+Level+Objectives"]
)
def test_glossary_page_term_links_redirect_to_the_term(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/glossary/service-level-objective"


def test_unknown_glossary_term_link_is_404_with_close_matches(client: FlaskClient) -> None:
    response = client.get("/docs/glossary?term=Kill+Swich")
    assert response.status_code == 404
    assert '<a href="/glossary/kill-switch">Kill Switch</a>' in response.get_data(as_text=True)


def test_pygments_stylesheet_is_served_and_cached(client: FlaskClient) -> None:
    response = client.get("/assets/pygments.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert ".highlight .k " in response.get_data(as_text=True)
    etag = response.headers["ETag"]
    assert client.get("/assets/pygments.css", headers={"If-None-Match": etag}).status_code == 304


def test_api_page_metadata(client: FlaskClient) -> None:
    data = client.get(f"/api/pages/flags/kill-switches?{AS_OF}").get_json()
    assert (data["url"], data["status"], data["age_days"]) == (
        "/docs/flags/kill-switches",
        "stale",
        256,
    )
    assert {u["line"] for u in data["glossary_uses"]} == {7, 23}
    assert client.get("/api/pages").get_json()["url"] == "/docs"


@pytest.mark.parametrize(
    "path",
    [
        "/docs/nope",
        "/docs/../../etc/passwd",
        "/docs/%2e%2e/%2e%2e/etc/passwd",
        "/docs/a%00b",
        "/api/pages/nope",
    ],
)
def test_unknown_and_traversal_paths_are_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b"Traceback" not in response.data


def test_hostile_page_renders_with_nothing_live(hostile_client: FlaskClient) -> None:
    response = hostile_client.get("/docs/hostile")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    content = content_of(html)
    assert live_markup(content) == []
    assert "<script>alert" not in html and "<img src=x onerror" not in html
    assert "Hostile &lt;script&gt;" in html  # the title is shown as text
    for text in ("htmx div", "data-hx div", "tokens", "token two", "card body"):
        assert text in content
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_hostile_glossary_definition_is_text_in_tooltips(hostile_client: FlaskClient) -> None:
    content = content_of(hostile_client.get("/docs/hostile").get_data(as_text=True))
    tips = re.findall(
        r'<span class="kb-tip" role="tooltip" id="[^"]+">(.*?)</span></span>', content
    )
    assert len(tips) == 2
    assert "A &lt;img src=x onerror=alert(1)&gt; credential" in tips[0]
    assert "is not in the glossary" in tips[1]  # the term its broken-out href names is unknown
    assert live_markup(content) == []


def test_hostile_glossary_views_are_inert(hostile_client: FlaskClient) -> None:
    for path in ("/glossary", "/glossary/token", "/docs/glossary", "/reports/glossary"):
        html = hostile_client.get(path).get_data(as_text=True)
        main = html[html.index('<main id="main"') : html.index("</main>")]
        if path != "/reports/glossary":
            assert "A &lt;img src=x onerror=alert(1)&gt; credential" in main
        # Our own templates use hx-* and forms; nothing from the docs may add tags or handlers.
        own = ("form", "input", "button", "<form>", "<input>", "<button>")
        assert [m for m in live_markup(main) if not m.startswith(own) and "[hx-" not in m] == [], (
            path
        )


@pytest.mark.corpus
def test_every_corpus_page_renders_without_raw_components(corpus_client: FlaskClient) -> None:
    with corpus_client.application.app_context():
        urls = generation().store.urls()
    assert len(urls) >= 2900
    failures = []
    for url in urls:
        response = corpus_client.get(url)
        if response.status_code != 200:
            failures.append(f"{url}: {response.status_code}")
            continue
        content = content_of(response.get_data(as_text=True))
        prose = re.sub(r"<(pre|code)\b.*?</\1>", "", content, flags=re.S)
        if match := RAW_COMPONENT.search(prose):
            failures.append(f"{url}: raw {prose[match.start() : match.start() + 60]!r}")
        api = "/api/pages" + url.removeprefix("/docs")
        if corpus_client.get(api).status_code != 200:
            failures.append(f"{api}: not 200")
    assert failures == []
