"""Tests for kb.reports.stale: report dates, the stale report, its JSON and CSV, the real corpus."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from kb.config import SectionPolicy, Settings
from kb.reports.export import report_to_csv, report_to_json
from kb.reports.queries import parse_as_of
from kb.reports.stale import PageFacts, build_stale_report
from kb.reports.staleness import STATUS_ORDER, Status
from kb.reports.validation import Validation, validation_from_fields
from tests.conftest import CORPUS_STATUS_COUNTS, csv_rows

# --- as_of ------------------------------------------------------------------------------------


def test_parse_as_of_forms() -> None:
    today = date(2026, 11, 26)
    assert parse_as_of(None, today) == today
    assert parse_as_of(" ", today) == today
    assert parse_as_of("today", today) == today
    assert parse_as_of("2027-01-31", today) == date(2027, 1, 31)
    assert parse_as_of("+30", today) == date(2026, 12, 26)
    assert parse_as_of("-7d", today) == date(2026, 11, 19)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "11-26-2026",
            "as_of '11-26-2026' is not an ISO date (YYYY-MM-DD); did you mean 2026-11-26?",
        ),
        ("2026-02-30", "as_of '2026-02-30' is not a real date (day out of range)"),
        ("soon", "as_of 'soon' is not an ISO date"),
    ],
)
def test_parse_as_of_explains_bad_input(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="Use YYYY-MM-DD") as caught:
        parse_as_of(text, date(2026, 11, 26))
    assert message in str(caught.value)


# --- the report -------------------------------------------------------------------------------

AS_OF = date(2026, 11, 26)


def _facts(
    url: str, section: str, meta: dict[str, object], title: str = "", terms: int = 0
) -> PageFacts:
    """Build a PageFacts whose path follows its URL."""
    path = "docs/" + url.removeprefix("/docs/") + ".mdx"
    return PageFacts(url, title or url.rsplit("/", 1)[-1], section, path, meta, None, terms)


def _ago(days: int) -> str:
    """Return the ISO date `days` before AS_OF."""
    return (AS_OF - timedelta(days=days)).isoformat()


SAMPLE = [
    _facts("/docs/guides/fresh-new", "guides", {"validatedOn": _ago(10)}, "Fresh new", 2),
    _facts("/docs/guides/fresh-old", "guides", {"validatedOn": _ago(140)}, "Fresh old"),
    _facts("/docs/guides/due", "guides", {"validatedOn": _ago(170)}, "Due soon", 1),
    _facts("/docs/guides/stale", "guides", {"validatedOn": _ago(400)}, "Stale page"),
    _facts("/docs/guides/never", "guides", {"title": "x"}, "Never reviewed"),
    _facts("/docs/libs/bad", "libs", {"validatedOn": "07-20-2026"}, "Bad date"),
    _facts("/docs/libs/key", "libs", {"validation": _ago(20)}, "Misspelled key"),
    _facts("/docs/libs/future", "libs", {"validatedOn": _ago(-3)}, "From the future"),
    _facts("/docs/api/users", "api", {"validatedOn": _ago(1000)}, "Users API"),
    _facts("/docs/api/short", "api", {}, "Short"),
]
SAMPLE_SETTINGS = Settings(
    exempt=("/docs/api/users",),
    section_policies={"api": SectionPolicy(30, 5)},
)


def test_report_summary_sections_and_outlook() -> None:
    report = build_stale_report(SAMPLE, AS_OF, SAMPLE_SETTINGS)
    assert report.summary == {
        "invalid": 2,
        "stale": 1,
        "due": 1,
        "never": 2,
        "future": 1,
        "fresh": 2,
        "exempt": 1,
    }
    assert list(report.sections) == ["api", "guides", "libs"]
    assert report.sections["guides"] == {
        "invalid": 0,
        "stale": 1,
        "due": 1,
        "never": 1,
        "future": 0,
        "fresh": 2,
        "exempt": 0,
    }
    assert sum(report.sections["api"].values()) == 2
    # days_left: fresh-new 170, fresh-old 40, due 10.
    assert report.falling_due == {30: 1, 60: 2, 90: 2}
    assert report.age_histogram == [
        ("0–30", 1),
        ("31–90", 0),
        ("91–180", 2),
        ("181–365", 0),
        (">365", 1),
        ("future", 1),
        ("never/invalid", 4),
    ]
    assert report.problems == ()
    by_url = {row.url: row for row in report.pages}
    assert (
        by_url["/docs/libs/key"].problem
        == "key 'validation' looks like a misspelling of validatedOn"
    )
    assert by_url["/docs/libs/key"].age_days == 20
    assert by_url["/docs/libs/bad"].raw == "07-20-2026"
    assert by_url["/docs/guides/due"].due_on == _ago(-10)
    assert by_url["/docs/guides/fresh-new"].deprecated_terms == 2


def test_report_uses_section_policy() -> None:
    pages = [
        _facts("/docs/api/a", "api", {"validatedOn": _ago(40)}),
        _facts("/docs/guides/a", "guides", {"validatedOn": _ago(40)}),
    ]
    report = build_stale_report(pages, AS_OF, SAMPLE_SETTINGS)
    assert {row.section: row.status for row in report.pages} == {"api": "stale", "guides": "fresh"}
    assert report.policy["sections"] == {"api": {"review_window_days": 30, "warning_days": 5}}


def test_filters_narrow_rows_and_counts_alike() -> None:
    report = build_stale_report(SAMPLE, AS_OF, SAMPLE_SETTINGS, section="libs")
    assert {row.url for row in report.pages} == {
        "/docs/libs/bad",
        "/docs/libs/key",
        "/docs/libs/future",
    }
    assert report.summary["invalid"] == 2 and sum(report.summary.values()) == 3
    assert list(report.sections) == ["libs"]

    both = build_stale_report(SAMPLE, AS_OF, SAMPLE_SETTINGS, status="stale, due")
    assert {row.status for row in both.pages} == {"stale", "due"}
    assert sum(both.summary.values()) == len(both.pages) == 2
    assert sum(n for _, n in both.age_histogram) == 2

    combined = build_stale_report(SAMPLE, AS_OF, SAMPLE_SETTINGS, section="guides", status="never")
    assert [row.url for row in combined.pages] == ["/docs/guides/never"]


def test_unknown_filter_and_sort_are_reported_not_raised() -> None:
    report = build_stale_report(SAMPLE, AS_OF, SAMPLE_SETTINGS, status="rotten", sort="colour")
    assert report.pages == []
    assert sum(report.summary.values()) == 0
    assert len(report.problems) == 2
    assert "unknown status rotten" in report.problems[0]
    assert "unknown sort 'colour'" in report.problems[1]


def test_sort_by_status_is_worst_first_then_oldest() -> None:
    report = build_stale_report(SAMPLE, AS_OF, SAMPLE_SETTINGS)
    statuses = [row.status for row in report.pages]
    assert statuses == sorted(statuses, key=lambda s: STATUS_ORDER.index(Status(s)))
    assert statuses[0] == "invalid" and statuses[-1] == "exempt"
    fresh = [row.url for row in report.pages if row.status == "fresh"]
    assert fresh == ["/docs/guides/fresh-old", "/docs/guides/fresh-new"]
    best_first = build_stale_report(SAMPLE, AS_OF, SAMPLE_SETTINGS, descending=True)
    assert best_first.pages[0].status == "exempt" and best_first.pages[-1].status == "invalid"


def test_sort_by_age_puts_undated_last_both_ways() -> None:
    up = build_stale_report(SAMPLE, AS_OF, SAMPLE_SETTINGS, sort="age")
    down = build_stale_report(SAMPLE, AS_OF, SAMPLE_SETTINGS, sort="age", descending=True)
    for report, reverse in ((up, False), (down, True)):
        ages = [row.age_days for row in report.pages]
        dated = [a for a in ages if a is not None]
        assert dated == sorted(dated, reverse=reverse)
        assert ages[len(dated) :] == [None] * (len(ages) - len(dated))
    assert up.pages[0].age_days == -3 and down.pages[0].age_days == 1000


@pytest.mark.parametrize("key", ["title", "section", "url", "validated_on"])
def test_sort_by_text_keys(key: str) -> None:
    report = build_stale_report(SAMPLE, AS_OF, SAMPLE_SETTINGS, sort=key)
    values = [getattr(row, key) for row in report.pages]
    present = [v.casefold() for v in values if v is not None]
    assert present == sorted(present)
    assert values[len(present) :] == [None] * (len(values) - len(present))


def test_page_facts_may_carry_a_validation() -> None:
    validation = validation_from_fields("2026-11-01", "2026-11-01", None)
    assert validation == Validation(date(2026, 11, 1), "2026-11-01", None)
    facts = PageFacts("/docs/a", "A", "", validation=validation)
    report = build_stale_report([facts], AS_OF, Settings())
    assert (report.pages[0].status, report.pages[0].age_days) == ("fresh", 25)
    assert validation_from_fields(None, None, None) == Validation(None, None, None)


# --- JSON and CSV -----------------------------------------------------------------------------


def test_json_follows_the_design_contract() -> None:
    data = report_to_json(build_stale_report(SAMPLE, AS_OF, SAMPLE_SETTINGS))
    assert {"as_of", "policy", "summary", "sections", "pages"} <= set(data)
    assert data["as_of"] == "2026-11-26"
    assert set(data["summary"]) == {s.value for s in Status}
    pages = data["pages"]
    assert isinstance(pages, list) and len(pages) == len(SAMPLE)
    contract = ["url", "title", "section", "validated_on", "age_days", "status", "problem"]
    for row in pages:
        assert list(row)[:7] == contract
    assert data["falling_due"] == {"30": 1, "60": 2, "90": 2}
    assert json.loads(json.dumps(data)) == data


def _cell(value: object) -> str:
    """Render a JSON value the way the CSV writes it (lists joined by spaces, booleans lower)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


def test_csv_has_the_json_rows() -> None:
    report = build_stale_report(SAMPLE, AS_OF, SAMPLE_SETTINGS, sort="url")
    text = report_to_csv(report)
    assert text.startswith("url,title,section,validated_on,age_days,status,problem,")
    assert text.endswith("\r\n")
    expected = [{k: _cell(v) for k, v in row.items()} for row in report_to_json(report)["pages"]]
    assert csv_rows(text) == expected
    assert any(row["age_days"] == "-3" for row in expected)  # negative numbers stay numbers


def test_csv_quotes_awkward_text_and_defuses_formulas() -> None:
    hostile = [
        _facts("/docs/a", "s", {}, title='Commas, "quotes"\nand newlines'),
        _facts("/docs/b", "s", {}, title='=HYPERLINK("http://evil","x")'),
        _facts("/docs/c", "s", {}, title="+1+1"),
        _facts("/docs/d", "s", {}, title="-2"),
        _facts("/docs/e", "s", {}, title="@SUM(A1)"),
        _facts("/docs/f", "=cmd", {"validatedOn": "=1+1"}, title="f"),
    ]
    rows = {
        r["url"]: r for r in csv_rows(report_to_csv(build_stale_report(hostile, AS_OF, Settings())))
    }
    assert rows["/docs/a"]["title"] == 'Commas, "quotes"\nand newlines'
    assert rows["/docs/b"]["title"] == '\'=HYPERLINK("http://evil","x")'
    assert rows["/docs/c"]["title"] == "'+1+1"
    assert rows["/docs/d"]["title"] == "'-2"
    assert rows["/docs/e"]["title"] == "'@SUM(A1)"
    assert rows["/docs/f"]["section"] == "'=cmd"
    assert rows["/docs/f"]["raw"] == "'=1+1"
    for row in rows.values():
        for cell in row.values():
            assert not re.match(r"[=+@]", cell)


# --- the real corpus --------------------------------------------------------------------------


def _read_corpus_facts(root: Path) -> list[PageFacts]:
    """Read every corpus page's frontmatter with YAML dates kept as strings."""

    class DatesAsText(yaml.SafeLoader):
        """A SafeLoader that leaves timestamps as the text the author typed."""

    DatesAsText.yaml_implicit_resolvers = {
        first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    facts = []
    for path in sorted((root / "docs").rglob("*.mdx")):
        text = path.read_text(encoding="utf-8")
        match = re.match(r"\A---\r?\n(.*?)\r?\n---[ \t]*\r?$", text, re.S | re.M)
        meta = yaml.load(match.group(1), Loader=DatesAsText) if match else {}
        rel = path.relative_to(root).with_suffix("").as_posix()
        url = "/" + rel
        section = rel.split("/")[1] if rel.count("/") > 1 else ""
        facts.append(PageFacts(url, str(meta.get("title", "")), section, rel + ".mdx", meta))
    return facts


@pytest.mark.corpus
def test_corpus_statuses_as_of_2026_11_26(corpus_root: Path) -> None:
    """Pin the corpus's review statuses with the default policy (180-day window, 30-day warning).

    Independent count with grep over docs/: `grep -rn "^validat"` finds 134 frontmatter lines,
    133 `validatedOn:` and one `validation: 2026-04-30`. Of the 133: two `07-20-2026`, one
    `07-09-2026`, two empty, and 128 ISO dates, all real days in 2026. As of 2026-11-26 a date is
    stale when on or before 2026-05-29 (age > 180), due from 2026-05-30 to 2026-06-28, fresh from
    2026-06-29 (`date -d "2026-11-26 -180 days"` is 2026-05-30). awk over the 128 ISO dates gives
    90 stale, 3 due (2026-06-17, 2026-06-25, 2026-06-26), 35 fresh; the latest is 2026-08-20, so
    none is future. Invalid: 2 + 1 + 2 + 1 (misspelled key) = 6. Never: 2930 - 128 - 6 = 2796.
    """
    facts = _read_corpus_facts(corpus_root)
    assert len(facts) == 2930
    report = build_stale_report(facts, AS_OF, Settings())
    assert report.summary == CORPUS_STATUS_COUNTS
    invalid = {row.url: row for row in report.pages if row.status == "invalid"}
    assert set(invalid) == {
        "/docs/libraries/auth0-php",
        "/docs/libraries/auth0-php/using-the-authentication-api-with-auth0-php",
        "/docs/manage-users/organizations/configure-organizations/enable-third-party-application-access",
        "/docs/manage-users/organizations/configure-organizations/grant-application-access",
        "/docs/manage-users/organizations/organization-roles",
        "/docs/authenticate/protocols/saml/saml-sso-integrations/algorithm-profiles",
    }
    for url in (
        "/docs/libraries/auth0-php",
        "/docs/libraries/auth0-php/using-the-authentication-api-with-auth0-php",
    ):
        assert invalid[url].raw == "07-20-2026"
        assert "did you mean 2026-07-20?" in str(invalid[url].problem)
    for url in (
        "/docs/manage-users/organizations/configure-organizations/grant-application-access",
        "/docs/manage-users/organizations/organization-roles",
    ):
        assert (invalid[url].raw, invalid[url].problem) == ("", "validatedOn is empty")
    misspelled = invalid[
        "/docs/authenticate/protocols/saml/saml-sso-integrations/algorithm-profiles"
    ]
    assert misspelled.problem == "key 'validation' looks like a misspelling of validatedOn"
    assert misspelled.validated_on == "2026-04-30"
    assert sorted(row.validated_on or "" for row in report.pages if row.status == "due") == [
        "2026-06-17",
        "2026-06-25",
        "2026-06-26",
    ]
    assert sum(sum(counts.values()) for counts in report.sections.values()) == 2930
