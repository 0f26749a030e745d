"""kb.structure: nav readers (Mintlify with $ref, MkDocs, folders) and redirect rules, on real files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kb.structure.folders import folder_nav
from kb.structure.mkdocs import read_mkdocs_config
from kb.structure.nav import NavIndex
from kb.structure.redirects import RedirectLoop, Redirects
from kb.structure.sources import read_site_structure
from tests.required import cannot_run


def _rows(*urls: str, **titles: str) -> list[dict[str, Any]]:
    return [
        {"url": u, "path": u.lstrip("/") + ".mdx", "title": titles.get(u, u), "meta": {}}
        for u in urls
    ]


def _write(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")


def test_mintlify_refs_resolve_relative_to_the_file_that_holds_them(tmp_path: Path) -> None:
    _write(
        tmp_path / "docs.json",
        {
            "navigation": {
                "languages": [{"$ref": "config/nav.en.json"}, {"$ref": "config/nav.de.json"}]
            }
        },
    )
    _write(
        tmp_path / "config/nav.en.json",
        {
            "language": "en",
            "tabs": [
                {"tab": "Home", "pages": ["docs/index"]},
                {"tab": "Guide", "$ref": "./navigation/guide.json"},
            ],
        },
    )
    _write(
        tmp_path / "config/navigation/guide.json",
        {
            "pages": [
                "docs/guide",
                {
                    "group": "Basics",
                    "root": "docs/guide/basics",
                    "expanded": True,
                    "pages": ["docs/guide/basics/one", "docs/guide/basics/gone"],
                },
            ]
        },
    )
    rows = _rows("/docs", "/docs/guide", "/docs/guide/basics", "/docs/guide/basics/one")
    found = read_site_structure(tmp_path, rows)
    assert found.nav["source"] == "mintlify"
    [nav] = found.nav["navs"]  # the German nav file is missing: reported, left out
    assert nav["language"] == "en"
    assert [t["title"] for t in nav["tabs"]] == ["Home", "Guide"]
    assert found.nav["missing"] == [
        {
            "source": "config/navigation/guide.json",
            "entry": "docs/guide/basics/gone",
            "url": "/docs/guide/basics/gone",
        }
    ]
    assert any("config/nav.de.json" in p and "not found" in p for p in found.problems)
    index = NavIndex.load(json.loads(json.dumps(found.nav)))
    place = index.place("/docs/guide/basics/one")
    assert place is not None and place.tab == 1
    assert [label for label, _ in place.trail] == ["Guide", "Basics"]
    assert place.prev == ("/docs/guide/basics", "Basics")  # a group root takes the group label
    assert index.place("/docs/guide")
    assert index.place("/docs/guide").next == ("/docs/guide/basics", "Basics")  # type: ignore[union-attr]


def test_a_circular_ref_is_reported_not_followed(tmp_path: Path) -> None:
    _write(tmp_path / "docs.json", {"navigation": {"tabs": [{"tab": "A", "$ref": "a.json"}]}})
    _write(tmp_path / "a.json", {"$ref": "docs.json", "pages": ["docs/index"]})
    found = read_site_structure(tmp_path, _rows("/docs"))
    assert any("circular" in p for p in found.problems)
    assert found.nav["navs"][0]["tabs"][0]["url"] == "/docs"


def test_mkdocs_nav_tolerates_python_tags_and_reads_sections_as_tabs(tmp_path: Path) -> None:
    _write(
        tmp_path / "mkdocs.yml",
        """
site_name: Orchard
nav:
  - Home: index.md
  - Growing:
      - growing/index.md
      - Pruning: growing/pruning.md
      - Pests:
          - Aphids: growing/pests/aphids.md
  - Blog: https://example.org/blog
markdown_extensions:
  - admonition
  - pymdownx.emoji:
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
plugins:
  - search
  - redirects:
      redirect_maps:
        old-pruning.md: growing/pruning.md
        gone.md: https://example.org/gone
""",
    )
    config = read_mkdocs_config(tmp_path)
    assert config is not None and config.site_name == "Orchard"
    assert [name for name, _ in config.markdown_extensions] == ["admonition", "pymdownx.emoji"]
    tagged = config.markdown_extensions[1][1]["emoji_generator"]
    assert tagged.tag.endswith("python/name:material.extensions.emoji.to_svg")  # kept, never run
    rows = _rows(
        "/docs",
        "/docs/growing",
        "/docs/growing/pruning",
        "/docs/growing/pests/aphids",
        **{"/docs/growing": "Growing fruit"},
    )
    found = read_site_structure(tmp_path, rows)
    assert found.nav["source"] == "mkdocs"
    tabs = found.nav["navs"][0]["tabs"]
    assert [t["title"] for t in tabs] == ["Home", "Growing", "Blog"][
        :2
    ]  # an external-only tab has no page
    index = NavIndex.load(found.nav)
    aphids = index.place("/docs/growing/pests/aphids")
    assert aphids is not None and [label for label, _ in aphids.trail] == ["Growing", "Pests"]
    rules = Redirects(found.rules)
    assert rules.match("/docs/old-pruning") == ("/docs/growing/pruning", True)
    assert rules.match("/docs/gone") == ("https://example.org/gone", True)


def test_an_unreadable_mkdocs_yml_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    _write(tmp_path / "mkdocs.yml", "nav: [unclosed")
    found = read_site_structure(tmp_path, _rows("/docs"))
    assert found.nav["source"] == "folders"
    assert any("mkdocs.yml" in p for p in found.problems)


def test_folder_nav_orders_by_position_then_title() -> None:
    rows = [
        {"url": "/docs", "title": "Home", "meta": {}},
        {"url": "/docs/guide", "title": "Guide", "meta": {"nav_order": 2}},
        {"url": "/docs/guide/b", "title": "Bravo", "meta": {}},
        {"url": "/docs/guide/a", "title": "Alpha", "meta": {}},
        {"url": "/docs/guide/z", "title": "Zulu", "meta": {"sidebar_position": 1}},
        {"url": "/docs/api/x", "title": "X", "meta": {"sidebarTitle": "The X"}},
    ]
    nav = folder_nav(rows)
    assert [t["title"] for t in nav["tabs"]] == [
        "Home",
        "Guide",
        "Api",
    ]  # ordered folders before unordered ones
    guide = nav["tabs"][1]
    assert [c["title"] for c in guide["children"]] == ["Guide", "Zulu", "Alpha", "Bravo"]
    assert nav["tabs"][2]["children"][0]["title"] == "The X"


@pytest.mark.parametrize(
    ("source", "path", "destination", "expected"),
    [
        ("/a/:slug*", "/a/b/c", "/z/:slug*", "/z/b/c"),
        ("/a/:slug*", "/a", "/z", "/z"),
        ("/a/*", "/a/b/c", "/z", "/z"),
        ("/a/*", "/a", "/z", None),
        ("/a-*", "/a-bc", "/z", "/z"),
        ("/q/:id", "/q/7", "/r/:id", "/r/7"),
        ("/q/:id", "/q/7/8", "/r/:id", None),
        ("/o/:c?", "/o", "/p", "/p"),
        ("/o/:c?", "/o/x", "/p", "/p"),
        ("/s/*", "/s/x/y", "/t/*", "/t/x/y"),
        ("/e/:slug*", "/e/x", "https://example.org/:slug*", "https://example.org/x"),
        ("docs/no-slash", "/docs/no-slash/", "/there", "/there"),
    ],
)
def test_redirect_patterns(source: str, path: str, destination: str, expected: str | None) -> None:
    found = Redirects([{"source": source, "destination": destination}]).match(path)
    assert (found[0] if found else None) == expected


def test_redirect_chains_end_at_a_page_and_loops_raise() -> None:
    rules = Redirects(
        [
            {"source": "/a", "destination": "/b"},
            {"source": "/b", "destination": "/c#part"},
            {"source": "/x", "destination": "/y"},
            {"source": "/y", "destination": "/x"},
            {"source": "/t", "destination": "/u", "permanent": False},
        ]
    )
    hop = rules.follow("/a", {"/c"}.__contains__)
    assert hop is not None and (hop.target, hop.hops, hop.permanent) == ("/c#part", 2, True)
    assert rules.follow("/nothing", {"/c"}.__contains__) is None
    with pytest.raises(RedirectLoop, match="/x → /y → /x"):
        rules.follow("/x", set().__contains__)
    temporary = rules.follow("/t", {"/u"}.__contains__)
    assert temporary is not None and not temporary.permanent


def test_exact_rules_win_over_patterns_and_the_first_rule_wins() -> None:
    rules = Redirects(
        [
            {"source": "/a/*", "destination": "/wild"},
            {"source": "/a/b", "destination": "/exact"},
            {"source": "/a/b", "destination": "/second"},
        ]
    )
    assert rules.match("/a/b") == ("/exact", True)
    assert rules.match("/a/c") == ("/wild", True)


def test_redirect_problems_report_loops_shadowed_and_dead_ends(tmp_path: Path) -> None:
    _write(
        tmp_path / "docs.json",
        {
            "redirects": [
                {"source": "/docs/page", "destination": "/docs/other"},
                {"source": "/docs/l1", "destination": "/docs/l2"},
                {"source": "/docs/l2", "destination": "/docs/l1"},
                {"source": "/docs/dead", "destination": "/docs/nowhere"},
            ]
        },
    )
    found = read_site_structure(
        tmp_path, _rows("/docs", "/docs/page", "/docs/other"), {"/docs/toml": "/docs/page"}
    )
    kinds = sorted((p["kind"], p["source"]) for p in found.redirect_problems)
    assert kinds == [
        ("loop", "/docs/l1"),
        ("loop", "/docs/l2"),
        ("no-page", "/docs/dead"),
        ("shadowed", "/docs/page"),
    ]
    assert found.rules[0] == {
        "source": "/docs/toml",
        "destination": "/docs/page",
        "permanent": True,
    }


@pytest.mark.parametrize("path", ["/x//evil.example", "/x/\\evil.example", "/x/\\\\evil.example/a"])
def test_a_captured_value_never_makes_a_redirect_leave_the_site(path: str) -> None:
    found = Redirects([{"source": "/x/*", "destination": "/*"}]).match(path)
    assert found is not None
    assert found[0].startswith("/") and not found[0].startswith("//"), found
    assert "\\" not in found[0]


@pytest.mark.corpus
def test_the_translated_corpus_has_a_nav_per_language(corpus_root: Path) -> None:
    i18n = corpus_root.parent / "auth0-docs-i18n"
    if not (i18n / "docs.json").is_file():
        cannot_run("corpus", f"the translated corpus is not at {i18n}")
    from kb.urls import url_for_path

    rows = [
        {"url": url_for_path(p.relative_to(i18n).as_posix()), "title": p.stem, "meta": {}}
        for p in (i18n / "docs").rglob("*.mdx")
    ]
    found = read_site_structure(i18n, rows)
    languages = [nav["language"] for nav in found.nav["navs"]]
    assert languages == ["fr", "ja"]  # the English nav names pages this half does not hold
    index = NavIndex.load(found.nav)
    place = index.place("/docs/ja-jp/secure/tokens/id-tokens")
    assert place is not None and index.navs[place.nav]["language"] == "ja"
