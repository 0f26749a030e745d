"""Tests of the report pages, their htmx fragments, and their JSON and CSV twins."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import csv_rows

AS_OF = "2026-11-26"
HX = {"HX-Request": "true"}


def _rows(html: str) -> list[tuple[str, str]]:
    """Return (url, status) of every row of the stale table in page order."""
    return re.findall(r'<tr class="kb-row-[a-z]+" data-url="([^"]+)" data-status="([a-z]+)">', html)


def _as_csv_cells(pages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Render JSON rows the way the CSV writes them (None empty, numbers as text, formulas quoted)."""

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, list):
            value = " ".join(value)
        if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
        return str(value)

    return [{k: cell(v) for k, v in row.items()} for row in pages]


def test_stale_page_shows_counts_charts_outlook_and_table(client: FlaskClient) -> None:
    response = client.get(f"/reports/stale?as_of={AS_OF}")
    assert response.status_code == 200
    assert "HX-Request" in response.headers.get("Vary", "")
    html = response.get_data(as_text=True)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="kb-chart"') == 2
    assert 'id="kb-stale-table"' in html and "<html" in html
    rows = _rows(html)
    assert len(rows) >= 20
    assert rows[0][1] == "invalid" and rows[-1][1] == "exempt"  # worst first by default
    assert "Falling due" in html and "Percentage rollouts" in html
    assert "did you mean 2026-07-20?" in html
    # The CSP allows no inline style or script: nothing may rely on them.
    assert not re.search(r"\sstyle=", html)
    assert all(
        'src="' in tag or 'type="application/json"' in tag
        for tag in re.findall(r"<script[^>]*>", html)
    )


def test_never_reviewed_pages_are_out_of_the_charts_until_asked(client: FlaskClient) -> None:
    hidden = client.get(f"/reports/stale?as_of={AS_OF}").get_data(as_text=True)
    shown = client.get(f"/reports/stale?as_of={AS_OF}&never=show").get_data(as_text=True)
    assert "Never validated (" not in hidden.split('id="kb-stale-table"')[0]
    assert "Never validated (3)" in shown
    assert "never=show" in shown.split('id="kb-stale-table"')[1]  # table links keep the choice


def test_htmx_gets_only_the_table_fragment(client: FlaskClient) -> None:
    response = client.get(f"/reports/stale?as_of={AS_OF}&status=stale", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers.get("Vary", "")
    assert html.lstrip().startswith('<section id="kb-stale-table"')
    assert "<html" not in html and "kb-chart" not in html
    assert [s for _, s in _rows(html)] == ["stale", "stale", "stale"]
    restore = client.get(
        f"/reports/stale?as_of={AS_OF}", headers={**HX, "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.get_data(as_text=True)


def test_filter_and_sort_by_plain_links(client: FlaskClient) -> None:
    html = client.get(f"/reports/stale?as_of={AS_OF}&section=flags").get_data(as_text=True)
    assert {url for url, _ in _rows(html)} == {
        "/docs/flags/overview",
        "/docs/flags/actions",
        "/docs/flags/kill-switches",
        "/docs/flags/flag-naming-conventions",
    }
    table = html.split('id="kb-stale-table"')[1]
    # Every filter link keeps the date and section, and also works as an htmx request.
    assert f'href="/reports/stale?as_of={AS_OF}&amp;section=flags&amp;status=stale"' in table
    assert f'hx-get="/reports/stale?as_of={AS_OF}&amp;section=flags&amp;status=stale"' in table
    by_age = client.get(f"/reports/stale?as_of={AS_OF}&sort=age&order=desc").get_data(as_text=True)
    assert _rows(by_age)[0] == ("/docs/api/overview", "exempt")
    assert 'aria-sort="descending"' in by_age


def test_api_stale_follows_the_contract_and_filters(client: FlaskClient) -> None:
    data = client.get(f"/api/reports/stale?as_of={AS_OF}").get_json()
    assert data["as_of"] == AS_OF
    assert {"as_of", "policy", "summary", "sections", "pages"} <= set(data)
    contract = ["url", "title", "section", "validated_on", "age_days", "status", "problem"]
    assert all(list(row)[:7] == contract for row in data["pages"])
    invalid = client.get(f"/api/reports/stale?as_of={AS_OF}&status=invalid").get_json()
    assert len(invalid["pages"]) == invalid["summary"]["invalid"] == 5
    rollouts = client.get(
        f"/api/reports/stale?as_of={AS_OF}&section=rollouts&sort=age&order=desc"
    ).get_json()
    assert [p["age_days"] for p in rollouts["pages"]] == [117, 86, 37]


@pytest.mark.parametrize("query", ["", "&status=stale,due", "&section=reference&sort=title"])
def test_csv_equals_json_rows(client: FlaskClient, query: str) -> None:
    data = client.get(f"/api/reports/stale?as_of={AS_OF}{query}").get_json()
    response = client.get(f"/reports/stale.csv?as_of={AS_OF}{query}")
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"kb-stale-{AS_OF}" in disposition
    assert csv_rows(response.get_data(as_text=True)) == _as_csv_cells(data["pages"])


def test_csv_filename_names_the_filters(client: FlaskClient) -> None:
    response = client.get(f"/reports/stale.csv?as_of={AS_OF}&section=flags&status=stale,due")
    assert (
        'filename="kb-stale-2026-11-26-flags-stale+due.csv"'
        in response.headers["Content-Disposition"]
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("as_of=11-26-2026", "did you mean 2026-11-26?"),
        ("as_of=2026-13-01", "month out of range"),
        ("status=rotten", "unknown status"),
        ("sort=colour", "unknown sort"),
        ("order=up", "unknown order"),
        ("page=0", "page must be"),
    ],
)
def test_bad_parameters_are_400_with_the_reason(
    client: FlaskClient, query: str, message: str
) -> None:
    api = client.get(f"/api/reports/stale?{query}")
    assert api.status_code == 400 and message in api.get_json()["error"]
    for path in ("/reports/stale", "/reports/stale.csv"):
        page = client.get(f"{path}?{query}")
        assert page.status_code == 400
        assert message in page.get_data(as_text=True).replace("&#39;", "'")
        assert "Traceback" not in page.get_data(as_text=True)


def test_bad_findings_parameters_are_400(client: FlaskClient) -> None:
    assert client.get("/reports/links?kind=dead").status_code == 400
    assert "unknown kind" in client.get("/api/reports/links?kind=dead").get_json()["error"]
    assert client.get("/reports/terms?page=-1").status_code == 400


def test_terms_page_and_api(client: FlaskClient) -> None:
    html = client.get("/reports/terms").get_data(as_text=True)
    assert "6 occurrences" in html and "<mark>whitelist</mark>" in html
    assert "HX-Request" in client.get("/reports/terms").headers["Vary"]
    data = client.get("/api/reports/terms?term=Rules").get_json()
    assert (data["total"], data["matched"]) == (6, 2)
    assert data["by_term"] == [{"term": "Rules", "replacement": "Actions", "count": 2, "pages": 1}]
    assert {f["line"] for f in data["findings"]} == {14, 36}
    assert all(
        {"url", "line", "term", "replacement", "context"} <= set(f) for f in data["findings"]
    )
    fragment = client.get("/reports/terms?section=get-started", headers=HX).get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="kb-terms-table"')
    assert "1 occurrence of 6" in fragment


def test_links_page_and_api(client: FlaskClient) -> None:
    html = client.get("/reports/links").get_data(as_text=True)
    assert "2 broken links" in html and "/docs/flags/flag-dependencies" in html
    data = client.get("/api/reports/links?kind=missing-page").get_json()
    assert data["matched"] == 1 and data["total"] == 2
    finding = data["findings"][0]
    assert {"url", "line", "target", "kind", "suggestion"} <= set(finding)
    assert finding["target"] == "/docs/flags/flag-dependencies"


def test_report_index_and_home_show_headline_numbers(client: FlaskClient) -> None:
    html = client.get(f"/reports?as_of={AS_OF}").get_data(as_text=True)
    for href in ("/reports/stale", "/reports/glossary", "/reports/terms", "/reports/links"):
        assert f'href="{href}"' in html
    numbers = re.findall(r'<span class="kb-report-number">(\d+)</span>', html)
    drift = client.get("/api/reports").get_json()["glossary"]
    assert numbers == ["8", str(drift), "6", "2"]
    api = client.get(f"/api/reports?as_of={AS_OF}").get_json()
    assert (api["needs_attention"], api["terms"], api["links"]) == (8, 6, 2)
    home = client.get("/")
    assert home.status_code == 200
    body = home.get_data(as_text=True)
    assert 'class="kb-chart"' in body and "/reports/stale?status=stale" in body
    assert "Recently validated" in body and "Falling due soon" in body


# --- the real corpus --------------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_csv_matches_json(corpus_client: FlaskClient) -> None:
    data = corpus_client.get(f"/api/reports/stale?as_of={AS_OF}").get_json()
    assert len(data["pages"]) == sum(data["summary"].values()) > 2900
    rows = csv_rows(corpus_client.get(f"/reports/stale.csv?as_of={AS_OF}").get_data(as_text=True))
    assert rows == _as_csv_cells(data["pages"])
    page = corpus_client.get(f"/reports/stale?as_of={AS_OF}&status=invalid")
    assert len(_rows(page.get_data(as_text=True))) == 6
