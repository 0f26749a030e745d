"""Each page's language, decided at index time: frontmatter `lang`, kb.toml globs, site config.

The order, first match wins: a page's `lang` (or `language`) frontmatter key; the `languages`
setting (code → path globs, from kb.toml); the site config (Mintlify `navigation.languages`, each
language's folder found from the pages its navigation lists); the `default_language` setting.
The site config is read here only: what is served gets the result stored in the generation.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from kb.config import Settings
from kb.globs import matches_any
from kb.index.store import PageStore
from kb.languages import SiteLanguages, base_language, normalize_code, ordered_codes

SITE_CONFIGS = ("docs.json", "mint.json")
MAX_REF_DEPTH = 4
# A language's folder is the one most of its navigation's pages live in.
FOLDER_SHARE = 0.8


@dataclass(frozen=True)
class LanguageRules:
    """How pages get their language: globs per code, folder prefixes per code, the default."""

    default: str
    globs: Mapping[str, tuple[str, ...]]
    folders: Mapping[str, str]  # "docs/fr-ca/" → "fr-ca"
    site: SiteLanguages

    def language_of(self, rel: str, meta: Mapping[str, Any]) -> str:
        """Return the language of a page from its path (relative to the site root) and frontmatter."""
        for key in ("lang", "language"):
            code = normalize_code(meta.get(key))
            if code is not None:
                return self.site.known(code) or code
        for code, patterns in self.globs.items():
            if matches_any(rel, patterns):
                return code
        for folder, code in self.folders.items():
            if rel.startswith(folder):
                return code
        return self.default

    def twin_path(self, rel: str, lang: str) -> str:
        """Return the path a page has with its language folder taken off (its twins share it)."""
        for folder, code in self.folders.items():
            if code == lang and rel.startswith(folder):
                parent = PurePosixPath(folder).parent.as_posix()
                rest = rel[len(folder) :]
                return rest if parent == "." else f"{parent}/{rest}"
        return rel


def store_languages(store: PageStore, rows: list[dict[str, Any]], rules: LanguageRules) -> None:
    """Store the site's languages (with page counts) and each page's twins in other languages.

    Twins share their path once the language folder is taken off (docs/ja-jp/a.mdx, docs/a.mdx).
    """
    counts = Counter(row["lang"] for row in rows)
    codes = ordered_codes(rules.default, [*rules.site.codes, *sorted(counts)])
    data = SiteLanguages(rules.default, codes, {}).to_json()
    for entry in data["languages"]:
        entry["pages"] = counts.get(entry["code"], 0)
    store.put_meta("languages", data)
    groups: dict[str, dict[str, str]] = {}
    for row in rows:
        key = rules.twin_path(row["path"], row["lang"])
        groups.setdefault(key, {}).setdefault(row["lang"], row["url"])
    store.put_meta(
        "twins",
        {
            url: {lang: twin for lang, twin in group.items() if twin != url}
            for group in groups.values()
            if len(group) > 1
            for url in group.values()
        },
    )


def language_rules(settings: Settings) -> LanguageRules:
    """Read the language rules of a site: settings and its site config (never raises for bad JSON)."""
    default = settings.default_language
    folders = mintlify_folders(settings.site_root, default)
    codes = [*settings.languages, *folders.values()]
    site = SiteLanguages(default, ordered_codes(default, codes), {})
    return LanguageRules(default, dict(settings.languages), folders, site)


def mintlify_folders(site_root: Path, default: str) -> dict[str, str]:
    """Map each non-default language folder of a Mintlify site config to its language code."""
    config = _site_config(site_root)
    navigation = config.get("navigation") if isinstance(config, Mapping) else None
    languages = navigation.get("languages") if isinstance(navigation, Mapping) else None
    if not isinstance(languages, list):
        return {}
    folders: dict[str, str] = {}
    for entry in languages:
        resolved = _resolve(site_root, entry, 0)
        if not isinstance(resolved, Mapping):
            continue
        declared = normalize_code(resolved.get("language"))
        found = _folder_of(list(_page_paths(site_root, resolved, 0)), declared)
        if found is None or declared is None:
            continue
        folder, code = found
        if code != default:
            folders[folder] = code
    return folders


def _site_config(site_root: Path) -> Any:
    """Return the parsed site config (docs.json or mint.json), or None."""
    for name in SITE_CONFIGS:
        path = site_root / name
        if path.is_file():
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
    return None


def _resolve(site_root: Path, value: Any, depth: int) -> Any:
    """Replace a {"$ref": "file.json"} by that file's JSON (inside the site root only)."""
    if not (isinstance(value, Mapping) and isinstance(value.get("$ref"), str)):
        return value
    if depth >= MAX_REF_DEPTH:
        return None
    root = site_root.resolve()
    target = (root / value["$ref"].lstrip("/")).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        return None
    try:
        return _resolve(site_root, json.loads(target.read_text(encoding="utf-8")), depth + 1)
    except (OSError, ValueError):
        return None


def _page_paths(site_root: Path, node: Any, depth: int) -> Iterator[str]:
    """Yield every page path a navigation tree lists (in `pages` lists, at any depth)."""
    node = _resolve(site_root, node, depth)
    if isinstance(node, list):
        for item in node:
            yield from _page_paths(site_root, item, depth)
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if key == "pages" and isinstance(value, list):
                yield from (p for p in value if isinstance(p, str))
            if isinstance(value, list | Mapping):
                yield from _page_paths(site_root, value, depth + 1)


def _folder_of(pages: list[str], declared: str | None) -> tuple[str, str] | None:
    """Return the folder most of a language's pages share, named like the language, and its code.

    Mintlify declares `fr` while the folder says `fr-ca`: the folder's more specific tag wins.
    """
    if declared is None or not pages:
        return None
    counts: Counter[str] = Counter()
    for page in pages:
        parts = page.strip("/").split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            counts["/".join(parts[:depth])] += 1
    for folder, count in sorted(counts.items(), key=lambda fc: (-fc[0].count("/"), fc[0])):
        name = normalize_code(folder.rsplit("/", 1)[-1])
        if (
            count >= FOLDER_SHARE * len(pages)
            and name
            and base_language(name) == base_language(declared)
        ):
            return folder + "/", name
    return None
