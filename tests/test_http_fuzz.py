"""HTTP fuzzing of every route of the app: hostile paths, parameters, methods and headers never
give a 5xx or a traceback, and errors under /api are JSON."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from kb.web import create_app

# A benign value for each path argument, so a route is reached before its parameters are fuzzed.
PATH_SAMPLES = {"path": "flags/overview", "name": "Variation", "filename": "kb.css"}
PARAMETERS = (
    "q", "page", "limit", "section", "status", "as_of", "term", "kind", "url", "sort", "order",
    "never", "format",
)  # fmt: skip
HOSTILE = (
    "", " ", "../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2f", "\x00",
    "a\x00b", "%00", "x" * 5000, "9" * 5000, "-1", "0", "-99999999999999999999",
    "99999999999999999999", "1e9", "0x10", "1.5", "²", "٣", "５", "+5", " 7 ",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "' OR '1'='1' --",
    "1; DROP TABLE pages;--", "日本語", "🙂", "\u202e", "\ufeff", "2026-02-30", "0000-00-00",
    "9999-99-99", "99999-01-01", "today", "+99999999999", "-99999999", "+1e10", "yesterday",
    "fresh,stale,bogus", "bogus", ",,,", "desc", "DESC", "title", "age", "status:stale", "*",
    '"', "(", ")", "AND OR NOT", "%", "&", "=", "?", "#", "\\", "\r\n", "\t", "{{7*7}}",
    "${7*7}", "{% raw %}", "show", "[]", "{}", "null", "true", "NaN", "-0",
)  # fmt: skip
HOSTILE_PATHS = (
    "../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/etc/passwd",
    "....//....//etc/passwd", "%252e%252e%252f", "..\\..\\windows\\win.ini", "%00", "a%00b",
    "x" * 5000, "/".join(["a"] * 2000), "日本語/🙂", "%ff%fe", "%c0%ae%c0%ae/", "<script>x</script>",
    "' OR 1=1 --", ".", "..", "//etc/passwd", "%0d%0aSet-Cookie:x=1", "glossary?term=../x",
    "a;b", "a%3Fb", "CON", "-1", "99999999999999999999", "%20", "~root", "${jndi:ldap://x}",
)  # fmt: skip
SHORT_HOSTILE = ("", "-1", "0", "²", "9" * 5000, "2026-02-30", "bogus", "\x00", "<script>x")


@pytest.fixture(scope="module")
def fuzz_app(example_index: Path) -> Flask:
    """Return one app on the example index for the whole module."""
    return create_app({"TESTING": True, "INDEX_DIR": str(example_index)})


@pytest.fixture(scope="module")
def fuzz_client(fuzz_app: Flask) -> FlaskClient:
    """Return a test client of the module's app."""
    return fuzz_app.test_client()


def routes(app: Flask) -> list[Rule]:
    """Return every GET route of the app."""
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())),
        key=lambda rule: rule.rule,
    )


def base_url(rule: Rule, **values: str) -> str:
    """Return a URL reaching a route, its path arguments filled with benign or given values."""
    url = rule.rule
    for argument in rule.arguments:
        value = values.get(argument, PATH_SAMPLES[argument])
        url = url.replace(f"<path:{argument}>", value).replace(f"<{argument}>", value)
    return url


def check(response: TestResponse, path: str) -> None:
    """Assert a response is no server error, shows no traceback, and is JSON under /api."""
    body = response.get_data(as_text=True)
    where = f"{response.request.method} {path} -> {response.status_code}"
    assert response.status_code < 500, f"{where}: {body[:300]}"
    assert "Traceback (most recent call last)" not in body and 'File "/' not in body, where
    if path.startswith("/api/") and response.status_code >= 400:
        assert response.is_json, where
        assert isinstance(response.get_json().get("error"), str), where
    if response.mimetype == "text/html":
        assert "<script>alert(1)" not in body and "<img src=x onerror" not in body, where


def test_the_app_has_the_routes_of_the_contract(fuzz_app: Flask) -> None:
    found = {rule.rule for rule in routes(fuzz_app)}
    assert {"/search", "/api/search", "/docs/<path:path>", "/reports/stale.csv"} <= found
    assert len(found) >= 25


ROUTES = [rule.rule for rule in routes(create_app({"TESTING": True, "INDEX_DIR": "/nonexistent"}))]


def rule_of(app: Flask, text: str) -> Rule:
    """Return the app's rule with this pattern."""
    return next(rule for rule in routes(app) if rule.rule == text)


@pytest.mark.parametrize("route", ROUTES)
def test_every_parameter_set_to_each_hostile_value(
    fuzz_app: Flask, fuzz_client: FlaskClient, route: str
) -> None:
    url = base_url(rule_of(fuzz_app, route))
    for value in HOSTILE:
        check(fuzz_client.get(url, query_string={name: value for name in PARAMETERS}), url)
        repeated = [(name, v) for name in PARAMETERS for v in (value, "a", "2")]
        check(fuzz_client.get(url, query_string=repeated), url)


@pytest.mark.parametrize("route", ROUTES)
def test_each_parameter_alone(fuzz_app: Flask, fuzz_client: FlaskClient, route: str) -> None:
    url = base_url(rule_of(fuzz_app, route))
    for name in PARAMETERS:
        for value in SHORT_HOSTILE:
            check(fuzz_client.get(url, query_string={name: value}), url)
            check(
                fuzz_client.get(url, query_string={name: value}, headers={"HX-Request": "true"}),
                url,
            )


@pytest.mark.parametrize("route", [r for r in ROUTES if "<" in r])
def test_hostile_path_arguments(fuzz_app: Flask, fuzz_client: FlaskClient, route: str) -> None:
    rule = rule_of(fuzz_app, route)
    for segment in HOSTILE_PATHS:
        url = base_url(rule, **dict.fromkeys(rule.arguments, segment))
        check(fuzz_client.get(url), url)
        query = urlencode({"term": segment, "as_of": segment})
        check(fuzz_client.get(url + ("&" if "?" in url else "?") + query), url)


def test_hostile_paths_outside_the_routes(fuzz_client: FlaskClient) -> None:
    for prefix in ("/", "/api/", "/search/", "/healthz/", "/reports/stale.csv/", "/api/nope/"):
        for segment in HOSTILE_PATHS:
            response = fuzz_client.get(prefix + segment)
            check(response, prefix + segment)
    missing = fuzz_client.get("/api/no-such-thing")
    assert missing.status_code == 404 and missing.is_json


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"])
def test_other_methods_never_fail(fuzz_app: Flask, fuzz_client: FlaskClient, method: str) -> None:
    for rule in routes(fuzz_app):
        url = base_url(rule)
        response = fuzz_client.open(url, method=method, data="<script>x</script>")
        check(response, url)
        if method in {"POST", "PUT", "DELETE", "PATCH", "TRACE"}:
            assert response.status_code == 405, url


PARAMETER_VALUES = st.sampled_from(HOSTILE) | st.text(max_size=30).filter(
    lambda text: not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    route=st.sampled_from(ROUTES),
    segment=st.sampled_from(HOSTILE_PATHS) | st.sampled_from(list(PATH_SAMPLES.values())),
    query=st.lists(
        st.tuples(st.sampled_from(PARAMETERS) | st.text(max_size=8), PARAMETER_VALUES),
        max_size=6,
    ),
    htmx=st.booleans(),
)
def test_random_requests_never_fail(
    fuzz_app: Flask,
    fuzz_client: FlaskClient,
    route: str,
    segment: str,
    query: list[tuple[str, str]],
    htmx: bool,
) -> None:
    rule = rule_of(fuzz_app, route)
    url = base_url(rule, **dict.fromkeys(rule.arguments, segment))
    headers = {"HX-Request": "true"} if htmx else {}
    if query:
        url += ("&" if "?" in url else "?") + urlencode(query)
    check(fuzz_client.get(url, headers=headers), url)
