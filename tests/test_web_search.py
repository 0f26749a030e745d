"""Tests of the search views: page and fragment, JSON API, suggestions, OpenSearch, bad input."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.index.generations import current_generation
from kb.web import create_app
from kb.web.context import generation
from kb.web.search import close_terms, page_numbers

HX = {"HX-Request": "true"}
RESULT_KEYS = {
    "url",
    "title",
    "section",
    "snippet",
    "heading",
    "anchor",
    "validated_on",
    "status",
    "score",
}
HOSTILE = [
    '"unbalanced quote',
    "((( open",
    "close )))",
    "*",
    "a*",
    "AND",
    "NOT",
    "OR OR OR",
    "-",
    "title:",
    "section:",
    "x" * 20_000,
    "flag\x00\x01\x1b[31m",
    "%00",
    "\x00",
    "🚀 flags 🚩",
    "\u202eevil\u202c",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "ﬂags",
    "旗",
]


def hrefs(html: str, css_class: str) -> list[str]:
    """Return the href of every link with a CSS class."""
    pattern = rf'<a class="[^"]*\b{css_class}\b[^"]*" href="([^"]*)"'
    return [h.replace("&amp;", "&") for h in re.findall(pattern, html)]


def query_of(url: str) -> dict[str, list[str]]:
    """Return the query parameters of a URL."""
    return parse_qs(urlsplit(url).query)


def test_full_page_and_htmx_fragment_share_the_results(client: FlaskClient) -> None:
    full = client.get("/search?q=kill+switch")
    fragment = client.get("/search?q=kill+switch", headers=HX)
    assert full.status_code == fragment.status_code == 200
    page, part = full.get_data(as_text=True), fragment.get_data(as_text=True)
    assert page.startswith("<!doctype html>") and 'id="kb-results"' in page
    assert "<html" not in part and '<header class="kb-header"' not in part
    assert part.startswith("<title>") and 'id="kb-results"' in part
    links = hrefs(part, "kb-hit-link")
    assert links and links == hrefs(page, "kb-hit-link")
    assert any(link.startswith("/docs/flags/kill-switches") for link in links)
    for response in (full, fragment):
        assert "HX-Request" in response.headers["Vary"]


def test_history_restore_gets_the_full_page(client: FlaskClient) -> None:
    headers = {**HX, "HX-History-Restore-Request": "true"}
    response = client.get("/search?q=rollout", headers=headers)
    html = response.get_data(as_text=True)
    assert html.startswith("<!doctype html>")
    assert 'value="rollout"' in html
    assert "HX-History-Restore-Request" in response.headers["Vary"]


def test_header_form_works_without_javascript(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    form = re.search(r'<form class="kb-search" role="search" action="([^"]+)" method="get"', html)
    assert form and form.group(1) == "/search"
    assert '<label class="kb-visually-hidden" for="kb-q">' in html
    assert 'id="kb-q"' in html and 'name="q"' in html
    assert 'hx-trigger="input changed delay:250ms, search"' in html
    assert 'hx-push-url="true"' in html


def test_pages_carry_no_inline_script_or_style(client: FlaskClient) -> None:
    for url in ("/search", "/search?q=flag", "/search?q=zzqqxxyy", "/search?q=MFA"):
        html = client.get(url).get_data(as_text=True)
        assert " style=" not in html
        assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", html)
        assert not re.search(r"\son[a-z]+=", html)


def test_hits_link_to_their_section_with_a_marked_snippet(client: FlaskClient) -> None:
    data = client.get("/api/search?q=kill+switch").get_json()
    anchored = [r for r in data["results"] if r["anchor"]]
    assert anchored, "expected section-level hits"
    html = client.get("/search?q=kill+switch").get_data(as_text=True)
    for hit in anchored:
        assert f'href="{hit["url"]}#{hit["anchor"]}"' in html
    assert "<mark>" in html
    for hit in data["results"]:
        assert not re.findall(r"<(?!/?mark>)[^>]*>", hit["snippet"])


def test_json_contract(client: FlaskClient) -> None:
    response = client.get("/api/search?q=flag&limit=3")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    for key in ("query", "total", "page", "results", "suggestion", "glossary", "facets"):
        assert key in data
    assert data["query"] == "flag" and data["page"] == 1
    assert isinstance(data["total"], int) and data["total"] >= len(data["results"]) > 0
    assert len(data["results"]) <= 3
    for result in data["results"]:
        assert set(result) >= RESULT_KEYS
        assert isinstance(result["score"], float | int)
        assert result["url"].startswith("/")
    assert set(data["facets"]) >= {"section", "status"}
    for counts in data["facets"].values():
        assert all(isinstance(v, str) and isinstance(n, int) for v, n in counts.items())


def test_glossary_answer_in_page_and_json(client: FlaskClient) -> None:
    data = client.get("/api/search?q=MFA").get_json()
    assert data["glossary"] and "MFA" in data["glossary"]["term"]
    assert data["glossary"]["url"].startswith("/glossary/")
    html = client.get("/search?q=MFA").get_data(as_text=True)
    assert 'class="kb-glossary-card"' in html
    assert f'href="{data["glossary"]["url"]}"' in html


def test_misspelled_query_offers_a_clickable_suggestion(client: FlaskClient) -> None:
    data = client.get("/api/search?q=percentge+rolouts").get_json()
    assert data["suggestion"]
    html = client.get("/search?q=percentge+rolouts").get_data(as_text=True)
    assert "Did you mean" in html
    (link,) = hrefs(html, "kb-suggestion")
    assert query_of(link)["q"] == [data["suggestion"]]


def test_zero_results_page_helps(client: FlaskClient) -> None:
    html = client.get("/search?q=zzqqxxyy+wwvvkk").get_data(as_text=True)
    assert "No pages match" in html
    assert "Search syntax" in html and "exact phrase" in html
    filtered = client.get("/search?q=zzqqxxyy&section=flags").get_data(as_text=True)
    assert "with these filters" in filtered
    assert 'href="/search?q=zzqqxxyy"' in filtered


def test_close_glossary_terms_for_a_query(app: Flask) -> None:
    with app.test_request_context("/search"):
        terms = close_terms(generation(), "kill swich")
    assert terms and terms[0]["term"] == "Kill Switch"
    assert terms[0]["url"] == "/glossary/kill-switch"


def test_empty_query_shows_help_and_no_results(client: FlaskClient) -> None:
    html = client.get("/search?q=").get_data(as_text=True)
    assert "Search the docs" in html and "Search syntax" in html
    assert "kb-hit-link" not in html
    data = client.get("/api/search?q=").get_json()
    assert data["total"] == 0 and data["results"] == []


def test_facet_links_add_and_remove_a_filter(client: FlaskClient) -> None:
    html = client.get("/search?q=flag").get_data(as_text=True)
    facet_links = hrefs(html, "kb-facet-link")
    section_links = [u for u in facet_links if "section" in query_of(u)]
    assert section_links and all(query_of(u)["q"] == ["flag"] for u in section_links)
    link = section_links[0]
    section = query_of(link)["section"][0]
    narrowed = client.get(link).get_data(as_text=True)
    assert 'aria-current="true"' in narrowed
    removing = [u for u in hrefs(narrowed, "is-selected") if "section" not in query_of(u)]
    assert removing and query_of(removing[0])["q"] == ["flag"]
    api = client.get(f"/api/search?q=flag&section={section}").get_json()
    assert api["results"] and all(r["section"] == section for r in api["results"])
    assert set(hrefs(narrowed, "kb-hit-link")) == {
        r["url"] + (f"#{r['anchor']}" if r["anchor"] else "") for r in api["results"]
    }


def test_pagination_links_and_bounds(client: FlaskClient) -> None:
    total = client.get("/api/search?q=flag").get_json()["total"]
    assert total > 10, "the example site should give more than one page for 'flag'"
    html = client.get("/search?q=flag").get_data(as_text=True)
    assert 'rel="next" href="/search?q=flag&amp;page=2"' in html
    second = client.get("/search?q=flag&page=2").get_data(as_text=True)
    assert 'rel="prev" href="/search?q=flag"' in second
    assert 'aria-current="page">2<' in second
    beyond = client.get("/search?q=flag&page=99")
    assert beyond.status_code == 200
    assert "There is no page 99" in beyond.get_data(as_text=True)
    for bad in ("abc", "0", "-1", "1e9", "9" * 5000):
        assert client.get(f"/search?q=flag&page={bad}").status_code == 200


@pytest.mark.parametrize("param", ["page=abc", "page=0", "limit=-1", "limit=1.5", "limit=x"])
def test_api_bad_numbers_are_400_json(client: FlaskClient, param: str) -> None:
    response = client.get(f"/api/search?q=flag&{param}")
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_api_caps_limit_and_page(client: FlaskClient) -> None:
    data = client.get("/api/search?q=flag&limit=100000").get_json()
    assert 0 < len(data["results"]) <= 50
    huge = client.get("/api/search?q=flag&page=" + "9" * 5000)
    assert huge.status_code == 200 and huge.get_json()["page"] == 100


def test_suggest_is_opensearch_json(client: FlaskClient) -> None:
    response = client.get("/api/suggest?q=fla")
    assert response.status_code == 200
    assert response.mimetype == "application/x-suggestions+json"
    query, completions = response.get_json()
    assert query == "fla"
    assert completions and all(isinstance(c, str) for c in completions)
    assert client.get("/api/suggest?q=").get_json() == ["", []]


def test_opensearch_description(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml", base_url="https://docs.example.org")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    urls = {u.get("type"): u.get("template") for u in root.findall("os:Url", ns)}
    assert urls["text/html"] == "https://docs.example.org/search?q={searchTerms}"
    assert urls["application/x-suggestions+json"] == (
        "https://docs.example.org/api/suggest?q={searchTerms}"
    )
    assert root.findtext("os:ShortName", namespaces=ns) == "kb"


def test_long_query_is_shortened_with_a_message(client: FlaskClient) -> None:
    long_query = "flag " * 4000
    html = client.get("/search", query_string={"q": long_query}).get_data(as_text=True)
    assert "was shortened" in html
    data = client.get("/api/search", query_string={"q": long_query}).get_json()
    assert len(data["query"]) <= 512 and "shortened" in data["message"]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_fail(client: FlaskClient, query: str) -> None:
    for path, headers in (
        ("/search", {}),
        ("/search", HX),
        ("/api/search", {}),
        ("/api/suggest", {}),
    ):
        response = client.get(path, query_string={"q": query}, headers=headers)
        assert response.status_code == 200, (path, query, response.data[:300])
        if path.startswith("/api/"):
            assert response.get_json() is not None
        else:
            html = response.get_data(as_text=True)
            assert "<script>alert" not in html and "\x00" not in html


def test_hostile_filters_never_fail(client: FlaskClient) -> None:
    odd = ("section=%00", "status=nonsense", "section=" + "s" * 5000, "status=%F0%9F%9A%80")
    for params in odd:
        assert client.get(f"/search?q=flag&{params}").status_code == 200
        assert client.get(f"/api/search?q=flag&{params}").status_code == 200


def test_broken_search_index_is_503_while_pages_work(example_index: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(example_index, index_dir)
    shutil.rmtree(current_generation(index_dir) / "whoosh")
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    api = client.get("/api/search?q=flag")
    assert api.status_code == 503 and "unavailable" in api.get_json()["error"]
    page = client.get("/search?q=flag")
    assert page.status_code == 503 and "Search is unavailable" in page.get_data(as_text=True)
    fragment = client.get("/search?q=flag", headers=HX)
    assert fragment.status_code == 503 and 'id="kb-results"' in fragment.get_data(as_text=True)
    assert client.get("/docs/get-started/quickstart").status_code == 200


def test_page_numbers_window() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(1, 4) == [1, 2, 3, 4]
    assert page_numbers(10, 20) == [1, None, 8, 9, 10, 11, 12, None, 20]
    assert page_numbers(20, 20) == [1, None, 18, 19, 20]


@pytest.mark.corpus
def test_real_corpus_search_page_fragment_and_api(corpus_client: FlaskClient) -> None:
    card = corpus_client.get("/search?q=MFA", headers=HX).get_data(as_text=True)
    assert 'class="kb-glossary-card"' in card and "/glossary/" in card
    data = corpus_client.get("/api/search?q=app_metadata").get_json()
    assert data["total"] > 0 and any(r["anchor"] for r in data["results"])
    html = corpus_client.get("/search?q=app_metadata").get_data(as_text=True)
    assert hrefs(html, "kb-hit-link") and 'class="kb-facet-link' in html
    query, completions = corpus_client.get("/api/suggest?q=passw").get_json()
    assert query == "passw" and completions
    for hostile in ("x" * 20_000, '"(((', "a* b* c* d*"):
        assert corpus_client.get("/search", query_string={"q": hostile}).status_code == 200
