"""Tests of kb.config: every source of settings read the same way, and glossary_pages honoured."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.config import DEFAULT_DEPRECATED_TERMS, EXAMPLE_SITE, SectionPolicy, load_settings
from kb.index.generation import Generation
from kb.index.generations import current_generation
from tests.conftest import index_site


def test_kb_toml_is_read_with_extra_terms_added_to_the_defaults() -> None:
    settings = load_settings(EXAMPLE_SITE, environ={})
    assert settings.exempt == ("/docs/api/**",)
    assert settings.section_policies == {"rollouts": SectionPolicy(90, 14)}
    assert settings.deprecated_terms == {**DEFAULT_DEPRECATED_TERMS, "toggle": "flag"}
    assert settings.glossary_pages == ("docs/glossary.mdx", "docs/reference/terms.md")


@pytest.mark.parametrize(
    "raw",
    [
        '{"guides": {"review_window_days": 30, "warning_days": 7}}',
        "{guides = {review_window_days = 30, warning_days = 7}}",
    ],
)
def test_table_settings_come_from_the_environment_as_json_or_toml(raw: str) -> None:
    settings = load_settings(EXAMPLE_SITE, environ={"KB_SECTION_POLICIES": raw})
    assert settings.section_policies == {"guides": SectionPolicy(30, 7)}


def test_list_and_number_settings_come_from_the_environment() -> None:
    env = {
        "KB_DEPRECATED_TERMS": '{"Foo" = "Bar"}',
        "KB_EXEMPT": "/docs/api/**, /docs/legal/*",
        "KB_GLOSSARY_PAGES": '["docs/words.md"]',
        "KB_STALE_BUDGET": "3",
        "KB_MAX_VANISH_SHARE": "0.25",
    }
    settings = load_settings(EXAMPLE_SITE, environ=env)
    assert settings.deprecated_terms == {"Foo": "Bar"}
    assert settings.exempt == ("/docs/api/**", "/docs/legal/*")
    assert settings.glossary_pages == ("docs/words.md",)
    assert settings.stale_budget == 3 and settings.max_vanish_share == 0.25


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KB_SECTION_POLICIES": "rollouts=90"}, "setting section_policies: section_policies must"),
        ({"KB_SECTION_POLICIES": '{"x": {"warning_days": 3}}'}, "setting section_policies"),
        ({"KB_DEPRECATED_TERMS": "[1, 2]"}, "setting deprecated_terms"),
        ({"KB_WARNING_DAYS": "soon"}, "setting warning_days"),
    ],
)
def test_bad_values_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_settings(EXAMPLE_SITE, environ=env)


def test_unknown_kb_toml_settings_are_refused(tmp_path: Path) -> None:
    (tmp_path / "kb.toml").write_text("[kb]\nglosary_pages = []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown settings \\['glosary_pages'\\]"):
        load_settings(tmp_path, environ={})


def test_glossary_pages_names_the_glossary(site: Path, tmp_path: Path) -> None:
    """Only the pages glossary_pages names define terms; a page merely named like one does not."""
    (site / "docs" / "flags" / "glossary.md").write_text(
        "# Flag words\n\n## Sparkle\n\nA term that only a page named glossary defines.\n",
        encoding="utf-8",
    )
    index_site(site, tmp_path / "ix")
    with Generation(current_generation(tmp_path / "ix")) as gen:
        terms = {t["term"]: t["source"] for t in gen.meta("glossary")}
    assert "Sparkle" not in terms
    assert {"docs/glossary.mdx", "docs/reference/terms.md"} == set(terms.values())
    index_site(site, tmp_path / "ix2", glossary_pages=())
    with Generation(current_generation(tmp_path / "ix2")) as gen:
        assert any(t["term"] == "Sparkle" for t in gen.meta("glossary"))


def test_a_glob_that_only_looks_like_a_list_is_a_glob() -> None:
    settings = load_settings(EXAMPLE_SITE, environ={"KB_EXCLUDES": "[slug]/drafts/**, x/*"})
    assert settings.excludes == ("[slug]/drafts/**", "x/*")


def test_extra_terms_are_named_when_unusable(tmp_path: Path) -> None:
    (tmp_path / "kb.toml").write_text("[kb]\nextra_deprecated_terms = [1]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="setting extra_deprecated_terms"):
        load_settings(tmp_path, environ={})
