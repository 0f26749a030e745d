"""The interface's language: catalogs complete and compiled, chosen per request, never a 500."""

from __future__ import annotations

import io
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from kb.config import REPO_ROOT
from kb.web.locale import TRANSLATIONS, as_locale, ui_languages

CATALOG_LANGUAGES = ("fr", "ja")
SEARCH_BOX = {
    "en": "Search the docs",
    "fr": "Rechercher dans la documentation",
    "ja": "ドキュメントを検索",
}


def extracted_words() -> set[str]:
    """Return every msgid the templates and the web layer ask to translate."""
    method_map = [
        ("kb/web/**.py", "python"),
        ("kb/search/**.py", "python"),
        ("kb/reports/**.py", "python"),
        ("kb/glossary/**.py", "python"),
        ("templates/**.html", "jinja2"),
    ]
    found = extract_from_dir(
        REPO_ROOT,
        method_map,
        keywords={
            "_": None,
            "_l": None,
            "gettext": None,
            "ngettext": (1, 2),
            "lazy_gettext": None,
            "N_": None,
            "said": None,
        },
    )
    return {
        message if isinstance(message, str) else message[0] for _f, _l, message, _c, _x in found
    }


def _key(text: str | list[str] | tuple[str, ...]) -> str | tuple[str, ...]:
    """Read a message as .po and .mo files give it: plural forms come as a list or a tuple."""
    return text if isinstance(text, str) else tuple(text)


def catalog(language: str):  # type: ignore[no-untyped-def]
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


def test_every_shipped_language_has_a_catalog() -> None:
    assert ui_languages() == ("en", *CATALOG_LANGUAGES)


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_catalog_translates_every_word_of_the_interface(language: str) -> None:
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]: m.string for m in catalog(language) if m.id
    }
    words = extracted_words()
    assert words, "nothing was extracted: the extraction itself is broken"
    missing = sorted(w for w in words if not translated.get(w))
    assert not missing, f"{language} lacks translations for {missing}"


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_catalog_keeps_every_placeholder(language: str) -> None:
    problems = [
        (m.id, errors)
        for m in catalog(language)
        if m.id
        for errors in [list(m.check(catalog(language)))]
        if errors
    ]
    assert not problems
    for message in catalog(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)s|\{\w+\}", " ".join(ids)))
        for string in strings:
            assert set(re.findall(r"%\(\w+\)s|\{\w+\}", string)) == wanted, message.id


@pytest.mark.parametrize("language", CATALOG_LANGUAGES)
def test_compiled_catalog_matches_its_source(language: str) -> None:
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    compiled = folder / "messages.mo"
    assert compiled.exists(), f"{compiled} is missing: run `make install`"
    with compiled.open("rb") as mo:
        served = {_key(m.id): _key(m.string) for m in read_mo(io.BytesIO(mo.read())) if m.id}
    source = {_key(m.id): _key(m.string) for m in catalog(language) if m.id and m.string}
    assert served == source, "the compiled catalog is older than its .po: run `make install`"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.5", "fr"),
        ("ja", "ja"),
        ("de-DE,de;q=0.9", "en"),
        ("", "en"),
        ("*", "en"),
        (";;;q=x", "en"),
    ],
)
def test_browser_language_chooses_the_interface(
    client: FlaskClient, header: str, language: str
) -> None:
    response = client.get("/search", headers={"Accept-Language": header})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'placeholder="{SEARCH_BOX[language]}"' in html
    assert re.search(rf'<html lang="{language}[-"]', html)


@pytest.mark.parametrize("lang", ["ja-jp", "ja", "JA_jp"])
def test_lang_parameter_beats_the_browser(client: FlaskClient, lang: str) -> None:
    html = client.get(f"/search?lang={lang}", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )
    assert SEARCH_BOX["ja"] in html


@pytest.mark.parametrize(
    "lang",
    ["xx-yy", "../../etc", "a" * 500, "en_XX_bogus", "\u202eja", "zh-Hans-CN-x-private-too-long"],
)
def test_hostile_lang_is_english_not_an_error(client: FlaskClient, lang: str) -> None:
    response = client.get("/search", query_string={"lang": lang})
    assert response.status_code in (200, 400)
    assert "Traceback" not in response.get_data(as_text=True)


def test_language_codes_read_as_sites_write_them() -> None:
    assert str(as_locale("ja-jp")) == "ja_JP"
    assert str(as_locale("fr-ca")) == "fr_CA"
    assert str(as_locale("zh-hans")) == "zh_Hans"
    assert as_locale("ko") is not None
    assert as_locale("") is None and as_locale(None) is None and as_locale("../x") is None
