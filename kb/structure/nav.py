"""The navigation model: per language, tabs of nested groups and pages, and what a page view needs.

The build stores `site_nav()` data (plain JSON) in the generation; `NavIndex` reads it once per
generation and answers, per page URL, its tab, its groups, its neighbours in nav order and the
labels of its trail — dictionary look-ups, never a walk of the tree per request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

# A nav entry: {"title", "url" (None for a group without a page), "children": [...],
# "external": bool}. A tab: {"title", "url" (its first page), "children": [...]}.
# A nav: {"language": str | None, "tabs": [...]}. The whole: {"source", "navs", "missing"}.


def entry(
    title: str, url: str | None, children: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Return one nav entry (a page, a group, or a group with its own page)."""
    return {
        "title": title,
        "url": url,
        "children": children or [],
        "external": bool(url and not url.startswith("/")),
    }


def first_url(node: Mapping[str, Any]) -> str | None:
    """Return the first internal page URL at or under a nav entry, in nav order."""
    if node.get("url") and not node.get("external"):
        return str(node["url"])
    for child in node.get("children", []):
        found = first_url(child)
        if found:
            return found
    return None


def walk(nodes: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Yield every entry of a list of entries, depth first, in nav order."""
    for node in nodes:
        yield node
        yield from walk(node.get("children", []))


@dataclass(frozen=True)
class Place:
    """Where a page stands in the nav: its tab, its groups from the top, its neighbours."""

    nav: int
    tab: int
    groups: tuple[int, ...]
    trail: tuple[tuple[str, str | None], ...]
    prev: tuple[str, str] | None
    next: tuple[str, str] | None


@dataclass
class NavIndex:
    """A stored site nav read once per generation: every page's place, found by its URL."""

    data: dict[str, Any]
    places: dict[str, Place] = field(default_factory=dict)
    group_count: int = 0

    @classmethod
    def load(cls, data: Mapping[str, Any] | None) -> NavIndex:
        """Index stored nav data (an empty nav when there is none)."""
        index = cls(dict(data or {"source": "none", "navs": [], "missing": []}))
        for n, nav in enumerate(index.navs):
            index._index_nav(n, nav)
        return index

    @property
    def navs(self) -> list[dict[str, Any]]:
        """Return the navs, one per language (the first is the site's default)."""
        return list(self.data.get("navs") or [])

    @property
    def missing(self) -> list[dict[str, Any]]:
        """Return the nav entries that name no page, with the file that holds them."""
        return list(self.data.get("missing") or [])

    def tabs(self, nav: int) -> list[dict[str, Any]]:
        """Return the tabs of one nav."""
        navs = self.navs
        return list(navs[nav]["tabs"]) if 0 <= nav < len(navs) else []

    def place(self, url: str) -> Place | None:
        """Return where a page stands in the nav (its first appearance), or None."""
        return self.places.get(url)

    def _index_nav(self, n: int, nav: Mapping[str, Any]) -> None:
        """Number every group of a nav and record each page's place, in nav order."""
        order: list[tuple[str, str, int, tuple[int, ...], tuple[tuple[str, str | None], ...]]] = []
        for t, tab in enumerate(nav.get("tabs", [])):
            trail: tuple[tuple[str, str | None], ...] = ((str(tab["title"]), tab.get("url")),)
            self._collect(tab.get("children", []), t, (), trail, order)
        seen: set[str] = set()
        pages = [o for o in order if not (o[0] in seen or seen.add(o[0]))]  # type: ignore[func-returns-value]
        for i, (url, _title, tab_no, groups, trail) in enumerate(pages):
            if url in self.places:
                continue  # the default language's nav keeps a page that two navs list
            before = pages[i - 1] if i > 0 else None
            after = pages[i + 1] if i + 1 < len(pages) else None
            self.places[url] = Place(
                nav=n,
                tab=tab_no,
                groups=groups,
                trail=trail,
                prev=(before[0], before[1]) if before else None,
                next=(after[0], after[1]) if after else None,
            )

    def _collect(
        self,
        nodes: list[dict[str, Any]],
        tab: int,
        groups: tuple[int, ...],
        trail: tuple[tuple[str, str | None], ...],
        order: list[Any],
    ) -> None:
        """Give each group of a tab its number (stored on the entry) and list pages in order."""
        for node in nodes:
            url = node.get("url")
            if node.get("children"):
                gid = node.setdefault("gid", self.group_count)
                self.group_count = max(self.group_count, gid + 1)
                inner = (*trail, (str(node["title"]), url if not node.get("external") else None))
                if url and not node.get("external"):
                    order.append((url, node["title"], tab, (*groups, gid), trail))
                self._collect(node["children"], tab, (*groups, gid), inner, order)
            elif url and not node.get("external"):
                order.append((url, node["title"], tab, groups, trail))
