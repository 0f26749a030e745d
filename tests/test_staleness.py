"""Tests for kb.reports.staleness: reading validatedOn and judging freshness."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.config import SectionPolicy, Settings
from kb.reports.staleness import Policy, Status, freshness, is_exempt, policy_for
from kb.reports.validation import Validation, read_validation

DEFAULT = Policy(review_window_days=180, warning_days=30)
VALIDATED = date(2026, 1, 1)


def _judge(age: int, policy: Policy = DEFAULT) -> tuple[Status, int | None]:
    """Judge a page validated on VALIDATED as of `age` days later."""
    result = freshness(
        read_validation({"validatedOn": "2026-01-01"}), VALIDATED + timedelta(age), policy
    )
    return result.status, result.days_left


# --- boundaries -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "status", "days_left"),
    [
        (0, Status.FRESH, 180),
        (149, Status.FRESH, 31),
        (150, Status.FRESH, 30),  # age == window - warning: last fresh day
        (151, Status.DUE, 29),  # first day of the warning period
        (179, Status.DUE, 1),
        (180, Status.DUE, 0),  # age == window: due_on itself is still due
        (181, Status.STALE, -1),  # the day after due_on
        (400, Status.STALE, -220),
    ],
)
def test_boundaries_of_window_and_warning(age: int, status: Status, days_left: int) -> None:
    assert _judge(age) == (status, days_left)


def test_due_on_and_age_are_reported() -> None:
    result = freshness(read_validation({"validatedOn": "2026-01-01"}), date(2026, 3, 1), DEFAULT)
    assert result.age_days == 59
    assert result.due_on == date(2026, 6, 30)
    assert result.problem is None


def test_zero_warning_means_never_due() -> None:
    policy = Policy(review_window_days=10, warning_days=0)
    assert [_judge(age, policy)[0] for age in (9, 10, 11)] == [
        Status.FRESH,
        Status.FRESH,
        Status.STALE,
    ]


def test_leap_day_ages_count_real_days() -> None:
    leap = read_validation({"validatedOn": "2028-02-29"})
    assert leap.validated_on == date(2028, 2, 29) and leap.problem is None
    assert freshness(leap, date(2028, 3, 1), DEFAULT).age_days == 1
    assert freshness(leap, date(2029, 2, 28), DEFAULT).age_days == 365


def test_future_date_is_future_with_negative_age() -> None:
    result = freshness(read_validation({"validatedOn": "2026-12-01"}), date(2026, 11, 26), DEFAULT)
    assert result.status is Status.FUTURE
    assert result.age_days == -5
    assert result.problem is not None and "2026-12-01" in result.problem
    today = freshness(read_validation({"validatedOn": "2026-11-26"}), date(2026, 11, 26), DEFAULT)
    assert (today.status, today.age_days) == (Status.FRESH, 0)


@given(
    validated=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
    as_of=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)),
    window=st.integers(min_value=0, max_value=1000),
    warning=st.integers(min_value=0, max_value=1000),
)
def test_status_agrees_with_age_for_any_date(
    validated: date, as_of: date, window: int, warning: int
) -> None:
    policy = policy_for("", Settings(review_window_days=window, warning_days=warning))
    result = freshness(Validation(validated, validated.isoformat(), None), as_of, policy)
    age = (as_of - validated).days
    assert result.age_days == age
    if age < 0:
        assert result.status is Status.FUTURE
    elif age > policy.review_window_days:
        assert result.status is Status.STALE
    elif age > policy.review_window_days - policy.warning_days:
        assert result.status is Status.DUE
    else:
        assert result.status is Status.FRESH


# --- reading the value ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("07-20-2026", "'07-20-2026' is not an ISO date (YYYY-MM-DD); did you mean 2026-07-20?"),
        ("07-09-2026", "did you mean 2026-07-09 (month first) or 2026-09-07 (day first)?"),
        ("20/07/2026", "did you mean 2026-07-20?"),
        ("2026/07/20", "did you mean 2026-07-20?"),
        ("2026-7-2", "did you mean 2026-07-02?"),
        ("20260720", "did you mean 2026-07-20?"),
        ("July 20, 2026", "did you mean 2026-07-20?"),
        ("2026-02-30", "'2026-02-30' is not a real date (day out of range)"),
        ("2026-02-29", "'2026-02-29' is not a real date (day out of range)"),
        ("2026-13-01", "not a real date (month out of range)"),
        ("0000-01-01", "not a real date (year out of range)"),
        ("2026-02-20x", "'2026-02-20x' is not an ISO date (YYYY-MM-DD)"),
        ("last week", "'last week' is not an ISO date"),
        (True, "'true' is not an ISO date"),
        (["2026-01-01"], "validatedOn is a list, not a date"),
    ],
)
def test_invalid_values_name_the_raw_value_and_a_fix(value: object, problem: str) -> None:
    validation = read_validation({"validatedOn": value})
    assert validation.validated_on is None
    assert validation.problem is not None and problem in validation.problem
    result = freshness(validation, date(2026, 11, 26), DEFAULT)
    assert (result.status, result.age_days, result.problem) == (
        Status.INVALID,
        None,
        validation.problem,
    )


@pytest.mark.parametrize("value", [None, "", "   "])
def test_empty_value_is_invalid_not_never(value: object) -> None:
    validation = read_validation({"title": "T", "validatedOn": value})
    assert validation == Validation(None, "", "validatedOn is empty")
    assert freshness(validation, date(2026, 1, 1), DEFAULT).status is Status.INVALID


def test_missing_key_is_never() -> None:
    validation = read_validation({"title": "T", "description": "2026-01-01 release"})
    assert validation == Validation(None, None, None)
    result = freshness(validation, date(2026, 1, 1), DEFAULT)
    assert (result.status, result.age_days, result.due_on, result.problem) == (
        Status.NEVER,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-02-20", date(2026, 2, 20)),
        (date(2026, 2, 20), date(2026, 2, 20)),
        (datetime(2026, 2, 20, 23, 59), date(2026, 2, 20)),
        ("2026-02-20T10:00:00Z", date(2026, 2, 20)),
        ("  2026-02-20 ", date(2026, 2, 20)),
    ],
)
def test_valid_values_and_yaml_date_objects(value: object, expected: date) -> None:
    validation = read_validation({"validatedOn": value})
    assert (validation.validated_on, validation.problem) == (expected, None)


def test_bad_meta_does_not_raise() -> None:
    assert read_validation(["not", "a", "mapping"]) == Validation(None, None, None)  # type: ignore[arg-type]
    assert read_validation({1: "2026-01-01", None: "x"}) == Validation(None, None, None)  # type: ignore[dict-item]


# --- misspelled keys --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "validation",
        "validated_on",
        "validatedon",
        "ValidatedOn",
        "validated-on",
        "validateOn",
        "validatedAt",
        "lastValidated",
        "valdiatedOn",
    ],
)
def test_misspelled_key_is_named_and_value_still_read(key: str) -> None:
    validation = read_validation({"title": "T", key: "2026-04-30"})
    assert validation.validated_on == date(2026, 4, 30)
    assert validation.raw == "2026-04-30"
    assert validation.problem == f"key '{key}' looks like a misspelling of validatedOn"
    result = freshness(validation, date(2026, 5, 10), DEFAULT)
    assert (result.status, result.age_days) == (Status.INVALID, 10)


def test_misspelled_key_with_bad_value_names_both() -> None:
    problem = read_validation({"validation": "07-20-2026"}).problem
    assert problem is not None
    assert problem.startswith("key 'validation' looks like a misspelling of validatedOn; ")
    assert "did you mean 2026-07-20?" in problem
    # One edit away is a misspelling whatever the value; further off only with a date-like value.
    assert read_validation({"validateOn": "soon"}).problem == (
        "key 'validateOn' looks like a misspelling of validatedOn; "
        "validatedOn 'soon' is not an ISO date (YYYY-MM-DD)"
    )
    assert read_validation({"validation": None}).problem == (
        "key 'validation' looks like a misspelling of validatedOn; validatedOn is empty"
    )


@pytest.mark.parametrize(
    "meta",
    [
        {"validation": "strict"},
        {"validatedBy": "Jane Doe"},
        {"valid": "2026-01-01"},
        {"deprecated": True, "description": "Updated 2026-01-01"},
        {"openapi": "get /users", "playground": "none"},
    ],
)
def test_unrelated_keys_are_not_misspellings(meta: dict[str, object]) -> None:
    assert read_validation(meta) == Validation(None, None, None)


def test_exact_key_wins_over_a_lookalike() -> None:
    validation = read_validation({"validation": "strict", "validatedOn": "2026-03-01"})
    assert validation == Validation(date(2026, 3, 1), "2026-03-01", None)


# --- policy and exemptions --------------------------------------------------------------------


def test_policy_for_section_overrides_and_parents() -> None:
    settings = Settings(
        review_window_days=100,
        warning_days=10,
        section_policies={
            "api": SectionPolicy(30, 5),
            "guides/deep": SectionPolicy(400, 60),
            "odd": SectionPolicy(20, 90),
            "neg": SectionPolicy(-5, -1),
        },
    )
    assert policy_for("guides", settings) == Policy(100, 10)
    assert policy_for("api", settings) == Policy(30, 5)
    assert policy_for("api/v2", settings) == Policy(30, 5)
    assert policy_for("guides/deep/x", settings) == Policy(400, 60)
    assert policy_for("odd", settings) == Policy(20, 20)  # warning capped at the window
    assert policy_for("neg", settings) == Policy(0, 0)
    assert policy_for("", settings) == Policy(100, 10)


@pytest.mark.parametrize(
    ("url", "path", "globs", "exempt"),
    [
        (
            "/docs/api/management/v2/users",
            "docs/api/management/v2/users.mdx",
            ["/docs/api/**"],
            True,
        ),
        ("/docs/api/management/v2/users", "docs/api/management/v2/users.mdx", ["api/**"], True),
        ("/docs/api/authentication", "docs/api/authentication.mdx", ["docs/api/*.mdx"], True),
        ("/docs/api/management/v2/users", "docs/api/management/v2/users.mdx", ["api/*"], False),
        ("/docs/get-started", "docs/get-started.mdx", ["/docs/api/**"], False),
        ("/docs/x/changelog", "docs/x/changelog.md", ["**/changelog"], True),
        ("/docs/anything", "docs/anything.mdx", [], False),
    ],
)
def test_is_exempt_by_glob(url: str, path: str, globs: list[str], exempt: bool) -> None:
    assert is_exempt(url, path, globs) is exempt


def test_exempt_wins_over_invalid_and_keeps_age() -> None:
    stale = freshness(
        read_validation({"validatedOn": "2020-01-01"}), date(2026, 1, 1), DEFAULT, True
    )
    assert (stale.status, stale.age_days) == (Status.EXEMPT, 2192)
    bad = freshness(read_validation({"validatedOn": "07-20-2026"}), date(2026, 1, 1), DEFAULT, True)
    assert bad.status is Status.EXEMPT and bad.problem is not None
