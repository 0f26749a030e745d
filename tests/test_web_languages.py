"""The interface speaks the page's language: `<html lang>`, kb's own words, the switcher to twins."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from kb.build.indexer import build_index
from kb.config import load_settings
from kb.web import create_app
from tests.multilingual import write_site


@pytest.fixture(scope="module")
def ml_client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    root = tmp_path_factory.mktemp("multilingual-ui")
    site = write_site(root / "site")
    build_index(load_settings(site, {"index_dir": root / "ix"}))
    return create_app({"TESTING": True, "INDEX_DIR": str(root / "ix")}).test_client()


def html_lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found, "no <html lang>"
    return found.group(1)


def switcher(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="kb-langs".*?</nav>', html, re.S)
    assert nav, "no language switcher"
    return re.findall(r'<(?:a href="([^"]*)"|span aria-current="true")[^>]*>([^<]+)<', nav.group(0))


def test_a_japanese_page_speaks_japanese_whatever_the_browser(ml_client: FlaskClient) -> None:
    html = ml_client.get(
        "/docs/ja-jp/tokens/refresh-tokens", headers={"Accept-Language": "fr-CA,fr"}
    ).get_data(as_text=True)
    assert html_lang(html) == "ja-jp"
    assert 'placeholder="ドキュメントを検索"' in html
    assert ">用語集</a>" in html and "Search the docs" not in html


def test_a_french_page_speaks_french_and_an_english_page_english(ml_client: FlaskClient) -> None:
    french = ml_client.get("/docs/fr-ca/tokens/refresh-tokens", headers={"Accept-Language": "ja"})
    english = ml_client.get("/docs/tokens/refresh-tokens", headers={"Accept-Language": "ja"})
    assert html_lang(french.get_data(as_text=True)) == "fr-ca"
    assert 'placeholder="Rechercher dans la documentation"' in french.get_data(as_text=True)
    assert html_lang(english.get_data(as_text=True)) == "en"
    assert 'placeholder="Search the docs"' in english.get_data(as_text=True)


def test_the_switcher_goes_to_the_same_page_in_each_language(ml_client: FlaskClient) -> None:
    html = ml_client.get("/docs/fr-ca/tokens/refresh-tokens").get_data(as_text=True)
    links = switcher(html)
    assert ("/docs/tokens/refresh-tokens", "English") in links
    assert ("/docs/ja-jp/tokens/refresh-tokens", "日本語") in links
    assert ("", "français (Canada)") in links or any(href == "" for href, _ in links)
    assert (
        'hreflang="ja-jp" href="/docs/ja-jp/tokens/refresh-tokens"' in html
    )  # <link rel=alternate>
    for href, _label in links:
        if href:
            assert ml_client.get(href).status_code == 200


def test_search_speaks_the_language_it_searches(ml_client: FlaskClient) -> None:
    html = ml_client.get("/search?q=jeton&lang=fr-ca").get_data(as_text=True)
    assert html_lang(html) == "fr-ca"
    assert 'placeholder="Rechercher dans la documentation"' in html
    browser = ml_client.get("/search?q=token", headers={"Accept-Language": "ja"})
    assert html_lang(browser.get_data(as_text=True)) == "ja-jp"


def test_a_page_without_twins_has_no_switcher(ml_client: FlaskClient) -> None:
    html = ml_client.get("/docs/tokens/identity").get_data(as_text=True)
    links = re.search(r'<nav class="kb-langs".*?</nav>', html, re.S)
    assert links is None or "/docs/fr-ca/tokens/identity" in links.group(0)
