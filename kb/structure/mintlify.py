"""Mintlify's navigation (`docs.json`, `mint.json`), read generically into the nav model.

Any nesting of languages, versions, products, tabs, anchors, dropdowns, menus, groups and pages
is read the same way: an object's label is its `tab`/`anchor`/`group`/... key, its children are
every list it holds of those or of pages. Page references are source paths from the site root
(`docs/secure/tokens`), mapped to URLs by kb.urls like every page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kb.structure.jsonref import SOURCE_KEY
from kb.structure.nav import entry, first_url
from kb.urls import strip_page_suffix, url_for_path

# The key that labels an object, by how Mintlify spells each kind of division.
LABEL_KEYS = ("tab", "anchor", "dropdown", "item", "group", "version", "product", "language")
# Lists that hold the children of an object, in the order a reader meets them.
CHILD_KEYS = ("pages", "groups", "tabs", "anchors", "dropdowns", "menu", "products", "versions")
# Divisions that are top-level sections of the site (shown as tabs).
TAB_KEYS = ("tabs", "anchors", "dropdowns", "products")

Resolve = Callable[[str, str], tuple[str, str] | None]


def read_navigation(navigation: Any, resolve: Resolve, where: str) -> list[dict[str, Any]]:
    """Return one nav per language from a docs.json `navigation` value read from file where.

    resolve maps a page reference and the file naming it to (URL, title), or None when no page
    has that source (it reports the entry).
    """
    if isinstance(navigation, list):  # mint.json: a list of groups
        navigation = {"groups": navigation}
    if not isinstance(navigation, dict):
        return []
    languages = [lang for lang in navigation.get("languages") or [] if isinstance(lang, dict)]
    if languages:
        navs = [_nav(lang.get("language"), lang, resolve, where) for lang in languages]
    else:
        navs = [_nav(navigation.get("language"), navigation, resolve, where)]
    return [nav for nav in navs if nav["tabs"]]


def _nav(language: Any, node: dict[str, Any], resolve: Resolve, where: str) -> dict[str, Any]:
    """Return the nav of one language: its tabs, or one tab holding everything."""
    where = str(node.get(SOURCE_KEY) or where)
    divisions = next((node[k] for k in TAB_KEYS if isinstance(node.get(k), list)), None)
    if divisions is None:
        found: list[dict[str, Any] | None] = [entry("Docs", None, _children(node, resolve, where))]
    else:
        found = [_entry(d, resolve, where) for d in divisions]
    tabs = [t for t in found if t is not None]
    for tab in tabs:
        tab["url"] = tab["url"] or first_url(tab)
    tabs = [t for t in tabs if t["url"]]
    return {"language": str(language) if language else None, "tabs": tabs}


def _children(node: dict[str, Any], resolve: Resolve, where: str) -> list[dict[str, Any]]:
    """Return the entries of every child list an object holds."""
    where = str(node.get(SOURCE_KEY) or where)
    found = []
    for key in CHILD_KEYS:
        values = node.get(key)
        for value in values if isinstance(values, list) else []:
            child = _entry(value, resolve, where)
            if child is not None:
                found.append(child)
    return found


def _entry(value: Any, resolve: Resolve, where: str) -> dict[str, Any] | None:
    """Return the entry of a page reference or a division, or None for a missing page."""
    if isinstance(value, str):
        hit = resolve(value, where)
        return entry(hit[1], hit[0]) if hit else None
    if not isinstance(value, dict):
        return None
    label = next((str(value[k]) for k in LABEL_KEYS if isinstance(value.get(k), str)), None)
    href = value.get("href") or value.get("url")
    if isinstance(value.get("page"), str):  # {"page": "docs/x", "title": ...}
        hit = resolve(value["page"], where)
        return entry(str(value.get("title") or (hit[1] if hit else "")), hit[0]) if hit else None
    children = _children(value, resolve, where)
    root = resolve(value["root"], where) if isinstance(value.get("root"), str) else None
    if label is None and not children and root is None:
        return None
    external = href if isinstance(href, str) and href.startswith(("http://", "https://")) else None
    found = entry(label or (root[1] if root else ""), root[0] if root else external, children)
    if value.get("expanded") is True:
        found["expanded"] = True
    return found


def page_source(ref: str) -> str:
    """Return the URL a Mintlify page reference names (`docs/a/b`, `/docs/a/b`, `a/b.mdx`)."""
    # A dot in a reference is part of the name (`group.created`), not an extension to drop.
    return url_for_path(strip_page_suffix(ref.strip().lstrip("/").split("#", 1)[0]) + ".mdx")
