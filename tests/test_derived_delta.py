"""Generation-wide data by delta: after any mix of edits an incremental generation holds exactly
the derived data (glossary, usage, term pages, drift, links, deprecated terms, languages, nav) and
page facts a full build of the same sources holds. Real example site copies, real generations.

Each case runs incremental builds after every operation (so deltas chain), then one full build
of the final sources into another index, and compares every meta value and every page's facts.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.build.campaign import INPUTS_KEY, campaign_inputs
from kb.build.derived import STRUCTURE_KEY, structure_inputs
from kb.build.indexer import build_index
from kb.build.summary import BuildSummary
from kb.config import EXAMPLE_SITE, load_settings
from kb.index import generations
from kb.index.store import PageStore
from tests.gitrepo import Repo
from tests.test_delta_store import every_meta

# Page text that feeds every derived step: tooltips (right, variant, wrong term, unknown, empty),
# links (good, missing page, missing or good anchor, relative, redirected, to pages tests add),
# deprecated terms (flagged and allowed), plain mentions of glossary terms, a new heading.
FRAGMENTS = (
    '<Tooltip tip="Kill Switch: A long-lived flag kept to turn a feature off instantly when it '
    'misbehaves in production." href="/docs/glossary?term=Kill+Switch">kill switch</Tooltip>',
    '<Tooltip tip="Kill Switch: A flag that turns a thing off." '
    'href="/docs/glossary?term=Kill+Switch">kill switch</Tooltip>',
    '<Tooltip tip="Webhook: The tamper-evident record of every change made to flags." '
    'href="/docs/glossary?term=Webhook">webhook</Tooltip>',
    '<Tooltip tip="Sprocket: not a term at all." href="/docs/glossary?term=Sprocket">x</Tooltip>',
    '<Tooltip tip="" href="/docs/glossary?term=Audit+Log">audit log</Tooltip>',
    "See [kill switches](/docs/flags/kill-switches#when-to-keep-a-kill-switch).",
    "See [the missing anchor](/docs/flags/kill-switches#no-such-heading).",
    "See [a page that is not there](/docs/flags/kill-switch).",
    "See [the new page](/docs/added/fresh-0) and [its heading](/docs/added/fresh-0#fresh-heading).",
    "See [a moved page](/docs/moved/overview) and [setup](/docs/setup).",
    "See [a sibling](./overview) and [its part](./overview#no-part).",
    "Use the toggle to whitelist a user. <!-- kb: allow toggle -->",
    "Every webhook and each audit log and each kill switch is mentioned here.",
    "## Fresh heading\n\nA paragraph under the fresh heading.",
)
PAGES = st.integers(0, 40)
OPERATIONS = st.one_of(
    st.tuples(st.just("edit"), PAGES, st.integers(0, len(FRAGMENTS) - 1)),
    st.tuples(st.just("add"), st.integers(0, 2), st.integers(0, len(FRAGMENTS) - 1)),
    st.tuples(st.just("delete"), PAGES, st.just(0)),
    st.tuples(st.just("rename"), PAGES, st.just(0)),
    st.tuples(st.just("heading"), PAGES, st.just(0)),
    st.tuples(st.just("title"), PAGES, st.integers(0, 3)),
    st.tuples(st.just("glossary"), st.integers(0, 2), st.just(0)),
)


def pages_of(site: Path) -> list[Path]:
    """Return the site's page files in a fixed order."""
    return sorted(p for p in (site / "docs").rglob("*") if p.suffix in (".md", ".mdx"))


def apply(site: Path, operation: tuple[str, int, int]) -> None:
    """Change the site's sources by one operation (page numbers wrap around the pages there are)."""
    kind, number, extra = operation
    pages = pages_of(site)
    page = pages[number % len(pages)]
    if kind == "edit":
        page.write_text(page.read_text("utf-8") + f"\n\n{FRAGMENTS[extra]}\n", "utf-8")
    elif kind == "add":
        text = f"---\ntitle: Fresh {number}\n---\n\n## Fresh heading\n\n{FRAGMENTS[extra]}\n"
        fresh = site / "docs" / "added" / f"fresh-{number}.mdx"
        fresh.parent.mkdir(exist_ok=True)
        fresh.write_text(text, "utf-8")
    elif kind == "delete":
        page.unlink()
    elif kind == "rename":
        target = site / "docs" / "moved" / page.name
        target.parent.mkdir(exist_ok=True)
        if not target.exists():
            page.rename(target)
    elif kind == "heading":
        text = page.read_text("utf-8")
        page.write_text(re.sub(r"^## .*$", "## A renamed part", text, count=1, flags=re.M), "utf-8")
    elif kind == "title":
        text = page.read_text("utf-8")
        text = re.sub(r"^title: .*$", f"title: Retitled {extra}", text, count=1, flags=re.M)
        page.write_text(text, "utf-8")
    else:
        terms = site / "docs" / "reference" / "terms.md"
        term = f"\n\n## Sprocket {number}\n\nA small wheel that the flag turns, part {number}.\n"
        text = terms.read_text("utf-8") if terms.exists() else "---\ntitle: More terms\n---\n"
        terms.write_text(text + term, "utf-8")


def build(site: Path, index_dir: Path, full: bool = False) -> BuildSummary:
    """Index a site (incrementally unless full), allowing any share of pages to go."""
    return build_index(load_settings(site, {"index_dir": index_dir}), full=full, allow_shrink=True)


def facts_of(index_dir: Path) -> dict[str, Any]:
    """Return every served page's facts (mentions and checks), by URL."""
    store = PageStore(generations.current_generation(index_dir))
    try:
        return {row["url"]: row["facts"] for row in store.rows(("url", "facts"))}
    finally:
        store.close()


def derived_of(index_dir: Path) -> dict[str, Any]:
    """Return what derived data a generation serves: meta (settings aside) and page facts."""
    meta = every_meta(index_dir)
    meta.pop("settings", None)
    return {"meta": meta, "facts": facts_of(index_dir)}


def assert_like_a_full_build(site: Path, index_dir: Path, full_dir: Path) -> None:
    """Build the site in full into full_dir and compare its derived data with index_dir's."""
    shutil.rmtree(full_dir, ignore_errors=True)
    assert build(site, full_dir, full=True).mode == "full"
    incremental, full = derived_of(index_dir), derived_of(full_dir)
    assert incremental.keys() == full.keys()
    for part in ("meta", "facts"):
        assert incremental[part].keys() == full[part].keys()
        for key, value in full[part].items():
            assert incremental[part][key] == value, f"{part} {key} differs from a full build"


def fresh_site(tmp_path: Path) -> tuple[Path, Path]:
    """Copy the example site into a temp folder and build it in full; return site and index."""
    site = tmp_path / "site"
    shutil.copytree(EXAMPLE_SITE, site)
    index_dir = tmp_path / "index"
    build(site, index_dir, full=True)
    return site, index_dir


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(OPERATIONS, min_size=1, max_size=4))
def test_any_mix_of_edits_derives_what_a_full_build_does(
    tmp_path_factory: Any, operations: list[tuple[str, int, int]]
) -> None:
    """Edits, additions, deletions, renames, anchors, titles and glossary terms, chained."""
    tmp_path = tmp_path_factory.mktemp("mix")
    site, index_dir = fresh_site(tmp_path)
    for operation in operations:
        apply(site, operation)
        assert build(site, index_dir).mode == "incremental"
    assert_like_a_full_build(site, index_dir, tmp_path / "full")


def test_a_body_edit_is_derived_by_delta_and_matches(tmp_path: Path) -> None:
    """A page edited with tooltips, links, deprecated terms and mentions: delta, same data."""
    site, index_dir = fresh_site(tmp_path)
    for fragment in (0, 1, 2, 3, 6, 7, 11, 12):
        apply(site, ("edit", 5, fragment))
    summary = build(site, index_dir)
    assert (summary.mode, summary.derived, summary.indexed) == ("incremental", "delta", 1)
    assert_like_a_full_build(site, index_dir, tmp_path / "full")


def test_removing_an_anchor_others_link_to_breaks_their_links(tmp_path: Path) -> None:
    """The kill-switch page loses the heading another page links to: that link is reported."""
    site, index_dir = fresh_site(tmp_path)
    apply(site, ("edit", 0, 5))  # a link to /docs/flags/kill-switches#when-to-keep-a-kill-switch
    build(site, index_dir)
    page = site / "docs" / "flags" / "kill-switches.mdx"
    page.write_text(page.read_text("utf-8").replace("## When to keep", "## Why keep"), "utf-8")
    summary = build(site, index_dir)
    assert summary.derived == "delta"
    links = every_meta(index_dir)["links"]
    assert any(f["target"].endswith("#when-to-keep-a-kill-switch") for f in links)
    assert_like_a_full_build(site, index_dir, tmp_path / "full")


def test_adding_the_page_a_link_wanted_mends_it_and_removing_it_breaks_it(tmp_path: Path) -> None:
    """A link to a page that does not exist yet is broken, then mended, then broken again."""
    site, index_dir = fresh_site(tmp_path)
    apply(site, ("edit", 3, 8))  # links to /docs/added/fresh-0 and its #fresh-heading
    build(site, index_dir)
    broken = {f["target"] for f in every_meta(index_dir)["links"]}
    assert "/docs/added/fresh-0" in broken
    apply(site, ("add", 0, 12))
    assert build(site, index_dir).derived == "delta"
    mended = {f["target"] for f in every_meta(index_dir)["links"]}
    assert "/docs/added/fresh-0" not in mended and "/docs/added/fresh-0#fresh-heading" not in mended
    assert_like_a_full_build(site, index_dir, tmp_path / "full")
    (site / "docs" / "added" / "fresh-0.mdx").unlink()
    assert build(site, index_dir).derived == "delta"
    assert "/docs/added/fresh-0" in {f["target"] for f in every_meta(index_dir)["links"]}
    assert_like_a_full_build(site, index_dir, tmp_path / "full")


def test_a_glossary_change_derives_everything_again(tmp_path: Path) -> None:
    """A new glossary term changes mentions and usage on every page: a full derivation."""
    site, index_dir = fresh_site(tmp_path)
    apply(site, ("edit", 7, 12))
    build(site, index_dir)
    apply(site, ("glossary", 1, 0))
    summary = build(site, index_dir)
    assert (summary.mode, summary.derived) == ("incremental", "full")
    assert any(t["term"] == "Sprocket 1" for t in every_meta(index_dir)["glossary"])
    assert_like_a_full_build(site, index_dir, tmp_path / "full")


def test_a_nav_file_a_ref_names_and_the_redirects_setting_are_read_again(tmp_path: Path) -> None:
    """A page body edit beside a change to a $ref'd nav file, then to kb.toml's redirects: the
    nav and redirects follow, while the pages are still derived by delta."""
    site, index_dir = fresh_site(tmp_path)
    nav = site / "config" / "nav" / "api.json"
    nav.write_text(nav.read_text("utf-8").replace('"docs/api/webhooks"', '"docs/api/gone"'))
    apply(site, ("edit", 2, 12))
    assert build(site, index_dir).derived == "delta"
    assert any(f["kind"] == "nav-missing" for f in every_meta(index_dir)["links"])
    assert_like_a_full_build(site, index_dir, tmp_path / "full")
    toml = site / "kb.toml"
    toml.write_text(toml.read_text("utf-8") + '"/docs/old-flags" = "/docs/flags/overview"\n')
    apply(site, ("edit", 3, 9))
    assert build(site, index_dir).derived == "delta"
    assert every_meta(index_dir)["redirects"]["/docs/old-flags"] == "/docs/flags/overview"
    assert_like_a_full_build(site, index_dir, tmp_path / "full")


def test_an_untouched_structure_is_kept_and_a_retitled_page_renames_its_nav_entry(
    tmp_path: Path,
) -> None:
    """A body edit keeps the nav as it was; a new title shows in the nav at once."""
    site, index_dir = fresh_site(tmp_path)
    before = every_meta(index_dir)["nav"]
    apply(site, ("edit", 4, 0))
    build(site, index_dir)
    assert every_meta(index_dir)["nav"] == before
    page = site / "docs" / "flags" / "kill-switches.mdx"
    page.write_text(page.read_text("utf-8").replace("title: Kill switches", "title: Off switches"))
    assert build(site, index_dir).derived == "delta"
    assert "Off switches" in str(every_meta(index_dir)["nav"])
    assert_like_a_full_build(site, index_dir, tmp_path / "full")


def test_tooltips_moved_down_a_page_keep_their_verdicts_at_their_new_lines(tmp_path: Path) -> None:
    """Lines inserted above a page's tooltips: its drift findings move with them, by delta."""
    site, index_dir = fresh_site(tmp_path)
    page = site / "docs" / "flags" / "kill-switches.mdx"

    def lines() -> list[int]:
        """Return the lines of the kill-switch page's drift findings."""
        return [f["line"] for f in every_meta(index_dir)["drift"] if "kill" in f["url"]]

    before = lines()
    assert before
    text = page.read_text("utf-8").replace("---\n\nA <Tooltip", "---\n\nOne.\n\nTwo.\n\nA <Tooltip")
    page.write_text(text, "utf-8")
    assert build(site, index_dir).derived == "delta"
    assert lines() == [line + 4 for line in before]
    assert_like_a_full_build(site, index_dir, tmp_path / "full")


def test_history_and_owners_are_kept_until_what_they_rest_on_changes(tmp_path: Path) -> None:
    """In a git work tree: a body edit keeps history and owners as they were (and they equal a
    full build's); a new CODEOWNERS rule, a new commit and a frontmatter owner are seen."""
    site, index_dir = fresh_site(tmp_path)
    repo = Repo(site)
    repo.commit("2026-01-02", {"CODEOWNERS": "/docs/flags/ @flag-team\n"})
    build(site, index_dir, full=True)
    apply(site, ("edit", 4, 12))
    summary = build(site, index_dir)
    assert summary.derived == "delta"
    assert every_meta(index_dir)["owners"]["/docs/flags/kill-switches"] == ["@flag-team"]
    assert_like_a_full_build(site, index_dir, tmp_path / "full")
    (site / "CODEOWNERS").write_text("/docs/flags/ @switch-team\n", "utf-8")
    apply(site, ("edit", 4, 11))
    build(site, index_dir)
    assert every_meta(index_dir)["owners"]["/docs/flags/kill-switches"] == ["@switch-team"]
    assert_like_a_full_build(site, index_dir, tmp_path / "full")
    head = repo.commit("2026-02-03", message="a commit")
    apply(site, ("edit", 4, 10))
    build(site, index_dir)
    assert every_meta(index_dir)["history"]["head"] == head
    assert_like_a_full_build(site, index_dir, tmp_path / "full")
    page = site / "docs" / "flags" / "kill-switches.mdx"
    page.write_text(page.read_text("utf-8").replace("---\n\n", 'owners: ["@one"]\n---\n\n', 1))
    build(site, index_dir)
    assert every_meta(index_dir)["owners"]["/docs/flags/kill-switches"] == ["@one"]
    assert_like_a_full_build(site, index_dir, tmp_path / "full")


def test_the_stored_structure_inputs_match_a_fresh_look_at_an_unchanged_site(
    tmp_path: Path,
) -> None:
    """What the nav and redirects rest on, stored as JSON, equals what the site gives now (the
    redirects setting included), so an unchanged site does not read its structure again."""
    site, index_dir = fresh_site(tmp_path)
    settings = load_settings(site, {"index_dir": index_dir})
    assert settings.redirects
    stored = every_meta(index_dir)[STRUCTURE_KEY]
    assert stored == structure_inputs(settings, list(stored["files"]))
    assert "config/nav/api.json" in stored["files"]


def test_the_stored_campaign_inputs_match_a_fresh_look_at_an_unchanged_site(
    tmp_path: Path,
) -> None:
    """What history and owners rest on, stored as JSON, equals what the site gives now, in a git
    work tree and outside one, so an unchanged site keeps its history and owners."""
    site, index_dir = fresh_site(tmp_path)
    settings = load_settings(site, {"index_dir": index_dir})
    assert every_meta(index_dir)[INPUTS_KEY] == campaign_inputs(settings)
    Repo(site).commit("2026-01-02", {"CODEOWNERS": "/docs/ @docs-team\n"})
    build(site, index_dir, full=True)
    stored = every_meta(index_dir)[INPUTS_KEY]
    assert stored == campaign_inputs(settings) and not stored["head"].startswith("off")
