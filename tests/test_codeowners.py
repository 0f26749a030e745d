"""CODEOWNERS read as GitHub and GitLab document it, and owners resolved per page."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.build.codeowners import load_codeowners, parse_codeowners
from kb.build.owners import OwnerResolver, frontmatter_owners, section_owners

GITHUB = """\
# Lines starting with # are comments.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
**/logs @logs-owner
/scripts/ @doctocat @octocat
/apps/github
\\#hash.md @hash-owner
"""


@pytest.mark.parametrize(
    ("path", "owners"),
    [
        ("README.md", ("@global-owner1", "@global-owner2")),
        ("src/app.js", ("@js-owner",)),
        ("build/logs/today/app.log", ("@logs-owner",)),  # **/logs comes later and wins
        ("docs/getting-started.md", ("docs@example.com",)),
        ("docs/build-app/troubleshooting.md", ("@global-owner1", "@global-owner2")),
        ("apps/index.md", ("@octocat",)),
        ("deep/down/apps/x/y.md", ("@octocat",)),
        ("apps/github/readme.md", ()),  # a rule without owners leaves the path unowned
        ("src/logs/x.txt", ("@logs-owner",)),
        ("logs/x.txt", ("@logs-owner",)),
        ("scripts/run.sh", ("@doctocat", "@octocat")),
        ("tools/scripts/run.sh", ("@global-owner1", "@global-owner2")),  # anchored at the root
        ("#hash.md", ("@hash-owner",)),
    ],
)
def test_github_semantics(path: str, owners: tuple[str, ...]) -> None:
    assert parse_codeowners(GITHUB).owners_of(path) == owners


@pytest.mark.parametrize(
    ("pattern", "matching", "not_matching"),
    [
        ("/build/logs/", ["build/logs/a", "build/logs/deep/b"], ["src/build/logs/a", "build/logs"]),
        ("docs/**/*.md", ["docs/a.md", "docs/x/y/z.md"], ["docs/a.mdx", "other/docs/a.md"]),
        ("a?c.md", ["abc.md", "x/axc.md"], ["ac.md", "a/c.md"]),
        # (A line starting with "[" is a GitLab section header, so a range comes later.)
        ("x[ab]*.md", ["xa1.md", "xb.md"], ["xc.md"]),
        ("docs", ["docs", "docs/a.md", "x/docs/a.md"], ["docsy/a.md"]),
        ("/docs/*.md", ["docs/a.md"], ["docs/sub/a.md", "x/docs/a.md"]),
        ("docs/**", ["docs/a.md", "docs/x/y.md"], ["docs", "x/docs/a.md"]),
        ("a/**/**/**/**/b", ["a/b", "a/x/y/b"], ["a/" + "x/" * 40 + "c"]),
        ("path\\ with\\ spaces/", ["path with spaces/a.md"], ["path/a.md"]),
    ],
)
def test_pattern_matching(pattern: str, matching: list[str], not_matching: list[str]) -> None:
    rules = parse_codeowners(f"{pattern} @owner")
    for path in matching:
        assert rules.owners_of(path) == ("@owner",), path
    for path in not_matching:
        assert rules.owners_of(path) == (), path


def test_gitlab_sections_combine_the_last_match_of_each() -> None:
    text = """\
* @everyone
[Documentation] @docs-team
docs/
docs/api/ @api-writers
^[Optional review][2] @reviewers
*.md
[documentation]
docs/legacy/ @archivists
"""
    rules = parse_codeowners(text)
    assert rules.owners_of("docs/guide.md") == ("@everyone", "@docs-team", "@reviewers")
    assert rules.owners_of("docs/api/x.mdx") == ("@everyone", "@api-writers")
    # Sections are named case-blind: [documentation] continues [Documentation].
    assert rules.owners_of("docs/legacy/old.mdx") == ("@everyone", "@archivists")
    assert rules.owners_of("src/main.py") == ("@everyone",)


def test_negation_is_reported_and_skipped() -> None:
    rules = parse_codeowners("* @a\n!docs/ @b\n")
    assert rules.owners_of("docs/x.md") == ("@a",)
    assert rules.problems == ("CODEOWNERS:2: negated pattern '!docs/' is not supported",)


def test_the_first_location_found_is_read(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / ".github").mkdir()
    (tmp_path / "docs" / "CODEOWNERS").write_text("* @from-docs\n")
    assert load_codeowners(tmp_path).owners_of("a.md") == ("@from-docs",)
    (tmp_path / "CODEOWNERS").write_text("* @from-root\n")
    assert load_codeowners(tmp_path).owners_of("a.md") == ("@from-root",)
    (tmp_path / ".github" / "CODEOWNERS").write_text("* @from-github\n")
    assert load_codeowners(tmp_path).source == ".github/CODEOWNERS"
    assert load_codeowners(tmp_path / ".github" / "empty").rules == ()


def test_frontmatter_and_section_owners() -> None:
    assert frontmatter_owners({"owner": "alice"}) == ("alice",)
    assert frontmatter_owners({"owners": ["@a", "@b", "@a"]}) == ("@a", "@b")
    assert frontmatter_owners({"owners": "@a, @b"}) == ("@a", "@b")
    assert frontmatter_owners({"owners": []}) == ()
    table = {"docs/api": ("@api",), "docs": ("@docs",)}
    assert section_owners("docs/api/v2", table) == ("@api",)
    assert section_owners("docs/guides", table) == ("@docs",)
    assert section_owners("blog", table) == ()


def test_resolver_prefers_frontmatter_then_settings_then_codeowners(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "CODEOWNERS").write_text("/site/docs/ @code-owners\n")
    site = repo / "site"
    site.mkdir()
    resolver = OwnerResolver(site, {"guides": ("@guides-team",)})
    assert resolver.owners("docs/a.mdx", "", {"owner": "carol"}) == ["carol"]
    assert resolver.owners("docs/guides/a.mdx", "guides", {}) == ["@guides-team"]
    assert resolver.owners("docs/api/a.mdx", "api", {}) == ["@code-owners"]
    assert resolver.owners("blog/a.mdx", "blog", None) == []
