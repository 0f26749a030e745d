"""The whole Auth0 site: the English corpus with its French and Japanese translations laid over it."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kb.build.indexer import build_index
from kb.config import load_settings
from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.search import search
from kb.web import create_app
from tests.conftest import CORPUS
from tests.required import cannot_run

I18N = CORPUS.parent / "auth0-docs-i18n"
AS_OF = date(2026, 11, 26)
JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def whole_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Lay the translations over a copy of the English corpus and index it once.

    KB_WHOLE_SITE_INDEX names an index of the whole site already built (`kb index` takes
    minutes): the tests then read it instead.
    """
    prebuilt = os.environ.get("KB_WHOLE_SITE_INDEX")
    if prebuilt:
        return Path(prebuilt)
    if not (CORPUS / "docs").is_dir() or not (I18N / "docs").is_dir():
        cannot_run("corpus", f"the corpora are not at {CORPUS} and {I18N}")
    root = tmp_path_factory.mktemp("whole-site")
    site = root / "site"
    shutil.copytree(CORPUS, site)
    shutil.copytree(I18N, site, dirs_exist_ok=True)
    build_index(load_settings(site, {"index_dir": root / "ix"}))
    return root / "ix"


@pytest.fixture(scope="module")
def gen(whole_site: Path) -> Iterator[Generation]:
    """Return the whole site's generation."""
    with Generation(current_generation(whole_site)) as generation:
        yield generation


@pytest.fixture
def whole_client(whole_site: Path) -> FlaskClient:
    """Return a client of the app serving the whole site."""
    return create_app({"TESTING": True, "INDEX_DIR": str(whole_site)}).test_client()


def test_every_page_of_every_language_is_indexed(gen: Generation) -> None:
    summary = gen.meta("summary")
    assert summary["rejected"] == []
    # 7,264 files: two translated pages share their URL with another file (foo.mdx and
    # foo/index.mdx), each named in the problems.
    assert summary["pages"] == 7262
    assert sum("duplicate URL" in p["problem"] for p in summary["problems"]) == 2
    counts = {row["code"]: row["pages"] for row in gen.meta("languages")["languages"]}
    assert counts == {"en": 2930, "fr-ca": 2167, "ja-jp": 2165}
    assert gen.languages.codes == ("en", "fr-ca", "ja-jp")
    assert gen.twins("/docs/ja-jp/secure/tokens/id-tokens") == {
        "en": "/docs/secure/tokens/id-tokens",
        "fr-ca": "/docs/fr-ca/secure/tokens/id-tokens",
    }


def test_japanese_readers_stay_in_japanese(gen: Generation) -> None:
    for query in ("Refresh Token Rotation", "リフレッシュトークンのローテーション", "多要素認証"):
        hits = search(gen, query, lang="ja-jp", as_of=AS_OF).hits
        assert len(hits) == 10, query
        assert sum(h.lang == "ja-jp" for h in hits) >= 8, query
    english = search(gen, "Refresh Token Rotation", as_of=AS_OF).hits
    assert english[0].lang == "en" and sum(h.lang == "en" for h in english) >= 8


def test_french_elisions_find_the_word(gen: Generation) -> None:
    for query in ("fournisseur d’identité", "fournisseur d'identité", "fournisseur identite"):
        hits = search(gen, query, lang="fr-ca", as_of=AS_OF).hits
        assert hits and all(h.lang == "fr-ca" for h in hits), query


def test_translated_glossaries_come_from_the_jsx_component(whole_client: FlaskClient) -> None:
    japanese = whole_client.get("/api/glossary?lang=ja-jp").get_json()
    assert len(japanese) >= 20
    assert sum(bool(JAPANESE.search(t["definition"])) for t in japanese) >= 0.9 * len(japanese)
    french = whole_client.get("/api/glossary?lang=fr-ca").get_json()
    assert len(french) >= 20
    assert any(t["term"] == "Abonnement" for t in french)
    assert all(t["url"].endswith("?lang=fr-ca") for t in french)
    english = whole_client.get("/api/glossary").get_json()
    assert not any(t["term"] == "Abonnement" for t in english)
    page = whole_client.get("/docs/fr-ca/glossary").get_data(as_text=True)
    assert "Abonnement" in page
