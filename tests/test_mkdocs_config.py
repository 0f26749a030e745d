"""Reading a site's mkdocs.yml: every field, tags that name code kept inert, bad files named."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.structure.mkdocs import (
    MkDocsConfigError,
    YamlTag,
    env_default,
    extension_list,
    read_mkdocs_config,
)

FULL = """\
site_name: Widget Docs
docs_dir: content
repo_url: https://example.org/widgets/docs
edit_uri: edit/main/content/
nav:
  - Home: index.md
  - Guides:
      - guides/install.md
      - Upgrading: guides/upgrade.md
  - External: https://example.org
markdown_extensions:
  - admonition
  - markdown.extensions.footnotes:
      BACKLINK_TEXT: "^"
  - toc:
      permalink: true
plugins:
  - search
  - redirects:
      redirect_maps:
        old.md: guides/install.md
        gone.md: https://example.org/gone
"""


def write(root: Path, text: str, name: str = "mkdocs.yml") -> Path:
    """Write a config file into the site root and return the root."""
    (root / name).write_text(text, encoding="utf-8")
    return root


def test_no_config_file_is_no_mkdocs_site(tmp_path: Path) -> None:
    assert read_mkdocs_config(tmp_path) is None


def test_every_field_is_read(tmp_path: Path) -> None:
    config = read_mkdocs_config(write(tmp_path, FULL))
    assert config is not None
    assert config.path == tmp_path / "mkdocs.yml"
    assert config.site_name == "Widget Docs"
    assert config.docs_dir == "content"
    assert config.repo_url == "https://example.org/widgets/docs"
    assert config.edit_uri == "edit/main/content/"
    assert config.nav == [
        {"Home": "index.md"},
        {"Guides": ["guides/install.md", {"Upgrading": "guides/upgrade.md"}]},
        {"External": "https://example.org"},
    ]
    assert config.markdown_extensions == [
        ("admonition", {}),
        ("markdown.extensions.footnotes", {"BACKLINK_TEXT": "^"}),
        ("toc", {"permalink": True}),
    ]
    assert config.redirect_maps == {
        "old.md": "guides/install.md",
        "gone.md": "https://example.org/gone",
    }


def test_defaults_for_a_minimal_config(tmp_path: Path) -> None:
    config = read_mkdocs_config(write(tmp_path, "site_name: Bare\n", "mkdocs.yaml"))
    assert config is not None
    assert (config.docs_dir, config.nav, config.markdown_extensions) == ("docs", None, [])
    assert (config.repo_url, config.edit_uri, config.redirect_maps) == (None, None, {})


def test_tags_naming_python_are_kept_inert(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    config = read_mkdocs_config(
        write(
            tmp_path,
            "site_name: !ENV [KB_TEST_UNSET_NAME, Fallback Docs]\n"
            "repo_url: !ENV KB_TEST_UNSET_URL\n"
            "extra: !!python/object/apply:os.system ['touch " + str(marker) + "']\n"
            "hooks: !relative $config_dir/hooks.py\n"
            "markdown_extensions:\n"
            "  - pymdownx.emoji:\n"
            "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
        )
    )
    assert config is not None
    assert not marker.exists()
    assert config.site_name == "Fallback Docs"
    assert config.repo_url is None  # !ENV without a fallback: kb never reads the environment
    ((name, options),) = config.markdown_extensions
    assert name == "pymdownx.emoji"
    index = options["emoji_index"]
    assert isinstance(index, YamlTag)
    assert index.describe() == "!!python/name:material.extensions.emoji.twemoji"


def test_env_default_leaves_other_values_alone() -> None:
    assert env_default("plain") == "plain"
    assert env_default(YamlTag("!ENV", ["A", "B", "last"])) == "last"
    assert env_default(YamlTag("!ENV", "A")) is None


def test_extensions_as_a_mapping_and_odd_entries() -> None:
    assert extension_list({"abbr": None, "toc": {"permalink": "#"}}) == [
        ("abbr", {}),
        ("toc", {"permalink": "#"}),
    ]
    assert extension_list(["attr_list", 3, {"a": {}, "b": {}}, {"def_list": "x"}, ""]) == [
        ("attr_list", {}),
        ("def_list", {}),
    ]
    assert extension_list("admonition") == []


def test_wrong_types_read_as_unset(tmp_path: Path) -> None:
    config = read_mkdocs_config(
        write(tmp_path, "site_name: [a]\nnav: index.md\nplugins: {redirects: 3}\ndocs_dir: 7\n")
    )
    assert config is not None
    assert (config.site_name, config.nav, config.redirect_maps) == (None, None, {})
    assert config.docs_dir == "7"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("site_name: [unclosed\n", "not valid YAML at line"),
        ("- just\n- a list\n", "holds a list, not a mapping"),
    ],
)
def test_unreadable_configs_are_named_with_the_reason(
    tmp_path: Path, text: str, reason: str
) -> None:
    write(tmp_path, text)
    with pytest.raises(MkDocsConfigError, match=reason) as caught:
        read_mkdocs_config(tmp_path)
    assert str(tmp_path / "mkdocs.yml") in str(caught.value)


def test_not_utf8_is_named(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_bytes(b"site_name: \xff\xfe\n")
    with pytest.raises(MkDocsConfigError, match="not UTF-8"):
        read_mkdocs_config(tmp_path)


def test_inherit_merges_the_parent_inside_the_site(tmp_path: Path) -> None:
    write(tmp_path, "site_name: Base\nrepo_url: https://base\ntheme: {name: x, a: 1}\n", "base.yml")
    config = read_mkdocs_config(write(tmp_path, "INHERIT: base.yml\nsite_name: Child\n"))
    assert config is not None
    assert (config.site_name, config.repo_url) == ("Child", "https://base")


def test_inherit_outside_the_site_is_refused(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    write(tmp_path, "site_name: Outside\n", "outside.yml")
    write(site, "INHERIT: ../outside.yml\n")
    with pytest.raises(MkDocsConfigError, match="not a file in the site"):
        read_mkdocs_config(site)


def test_inherit_loops_stop(tmp_path: Path) -> None:
    write(tmp_path, "INHERIT: mkdocs.yml\n")
    with pytest.raises(MkDocsConfigError, match="INHERIT chain longer"):
        read_mkdocs_config(tmp_path)


def test_alias_bombs_are_refused(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    lines += ["nav: *a8"]
    write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(MkDocsConfigError, match="more than 200000 values"):
        read_mkdocs_config(tmp_path)
