"""The folder-tree nav of a site with no nav config: folders are groups, top folders are tabs.

Titles come from the pages (a `sidebarTitle`-like key first); order from a `sidebar_position` /
`nav_order`-like key, then the title. A folder's own page (its index) opens the folder's entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kb.structure.nav import entry, first_url
from kb.urls import DOCS_ROOT

ORDER_KEYS = ("sidebar_position", "nav_order", "weight", "order", "position")
LABEL_KEYS = ("sidebarTitle", "sidebar_label", "nav_title", "navTitle", "short_title")


def nav_title(title: str, meta: Mapping[str, Any] | None) -> str:
    """Return the label a page has in a sidebar: its sidebar key when set, else its title."""
    for key in LABEL_KEYS:
        value = (meta or {}).get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return title


def nav_order(meta: Mapping[str, Any] | None) -> float:
    """Return the page's position from its frontmatter (pages without one go last)."""
    for key in ORDER_KEYS:
        value = (meta or {}).get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                continue
    return float("inf")


class _Folder:
    """A folder of page URLs while the tree is built."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.page: dict[str, Any] | None = None
        self.pages: list[dict[str, Any]] = []
        self.folders: dict[str, _Folder] = {}

    def add(self, parts: list[str], row: dict[str, Any]) -> None:
        """File a page under its folders; a folder's index page is the folder's own page."""
        if not parts:
            self.page = row
            return
        head = parts[0]
        if len(parts) == 1 and head not in self.folders:
            self.pages.append(row)
            return
        folder = self.folders.setdefault(head, _Folder(head))
        folder.add(parts[1:], row)

    def settle(self) -> None:
        """Move pages that turned out to be folders' index pages into their folders."""
        for row in list(self.pages):
            name = row["url"].rsplit("/", 1)[-1]
            if name in self.folders and self.folders[name].page is None:
                self.folders[name].page = row
                self.pages.remove(row)
        for folder in self.folders.values():
            folder.settle()

    def label(self) -> str:
        """Return the folder's label: its page's nav title, else its name spelled out."""
        if self.page is not None:
            return nav_title(self.page["title"], self.page.get("meta"))
        words = self.name.replace("-", " ").replace("_", " ").strip()
        return words[:1].upper() + words[1:]

    def key(self) -> tuple[float, str]:
        """Return the folder's sort key."""
        return (nav_order(self.page.get("meta") if self.page else None), self.label().casefold())

    def entries(self) -> list[dict[str, Any]]:
        """Return the folder's own page, then its pages and subfolders in order."""
        items: list[tuple[tuple[float, str], dict[str, Any]]] = []
        for row in self.pages:
            title = nav_title(row["title"], row.get("meta"))
            items.append(((nav_order(row.get("meta")), title.casefold()), entry(title, row["url"])))
        for folder in self.folders.values():
            items.append((folder.key(), entry(folder.label(), None, folder.entries())))
        own = [entry(self.label(), self.page["url"])] if self.page is not None else []
        return own + [e for _, e in sorted(items, key=lambda i: i[0])]


def folder_nav(rows: Iterable[Mapping[str, Any]], site_title: str = "Docs") -> dict[str, Any]:
    """Return the nav of a site from its pages' URLs: one tab per top folder, pages before them."""
    root = _Folder("")
    for row in sorted(rows, key=lambda r: str(r["url"])):
        url = str(row["url"])
        parts = [p for p in url.removeprefix(DOCS_ROOT).split("/") if p]
        root.add(parts, dict(row))
    root.settle()
    tabs = []
    if root.page is not None or root.pages:
        home = _Folder("")
        home.page, home.pages = root.page, root.pages
        label = nav_title(root.page["title"], root.page.get("meta")) if root.page else site_title
        tabs.append(entry(label, None, home.entries()))
    for folder in sorted(root.folders.values(), key=_Folder.key):
        tabs.append(entry(folder.label(), None, folder.entries()))
    for tab in tabs:
        tab["url"] = first_url(tab)
    return {"language": None, "tabs": [t for t in tabs if t["url"]]}
