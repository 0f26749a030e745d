"""The whole interface in the reader's language: chrome, counts, notes, errors, reports.

Page content, glossary terms, JSON values and CSV stay as written; only kb's own words change.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from flask.testing import FlaskClient

from kb.reports.staleness import STATUS_LABELS
from kb.web.locale import translate
from kb.words import said

DOC = "/docs/get-started/quickstart"

# kb's own English words that must not be left on a Japanese page's chrome.
ENGLISH_CHROME = (
    "Search the docs",
    "Skip to content",
    "Glossary",
    "Reports",
    "On this page",
    "Edit this page",
    "Previous",
    "Next",
    "Source file",
    "Results for",
    "result",
    "Freshness",
    "Section",
    "Did you mean",
    "Page not found",
    "Back to the home page",
    "Review status",
    "Broken links",
    "All results",
    "to choose",
    "Fresh",
    "Stale",
    "Never validated",
    "Review due",
    "Knowledge base",
    "Load per owner",
    "Download",
    "Apply",
    "Clear filters",
    "days ago",
    "Validated",
    "review due",
    "after validation",
    "missing page",
)


# Where a page shows the site's own words (titles, terms, section names): cut out before looking
# for kb's English, since the site may well be written in English.
CONTENT = (
    r'<div class="kb-content">.*?</div>\s*<footer',
    r'<aside class="kb-site-nav">.*?</aside>',
    r'<nav class="kb-sitetabs".*?</nav>',
    r'<a [^>]*href="/(?:docs|glossary)/[^"]*"[^>]*>.*?</a>',
    r"<(td|option|svg|dl|q|pre|code|script|style|figure|ol)\b.*?</\1>",
    r'<(p|span|h2|li) class="kb-(?:hit-[a-z]+|url|missing-url|prevnext-title|facet-name|glossary-card-[a-z]+|muted|description)"[^>]*>.*?</\1>',
)


def chrome_text(html: str) -> str:
    """Return the visible text and labels of kb's chrome, the site's own words cut out."""
    for pattern in CONTENT:
        html = re.sub(pattern, " ", html, flags=re.S)
    labels = " ".join(re.findall(r'(?:aria-label|placeholder)="([^"]*)"', html))
    text = re.sub(r"<[^>]+>", " ", html)
    return unescape(text + " " + labels)


def english_left(text: str) -> list[str]:
    return [w for w in ENGLISH_CHROME if re.search(rf"\b{re.escape(w)}\b", text)]


def get(client: FlaskClient, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code in (200, 404), (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/search?q=webhook", ["検索結果", "鮮度", "セクション"]),
        ("/search?q=webhok", ["もしかして"]),
        ("/search?q=zzqqxxyy", ["一致するページはありません", "ヒント", "検索の構文"]),
        ("/glossary", ["用語集", "用語を絞り込む"]),
        (DOC, ["このページの内容", "ソースファイル", "日前"]),
        ("/", ["ナレッジベース", "レビュー状況"]),
        ("/reports", ["レポート", "リンク切れ", "担当者ごとの負荷"]),
        ("/reports/stale", ["レビュー状況", "経過日数", "状態"]),
        ("/reports/links", ["リンク切れ", "種類"]),
        ("/reports/terms", ["非推奨の用語"]),
        ("/reports/glossary", ["用語集との不一致"]),
        ("/reports/owners", ["担当者"]),
        ("/reports/owners/todo", ["要対応", "理由"]),
    ],
)
def test_japanese_pages_speak_japanese_with_no_english_chrome(
    client: FlaskClient, url: str, words: list[str]
) -> None:
    html = get(client, url + ("&" if "?" in url else "?") + "lang=ja")
    assert re.search(r'<html lang="ja', html)
    text = chrome_text(html)
    for word in words:
        assert word in text, (url, word)
    assert not english_left(text), (url, english_left(text))


def test_the_404_speaks_the_browser_language(client: FlaskClient) -> None:
    html = get(client, "/docs/no/such/page", **{"Accept-Language": "ja-JP,ja;q=0.9"})
    text = chrome_text(html)
    assert "ページが見つかりません" in text and "ホームに戻る" in text
    assert not english_left(text)
    french = chrome_text(get(client, "/nowhere-at-all", **{"Accept-Language": "fr-CA"}))
    assert "Page introuvable" in french and "Retour à l’accueil" in french


def test_french_search_counts_and_statuses(client: FlaskClient) -> None:
    html = get(client, "/search?q=webhook&lang=fr")
    assert "Résultats pour" in html and "Fraîcheur" in html
    count = re.search(r'data-count-text="([^"]*)"', html)
    assert count and re.fullmatch(r"\d+ résultats?", unescape(count.group(1)))
    assert any(label in html for label in ("À jour", "À réviser", "Périmée", "Jamais validée"))
    assert "Aucun résultat" in get(client, "/search?q=zzqqxxyy&lang=fr")


def test_counts_follow_each_language_plural_rule(app) -> None:  # type: ignore[no-untyped-def]
    from flask_babel import force_locale, ngettext

    with app.test_request_context("/"):
        with force_locale("fr"):
            # French: zero and one are singular.
            assert ngettext("%(num)s result", "%(num)s results", 0) == "0 résultat"
            assert ngettext("%(num)s result", "%(num)s results", 1) == "1 résultat"
            assert ngettext("%(num)s result", "%(num)s results", 2) == "2 résultats"
        with force_locale("ja"):
            assert ngettext("%(num)s result", "%(num)s results", 1) == "1 件"
            assert ngettext("%(num)s result", "%(num)s results", 7) == "7 件"
        with force_locale("en"):
            assert ngettext("%(num)s result", "%(num)s results", 0) == "0 results"


def test_search_notes_from_the_search_layer_are_translated_on_pages_only(
    client: FlaskClient,
) -> None:
    url = "/search?q=%22unclosed+webhook&lang=ja"
    html = get(client, url)
    assert "閉じられていない引用符を無視しました。" in html
    assert "An unclosed quote was ignored." not in html
    api = client.get("/api/search?q=%22unclosed+webhook", headers={"Accept-Language": "ja"})
    assert "An unclosed quote was ignored." in api.get_json()["message"]


def test_said_is_english_until_the_web_translates_it(app) -> None:  # type: ignore[no-untyped-def]
    from flask_babel import force_locale

    note = said("Page %(page)s is past the last page of results (%(last)s).", page=9, last=2)
    assert note == "Page 9 is past the last page of results (2)."
    with app.test_request_context("/"), force_locale("fr"):
        assert translate(note) == "La page 9 est au-delà de la dernière page de résultats (2)."
        assert translate("plain text stays") == "plain text stays"


def test_json_api_and_csv_stay_english(client: FlaskClient) -> None:
    ja = {"Accept-Language": "ja"}
    body = client.get("/api/search?q=zzqqxxyy&lang=ja", headers=ja).get_json()
    assert "No pages match" in body["message"]
    csv = client.get("/reports/stale.csv?lang=ja", headers=ja).get_data(as_text=True)
    assert csv.splitlines()[0].startswith(("url", "title", "path"))
    stale = client.get("/api/reports/stale?lang=ja", headers=ja).get_json()
    assert set(json.dumps(stale)) <= set(json.dumps(stale).encode("ascii", "replace").decode())
    missing = client.get("/api/pages/no/such", headers=ja).get_json()
    assert "error" in missing and not re.search(r"[\u3040-\u30ff]", missing["error"])


def test_page_content_is_not_translated(client: FlaskClient) -> None:
    english = get(client, DOC)
    japanese = get(client, DOC + "?lang=ja")
    title = re.search(r"<h1>(.*?)</h1>", english)
    assert title and f"<h1>{title.group(1)}</h1>" in japanese


@pytest.mark.parametrize("language", ["fr", "ja"])
def test_script_words_come_as_a_json_data_block(client: FlaskClient, language: str) -> None:
    html = get(client, f"/search?lang={language}")
    block = re.search(
        r'<script type="application/json" id="kb-ui-words">(.*?)</script>', html, re.S
    )
    assert block
    words = json.loads(block.group(1))
    expected = {"fr": ("Copier", "Copié", "Sombre"), "ja": ("コピー", "コピーしました", "ダーク")}
    copy, copied, dark = expected[language]
    assert (words["copy"], words["copied"], words["themes"]["dark"]) == (copy, copied, dark)
    assert "%(num)s" in words["found"]["one"] and "%(num)s" in words["found"]["other"]
    assert words["apiSpeaks"] is False and words["lang"].startswith(language)


def test_every_status_label_is_translated(client: FlaskClient) -> None:
    html = get(client, "/reports/stale?lang=ja")
    for english in STATUS_LABELS.values():
        assert english not in chrome_text(html), english


def test_todo_reasons_are_translated_on_the_page_and_english_in_json(client: FlaskClient) -> None:
    html = get(client, "/reports/owners/todo?lang=ja")
    assert re.search(r"検証の \d+ 日後に編集", html)
    assert not re.search(r"edited \d+ days? after validation", html)
    rows = client.get("/api/reports/owners/todo", headers={"Accept-Language": "ja"}).get_json()
    reasons = [r for row in rows["pages"] for r in row["reasons"]]
    assert any(re.fullmatch(r"edited \d+ days? after validation", r) for r in reasons)


def test_chart_titles_and_legend_speak_the_reader_language(client: FlaskClient) -> None:
    html = get(client, "/reports/stale?lang=ja")
    assert "セクションごとのレビュー状態別ページ数" in html
    assert "最後の検証からの経過日数別ページ数" in html
    legend = re.findall(r'<g class="kb-legend">.*?<text[^>]*>([^<]*)</text>', html)
    assert legend and all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", item) for item in legend)
    assert "レビュー状態別のページの割合" in get(client, "/?lang=ja")
