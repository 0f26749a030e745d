"""Tests for kb.reports.facts and kb.reports.findings on the example index (examples/site/README.md)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.params import paginate
from kb.reports.charts import share_bar_svg
from kb.reports.facts import generation_facts, judged_rows, stale_report, stale_view
from kb.reports.findings import links_page, mark_context, terms_page
from kb.reports.links import close_anchor
from kb.reports.overview import due_soon, over_budget_count, overview
from kb.reports.queries import ReportQueryError, StaleQuery, parse_stale_query
from tests.conftest import CORPUS_STATUS_COUNTS

AS_OF = date(2026, 11, 26)
SVG = "{http://www.w3.org/2000/svg}"
STATUS_NAMES = ("invalid", "stale", "due", "never", "future", "fresh", "exempt")
BROKEN = "docs/troubleshooting/broken-frontmatter.mdx"
# examples/site/README.md, "Expected review status as of 2026-11-26": path → (status, age).
EXPECTED = {
    "docs/index.mdx": ("fresh", 24),
    "docs/reference/terms.md": ("fresh", 16),
    "docs/get-started/quickstart.mdx": ("fresh", 56),
    "docs/rollouts/experiments.mdx": ("fresh", 37),
    "docs/get-started/environments.mdx": ("due", 169),
    "docs/rollouts/percentage-rollouts.mdx": ("due", 86),
    "docs/get-started/sdk-keys.mdx": ("stale", 360),
    "docs/flags/kill-switches.mdx": ("stale", 256),
    "docs/rollouts/scheduled-releases.mdx": ("stale", 117),
    "docs/flags/overview.mdx": ("never", None),
    "docs/flags/actions.mdx": ("never", None),
    "docs/glossary.mdx": ("never", None),
    "docs/flags/flag-naming-conventions.md": ("invalid", None),
    "docs/reference/audit-logs.mdx": ("invalid", None),
    "docs/reference/rate-limits.md": ("invalid", None),
    "docs/troubleshooting/common-errors.mdx": ("invalid", 210),
    "docs/troubleshooting/sdk-connection.mdx": ("future", -50),
    "docs/api/overview.mdx": ("exempt", 543),
    "docs/api/list-flags.mdx": ("exempt", None),
    "docs/api/webhooks.mdx": ("exempt", None),
}


@pytest.fixture(scope="module")
def gen(example_index: Path) -> Generation:
    """Open the served generation of the example index."""
    return Generation(current_generation(example_index))


def _by_path(gen: Generation, query: StaleQuery) -> dict[str, tuple[str, int | None]]:
    """Return path → (status, age) of the rows of a stale report."""
    paths = generation_facts(gen).paths
    return {paths[row.url]: (row.status, row.age_days) for row in stale_report(gen, query).pages}


def test_statuses_and_ages_match_the_example_readme(gen: Generation) -> None:
    found = _by_path(gen, StaleQuery(as_of=AS_OF))
    assert {p: v for p, v in found.items() if p != BROKEN} == EXPECTED


def test_summary_counts_the_reviewed_pages_as_the_readme_does(gen: Generation) -> None:
    report = stale_report(gen, StaleQuery(as_of=AS_OF))
    broken = [r for r in report.pages if generation_facts(gen).paths[r.url] == BROKEN]
    assert [r.status for r in broken] == ["invalid"]
    assert "malformed frontmatter" in str(broken[0].problem)
    assert dict(report.summary) == {
        "invalid": 5,
        "stale": 3,
        "due": 2,
        "never": 3,
        "future": 1,
        "fresh": 4,
        "exempt": 3,
    }
    assert over_budget_count(report) == 8


def test_invalid_rows_keep_the_raw_value_and_say_why(gen: Generation) -> None:
    paths = generation_facts(gen).paths
    rows = {
        paths[r.url]: r for r in stale_report(gen, StaleQuery(as_of=AS_OF, status="invalid")).pages
    }
    assert rows["docs/flags/flag-naming-conventions.md"].raw == "07-20-2026"
    assert "not an ISO date" in str(rows["docs/flags/flag-naming-conventions.md"].problem)
    assert rows["docs/reference/audit-logs.mdx"].raw == "2026-02-30"
    assert "not a real date" in str(rows["docs/reference/audit-logs.mdx"].problem)
    assert rows["docs/reference/rate-limits.md"].raw == ""
    assert rows["docs/reference/rate-limits.md"].problem == "validatedOn is empty"
    misspelled = rows["docs/troubleshooting/common-errors.mdx"]
    assert misspelled.problem == "key 'validation' looks like a misspelling of validatedOn"
    assert misspelled.validated_on == "2026-04-30"


def test_rollouts_section_policy_applies(gen: Generation) -> None:
    report = stale_report(gen, StaleQuery(as_of=AS_OF, section="rollouts"))
    assert {r.url.rsplit("/", 1)[-1]: r.status for r in report.pages} == {
        "experiments": "fresh",
        "percentage-rollouts": "due",
        "scheduled-releases": "stale",
    }
    assert report.policy["sections"] == {"rollouts": {"review_window_days": 90, "warning_days": 14}}
    assert report.policy["exempt"] == ["/docs/api/**"]


def test_falling_due_and_due_soon(gen: Generation) -> None:
    report = stale_report(gen, StaleQuery(as_of=AS_OF))
    # percentage-rollouts ends its 90-day window on 2026-11-30 (4 days), environments its
    # 180-day window on 2026-12-07 (11 days), experiments on 2027-01-18 (53 days).
    assert report.falling_due == {30: 2, 60: 3, 90: 3}
    soon = due_soon(report)
    assert [(r.url.rsplit("/", 1)[-1], r.days_left) for r in soon] == [
        ("percentage-rollouts", 4),
        ("environments", 11),
    ]


def test_deprecated_term_counts_per_page(gen: Generation) -> None:
    paths = generation_facts(gen).paths
    counts = {
        paths[r.url]: r.deprecated_terms
        for r in stale_report(gen, StaleQuery(as_of=AS_OF)).pages
        if r.deprecated_terms
    }
    assert counts == {
        "docs/flags/actions.mdx": 4,
        "docs/get-started/sdk-keys.mdx": 1,
        "docs/troubleshooting/common-errors.mdx": 1,
    }


def test_view_keeps_site_section_and_filtered_counts_apart(gen: Generation) -> None:
    view = stale_view(gen, StaleQuery(as_of=AS_OF, section="flags", status="stale"))
    assert sum(view.site.summary.values()) == len(view.site.pages) >= 20
    assert view.section.summary["never"] == 2 and view.section.summary["stale"] == 1
    assert [r.url for r in view.filtered.pages] == ["/docs/flags/kill-switches"]


def test_sort_by_age_descending(gen: Generation) -> None:
    rows = stale_report(gen, StaleQuery(as_of=AS_OF, sort="age", descending=True)).pages
    ages = [r.age_days for r in rows if r.age_days is not None]
    assert ages == sorted(ages, reverse=True) and ages[0] == 543


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"as_of": "11-26-2026"}, "did you mean 2026-11-26?"),
        ({"as_of": "2026-02-30"}, "not a real date"),
        ({"status": "stale,rotten"}, "unknown status 'rotten'"),
        ({"sort": "colour"}, "unknown sort 'colour'"),
        ({"order": "sideways"}, "unknown order 'sideways'"),
        ({"page": "0"}, "page must be a whole number"),
        ({"page": "two"}, "page must be a whole number"),
    ],
)
def test_bad_parameters_are_explained(args: dict[str, str], message: str) -> None:
    with pytest.raises(ReportQueryError, match=message):
        parse_stale_query(args, AS_OF)


def test_parameters_are_normalised() -> None:
    query = parse_stale_query(
        {"as_of": "+4", "status": " Stale, due ,stale", "order": "DESC", "page": "3"}, AS_OF
    )
    assert query == StaleQuery(date(2026, 11, 30), "", "stale,due", "status", True, 3)
    assert parse_stale_query({}, AS_OF) == StaleQuery(AS_OF)


def test_link_findings_match_the_readme(gen: Generation) -> None:
    result = links_page(gen)
    found = {(f["path"], f["line"], f["target"], f["kind"]) for f in result.findings}
    assert found == {
        (
            "docs/troubleshooting/common-errors.mdx",
            21,
            "/docs/flags/flag-dependencies",
            "missing-page",
        ),
        (
            "docs/troubleshooting/common-errors.mdx",
            31,
            "/docs/rollouts/percentage-rollouts#rollback-plan",
            "missing-anchor",
        ),
    }
    assert result.groups == [
        {"kind": "missing-page", "count": 1},
        {"kind": "missing-anchor", "count": 1},
        {"kind": "nav-missing", "count": 0},
    ]
    only_anchor = links_page(gen, kind="missing-anchor")
    assert [f["kind"] for f in only_anchor.findings] == ["missing-anchor"]
    assert (only_anchor.total, only_anchor.matched) == (2, 1)
    assert links_page(gen, section="flags").findings == []
    with pytest.raises(ReportQueryError, match="unknown kind"):
        links_page(gen, kind="dead")


def test_term_findings_match_the_readme(gen: Generation) -> None:
    result = terms_page(gen)
    found = sorted((f["path"], f["line"], f["found"], f["replacement"]) for f in result.findings)
    assert found == [
        ("docs/flags/actions.mdx", 14, "Rules", "Actions"),
        ("docs/flags/actions.mdx", 36, "Rules", "Actions"),
        ("docs/flags/actions.mdx", 38, "Rule", "Action"),
        ("docs/flags/actions.mdx", 38, "Rule", "Action"),
        ("docs/get-started/sdk-keys.mdx", 23, "whitelist", "allowlist"),
        ("docs/troubleshooting/common-errors.mdx", 15, "toggle", "flag"),
    ]
    assert [(g["term"], g["count"], g["pages"]) for g in result.groups] == [
        ("Rule", 2, 1),
        ("Rules", 2, 1),
        ("toggle", 1, 1),
        ("whitelist", 1, 1),
    ]
    # The `// Converted from Rule` comment on line 41 sits in a code fence.
    assert all(f["line"] != 41 for f in result.findings)


def test_term_filters(gen: Generation) -> None:
    assert terms_page(gen, term="rules").matched == 2  # the term filter ignores case
    assert terms_page(gen, section="get-started").matched == 1
    on_page = terms_page(gen, url="/docs/troubleshooting/common-errors")
    assert [f["found"] for f in on_page.findings] == ["toggle"]
    assert terms_page(gen, term="master").findings == []


def test_each_term_finding_marks_its_own_occurrence(gen: Generation) -> None:
    line_38 = [f for f in terms_page(gen).findings if f["line"] == 38]
    assert len(line_38) == 2
    for finding in line_38:
        before, hit, after = finding["marked"]
        assert hit == "Rule" and before + hit + after == finding["context"]
    assert line_38[0]["marked"][0] != line_38[1]["marked"][0]


def test_mark_context_edge_cases() -> None:
    assert mark_context("no match here", "Rule") == ("no match here", "", "")
    assert mark_context("Rulebook and Rule", "Rule") == ("Rulebook and ", "Rule", "")
    assert mark_context("text", "") == ("text", "", "")


def test_overview_headlines(gen: Generation) -> None:
    ov = overview(gen, AS_OF)
    assert (ov.terms, ov.term_pages, ov.links) == (6, 3, 2)
    assert ov.needs_attention == 8
    assert ov.drift == len(gen.meta("drift"))
    paths = generation_facts(gen).paths
    assert [paths[r.url] for r in ov.recently_validated[:2]] == [
        "docs/reference/terms.md",
        "docs/index.mdx",
    ]
    ages = [r.age_days for r in ov.recently_validated]
    assert ages == sorted(a for a in ages if a is not None)


def test_paginate() -> None:
    items = list(range(250))
    assert paginate(items, 1, 100) == (list(range(100)), 3)
    assert paginate(items, 3, 100) == (list(range(200, 250)), 3)
    assert paginate(items, 9, 100)[0] == list(range(200, 250))
    assert paginate([], 1, 100) == ([], 1)


def test_facts_are_read_once_per_generation(gen: Generation, example_index: Path) -> None:
    assert generation_facts(gen) is generation_facts(gen)
    other = Generation(current_generation(example_index))
    assert generation_facts(other) is not generation_facts(gen)
    assert generation_facts(other) == generation_facts(gen)


# --- the real corpus --------------------------------------------------------------------------

CORPUS_INVALID = {
    "/docs/libraries/auth0-php": "07-20-2026",
    "/docs/libraries/auth0-php/using-the-authentication-api-with-auth0-php": "07-20-2026",
    "/docs/manage-users/organizations/configure-organizations/"
    "enable-third-party-application-access": "07-09-2026",
    "/docs/manage-users/organizations/configure-organizations/grant-application-access": "",
    "/docs/manage-users/organizations/organization-roles": "",
    "/docs/authenticate/protocols/saml/saml-sso-integrations/algorithm-profiles": "2026-04-30",
}


@pytest.mark.corpus
def test_corpus_statuses_from_the_index(corpus_index: Path) -> None:
    """The index gives the counts the frontmatter gives (derived in tests/test_stale_report.py)."""
    corpus = Generation(current_generation(corpus_index))
    report = stale_report(corpus, StaleQuery(as_of=AS_OF))
    assert report.summary == CORPUS_STATUS_COUNTS
    invalid = {r.url: r for r in report.pages if r.status == "invalid"}
    assert {url: r.raw for url, r in invalid.items()} == CORPUS_INVALID
    misspelled = invalid[
        "/docs/authenticate/protocols/saml/saml-sso-integrations/algorithm-profiles"
    ]
    assert misspelled.problem == "key 'validation' looks like a misspelling of validatedOn"
    assert "did you mean 2026-07-09 (month first)" in str(
        invalid[
            "/docs/manage-users/organizations/configure-organizations/"
            "enable-third-party-application-access"
        ].problem
    )
    assert over_budget_count(report) == 96


def test_judged_rows_are_kept_per_date(gen: Generation) -> None:
    first = judged_rows(gen, AS_OF)
    assert judged_rows(gen, AS_OF) is first
    later = judged_rows(gen, date(2027, 6, 1))
    assert later is not first
    by_url = {r.url: r.status for r in later}
    assert by_url["/docs/rollouts/experiments"] == "stale"  # fresh on 2026-11-26


def test_share_bar_fills_its_width_in_status_order() -> None:
    svg = share_bar_svg({"fresh": 30, "stale": 10, "never": 0, "due": 1}, STATUS_NAMES)
    root = ET.fromstring(svg)
    assert root.get("preserveAspectRatio") == "none" and root.get("role") == "img"
    rects = root.findall(f"{SVG}rect")
    assert [r.get("class") for r in rects] == [
        "kb-status-stale",
        "kb-status-due",
        "kb-status-fresh",
    ]
    widths = [float(r.get("width", "0")) for r in rects]
    assert abs(sum(widths) - 720) < 0.5
    assert abs(widths[0] / widths[2] - 10 / 30) < 0.01
    sliver = ET.fromstring(share_bar_svg({"fresh": 5000, "due": 1}, STATUS_NAMES))
    assert float(sliver.findall(f"{SVG}rect")[0].get("width", "0")) > 2.5  # 0.14 px unscaled
    assert "stale: 10 of 41 pages" in svg
    assert "No pages." in share_bar_svg({}, STATUS_NAMES)


def test_equally_close_anchors_suggest_the_first_in_sorted_order() -> None:
    """Two anchors as close as each other to a missing one: the suggestion does not depend on
    the order of the page's anchor set (which follows the run's hash seed)."""
    for anchors in (
        ["id-token-security", "id-token-lifetime"],
        ["id-token-lifetime", "id-token-security"],
    ):
        assert close_anchor("id-token-payload", anchors) == "id-token-lifetime"
    assert close_anchor("id-token-payload", ["unrelated"]) is None
