"""No page can take a run down: hostile pages at every stage are indexed or rejected with their
reason, the good pages are still served, and `kb index` exits 0 when it switches.

The hostile site is tests/fixtures/hostile-site (written for these tests); the pages whose bytes
cannot live in a text file are written here into its copy. Faults a page cannot provoke (a bug in
a stage) are injected by wrapping a stage's function so it raises for one marked page.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskClient

import kb.build.derived
import kb.build.page
import kb.build.snippets
import kb.render.markdown
from kb.cli import main as cli
from kb.index.store import PageStore
from kb.search.writer import IndexWriter
from kb.web import create_app
from tests.test_fuzz import live_script

HOSTILE_SITE = Path(__file__).parent / "fixtures" / "hostile-site"
SURROGATE = re.compile("[\ud800-\udfff]")


def index(site: Path, index_dir: Path, *args: str) -> tuple[Result, dict[str, Any]]:
    """Run `kb index --json` on a site and return the result and its parsed summary."""
    result = CliRunner().invoke(
        cli, ["index", str(site), "--index-dir", str(index_dir), "--json", *args]
    )
    assert result.exit_code == 0, result.output
    return result, json.loads(result.stdout)


def served(index_dir: Path) -> FlaskClient:
    """Return a test client of the app serving an index."""
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()


def assert_served_inert(client: FlaskClient, url: str) -> str:
    """Get a page view and its JSON twin; both answer 200 and the HTML runs no script."""
    page = client.get(url)
    assert page.status_code == 200, url
    html = page.get_data(as_text=True)
    assert not live_script(html.split('<div class="kb-content">', 1)[-1].split("</article>")[0])
    assert client.get("/api/pages" + url.removeprefix("/docs")).status_code == 200
    return html


# --- the reported crash --------------------------------------------------------------------


def test_a_lone_surrogate_escape_in_javascript_does_not_stop_the_run(tmp_path: Path) -> None:
    # The report: `"\uD83D"` in an export or attribute expression reached nh3 as a lone
    # surrogate, raised UnicodeEncodeError in the sanitizer and no generation was written.
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "bad.mdx").write_text(
        'export const x = "\\uD83D";\n\n# Half {x} a pair\n\n'
        '<Card title={"\\uD83D"}>{`\\u{DE00}`}</Card>\n\n'
        '<Tooltip tip={x} cta={"\\uDBFF"}>t</Tooltip>\n'
    )
    (site / "docs" / "good.md").write_text("# Good\n\nStill served.\n")
    _, summary = index(site, tmp_path / "index")
    assert (summary["indexed"], summary["rejected"]) == (2, [])
    client = served(tmp_path / "index")
    html = assert_served_inert(client, "/docs/bad")
    assert "Half \ufffd a pair" in html
    assert not SURROGATE.search(html)
    assert client.get("/docs/good").status_code == 200


def test_a_file_name_that_is_not_utf8_is_rejected_not_fatal(tmp_path: Path) -> None:
    # The same crash by another door: an undecodable file name reached SQLite as lone
    # surrogates (UnicodeEncodeError) and the whole run was lost.
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "good.md").write_text("# Good\n")
    (site / "docs" / os.fsdecode(b"caf\xe9.md")).write_bytes(b"# Latin-1 name\n")
    (site / "docs" / "rtl\u202egpj.md").write_bytes(b"# Bidi name\n")
    result, summary = index(site, tmp_path / "index")
    assert summary["indexed"] == 1
    assert summary["rejected"] == [
        {"path": "docs/caf\\xe9.md", "reason": "file name is not valid UTF-8"},
        {
            "path": "docs/rtl\\u202egpj.md",
            "reason": "file name holds bidi control characters or non-characters",
        },
    ]
    assert "\u202e" not in result.stdout


# --- the hostile site ----------------------------------------------------------------------

MAX_PAGE_BYTES = 200_000

# Each page of the hostile site: indexed (with a problem that must be reported, or None) or
# rejected (with the reason).
EXPECTED: dict[str, tuple[str, str | None]] = {
    "docs/index.md": ("indexed", None),
    "docs/good/plain.md": ("indexed", None),
    "docs/good/cjk.mdx": ("indexed", None),
    "docs/frontmatter/alias-bomb.md": ("indexed", "YAML aliases expand it to over 10,000"),
    "docs/frontmatter/unclosed.md": ("indexed", "frontmatter is not closed"),
    "docs/frontmatter/yaml-escapes.md": ("indexed", None),
    "docs/frontmatter/yaml-surrogate.md": ("indexed", "malformed frontmatter"),
    "docs/frontmatter/not-a-mapping.md": ("indexed", "not a mapping"),
    "docs/parse/unterminated.mdx": ("indexed", "unclosed <Tabs>"),
    "docs/parse/bad-expressions.mdx": ("indexed", "unreadable import/export statement"),
    "docs/js/surrogate-escapes.mdx": ("indexed", None),
    "docs/js/every-escape.mdx": ("indexed", None),
    "docs/sanitize/script.mdx": ("indexed", None),
    "docs/render/markdown.md": ("indexed", None),
    "docs/snippets/cycle.mdx": ("indexed", "includes itself"),
    "docs/snippets/outside.mdx": ("indexed", "snippet /../../outside.mdx not found"),
    "docs/snippets/broken-snippet.mdx": ("indexed", "unclosed <Card> at line 3 of /snippets/bad"),
    "docs/glossary.mdx": ("indexed", "duplicate glossary term 'Term'"),
    "docs/derive/tooltips.mdx": ("indexed", None),
    "docs/analyse/deprecated-terms.md": ("indexed", None),
    "docs/analyse/no-title.mdx": ("indexed", None),
    # Written by hostile_site() below.
    "docs/bytes/invalid-utf8.md": ("indexed", "invalid UTF-8 at byte 24"),
    "docs/bytes/raw-controls.md": ("indexed", "3 bidi control characters removed"),
    "docs/bytes/nul.md": ("rejected", "binary file (contains NUL bytes)"),
    "docs/bytes/empty.md": ("rejected", "empty file"),
    "docs/bytes/too-large.md": ("rejected", "too large"),
    "docs/bytes/deep.md": ("indexed", None),
    "docs/bytes/\\xff.md": ("rejected", "file name is not valid UTF-8"),
}


@pytest.fixture
def hostile_site(tmp_path: Path) -> Path:
    """Copy the hostile site and add the pages only bytes can write."""
    site = tmp_path / "hostile-site"
    shutil.copytree(HOSTILE_SITE, site)
    with (site / "kb.toml").open("a") as toml:
        toml.write(f"max_page_bytes = {MAX_PAGE_BYTES}\n")
    pages = site / "docs" / "bytes"
    pages.mkdir()
    (pages / "invalid-utf8.md").write_bytes(b"# Bad bytes\n\nLatin-1 caf\xe9 and \xff\xfe.\n")
    (pages / "raw-controls.md").write_text(
        "# Raw controls\n\nadmin\u202e \u2067isolate\u2069 \ufdd0 \U0001fffe end\n"
    )
    (pages / "nul.md").write_bytes(b"# Binary\x00\x01\x02\n")
    (pages / "empty.md").write_bytes(b"  \n\n")
    (pages / "too-large.md").write_text("# Large\n\n" + "x" * MAX_PAGE_BYTES)
    (pages / "deep.md").write_text("# Deep\n\n" + "> " * 3000 + "quote\n\n" + "<div>" * 3000)
    (pages / os.fsdecode(b"\xff.md")).write_bytes(b"# Undecodable name\n")
    return site


def test_the_hostile_site_indexes_and_serves_every_good_page(
    hostile_site: Path, tmp_path: Path
) -> None:
    result, summary = index(hostile_site, tmp_path / "index")
    rejected = {r["path"]: r["reason"] for r in summary["rejected"]}
    problems: dict[str, list[str]] = {}
    for item in summary["problems"]:
        problems.setdefault(item["path"], []).append(item["problem"])
    client = served(tmp_path / "index")
    for path, (outcome, said) in EXPECTED.items():
        if outcome == "rejected":
            assert said is not None and said in rejected.get(path, ""), (path, rejected)
            continue
        assert path not in rejected, (path, rejected[path])
        if said is not None:
            assert any(said in p for p in problems.get(path, [])), (path, problems.get(path))
        url = "/" + path.removesuffix(".mdx").removesuffix(".md").removesuffix("/index")
        html = assert_served_inert(client, url)
        assert not SURROGATE.search(html)
        assert not re.search("[\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]", html), url
    assert summary["indexed"] == sum(1 for o, _ in EXPECTED.values() if o == "indexed")
    assert len(summary["rejected"]) == sum(1 for o, _ in EXPECTED.values() if o == "rejected")
    assert f"{len(rejected)} rejected" not in result.stdout  # --json prints JSON only


def test_the_hostile_site_can_be_searched(hostile_site: Path, tmp_path: Path) -> None:
    index(hostile_site, tmp_path / "index")
    client = served(tmp_path / "index")
    found = client.get("/api/search?q=marigold").get_json()
    assert [r["url"] for r in found["results"]] == ["/docs/good/plain"]
    found = client.get("/api/search?q=東京").get_json()
    assert "/docs/good/cjk" in [r["url"] for r in found["results"]]
    for query in ("surrogate", "\ufffd", "evil", "script", "glossary", "term"):
        assert client.get("/api/search", query_string={"q": query}).status_code == 200


def test_hostile_pages_still_reach_the_reports(hostile_site: Path, tmp_path: Path) -> None:
    index(hostile_site, tmp_path / "index")
    client = served(tmp_path / "index")
    terms = client.get("/api/reports/terms").get_json()
    assert {f["url"] for f in terms["findings"]} == {"/docs/analyse/deprecated-terms"}
    page = client.get("/api/pages/analyse/no-title").get_json()
    assert (page["title"], page["status"]) == ("42", "invalid")
    links = client.get("/api/reports/links").get_json()
    assert {"/docs/nowhere", "/docs/good/plain#nowhere"} <= {f["target"] for f in links["findings"]}
    drift = client.get("/api/reports/glossary").get_json()
    assert "/docs/derive/tooltips" in {f["url"] for f in drift["findings"]}


def test_text_is_cleaned_once_where_it_enters(hostile_site: Path, tmp_path: Path) -> None:
    index(hostile_site, tmp_path / "index")
    client = served(tmp_path / "index")
    page = client.get("/api/pages/frontmatter/yaml-escapes").get_json()
    assert page["title"] == "Escapes  in \ufffd YAML"  # YAML escapes: bidi dropped, U+FFFE replaced
    html = client.get("/docs/bytes/raw-controls").get_data(as_text=True)
    assert "admin isolate \ufffd \ufffd end" in html
    html = client.get("/docs/js/every-escape").get_data(as_text=True)
    assert "evil iso" in html and "\u202e" not in html


# --- injected faults at every stage ----------------------------------------------------------

MARK = "BOOM"
BOOM_PAGE = f"""---
title: {MARK} page
---
import Note from "/snippets/boom-note.mdx";

# {MARK} page

A page whose every stage can be made to fail. <Note />
<Tooltip tip="Boomerang: returns" href="/docs/boom?term=Boomerang">boomerang</Tooltip>
[to nowhere](/docs/nowhere)

<GlossaryPage terms={{[{{term: "Boomerang", description: "A {MARK} that returns."}}]}} />
"""


def _raise_for_marked(function: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a stage so that it raises when any argument mentions the marked page."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if MARK.lower() in repr((args, kwargs)).lower():
            raise RuntimeError("injected fault")
        return function(*args, **kwargs)

    return wrapper


PAGE_STAGES = {
    "reading": (kb.build.page, "read_source"),
    "parsing": (kb.build.page, "mdx_to_markdown"),
    "rendering": (kb.build.page, "render_markdown"),
    "sanitizing": (kb.render.markdown, "sanitize_html"),
    "glossary reading": (kb.build.page, "parse_glossary_page"),
    "analysing": (kb.build.page, "scan_terms"),
    "deriving the title": (kb.build.page, "page_title"),
    "deriving the review date": (kb.build.page, "read_validation"),
}


@pytest.fixture
def boom_site(site: Path) -> Path:
    """The example site with one page marked for injected faults, and its snippet."""
    (site / "docs" / "boom.mdx").write_text(BOOM_PAGE)
    toml = site / "kb.toml"
    toml.write_text(
        toml.read_text().replace("glossary_pages = [", 'glossary_pages = ["docs/boom.mdx", ')
    )
    (site / "snippets" / "boom-note.mdx").write_text(f"A {MARK} note.\n")
    return site


@pytest.mark.parametrize("stage", PAGE_STAGES)
def test_a_fault_in_any_page_stage_rejects_that_page_alone(
    stage: str, boom_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, name = PAGE_STAGES[stage]
    monkeypatch.setattr(module, name, _raise_for_marked(getattr(module, name)))
    result, summary = index(boom_site, tmp_path / "index")
    assert summary["rejected"] == [
        {"path": "docs/boom.mdx", "reason": "failed while building: RuntimeError: injected fault"}
    ]
    assert "Traceback" not in result.output
    client = served(tmp_path / "index")
    assert client.get("/docs/boom").status_code == 404
    assert_served_inert(client, "/docs/flags/overview")
    assert summary["indexed"] == summary["pages"] == len(list(boom_site.rglob("docs/**/*.md*"))) - 1


def test_a_fault_in_a_snippet_keeps_the_page_as_text_and_says_why(
    boom_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The MDX reader contains its own failures: the page is kept as plain text, with the reason.
    read = _raise_for_marked(kb.build.snippets.strip_frontmatter)
    monkeypatch.setattr(kb.build.snippets, "strip_frontmatter", read)
    _, summary = index(boom_site, tmp_path / "index")
    assert summary["rejected"] == []
    assert {
        "path": "docs/boom.mdx",
        "problem": "MDX could not be read (RuntimeError: injected fault)",
    } in summary["problems"]
    html = assert_served_inert(served(tmp_path / "index"), "/docs/boom")
    assert "A page whose every stage can be made to fail." in html


@pytest.mark.parametrize(
    ("method", "reason"),
    [
        (PageStore.put, "cannot be stored: RuntimeError: injected fault"),
        (IndexWriter.put_page, "failed while indexing it for search: RuntimeError: injected fault"),
    ],
)
def test_a_page_that_cannot_be_written_is_rejected(
    method: Callable[..., None],
    reason: str,
    boom_site: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner = PageStore if method is PageStore.put else IndexWriter
    monkeypatch.setattr(owner, method.__name__, _raise_for_marked(method))
    _, summary = index(boom_site, tmp_path / "index")
    assert summary["rejected"] == [{"path": "docs/boom.mdx", "reason": reason}]
    client = served(tmp_path / "index")
    assert client.get("/docs/boom").status_code == 404
    assert client.get("/api/search?q=boomerang").get_json()["results"] == []
    assert_served_inert(client, "/docs/flags/overview")


def test_a_disk_error_while_writing_still_ends_the_run(
    boom_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(PageStore, "put", full)
    result = CliRunner().invoke(
        cli, ["index", str(boom_site), "--index-dir", str(tmp_path / "index")]
    )
    assert result.exit_code == 1
    assert "no space left on device" in result.output


GENERATION_STAGES = {
    "glossary": (kb.build.derived, "Term"),
    "glossary mentions": (kb.build.derived, "term_mentions"),
    "tooltip drift check": (kb.build.derived, "tooltip_drift"),
    "link check": (kb.build.derived, "broken_links"),
}


@pytest.mark.parametrize("stage", GENERATION_STAGES)
def test_a_fault_in_a_generation_wide_step_leaves_out_that_page(
    stage: str, boom_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, name = GENERATION_STAGES[stage]
    monkeypatch.setattr(module, name, _raise_for_marked(getattr(module, name)))
    _, summary = index(boom_site, tmp_path / "index")
    assert summary["rejected"] == []
    reported = [p["problem"] for p in summary["problems"] if p["path"] == "docs/boom.mdx"]
    assert any("RuntimeError: injected fault" in p and stage in p for p in reported), reported
    client = served(tmp_path / "index")
    assert_served_inert(client, "/docs/boom")
    assert client.get("/api/glossary").status_code == 200
    assert client.get("/api/reports/links").status_code == 200
    assert client.get("/api/reports/glossary").status_code == 200


def test_a_generation_wide_step_that_fails_for_all_is_stored_empty_and_said(
    boom_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def always(*args: object) -> None:
        raise KeyError("links")

    monkeypatch.setattr(kb.build.derived, "broken_links", always)
    _, summary = index(boom_site, tmp_path / "index")
    assert {
        "path": "(site)",
        "problem": "the link check could not be computed: KeyError: 'links'",
    } in (summary["problems"])
    assert served(tmp_path / "index").get("/api/reports/links").status_code == 200


def test_debug_shows_the_traceback_of_a_rejected_page(
    boom_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, name = PAGE_STAGES["rendering"]
    monkeypatch.setattr(module, name, _raise_for_marked(getattr(module, name)))
    args = ["index", str(boom_site), "--index-dir", str(tmp_path / "index")]
    plain = CliRunner().invoke(cli, args)
    assert plain.exit_code == 0
    assert "docs/boom.mdx: failed while building: RuntimeError: injected fault" in plain.output
    assert "1 rejected" in plain.output and "Traceback" not in plain.output
    debug = CliRunner().invoke(cli, [*args, "--full", "--debug"])
    assert debug.exit_code == 0
    assert "    Traceback (most recent call last):" in debug.output
    assert 'raise RuntimeError("injected fault")' in debug.output
    as_json = CliRunner().invoke(cli, [*args, "--full", "--debug", "--json"])
    (rejected,) = json.loads(as_json.stdout)["rejected"]
    assert rejected["traceback"].startswith("Traceback (most recent call last):")
