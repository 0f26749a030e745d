"""Static files under fingerprinted URLs kept for good; bodies over ~1 KB compressed."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest
from flask import Flask
from flask.testing import FlaskClient

from kb.config import REPO_ROOT


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_every_static_url_carries_the_digest_of_its_bytes(client: FlaskClient) -> None:
    urls = static_urls(client.get("/").get_data(as_text=True))
    assert len(urls) >= 5
    for url in urls:
        path, _, query = url.partition("?v=")
        assert re.fullmatch(r"[0-9a-f]{16}", query), url
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert (REPO_ROOT / path.removeprefix("/")).read_bytes() == response.data


def test_a_changed_file_gets_a_new_url(tmp_path: Path, example_index: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "kb.css").write_text("body { color: black }")
    app = Flask(__name__, static_folder=str(static))
    from kb.web import assets

    assets.init_app(app)
    with app.test_request_context():
        from flask import url_for

        first = url_for("static", filename="kb.css")
        (static / "kb.css").write_text("body { color: white; }")
        second = url_for("static", filename="kb.css")
        missing = url_for("static", filename="nope.css")
    assert first != second
    assert missing == "/static/nope.css"


@pytest.mark.parametrize(
    "url", ["/static/kb.css", "/static/kb.css?v=0000000000000000", "/static/kb.css?v=<x>"]
)
def test_an_old_or_missing_fingerprint_is_served_but_revalidated(
    client: FlaskClient, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("encoding", ["br", "gzip"])
@pytest.mark.parametrize(
    "url", ["/search?q=token", "/api/search?q=token", "/reports/stale", "/api/reports/stale"]
)
def test_large_bodies_are_compressed_when_the_client_accepts(
    client: FlaskClient, url: str, encoding: str
) -> None:
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": encoding})
    assert len(plain.data) > 1024
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    body = brotli.decompress(packed.data) if encoding == "br" else gzip.decompress(packed.data)
    assert body == plain.data
    assert len(packed.data) < len(plain.data) / 2


def test_small_bodies_and_errors_travel_as_they_are(client: FlaskClient) -> None:
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip, br"})
    missing = client.get("/docs/no/such/page", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in small.headers
    assert "Content-Encoding" not in missing.headers
    assert missing.status_code == 404


def test_no_compression_without_accept_encoding(client: FlaskClient) -> None:
    response = client.get("/api/reports/stale")
    assert "Content-Encoding" not in response.headers
    assert response.get_json() is not None
