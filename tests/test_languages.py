"""Every language a site ships: each page's language, analysis per language, readers kept in
their language, translated glossaries (JSX components), and the language in JSON rows."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kb.build.indexer import build_index
from kb.config import load_settings
from kb.glossary.reader import imported_components, parse_glossary_component
from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.languages import SiteLanguages, accepted_languages
from kb.search import search
from kb.web import create_app
from tests.multilingual import write_site

AS_OF = date(2026, 11, 26)


@pytest.fixture(scope="module")
def ml_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Index the multilingual fixture site once for the module."""
    root = tmp_path_factory.mktemp("multilingual")
    site = write_site(root / "site")
    build_index(load_settings(site, {"index_dir": root / "ix"}))
    return root / "ix"


@pytest.fixture(scope="module")
def gen(ml_index: Path) -> Generation:
    """Return the fixture site's generation."""
    return Generation(current_generation(ml_index))


@pytest.fixture
def ml_client(ml_index: Path) -> FlaskClient:
    """Return a client of the app serving the fixture site."""
    return create_app({"TESTING": True, "INDEX_DIR": str(ml_index)}).test_client()


def hits(gen: Generation, query: str, lang: str | None) -> list[tuple[str, str]]:
    """Return (url, lang) of the hits of a search."""
    return [(h.url, h.lang) for h in search(gen, query, lang=lang, as_of=AS_OF).hits]


def test_each_page_gets_its_language_from_config_globs_or_frontmatter(gen: Generation) -> None:
    langs = {row["url"]: row["lang"] for row in gen.store.rows(("url", "lang"))}
    assert langs["/docs/tokens/refresh-tokens"] == "en"  # the default
    assert langs["/docs/fr-ca/tokens/identity"] == "fr-ca"  # docs.json folder, not Mintlify's "fr"
    assert langs["/docs/ja-jp/glossary"] == "ja-jp"
    assert langs["/docs/zh/tokens/refresh-tokens"] == "zh"  # kb.toml globs
    assert langs["/docs/ko/tokens/refresh-tokens"] == "ko"
    assert langs["/docs/notes/note-de"] == "de"  # its own lang key


def test_the_generation_knows_the_languages_and_each_pages_twins(gen: Generation) -> None:
    languages = gen.languages
    assert languages.default == "en"
    assert set(languages.codes) == {"en", "fr-ca", "ja-jp", "zh", "ko", "de"}
    assert languages.codes[0] == "en"
    assert languages.label("ja-jp") == "日本語"
    assert gen.twins("/docs/ja-jp/tokens/refresh-tokens") == {
        "en": "/docs/tokens/refresh-tokens",
        "fr-ca": "/docs/fr-ca/tokens/refresh-tokens",
    }
    assert gen.twins("/docs/notes/note-de") == {}


def test_french_elisions_both_apostrophes_accents_and_stems(gen: Generation) -> None:
    for query in ("l’identité", "l'identité", "L’IDENTITE"):
        found = hits(gen, query, "fr-ca")
        assert found[0] == ("/docs/fr-ca/tokens/identity", "fr-ca"), query
    # Snowball French: identités and identité share a stem; accents folded for matching.
    assert ("/docs/fr-ca/tokens/identity", "fr-ca") in hits(gen, "identites", "fr-ca")
    # French stop words are not searched for on their own.
    results = search(gen, "des la", lang="fr-ca", as_of=AS_OF)
    assert results.total == 0


def test_cjk_words_typed_without_spaces_are_found(gen: Generation) -> None:
    assert hits(gen, "リフレッシュトークン", "ja-jp")[0][0] == "/docs/ja-jp/tokens/refresh-tokens"
    assert hits(gen, "認証", "ja-jp")[0][0] == "/docs/ja-jp/tokens/identity"
    assert hits(gen, "刷新令牌", "zh")[0][0] == "/docs/zh/tokens/refresh-tokens"
    assert hits(gen, "토큰교체", "ko")[0][0] == "/docs/ko/tokens/refresh-tokens"
    # One character opens the bigrams that start with it.
    assert hits(gen, "認", "ja-jp")[0][0] == "/docs/ja-jp/tokens/identity"


def test_typos_are_tolerated_for_latin_words_inside_cjk_text_only(gen: Generation) -> None:
    assert hits(gen, "useStte", "ja-jp")[0] == ("/docs/ja-jp/tokens/refresh-tokens", "ja-jp")
    assert hits(gen, "useStteで", "ja-jp")[0][0] == "/docs/ja-jp/tokens/refresh-tokens"
    assert hits(gen, "認識", "ja-jp") == []  # one character off is another word, not a typo


def test_highlights_and_deep_links_work_inside_cjk_runs(gen: Generation) -> None:
    hit = search(gen, "トークン", lang="ja-jp", as_of=AS_OF).hits[0]
    assert "アクセス<mark>トークン</mark>を" in hit.snippet
    assert hit.anchor == "ローテーションを構成する"
    latin = search(gen, "useState", lang="ja-jp", as_of=AS_OF).hits[0]
    assert "前に<mark>useState</mark>で" in latin.snippet  # no word boundary before it
    korean = search(gen, "토큰", lang="ko", as_of=AS_OF).hits[0]
    assert "<mark>토큰</mark>교체" in korean.snippet


def test_readers_are_kept_in_their_language(gen: Generation) -> None:
    japanese = hits(gen, "Refresh Token Rotation", "ja-jp")
    assert japanese[0] == ("/docs/ja-jp/tokens/refresh-tokens", "ja-jp")
    english = hits(gen, "Refresh Token Rotation", None)
    assert english[0] == ("/docs/tokens/refresh-tokens", "en")
    french = hits(gen, "rotation", "fr-ca")
    assert french[0][1] == "fr-ca"
    # Others follow the reader's language only because it has too few; they are marked.
    results = search(gen, "rotation", lang="fr-ca", as_of=AS_OF)
    assert results.lang == "fr-ca"
    assert results.facets["lang"] == {"en": 1, "fr-ca": 1, "ja-jp": 1}
    assert results.hits[0].lang == "fr-ca"


def test_an_unknown_language_is_named_and_the_default_used(gen: Generation) -> None:
    results = search(gen, "rotation", lang="xx-yy", as_of=AS_OF)
    assert results.lang == "en"
    assert any("no language 'xx-yy'" in n for n in results.notes)
    assert search(gen, "rotation", lang="FR_ca", as_of=AS_OF).lang == "fr-ca"
    assert search(gen, "rotation", lang="ja", as_of=AS_OF).lang == "ja-jp"  # by primary subtag


def test_accept_language_picks_among_the_sites_languages() -> None:
    site = SiteLanguages("en", ("en", "fr-ca", "ja-jp"))
    assert accepted_languages("fr-CA;q=0.8, ja;q=0.9, *;q=0.1") == ["ja", "fr-ca"]
    assert site.from_accept("de-DE, ja;q=0.5, en;q=0.3") == "ja-jp"
    assert site.from_accept("de, it;q=0") is None
    assert site.from_accept("fr;q=abc, fr-ca;q=2") == "fr-ca"
    assert site.from_accept("") is None


def test_api_search_lang_param_and_accept_language(ml_client: FlaskClient) -> None:
    data = ml_client.get("/api/search?q=Refresh+Token+Rotation&lang=ja-jp").get_json()
    assert data["lang"] == "ja-jp"
    assert data["results"][0]["lang"] == "ja-jp"
    assert "lang" in data["facets"]
    browser = ml_client.get(
        "/api/search?q=rotation", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}
    )
    assert browser.get_json()["lang"] == "fr-ca"
    assert "Accept-Language" in browser.headers["Vary"]
    assert ml_client.get("/api/search?q=rotation").get_json()["results"][0]["lang"] == "en"


def test_search_page_marks_other_languages_and_offers_a_language_facet(
    ml_client: FlaskClient,
) -> None:
    html = ml_client.get("/search?q=rotation&lang=fr-ca").get_data(as_text=True)
    assert 'class="kb-hit-lang" lang="ja-jp">日本語<' in html
    assert "kb-facet-lang" in html
    assert 'name="lang" value="fr-ca"' in html  # the next search stays in French


def test_a_page_form_carries_its_language_and_the_json_row_its_twins(
    ml_client: FlaskClient,
) -> None:
    html = ml_client.get("/docs/ja-jp/tokens/refresh-tokens").get_data(as_text=True)
    assert '<input type="hidden" name="lang" value="ja-jp">' in html
    row = ml_client.get("/api/pages/ja-jp/tokens/refresh-tokens").get_json()
    assert row["lang"] == "ja-jp"
    assert row["twins"]["en"] == "/docs/tokens/refresh-tokens"


def test_jsx_glossaries_one_per_language(ml_client: FlaskClient) -> None:
    french = ml_client.get("/api/glossary?lang=fr-ca").get_json()
    assert {t["term"] for t in french} == {"Jeton d’accès", "Locataire"}
    assert french[0]["definition"].startswith("Justificatif")
    assert all(t["url"].endswith("?lang=fr-ca") for t in french)
    japanese = ml_client.get("/api/glossary?lang=ja-jp").get_json()
    assert {t["term"] for t in japanese} == {"アクセストークン", "テナント"}
    english = ml_client.get("/api/glossary").get_json()
    assert {t["term"] for t in english} == {"Access Token", "Tenant"}
    term = ml_client.get("/api/glossary/locataire?lang=fr-ca").get_json()
    assert term["definition"] == "Copie isolée du service pour un client."
    assert ml_client.get("/glossary/locataire?lang=fr-ca").status_code == 200
    assert ml_client.get("/glossary/locataire").status_code == 404  # not an English term
    page = ml_client.get("/glossary?lang=ja-jp").get_data(as_text=True)
    assert "テナント" in page


def test_glossary_page_of_a_language_shows_its_component_terms(ml_client: FlaskClient) -> None:
    html = ml_client.get("/docs/fr-ca/glossary").get_data(as_text=True)
    assert "Locataire" in html


def test_tooltip_drift_is_checked_per_language(ml_client: FlaskClient) -> None:
    findings = ml_client.get("/api/reports/glossary").get_json()["findings"]
    assert {f["lang"] for f in findings} == {"fr-ca"}
    french = ml_client.get("/api/reports/glossary?lang=fr-ca").get_json()["findings"]
    # Its tip words the English term in French: resolved against the English glossary, a variant.
    assert [(f["url"], f["term"]) for f in french] == [
        ("/docs/fr-ca/tokens/refresh-tokens", "Access Token")
    ]
    assert ml_client.get("/api/reports/glossary?lang=ja-jp").get_json()["findings"] == []
    html = ml_client.get("/reports/glossary?lang=fr-ca").get_data(as_text=True)
    assert "/docs/fr-ca/tokens/refresh-tokens" in html


def test_reports_filter_by_language(ml_client: FlaskClient) -> None:
    stale = ml_client.get("/api/reports/stale?lang=ja-jp").get_json()
    assert stale["pages"] and {row["lang"] for row in stale["pages"]} == {"ja-jp"}
    assert stale["total"] == 4
    every = ml_client.get("/api/reports/stale").get_json()
    assert {row["lang"] for row in every["pages"]} == {"en", "fr-ca", "ja-jp", "zh", "ko", "de"}
    csv_text = ml_client.get("/reports/stale.csv?lang=fr-ca").get_data(as_text=True)
    assert csv_text.splitlines()[0].endswith(",lang")
    assert all(line.endswith(",fr-ca") for line in csv_text.splitlines()[1:])
    html = ml_client.get("/reports/stale?lang=fr-ca").get_data(as_text=True)
    assert "/docs/fr-ca/tokens/identity" in html and "/docs/ja-jp/tokens/identity" not in html
    links = ml_client.get("/api/reports/links?lang=ko").get_json()["findings"]
    assert [(f["url"], f["lang"]) for f in links] == [("/docs/ko/tokens/refresh-tokens", "ko")]
    every_link = ml_client.get("/api/reports/links").get_json()["findings"]
    assert {f["lang"] for f in every_link} == {"en", "fr-ca", "ko"}
    terms = ml_client.get("/api/reports/terms?lang=FR-CA").get_json()["findings"]
    assert [(f["url"], f["term"]) for f in terms] == [("/docs/fr-ca/tokens/identity", "Rules")]
    assert "/docs/fr-ca/tokens/identity" not in str(
        ml_client.get("/api/reports/terms?lang=en").get_json()["findings"]
    )


def test_a_changed_site_config_changes_page_languages_on_the_next_build(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site")
    settings = load_settings(site, {"index_dir": tmp_path / "ix"})
    build_index(settings)
    (site / "docs.json").write_text('{"name": "Widget"}', encoding="utf-8")
    summary = build_index(settings)
    assert summary.mode == "full"  # the language rules changed: every page is read again
    with Generation(current_generation(tmp_path / "ix")) as gen:
        langs = {row["url"]: row["lang"] for row in gen.store.rows(("url", "lang"))}
        assert langs["/docs/fr-ca/tokens/identity"] == "en"
        assert langs["/docs/zh/tokens/refresh-tokens"] == "zh"  # kb.toml still says so
        assert gen.languages.codes == ("en", "zh", "ko", "de")


def test_jsx_glossary_components_are_read_as_literals_never_run() -> None:
    source = (
        "export const Other = () => { const X = [{ term: 'Nope', description: 'no' }]; };\n"
        "export const Terms = () => {\n"
        "  const LIST = [\n"
        "    { term: `Tenant`, description: 'One customer\\u2019s copy.' },\n"
        "    { term: 'Evil', description: require('fs').readFileSync('/etc/passwd') },\n"
        "    { term: 'Broken', description: 'unterminated },\n"
        "  ];\n"
        "};\n"
    )
    found = parse_glossary_component("snippets/T.jsx", source, "Terms")
    assert found is not None
    terms, problems = found
    assert [t.term for t in terms] == ["Tenant"]
    assert terms[0].definition == "One customer’s copy."
    assert terms[0].source == "snippets/T.jsx" and terms[0].line == 4
    assert any(p.startswith("line 5:") or "Evil" in p for p in problems), problems
    assert parse_glossary_component("snippets/T.jsx", source, "Missing") is None
    assert imported_components(
        'import {A, B as C} from "/snippets/x.jsx";\nimport D from "./d.mdx";\n<C />'
    ) == [("C", "/snippets/x.jsx")]
