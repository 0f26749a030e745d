"""Tests of the glossary views: A–Z list and filter, term pages, drift report, JSON twins."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from kb.glossary.listing import letter_of, shown_aliases
from kb.glossary.terms import make_term

# The example site's glossary (examples/site/README.md): 14 component terms and 4 plain-Markdown.
EXAMPLE_TERMS = 18
HTMX = {"HX-Request": "true"}


def test_glossary_lists_every_term_under_its_letter(client: FlaskClient) -> None:
    response = client.get("/glossary")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(re.findall(r'<div class="kb-term-entry">', html)) == EXAMPLE_TERMS
    letters = re.findall(r'<h2 id="letter-([A-Z])" class="kb-letter">', html)
    assert letters == sorted(letters) and {"A", "F", "S", "W"} <= set(letters)
    assert '<a href="#letter-K">K</a>' in html
    assert '<span aria-disabled="true">B</span>' in html  # no term starts with B
    section_s = html[html.index('id="letter-S"') : html.index('id="letter-V"')]
    assert "Service Level Objective (SLO)" in section_s and "Segment" in section_s


def test_filter_works_without_javascript(client: FlaskClient) -> None:
    html = client.get("/glossary?q=flag").get_data(as_text=True)
    shown = re.findall(r'<dt><a href="/glossary/([^"]+)">', html)
    assert set(shown) == {"feature-flag", "flag-action", "prerequisite-flag", "stale-flag"}
    assert "4 of 18 terms match “flag”" in html
    assert 'value="flag"' in html


def test_filter_matches_abbreviations(client: FlaskClient) -> None:
    html = client.get("/glossary?q=slo").get_data(as_text=True)
    assert re.findall(r'<dt><a href="/glossary/([^"]+)">', html) == ["service-level-objective"]


def test_htmx_filter_returns_only_the_list(client: FlaskClient) -> None:
    response = client.get("/glossary?q=kill", headers=HTMX)
    html = response.get_data(as_text=True)
    assert "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<div id="kb-glossary-list"')
    assert "<html" not in html
    assert 'id="kb-glossary-count" hx-swap-oob="innerHTML"' in html
    assert re.findall(r'<dt><a href="/glossary/([^"]+)">', html) == ["kill-switch"]


def test_filter_without_match_suggests_close_terms(client: FlaskClient) -> None:
    html = client.get("/glossary?q=segmnet").get_data(as_text=True)
    assert "No term matches “segmnet”." in html
    assert '<a href="/glossary/segment">Segment</a>' in html


@pytest.mark.parametrize(
    ("name", "slug"),
    [("FF", "feature-flag"), ("feature flags", "feature-flag"), ("SLO", "service-level-objective")],
)
def test_term_parameter_redirects_to_the_term_page(
    client: FlaskClient, name: str, slug: str
) -> None:
    response = client.get("/glossary", query_string={"term": name})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/glossary/{slug}"


def test_unknown_term_parameter_is_404_with_close_matches(client: FlaskClient) -> None:
    response = client.get("/glossary?term=Segmnt")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "The glossary has no term “Segmnt”." in html
    assert '<a href="/glossary/segment">Segment</a>' in html


def test_term_page_shows_definition_aliases_and_usage(client: FlaskClient) -> None:
    response = client.get("/glossary/feature-flag")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Feature Flag (FF)</h1>" in html
    assert '<span class="kb-alias">FF</span>' in html
    assert "A named switch in your code" in html
    assert 'Defined in <a href="/docs/glossary">docs/glossary.mdx</a>' in html
    rows = re.findall(
        r'<a href="(/docs[^"]*)">[^<]*</a><span class="kb-url">[^<]*</span></td>\s*'
        r'<td class="kb-num">(\d+)</td>\s*<td class="kb-num">(\d+)</td>',
        html,
    )
    pages = {url: int(tooltips) for url, tooltips, _ in rows}
    # README: the two Feature Flag tooltips are on /docs/index line 7 and quickstart line 16.
    assert pages["/docs"] == 1 and pages["/docs/get-started/quickstart"] == 1


def test_term_page_lists_the_drift_of_its_tooltips(client: FlaskClient) -> None:
    html = client.get("/glossary/segment").get_data(as_text=True)
    drift = html[html.index('id="kb-drift-title"') :]
    assert "/docs/rollouts/percentage-rollouts" in drift
    assert "Variant wording" in drift
    assert "Segment: A saved list of users grouped by shared traits." in drift


def test_other_names_redirect_to_the_canonical_slug(client: FlaskClient) -> None:
    response = client.get("/glossary/Service%20Level%20Objectives")
    assert response.status_code == 302
    assert response.headers["Location"] == "/glossary/service-level-objective"


def test_unknown_term_page_is_404_with_suggestions(client: FlaskClient) -> None:
    response = client.get("/glossary/kill-swich")
    assert response.status_code == 404
    assert '<a href="/glossary/kill-switch">Kill Switch</a>' in response.get_data(as_text=True)


def test_api_glossary(client: FlaskClient) -> None:
    data = client.get("/api/glossary").get_json()
    assert len(data) == EXAMPLE_TERMS
    assert all({"term", "definition", "aliases", "uses"} <= set(row) for row in data)
    by_term = {row["term"]: row for row in data}
    assert "SLO" in by_term["Service Level Objective (SLO)"]["aliases"]
    segment = by_term["Segment"]
    assert segment["tooltips"] == 2  # README: Segment has two tooltip uses
    assert segment["uses"] == segment["tooltips"] + segment["mentions"]


def test_api_glossary_term(client: FlaskClient) -> None:
    data = client.get("/api/glossary/SLO").get_json()
    assert data["term"] == "Service Level Objective (SLO)"
    assert data["url"] == "/glossary/service-level-objective"
    assert any(p["url"] == "/docs/rollouts/percentage-rollouts" for p in data["pages"])
    segment = client.get("/api/glossary/segment").get_json()
    assert [(d["url"], d["line"], d["kind"]) for d in segment["drift"]] == [
        ("/docs/rollouts/percentage-rollouts", 16, "variant")
    ]


def test_api_glossary_unknown_term_is_404_with_close_matches(client: FlaskClient) -> None:
    response = client.get("/api/glossary/Varation")
    data = response.get_json()
    assert response.status_code == 404
    assert "error" in data
    assert [t["term"] for t in data["close_matches"]][:1] == ["Variation"]


def findings_by_place(data: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    """Key the findings of a report by (url, line)."""
    return {(f["url"], f["line"]): f for f in data["findings"]}


def test_api_report_lists_the_known_drift(client: FlaskClient) -> None:
    data = client.get("/api/reports/glossary").get_json()
    found = findings_by_place(data)
    # README: an empty tip, an unknown term and a variant wording.
    assert found[("/docs/rollouts/experiments", 9)]["kind"] == "empty"
    unknown = found[("/docs/rollouts/experiments", 17)]
    assert (unknown["kind"], unknown["term"]) == ("unknown-term", "Holdout Group")
    assert found[("/docs/rollouts/percentage-rollouts", 16)]["kind"] == "variant"
    assert data["total"] == data["matched"] == len(data["findings"])
    counts = {row["kind"]: row["count"] for row in data["by_kind"]}
    assert sum(counts.values()) == data["total"]
    assert [t["slug"] for t in data["unused_terms"]] == ["prerequisite-flag"]


def test_api_report_filters_by_kind_and_term(client: FlaskClient) -> None:
    empty = client.get("/api/reports/glossary?kind=empty").get_json()
    assert [(f["url"], f["line"]) for f in empty["findings"]] == [("/docs/rollouts/experiments", 9)]
    segment = client.get("/api/reports/glossary?term=segments").get_json()
    assert {f["canonical"] for f in segment["findings"]} == {"Segment"}
    bad = client.get("/api/reports/glossary?kind=nonsense")
    assert bad.status_code == 400 and "wrong-term" in bad.get_json()["error"]


def test_report_page_shows_findings_counts_and_unused_terms(client: FlaskClient) -> None:
    data = client.get("/api/reports/glossary").get_json()
    html = client.get("/reports/glossary").get_data(as_text=True)
    assert f"{data['total']} findings" in html
    for finding in data["findings"]:
        assert f'<a href="{finding["url"]}">' in html
    assert "Holdout Group" in html and "(not in the glossary)" in html
    assert '<a href="/glossary/prerequisite-flag">Prerequisite Flag</a>' in html
    assert re.search(r'Empty tip <span class="kb-chip-count">1</span>', html)


def test_report_filter_works_without_javascript_and_as_fragment(client: FlaskClient) -> None:
    html = client.get("/reports/glossary?kind=unknown-term").get_data(as_text=True)
    assert "/docs/rollouts/experiments" in html and "/docs/rollouts/percentage-rollouts" not in html
    assert '<option value="unknown-term" selected>' in html
    fragment = client.get("/reports/glossary?kind=empty", headers=HTMX)
    text = fragment.get_data(as_text=True)
    assert text.lstrip().startswith('<section id="kb-drift-table"')
    assert "HX-Request" in fragment.headers["Vary"]


def test_report_bad_kind_is_400_page(client: FlaskClient) -> None:
    response = client.get("/reports/glossary?kind=%3Cscript%3E")
    assert response.status_code == 400
    assert "<script>" not in response.get_data(as_text=True)


def test_letters_and_aliases_shown() -> None:
    assert [letter_of(n) for n in ("Éclair", "access", "2FA", "Ωmega")] == ["E", "A", "#", "#"]
    term = make_term("Identity Provider (IdP)", "A service.", "g.mdx", 1)
    assert shown_aliases(term) == ["Identity Provider", "IdP"]


@pytest.mark.parametrize("path", ["/glossary?q=kill", "/reports/glossary?kind=empty"])
def test_htmx_history_restore_gets_the_whole_page(client: FlaskClient, path: str) -> None:
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    html = client.get(path, headers=headers).get_data(as_text=True)
    assert html.startswith("<!doctype html>")
    assert "hx-swap-oob" not in html
