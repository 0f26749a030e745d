"""Tests of the page views, their JSON twin and the health check."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kb.web import create_app


def test_healthz_names_the_generation(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "ok" and data["generation"] == "gen-000001"
    assert data["pages"] >= 16


def test_page_view_and_json_twin(client: FlaskClient) -> None:
    html = client.get("/docs/get-started/quickstart")
    assert html.status_code == 200
    assert b"<h1>" in html.data
    meta = client.get("/api/pages/get-started/quickstart").get_json()
    assert meta["url"] == "/docs/get-started/quickstart"
    assert meta["section"] == "get-started"
    assert meta["validated_on"] == "2026-10-01"
    assert meta["headings"] and all(h["anchor"] for h in meta["headings"])


@pytest.mark.parametrize(
    "path",
    ["/docs/nope", "/docs/../../etc/passwd", "/docs/%2e%2e/%2e%2e/etc/passwd", "/api/pages/nope"],
)
def test_unknown_and_traversal_paths_are_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b"Traceback" not in response.data
    if path.startswith("/api/"):
        assert "error" in response.get_json()


def test_no_index_gives_503_with_a_clear_message(tmp_path: Path) -> None:
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "kb index" in response.get_json()["error"]


def test_security_headers_on_pages_json_and_errors(client: FlaskClient) -> None:
    for path in ("/", "/healthz", "/docs/nope", "/api/pages/nope"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]
