"""The theme, the search dialog and code blocks as the server sends them."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

DOC = "/docs/get-started/quickstart"


def test_theme_script_runs_in_head_before_any_stylesheet(client: FlaskClient) -> None:
    html = client.get(DOC).get_data(as_text=True)
    head = html[: html.index("</head>")]
    script = re.search(r'<script src="(/static/theme\.js[^"]*)"([^>]*)></script>', head)
    assert script is not None, "theme.js is not loaded in <head>"
    assert "defer" not in script[2] and "async" not in script[2]
    assert head.index(script[0]) < head.index('rel="stylesheet"')
    assert client.get(script[1]).status_code == 200


def test_csp_still_forbids_inline_code(client: FlaskClient) -> None:
    response = client.get(DOC)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", html), (
        "an inline script"
    )
    assert " style=" not in html and " onclick=" not in html


def test_every_page_has_the_toggle_and_the_dialog(client: FlaskClient) -> None:
    for path in ("/", DOC, "/glossary", "/reports", "/search?q=flag", "/docs/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        assert re.search(r'<button type="button" class="kb-theme-toggle" hidden', html), path
        assert '<dialog id="kb-search-dialog"' in html, path
        assert 'data-api="/api/search"' in html, path
        assert 'role="combobox"' in html and 'aria-controls="kb-sd-list"' in html


def test_dialog_form_falls_back_to_the_results_page(client: FlaskClient) -> None:
    html = client.get(DOC).get_data(as_text=True)
    dialog = html[html.index('<dialog id="kb-search-dialog"') :]
    assert re.search(
        r'<form class="kb-sd-form" role="search" action="/search" method="get">', dialog
    )
    assert client.get("/search?q=webhook").status_code == 200


def test_pygments_stylesheet_serves_both_themes(client: FlaskClient) -> None:
    response = client.get("/assets/pygments.css")
    css = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ':root[data-theme="dark"] .highlight' in css
    assert "@media screen and (prefers-color-scheme: dark)" in css


def test_page_shows_code_lines_as_the_fence_states(client: FlaskClient) -> None:
    html = client.get(DOC).get_data(as_text=True)
    assert html.count("kb-line kb-line-hl") == 2
    assert '<pre class="highlight kb-code-numbered kb-ln-w1">' in html
    audit = client.get("/docs/reference/audit-logs").get_data(as_text=True)
    block = audit[audit.index("stream-filter.json") :]
    block = block[: block.index("</pre>")]
    assert 'class="err"' not in block
    assert block.count('data-line="') == 5 and block.count("kb-line-hl") == 2
