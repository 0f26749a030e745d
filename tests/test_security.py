"""Security headers on every kind of response, request limits, and no debugger or stack trace in
any mode `kb serve` runs."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from kb.index.generations import WHOOSH_DIR, current_generation
from kb.serve import KbServer
from kb.web import create_app
from kb.web.search import MAX_LIMIT, MAX_PAGE

SAFE_REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}


def csp_directives(response: TestResponse) -> dict[str, list[str]]:
    """Parse the Content-Security-Policy header into directive → sources."""
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_secure_headers(response: TestResponse, what: str) -> None:
    """Check the security headers every response must carry."""
    csp = csp_directives(response)
    header = response.headers.get("Content-Security-Policy", "")
    assert csp, f"{what}: no Content-Security-Policy"
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header, what
    assert csp.get("frame-ancestors") == ["'none'"], what
    assert csp.get("object-src") == ["'none'"], what
    assert csp.get("base-uri") == ["'none'"], what
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts == ["'self'"], f"{what}: script-src {scripts}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy") in SAFE_REFERRER_POLICIES, what
    assert response.headers.get("X-Frame-Options") == "DENY", what


@pytest.fixture(scope="module")
def security_app(example_index: Path) -> Flask:
    """Return the app in production mode (not TESTING), with a view that fails on purpose."""
    app = create_app({"INDEX_DIR": str(example_index)})

    def fail() -> str:
        raise RuntimeError("secret detail from /etc/kb")

    app.add_url_rule("/test-only/boom", view_func=fail)
    app.add_url_rule("/api/test-only/boom", "api_boom", view_func=fail)
    return app


RESPONSES = [
    ("home page", "/", {}, 200, "text/html"),
    ("search page", "/search?q=flag", {}, 200, "text/html"),
    ("search fragment", "/search?q=flag", {"HX-Request": "true"}, 200, "text/html"),
    ("page view", "/docs/flags/overview", {}, 200, "text/html"),
    ("page fragment", "/docs/flags/overview", {"HX-Request": "true"}, 200, "text/html"),
    ("glossary", "/glossary", {}, 200, "text/html"),
    ("glossary fragment", "/glossary?q=fl", {"HX-Request": "true"}, 200, "text/html"),
    ("stale report", "/reports/stale", {}, 200, "text/html"),
    ("stale fragment", "/reports/stale?status=stale", {"HX-Request": "true"}, 200, "text/html"),
    ("search JSON", "/api/search?q=flag", {}, 200, "application/json"),
    ("suggest JSON", "/api/suggest?q=fl", {}, 200, "application/x-suggestions+json"),
    ("health JSON", "/healthz", {}, 200, "application/json"),
    ("report JSON", "/api/reports/stale", {}, 200, "application/json"),
    ("CSV export", "/reports/stale.csv", {}, 200, "text/csv"),
    ("OpenSearch", "/opensearch.xml", {}, 200, "application/opensearchdescription+xml"),
    ("static CSS", "/static/kb.css", {}, 200, "text/css"),
    ("static JS", "/static/search.js", {}, 200, "text/javascript"),
    ("Pygments CSS", "/assets/pygments.css", {}, 200, "text/css"),
    ("redirect", "/glossary?term=Variation", {}, 302, None),
    ("404 page", "/docs/no-such-page", {}, 404, "text/html"),
    ("404 JSON", "/api/pages/no-such-page", {}, 404, "application/json"),
    ("404 static", "/static/no-such.css", {}, 404, "text/html"),
    ("400 JSON", "/api/search?q=x&page=abc", {}, 400, "application/json"),
    ("400 page", "/reports/stale?as_of=bogus", {}, 400, "text/html"),
    ("405 page", "/search", {"method": "POST"}, 405, "text/html"),
    ("405 JSON", "/api/search", {"method": "POST"}, 405, "application/json"),
    ("500 page", "/test-only/boom", {}, 500, "text/html"),
    ("500 JSON", "/api/test-only/boom", {}, 500, "application/json"),
]


@pytest.mark.parametrize(
    ("what", "url", "headers", "status", "mimetype"), RESPONSES, ids=[r[0] for r in RESPONSES]
)
def test_every_response_type_carries_the_security_headers(
    security_app: Flask,
    what: str,
    url: str,
    headers: dict[str, str],
    status: int,
    mimetype: str | None,
) -> None:
    method = headers.get("method", "GET")
    sent = {name: value for name, value in headers.items() if name != "method"}
    response = security_app.test_client().open(url, method=method, headers=sent)
    assert response.status_code == status, what
    if mimetype is not None:
        assert response.mimetype == mimetype, what
    assert_secure_headers(response, what)
    body = response.get_data(as_text=True)
    assert "Traceback" not in body.replace("Generic.Traceback", "") and "secret detail" not in body


def test_a_conditional_static_answer_carries_the_headers_too(security_app: Flask) -> None:
    client = security_app.test_client()
    etag = client.get("/assets/pygments.css").headers["ETag"]
    response = client.get("/assets/pygments.css", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert_secure_headers(response, "304")


def test_an_exception_in_a_view_gives_the_generic_500_page(security_app: Flask) -> None:
    assert security_app.debug is False and security_app.testing is False
    page = security_app.test_client().get("/test-only/boom")
    text = page.get_data(as_text=True)
    assert page.status_code == 500
    assert "The server encountered an internal error" in text
    assert "RuntimeError" not in text and "secret detail" not in text and 'File "' not in text
    api = security_app.test_client().get("/api/test-only/boom")
    assert api.status_code == 500 and set(api.get_json()) == {"error"}
    assert "secret" not in api.get_json()["error"]


@pytest.fixture
def damaged_index(tmp_path: Path, example_index: Path) -> Path:
    """Return a copy of the example index whose search segment is cut in half."""
    index_dir = tmp_path / "ix"
    shutil.copytree(example_index, index_dir)
    segment = next((current_generation(index_dir) / WHOOSH_DIR).glob("*.seg"))
    with open(segment, "r+b") as handle:
        handle.truncate(segment.stat().st_size // 2)
    return index_dir


def test_503_answers_carry_the_headers(damaged_index: Path, tmp_path: Path) -> None:
    client = create_app({"INDEX_DIR": str(damaged_index)}).test_client()
    for url, mimetype in [
        ("/search?q=flag", "text/html"),
        ("/api/search?q=flag", "application/json"),
    ]:
        response = client.get(url)
        assert (response.status_code, response.mimetype) == (503, mimetype)
        assert_secure_headers(response, url)
    empty = create_app({"INDEX_DIR": str(tmp_path / "empty")}).test_client()
    for url, mimetype in [("/", "text/html"), ("/healthz", "application/json")]:
        response = empty.get(url)
        assert (response.status_code, response.mimetype) == (503, mimetype)
        assert_secure_headers(response, f"no index: {url}")


def test_long_queries_are_cut_to_the_limit(security_app: Flask) -> None:
    client = security_app.test_client()
    limit = security_app.config["MAX_QUERY_LENGTH"]
    long_query = "flag " * 400
    data = client.get("/api/search", query_string={"q": long_query}).get_json()
    assert len(data["query"]) <= limit
    assert f"longer than {limit} characters" in data["message"]
    page = client.get("/search", query_string={"q": long_query}).get_data(as_text=True)
    assert f"longer than {limit} characters" in page
    suggest = client.get("/api/suggest", query_string={"q": "f" * 5000}).get_json()
    assert len(suggest[0]) <= limit


def test_result_pages_are_capped(security_app: Flask) -> None:
    client = security_app.test_client()
    data = client.get("/api/search?q=flag&limit=100000&page=1").get_json()
    assert data["limit"] == MAX_LIMIT and len(data["results"]) <= MAX_LIMIT
    far = client.get("/api/search?q=flag&page=999999999999").get_json()
    assert far["page"] == MAX_PAGE and far["results"] == []
    for bad in ("0", "-1", "1.5", "abc", "²"):
        response = client.get(f"/api/search?q=flag&limit={bad}")
        assert (
            response.status_code == 400
            and "limit must be a whole number" in (response.get_json()["error"])
        )
    html = client.get("/search?q=flag&page=999999999999")
    assert html.status_code == 200


def test_kb_serve_never_runs_flask_debug(
    monkeypatch: pytest.MonkeyPatch, example_index: Path
) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("KB_INDEX_DIR", str(example_index))
    app = KbServer({"bind": "127.0.0.1:0", "workers": 1}).load()
    assert app.debug is False
    assert app.config["PROPAGATE_EXCEPTIONS"] is not True


def free_port() -> int:
    """Return a TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(example_index: Path, tmp_path: Path) -> Iterator[str]:
    """Run `kb serve` (gunicorn) on the example index, with FLASK_DEBUG=1 set, and yield its URL."""
    port = free_port()
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "serve", "--index-dir", str(example_index),
         "--port", str(port), "--workers", "1"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        env={**os.environ, "FLASK_DEBUG": "1"},
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"kb serve did not start: {log.read_text(errors='replace')}")
                time.sleep(0.1)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    """GET a URL and return status, headers and body, also for error statuses."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.mark.server
def test_kb_serve_is_gunicorn_without_a_debugger(served: str) -> None:
    status, headers, _ = fetch(served + "/healthz")
    assert status == 200 and headers["Server"].startswith("gunicorn")
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, _, body = fetch(served + "/?__debugger__=yes&cmd=resource&f=debugger.js")
    assert status == 200 and "Werkzeug" not in body and "debugger" not in body.lower()
    status, _, body = fetch(served + "/console")
    assert status == 404 and "Werkzeug" not in body and "Traceback" not in body
    status, headers, body = fetch(served + "/api/pages/" + "x" * 3000)
    assert status == 404 and headers["Content-Type"] == "application/json"
