"""A MkDocs `nav` into the nav model: top-level sections become tabs, as MkDocs Material shows them.

Items are `page.md`, `{Title: page.md}`, `{Title: https://…}` or `{Title: [items]}`; page paths
are relative to the docs folder. A nav without sections is one tab.
"""

from __future__ import annotations

from typing import Any

from kb.structure.mintlify import Resolve
from kb.structure.nav import entry, first_url


def read_mkdocs_nav(nav: list[Any], resolve: Resolve, where: str, title: str) -> dict[str, Any]:
    """Return the nav of a mkdocs.yml `nav` list; title names the tab of a nav without sections."""
    items = [e for e in (_item(i, resolve, where) for i in nav) if e is not None]
    if any(e["children"] for e in items):
        tabs = [e if e["children"] else entry(e["title"], e["url"], [e]) for e in items]
    else:
        tabs = [entry(title, None, items)]
    for tab in tabs:
        tab["url"] = first_url(tab)
    return {"language": None, "tabs": [t for t in tabs if t["url"]]}


def _item(item: Any, resolve: Resolve, where: str) -> dict[str, Any] | None:
    """Return the entry of one nav item, or None for a page that is not there."""
    if isinstance(item, str):
        hit = resolve(item, where)
        return entry(hit[1], hit[0]) if hit else None
    if not isinstance(item, dict) or len(item) != 1:
        return None
    title, value = next(iter(item.items()))
    if isinstance(value, list):
        children = [e for e in (_item(i, resolve, where) for i in value) if e is not None]
        return entry(str(title), None, children) if children else None
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return entry(str(title), value)
    if isinstance(value, str):
        hit = resolve(value, where)
        return entry(str(title), hit[0]) if hit else None
    return None
