"""A MkDocs site end to end: indexed by the real indexer, read through the real app, searched.

The site (tests/sites/mkdocs) is plain Markdown with the markdown_extensions of its mkdocs.yml;
its pages must read as MkDocs renders them, in kb's own component styles.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from kb.build.dialect import site_markup
from kb.build.discover import discover
from kb.build.indexer import build_index
from kb.build.summary import BuildSummary
from kb.cli import main
from kb.config import load_settings
from kb.web import create_app

SITE = Path(__file__).resolve().parent / "sites" / "mkdocs"


def build(site: Path, index_dir: Path, **overrides: object) -> BuildSummary:
    """Index a site with the real indexer."""
    return build_index(load_settings(site, {"index_dir": index_dir, **overrides}))


def client_for(index_dir: Path) -> FlaskClient:
    """Return a test client of the real app serving an index."""
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()


def content(client: FlaskClient, url: str) -> str:
    """Return the rendered content of a page view (between the title and the page footer)."""
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.get_data(as_text=True)
    return text[text.index("</h1>") : text.index('<footer class="kb-page-footer">')]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSummary]:
    """Index the MkDocs test site once for the module."""
    index_dir = tmp_path_factory.mktemp("mkdocs-index")
    return index_dir, build(SITE, index_dir)


@pytest.fixture(scope="module")
def mk(built: tuple[Path, BuildSummary]) -> FlaskClient:
    """A client of the app serving the MkDocs site."""
    return client_for(built[0])


def test_every_page_is_indexed_and_each_left_out_extension_reported_once(
    built: tuple[Path, BuildSummary],
) -> None:
    _, summary = built
    assert (summary.indexed, summary.rejected) == (5, [])
    config_problems = [problem for path, problem in summary.problems if path == "mkdocs.yml"]
    assert len(config_problems) == len(summary.problems) == 3
    tabbed, emoji, unknown = config_problems
    assert "pymdownx.tabbed: option slugify ignored" in tabbed
    assert "!!python/object/apply:pymdownx.slugs.slugify" in tabbed
    assert "pymdownx.emoji not applied" in emoji and "Python code" in emoji
    assert "lumen_private.shortcodes not applied: kb does not know it" in unknown


def test_admonitions_are_kb_callouts(mk: FlaskClient) -> None:
    home = content(mk, "/docs")
    assert (
        '<div aria-label="Tip" class="kb-callout kb-callout-tip" role="note">\n'
        '<p class="kb-callout-title">Start with the install guide</p>'
    ) in home
    # `!!! note ""` has no title; its kind still names it for screen readers.
    assert re.search(
        r'<div aria-label="Note" class="kb-callout kb-callout-note" role="note">\s*'
        r"<p>A callout without a title",
        home,
    )
    cli = content(mk, "/docs/reference/cli")
    assert cli.count("kb-callout kb-callout-danger") == 2  # bug and failure are dangers
    assert '<p class="kb-callout-title">Failure</p>' in cli  # untitled: the type is the title
    assert "!!!" not in home + cli and "admonition" not in home + cli


def test_details_are_kb_accordions_open_when_marked(mk: FlaskClient) -> None:
    page = content(mk, "/docs/guides/install")
    closed, opened = re.findall(
        r'<details class="kb-accordion[^>]*>\s*<summary>[^<]*</summary>', page
    )
    assert closed.startswith('<details class="kb-accordion kb-callout-info">')
    assert "Which port does the gateway use?" in closed
    assert opened.startswith('<details class="kb-accordion kb-callout-warning" open')
    assert "???" not in page


def test_tabbed_sets_are_kb_tabs_with_kb_code_blocks(mk: FlaskClient) -> None:
    page = content(mk, "/docs/guides/install")
    tabs = page[page.index('<div class="kb-tabs">') : page.index('<details class="kb-accordion')]
    titles = re.findall(r'<p aria-level="4" class="kb-tab-title" role="heading">([^<]*)</p>', tabs)
    assert titles == ["Package", "Container"]
    assert tabs.count('<section class="kb-tab-panel">') == 2
    assert (
        tabs.count('<div class="kb-code"><pre class="highlight"><code class="language-bash">') == 2
    )
    assert "Give the container the host network" in tabs
    assert "<input" not in page and "<label" not in page and "===" not in page


def test_markdown_is_read_as_markdown_not_mdx(mk: FlaskClient) -> None:
    home = content(mk, "/docs")
    assert "when the load is &lt; 80% of its budget" in home
    assert "such as {brightness} in prose is text" in home
    configure = content(mk, "/docs/guides/configure")
    # An indented block is code (MDX would read it as a paragraph), in kb's code style.
    assert (
        '<div class="kb-code"><pre class="highlight"><code>universes: 1\nfixtures:\n'
        "  - name: stage-left\n    channel: 1</code></pre></div>"
    ) in configure


def test_attribute_and_definition_lists_abbreviations_and_md_in_html(mk: FlaskClient) -> None:
    install = content(mk, "/docs/guides/install")
    assert '<h2 class="lead" id="check-service">Check the service' in install
    assert '<a class="external" href="http://localhost:8080/status"' in install
    configure = content(mk, "/docs/guides/configure")
    assert "<dl>\n<dt>Fixture</dt>\n<dd>One lamp or moving head" in configure
    assert '<div class="lumen-panel">\n<p><strong>Hot reload:</strong>' in configure
    home = content(mk, "/docs")
    assert '<abbr title="Digital Multiplex">DMX</abbr>' in home
    assert "*[DMX]" not in home


def test_footnotes_link_both_ways(mk: FlaskClient) -> None:
    home = content(mk, "/docs")
    assert '<sup id="fnref:dmx"><a class="footnote-ref" href="#fn:dmx">1</a></sup>' in home
    assert '<li id="fn:dmx">' in home
    assert 'href="#fnref:dmx" title="Back to reference 1"' in home  # the site's config


def test_task_lists_show_a_mark_not_a_form_control(mk: FlaskClient) -> None:
    page = content(mk, "/docs/guides/configure")
    assert (
        '<span class="kb-task kb-task-done" role="img" aria-label="done">☑</span> Fixtures' in page
    )
    assert '<span class="kb-task" role="img" aria-label="to do">☐</span> Universes' in page
    assert "task-list-indicator" not in page


def test_pages_stay_within_the_csp(mk: FlaskClient) -> None:
    for url in ("/docs", "/docs/guides/install", "/docs/guides/configure", "/docs/reference/cli"):
        page = content(mk, url)
        assert "<script" not in page and "style=" not in page and "<style" not in page, url
        assert re.search(r"<[^>]+\son[a-z]+=", page) is None, url


def test_search_finds_text_inside_tabs_callouts_and_footnotes(mk: FlaskClient) -> None:
    def urls(query: str) -> list[str]:
        data = mk.get(f"/api/search?q={query}").get_json()
        return [result["url"] for result in data["results"]]

    assert urls("Art-Net") == ["/docs/guides/install"]  # in a closed ??? details
    assert urls("host network") == ["/docs/guides/install"]  # in the second tab
    assert urls("E_NO_LINK") == ["/docs/reference/cli"]  # in an untitled admonition
    assert urls("physical link") == ["/docs"]  # in a footnote


def test_links_in_markdown_pages_are_checked(mk: FlaskClient) -> None:
    # The one internal link with an anchor points to a heading id set by an attribute list.
    report = mk.get("/api/reports/links").get_json()
    assert report["total"] == 0
    page = mk.get("/api/pages/guides/scenes").get_json()
    assert {"target": "install.md#check-service", "line": 12} in [
        {"target": link["target"], "line": link["line"]} for link in page["links"]
    ]


def test_a_broken_link_is_reported_with_its_line(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    page = site / "docs" / "guides" / "scenes.md"
    page.write_text(page.read_text() + "\nSee also [moods](moods.md).\n")
    build(site, tmp_path / "index")
    findings = client_for(tmp_path / "index").get("/api/reports/links").get_json()["findings"]
    assert [(f["path"], f["line"], f["target"], f["kind"]) for f in findings] == [
        ("docs/guides/scenes.md", 14, "moods.md", "missing-page")
    ]


def test_the_mdx_dialect_setting_reads_md_as_mdx(tmp_path: Path) -> None:
    summary = build(SITE, tmp_path / "index", md_dialect="mdx")
    assert [p for p, _ in summary.problems if p == "mkdocs.yml"] == []  # extensions not asked
    home = content(client_for(tmp_path / "index"), "/docs")
    assert "kb-callout" not in home and "!!! tip" in home


def test_a_site_without_mkdocs_yml_can_ask_for_markdown(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "docs" / "page.md").write_text("# Page\n\nA < B and {x}.\n\n    indented code\n")
    (site / "docs" / "other.mdx").write_text("# Other\n\n<Note>An MDX note.</Note>\n")
    build(site, tmp_path / "index", md_dialect="markdown")
    mk = client_for(tmp_path / "index")
    page = content(mk, "/docs/page")
    assert "A &lt; B and {x}." in page and "<code>indented code</code>" in page
    assert "kb-callout kb-callout-note" in content(mk, "/docs/other")  # .mdx stays MDX
    build(site, tmp_path / "auto")
    assert "indented code" in content(client_for(tmp_path / "auto"), "/docs/page")
    assert "<code>indented code</code>" not in content(client_for(tmp_path / "auto"), "/docs/page")


def test_changing_the_extensions_rebuilds_every_page(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    index_dir = tmp_path / "index"
    build(site, index_dir)
    again = build(site, index_dir)
    assert (again.mode, again.indexed, again.unchanged) == ("incremental", 0, 5)
    config = site / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - admonition\n", ""))
    changed = build(site, index_dir)
    assert (changed.mode, changed.indexed) == ("full", 5)
    assert "!!! tip" in content(client_for(index_dir), "/docs")


def test_a_broken_mkdocs_yml_is_reported_and_the_pages_still_indexed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    (site / "mkdocs.yml").write_text("site_name: [unclosed\nnav:\n")
    summary = build(site, tmp_path / "index")
    assert summary.indexed == 5
    ((_, reason),) = [(p, r) for p, r in summary.problems if p == "mkdocs.yml"]
    assert (
        reason.startswith("not valid YAML at line") and "markdown_extensions not applied" in reason
    )
    # Still a MkDocs site: its .md pages are plain Markdown (indented code stays code).
    configure = content(client_for(tmp_path / "index"), "/docs/guides/configure")
    assert "<code>universes: 1" in configure


@pytest.mark.corpus
def test_the_corpus_keeps_reading_as_mdx(corpus_root: Path) -> None:
    # The Auth0 corpus is Mintlify MDX: no mkdocs.yml, so under `auto` nothing it holds changes.
    markup = site_markup(load_settings(corpus_root))
    assert (markup.md_is_markdown, markup.problems) == (False, ())
    found = discover(corpus_root)
    assert len(found.sources) > 2000
    assert all(markup.plan_for(source.rel) is None for source in found.sources)


def test_links_shown_as_code_are_not_checked(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    page = site / "docs" / "guides" / "install.md"
    page.write_text(
        page.read_text()
        + "\nAn example of a link, as code:\n\n    [not a link](nowhere.md)\n\n"
        + "!!! note\n    A [real one](missing.md) inside a callout.\n"
    )
    build(site, tmp_path / "index")
    findings = client_for(tmp_path / "index").get("/api/reports/links").get_json()["findings"]
    lines = page.read_text().split("\n")
    real = next(n for n, line in enumerate(lines, start=1) if "real one" in line)
    assert [(f["target"], f["line"]) for f in findings] == [("missing.md", real)]


def test_link_lines_count_blank_lines_after_the_frontmatter(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "docs").mkdir(parents=True)
    (site / "mkdocs.yml").write_text("site_name: Lines\n")
    (site / "docs" / "a.md").write_text("---\ntitle: A\n---\n\n\n\n# A\n\n[gone](gone.md)\n")
    build(site, tmp_path / "index")
    findings = client_for(tmp_path / "index").get("/api/reports/links").get_json()["findings"]
    assert [(f["target"], f["line"]) for f in findings] == [("gone.md", 9)]


def test_kb_index_lists_the_left_out_extensions(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["index", str(SITE), "--index-dir", str(tmp_path / "ix")]
    text = runner.invoke(main, args)
    assert text.exit_code == 0, text.output
    assert "Problems (3):" in text.output
    assert "  mkdocs.yml: markdown extension lumen_private.shortcodes not applied" in text.output
    as_json = runner.invoke(main, [*args, "--full", "--json"])
    problems = json.loads(as_json.output)["problems"]
    assert [p["path"] for p in problems] == ["mkdocs.yml"] * 3
