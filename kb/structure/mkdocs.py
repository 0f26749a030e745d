"""A MkDocs site's `mkdocs.yml`, read safely: nothing in it is run, whatever its tags say.

MkDocs configs carry YAML tags that name Python code (`!!python/name:pymdownx.superfences.
fence_code_format`) or read the environment (`!ENV [SITE_NAME, "Docs"]`). A safe loader would stop
at the first of them; this one keeps each as a `YamlTag` holding the tag and its value, so the
rest of the file is still read and whoever uses a tagged value can say why it was left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kb.markup.frontmatter import expands_past

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")
DEFAULT_DOCS_DIR = "docs"
MAX_CONFIG_BYTES = 2_000_000
MAX_INHERIT_DEPTH = 4
# Values a config may hold once its YAML aliases are followed: a real one holds a few thousand;
# a "billion laughs" file would make every reader of the nav walk forever.
MAX_CONFIG_VALUES = 200_000


class MkDocsConfigError(ValueError):
    """mkdocs.yml exists but cannot be read; the message names the file and the reason."""


@dataclass(frozen=True)
class YamlTag:
    """A value under a tag kb does not construct (`!!python/name:x`, `!ENV`, `!relative` …)."""

    tag: str
    value: Any

    def describe(self) -> str:
        """Return the tag as written in the file, with its value when it is a scalar."""
        tag = self.tag.replace("tag:yaml.org,2002:", "!!")
        return f"{tag} {self.value}" if isinstance(self.value, str) and self.value else tag


@dataclass(frozen=True)
class MkDocsConfig:
    """What kb reads of a mkdocs.yml."""

    path: Path  # the mkdocs.yml file
    docs_dir: str  # "docs" unless set
    site_name: str | None
    nav: list[Any] | None  # the raw `nav` value as YAML gives it
    markdown_extensions: list[tuple[str, dict[str, Any]]]
    repo_url: str | None
    edit_uri: str | None
    redirect_maps: dict[str, str]  # plugins: - redirects: redirect_maps


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that keeps unknown tags as YamlTag values instead of failing on them."""


def _keep_tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> YamlTag:
    """Build the plain value under an unknown tag and wrap it with the tag (nothing is run)."""
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return YamlTag(node.tag, value)


# The empty prefix matches every tag that SafeLoader has no constructor of its own for.
_TolerantLoader.add_multi_constructor("", _keep_tagged)


def env_default(value: Any) -> Any:
    """Return the fallback of an `!ENV [NAME, …, default]` value, else the value itself.

    kb does not read the environment for a site's config: a build must not change with the
    shell it runs in, nor copy a variable (a token) into the index.
    """
    if isinstance(value, YamlTag) and value.tag == "!ENV":
        items = value.value if isinstance(value.value, list) else [value.value]
        return items[-1] if len(items) > 1 else None
    return value


def find_config_file(site_root: Path) -> Path | None:
    """Return the site's mkdocs.yml (or mkdocs.yaml), or None when it has neither."""
    for name in CONFIG_NAMES:
        candidate = site_root / name
        if candidate.is_file():
            return candidate
    return None


def read_mkdocs_config(site_root: Path) -> MkDocsConfig | None:
    """Read the mkdocs.yml at the site root; None when there is none.

    Raises MkDocsConfigError (path and reason) when the file exists but is not a YAML mapping
    kb can read. Values of the wrong type are read as unset, never guessed.
    """
    path = find_config_file(site_root)
    if path is None:
        return None
    data = _load_with_inherit(path, site_root.resolve(), MAX_INHERIT_DEPTH)
    return MkDocsConfig(
        path=path,
        docs_dir=_text(data.get("docs_dir")) or DEFAULT_DOCS_DIR,
        site_name=_text(data.get("site_name")),
        nav=_nav(data.get("nav")),
        markdown_extensions=extension_list(data.get("markdown_extensions")),
        repo_url=_text(data.get("repo_url")),
        edit_uri=_text(data.get("edit_uri")),
        redirect_maps=_redirect_maps(data.get("plugins")),
    )


def _load(path: Path) -> dict[str, Any]:
    """Return one YAML file as a mapping, or raise MkDocsConfigError saying why not."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise MkDocsConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise MkDocsConfigError(f"{path}: larger than {MAX_CONFIG_BYTES} bytes")
    try:
        data = yaml.load(
            raw.decode("utf-8-sig"), Loader=_TolerantLoader
        )  # a SafeLoader: see _keep_tagged
    except UnicodeDecodeError as exc:
        raise MkDocsConfigError(f"{path}: not UTF-8 (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise MkDocsConfigError(f"{path}: not valid YAML{line} ({reason})") from None
    except RecursionError:
        raise MkDocsConfigError(f"{path}: nested too deeply to read") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MkDocsConfigError(f"{path}: holds a {type(data).__name__}, not a mapping of settings")
    if expands_past(data, MAX_CONFIG_VALUES, _tagged_value):
        raise MkDocsConfigError(
            f"{path}: holds more than {MAX_CONFIG_VALUES} values once its aliases are followed"
        )
    return data


def _tagged_value(value: Any) -> tuple[Any, ...]:
    """Return what a tagged node holds, so an alias bomb under a tag is counted too."""
    return (value.value,) if isinstance(value, YamlTag) else ()


def _load_with_inherit(path: Path, root: Path, depth: int) -> dict[str, Any]:
    """Read a config and the parent its INHERIT names (relative to it, inside the site root)."""
    data = _load(path)
    parent_name = _text(data.pop("INHERIT", None))
    if not parent_name:
        return data
    parent = (path.parent / parent_name).resolve()
    if depth <= 0:
        raise MkDocsConfigError(f"{path}: INHERIT chain longer than {MAX_INHERIT_DEPTH} files")
    if not parent.is_relative_to(root) or not parent.is_file():
        raise MkDocsConfigError(f"{path}: INHERIT names {parent_name}, not a file in the site")
    return _merge(_load_with_inherit(parent, root, depth - 1), data)


def _merge(base: dict[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Merge as MkDocs does for INHERIT: mappings recursively, everything else replaced."""
    merged = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _text(value: Any) -> str | None:
    """Return a setting's text: a string (or a number) as written, else None."""
    value = env_default(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    return text or None


def _nav(value: Any) -> list[Any] | None:
    """Return the nav as YAML gives it when it is a list; anything else is no nav."""
    return value if isinstance(value, list) else None


def extension_list(value: Any) -> list[tuple[str, dict[str, Any]]]:
    """Read `markdown_extensions`: names, one-key mappings {name: config}, or one mapping.

    An entry that is neither (a number, a tagged value) is left out; an extension's config that
    is not a mapping counts as empty.
    """
    if isinstance(value, dict):
        value = [{key: config} for key, config in value.items()]
    if not isinstance(value, list):
        return []
    found: list[tuple[str, dict[str, Any]]] = []
    for item in value:
        if isinstance(item, str) and item.strip():
            found.append((item.strip(), {}))
        elif isinstance(item, dict) and len(item) == 1:
            ((name, config),) = item.items()
            if isinstance(name, str) and name.strip():
                found.append((name.strip(), dict(config) if isinstance(config, dict) else {}))
    return found


def _redirect_maps(plugins: Any) -> dict[str, str]:
    """Return the redirects plugin's redirect_maps (old page → new page or URL)."""
    if isinstance(plugins, dict):
        plugins = [{key: config} for key, config in plugins.items()]
    if not isinstance(plugins, list):
        return {}
    maps: dict[str, str] = {}
    for item in plugins:
        if not isinstance(item, dict) or not isinstance(item.get("redirects"), dict):
            continue
        table = item["redirects"].get("redirect_maps")
        if isinstance(table, dict):
            for old, new in table.items():
                old_text, new_text = _text(old), _text(new)
                if old_text and new_text:
                    maps[old_text] = new_text
    return maps
