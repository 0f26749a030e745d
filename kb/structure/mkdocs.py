"""A MkDocs site's `mkdocs.yml`: the parts kb reads (nav, extensions, repository, redirects).

MkDocs configs carry Python tags (`!!python/name:material.extensions.emoji.to_svg`) and
`!ENV` values; the loader is a safe one that reads any unknown tag as its plain value, so a tag
never fails the read and never runs code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")


class _TolerantLoader(yaml.SafeLoader):
    """A safe loader that reads unknown tags as the plain scalar, list or mapping they tag."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    """Return a tagged node's plain value (the tag is dropped; `!!python/name:x` reads as "x")."""
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        _, named, name = suffix.partition("python/name:")
        return name if named and not value else value
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    return None


_TolerantLoader.add_multi_constructor("", _untagged)


@dataclass(frozen=True)
class MkDocsConfig:
    """What kb reads from a mkdocs.yml."""

    path: Path
    docs_dir: str = "docs"
    site_name: str | None = None
    nav: list[Any] | None = None
    markdown_extensions: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    repo_url: str | None = None
    edit_uri: str | None = None
    redirect_maps: dict[str, str] = field(default_factory=dict)


def read_mkdocs_config(site_root: Path) -> MkDocsConfig | None:
    """Read the site's mkdocs.yml; None when there is none.

    Raises ValueError with the file and reason when it exists but cannot be read.
    """
    path = next((site_root / n for n in CONFIG_NAMES if (site_root / n).is_file()), None)
    if path is None:
        return None
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{path.name}: unreadable ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: not a mapping")
    nav = data.get("nav")
    return MkDocsConfig(
        path=path,
        docs_dir=str(data.get("docs_dir") or "docs"),
        site_name=_text(data.get("site_name")),
        nav=nav if isinstance(nav, list) else None,
        markdown_extensions=_extensions(data.get("markdown_extensions")),
        repo_url=_text(data.get("repo_url")),
        edit_uri=_text(data.get("edit_uri")),
        redirect_maps=_redirect_maps(data.get("plugins")),
    )


def _text(value: Any) -> str | None:
    """Return a string setting, or None."""
    return str(value) if isinstance(value, str | int | float) and str(value) else None


def _extensions(value: Any) -> list[tuple[str, dict[str, Any]]]:
    """Read markdown_extensions: names, or one-key mappings of a name to its options."""
    found: list[tuple[str, dict[str, Any]]] = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str):
            found.append((item, {}))
        elif isinstance(item, dict):
            for name, options in item.items():
                found.append((str(name), options if isinstance(options, dict) else {}))
    return found


def _redirect_maps(plugins: Any) -> dict[str, str]:
    """Read the redirects plugin's redirect_maps (plugins is a list, or a mapping of names)."""
    items = plugins.items() if isinstance(plugins, dict) else []
    if isinstance(plugins, list):
        items = [next(iter(p.items())) for p in plugins if isinstance(p, dict) and p]
    for name, options in items:
        if name == "redirects" and isinstance(options, dict):
            maps = options.get("redirect_maps")
            if isinstance(maps, dict):
                return {str(k): str(v) for k, v in maps.items()}
    return {}
