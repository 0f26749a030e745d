"""The site's navigation, redirects, 404 and edit links as served: example site, plain site, corpus."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from markupsafe import escape

from kb.cli import main
from kb.web import create_app
from tests.conftest import csv_rows, index_site

PLAIN_SITE = Path(__file__).parent / "sites" / "plain"


def _between(html: str, start: str, end: str) -> str:
    i = html.index(start)
    return html[i : html.index(end, i)]


def test_sidebar_tabs_and_pager_follow_docs_json(client: FlaskClient) -> None:
    html = client.get("/docs/rollouts/scheduled-releases").get_data(as_text=True)
    tabs = _between(html, '<nav class="kb-sitetabs"', "</nav>")
    assert re.findall(r">([^<]+)</a>", tabs) == ["Guides", "API", "Reference"]
    assert 'data-tab="0" aria-current="true">Guides' in tabs
    side = _between(html, '<nav class="kb-sidenav"', "</nav>")
    assert '<a href="/docs/rollouts/scheduled-releases" aria-current="page">' in side
    assert side.count('aria-current="page"') == 1
    # the page's nested group is opened; another nested group would stay closed
    assert re.search(r'data-gid="\d+" open>\s*<summary>Advanced rollouts</summary>', side)
    assert '<a rel="next" href="/docs/rollouts/experiments"' not in html  # attribute order below
    assert re.search(r'rel="prev" href="/docs/rollouts/percentage-rollouts"', html)
    assert re.search(r'rel="next" href="/docs/rollouts/experiments"', html)
    crumbs = _between(html, 'class="kb-crumbs"', "</nav>")
    assert re.findall(r"<(?:a[^>]*|span)>([^<]+)<", crumbs) == [
        "Guides",
        "Rollouts",
        "Advanced rollouts",
    ]


def test_the_api_tab_comes_from_a_ref_file(client: FlaskClient) -> None:
    html = client.get("/docs/api/webhooks").get_data(as_text=True)
    assert 'data-tab="1" aria-current="true">API' in html
    side = _between(html, '<nav class="kb-sidenav"', "</nav>")
    assert "<summary>REST API</summary>" in side and "Flags" not in side


def test_a_page_outside_the_nav_gets_its_folder_trail_and_tab(client: FlaskClient) -> None:
    data = client.get("/api/pages/reference/audit-logs").get_json()
    assert data["nav"]["prev"] is None and data["nav"]["next"] is None
    assert [c["label"] for c in data["nav"]["trail"]] == ["Docs", "Reference"]
    html = client.get("/docs/reference/audit-logs").get_data(as_text=True)
    assert 'aria-current="page">' not in _between(html, '<nav class="kb-sidenav"', "</nav>")


def test_edit_links_on_pages_and_in_the_stale_report(client: FlaskClient) -> None:
    edit = "https://github.com/example/lanternfly-docs/edit/main/docs/flags/kill-switches.mdx"
    html = client.get("/docs/flags/kill-switches").get_data(as_text=True)
    assert f'<a class="kb-edit" href="{edit}" rel="noopener">Edit this page</a>' in html
    assert client.get("/api/pages/flags/kill-switches").get_json()["edit_url"] == edit
    rows = {
        r["url"]: r
        for r in csv_rows(client.get("/reports/stale.csv?as_of=2026-11-26").get_data(as_text=True))
    }
    assert rows["/docs/flags/kill-switches"]["source_path"] == "docs/flags/kill-switches.mdx"
    assert rows["/docs/flags/kill-switches"]["edit_url"] == edit
    pages = client.get("/api/reports/stale?as_of=2026-11-26").get_json()["pages"]
    assert {p["url"]: p["edit_url"] for p in pages}["/docs/flags/kill-switches"] == edit


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/docs/quickstart?ref=old#x", "/docs/get-started/quickstart?ref=old"),
        ("/docs/getting-started", "/docs/get-started/quickstart"),  # a chain, followed to the end
        ("/docs/flags/legacy/kill-switches", "/docs/flags/kill-switches"),  # :slug*
        ("/docs/toggles/any/depth", "/docs/flags/overview"),  # *
        ("/docs/setup", "/docs/get-started/environments"),  # kb.toml [kb.redirects]
        ("/api/pages/quickstart", "/api/pages/get-started/quickstart"),  # the JSON twin follows
    ],
)
def test_redirects_answer_301_with_the_query_kept(
    client: FlaskClient, path: str, location: str
) -> None:
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["Location"] == location


def test_a_redirect_never_shadows_a_page_and_loops_are_not_followed(client: FlaskClient) -> None:
    assert client.get("/docs/flags/overview").status_code == 200  # docs.json redirects it away
    response = client.get("/docs/loop-a")
    assert response.status_code == 404
    assert "loop" in response.get_data(as_text=True)


def test_the_404_lists_close_pages_and_holds_a_search(client: FlaskClient) -> None:
    response = client.get("/docs/flags/kil-switches")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    listed = _between(html, 'class="kb-missing-list"', "</ul>")
    assert listed.index('href="/docs/flags/kill-switches"') < listed.index("</li>")  # first
    assert 'name="q" value="flags kil switches"' in html
    data = client.get("/api/pages/flags/kil-switches").get_json()
    assert data["suggestions"][0]["url"] == "/docs/flags/kill-switches"
    hostile = client.get("/docs/" + "%3Cscript%3E/" * 50 + "x\u202e")
    assert hostile.status_code == 404 and "<script>" not in hostile.get_data(as_text=True)


def test_check_nav_folder_listings_and_redirects_outside_docs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(Path(__file__).parents[1] / "examples" / "site", site)
    nav = json.loads((site / "docs.json").read_text())
    nav["navigation"]["tabs"][0]["groups"][1]["pages"].append("docs/flags/archiving")
    (site / "docs.json").write_text(json.dumps(nav))
    with (site / "kb.toml").open("a") as toml:  # the [kb.redirects] table ends the file
        toml.write('"/handbook/:slug*" = "/docs/flags/:slug*"\n')
    # A folder page whose folder holds a page the nav leaves out: the folder page lists them all.
    (site / "docs" / "flags.md").write_text("---\ntitle: All about flags\n---\n\nFlags.\n")
    (site / "docs" / "flags" / "legacy-sdks.md").write_text(
        "---\ntitle: Legacy SDKs\n---\n\nOld.\n"
    )
    index_site(site, tmp_path / "index")
    result = CliRunner().invoke(
        main, ["check", "nav", "--index-dir", str(tmp_path / "index"), "--format", "json"]
    )
    findings = json.loads(result.stdout)["nav"]["findings"]
    assert {(f["kind"], f["path"], f["target"]) for f in findings} >= {
        ("nav-missing", "docs.json", "docs/flags/archiving"),
        ("redirect-loop", "redirects", "/docs/loop-a → /docs/loop-b → /docs/loop-a"),
        ("redirect-shadowed", "redirects", "/docs/flags/overview → /docs/index"),
    }
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")})
    links = app.test_client().get("/api/reports/links?kind=nav-missing").get_json()
    assert [f["target"] for f in links["findings"]] == ["docs/flags/archiving"]
    html = app.test_client().get("/reports/links?kind=nav-missing").get_data(as_text=True)
    assert "<code>docs.json</code>" in html and "docs/flags/archiving" in html
    handbook = app.test_client().get("/handbook/actions?x=1")
    assert (handbook.status_code, handbook.headers["Location"]) == (301, "/docs/flags/actions?x=1")
    posted = app.test_client().post("/handbook/actions")  # no route: the redirect keeps the POST
    assert (posted.status_code, posted.headers["Location"]) == (308, "/docs/flags/actions")
    folder = app.test_client().get("/docs/flags").get_data(as_text=True)
    listing = _between(folder, 'class="kb-listing"', "</section>")
    assert re.findall(r'href="([^"]+)"', listing) == [
        "/docs/flags/actions",
        "/docs/flags/flag-naming-conventions",
        "/docs/flags/kill-switches",
        "/docs/flags/legacy-sdks",
        "/docs/flags/overview",
    ]
    crumbs = app.test_client().get("/api/pages/flags/legacy-sdks").get_json()["nav"]["trail"]
    assert crumbs == [
        {"label": "Docs", "href": "/docs"},
        {"label": "All about flags", "href": "/docs/flags"},
    ]


@pytest.fixture(scope="module")
def plain_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    index_dir = tmp_path_factory.mktemp("plain-index")
    index_site(PLAIN_SITE, index_dir)
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()


def test_a_site_without_nav_config_gets_its_folders(plain_client: FlaskClient) -> None:
    html = plain_client.get("/docs/guide/mooring").get_data(as_text=True)
    tabs = re.findall(r'data-tab="\d+"[^>]*>([^<]+)</a>', html)
    assert tabs == ["Harbour Manual", "User guide", "Reference"]
    side = _between(html, '<nav class="kb-sidenav"', "</nav>")
    titles = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', side)
    assert [t for _, t in titles] == [
        "User guide",
        "Arriving at the harbour",
        "Mooring a boat",
        "A note on crossings",
        "Tide tables",
    ]
    assert re.search(r'rel="prev" href="/docs/guide/arriving"', html)
    assert re.search(r'rel="next" href="/docs/guide/zebra-crossings"', html)
    reference = plain_client.get("/docs/reference/berths").get_data(as_text=True)
    assert ">Berths</a>" in reference  # the sidebarTitle
    assert "港の規則" in _between(reference, '<nav class="kb-sidenav"', "</nav>")


def test_the_folder_fallback_has_a_json_twin(plain_client: FlaskClient) -> None:
    data = plain_client.get("/api/pages/guide/advanced/tides").get_json()
    assert [c["label"] for c in data["nav"]["trail"]] == [
        "Docs",
        "User guide",
        "Advanced",
    ]
    assert data["nav"]["prev"]["href"] == "/docs/guide/zebra-crossings"


@pytest.mark.corpus
def test_corpus_nav_pages_show_tab_group_and_next(
    corpus_client: FlaskClient, corpus_root: Path
) -> None:
    from kb.structure.nav import NavIndex
    from kb.web.context import watcher
    from kb.web.navigation import nav_index

    app = corpus_client.application
    with app.test_request_context(), watcher().using() as gen:
        index: NavIndex = nav_index(gen)
    places = sorted(index.places.items())
    for url, place in random.Random(13).sample(places, 30):
        html = corpus_client.get(url).get_data(as_text=True)
        tab_title = index.tabs(place.nav)[place.tab]["title"]
        tabs = _between(html, '<nav class="kb-sitetabs"', "</nav>")
        assert re.search(rf'aria-current="true">{re.escape(str(escape(tab_title)))}</a>', tabs), url
        side = _between(html, '<nav class="kb-sidenav"', "</aside>")
        for label, _ in place.trail[1:]:
            assert f"<summary>{escape(label)}</summary>" in side, (url, label)
        assert f'<a href="{url}" aria-current="page">' in side, url
        if place.next:
            assert f'rel="next" href="{place.next[0]}"' in html, url


@pytest.mark.corpus
def test_corpus_redirects_answer_to_their_destination(
    corpus_client: FlaskClient, corpus_root: Path
) -> None:
    rules = json.loads((corpus_root / "config" / "redirects.json").read_text())
    pages = {
        "/docs/" + p.relative_to(corpus_root / "docs").with_suffix("").as_posix()
        for p in (corpus_root / "docs").rglob("*.mdx")
    }
    pages = {p.removesuffix("/index") for p in pages}
    wild = [
        r
        for r in rules
        if "*" in r["source"]
        and "/docs/fr-ca" not in r["source"]
        and "/docs/ja-jp" not in r["source"]
    ]
    exact = [
        r
        for r in rules
        if "*" not in r["source"]
        and ":" not in r["source"]
        and r["source"].rstrip("/") not in pages
    ]
    chosen = random.Random(13).sample(exact, 30) + random.Random(13).sample(wild, 10)
    for rule in chosen:
        source = "/" + rule["source"].strip("/").replace(":slug*", "some/old/page").replace(
            "*", "x-old"
        )
        response = corpus_client.get(source)
        assert response.status_code in (301, 308), source
        location = response.headers["Location"]
        first = (
            "/" + rule["destination"].lstrip("/")
            if not rule["destination"].startswith("http")
            else rule["destination"]
        )
        # The destination itself, or where the chain of redirects from it ends.
        assert location == first or corpus_client.get(first.split("#")[0]).status_code == 301, (
            source,
            location,
        )


@pytest.mark.corpus
def test_corpus_near_miss_links_the_page(corpus_client: FlaskClient) -> None:
    response = corpus_client.get("/docs/secure/tokens/refresh-token")
    assert response.status_code == 404
    assert 'href="/docs/secure/tokens/refresh-tokens"' in response.get_data(as_text=True)


def test_search_facets_take_the_nav_labels(plain_client: FlaskClient) -> None:
    html = plain_client.get("/search?q=harbour").get_data(as_text=True)
    facets = re.findall(r'kb-facet-name">([^<]+)<', html)
    assert "User guide" in facets and "Guide" not in facets


MKDOCS_SITE = Path(__file__).parent / "sites" / "mkdocs"


@pytest.fixture(scope="module")
def mkdocs_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    index_dir = tmp_path_factory.mktemp("mkdocs-index")
    index_site(MKDOCS_SITE, index_dir)
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()


def test_a_mkdocs_site_shows_its_nested_nav(mkdocs_client: FlaskClient) -> None:
    html = mkdocs_client.get("/docs/guides/configure").get_data(as_text=True)
    side = _between(html, '<nav class="kb-sidenav"', "</nav>")
    labels = re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', side)
    assert labels[:2] == ["Install", "Configure"]
    assert '<a href="/docs/guides/configure" aria-current="page">' in side
    assert re.search(r'rel="prev" href="/docs/guides/install"', html)
    assert re.search(r'rel="next" href="/docs/guides/scenes"', html)
    crumbs = _between(html, 'class="kb-crumbs"', "</nav>")
    assert "Guides" in crumbs
    for old, new in (
        ("/docs/setup", "/docs/guides/install"),
        ("/docs/guides/settings", "/docs/guides/configure"),
    ):
        moved = mkdocs_client.get(old + "?x=1")
        assert moved.status_code == 301
        assert moved.headers["Location"] == new + "?x=1"
