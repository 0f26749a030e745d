"""The site's navigation on a page view: tabs, sidebar, trail, previous/next, folder listings.

Everything is built once per generation: the nav index from the stored nav, one sidebar and one
tab bar per tab rendered to HTML, the pages below each folder. A request only looks its page up
and marks it in the prepared HTML (a string replacement, no walk of the nav).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup, escape

from kb.index.generation import Generation
from kb.index.generations import NoIndex
from kb.reports.facts import generation_facts
from kb.structure.nav import NavIndex, Place
from kb.urls import DOCS_ROOT, page_url
from kb.web.context import generation

MAX_LISTED = 200
# How much of a section a tab or group must hold, and of itself be, to lend its label.
SHARE = 0.8


@dataclass(frozen=True)
class PageNav:
    """What a page view shows of the site's navigation."""

    tabs: Markup
    sidebar: Markup
    crumbs: list[dict[str, str | None]]
    prev: dict[str, str] | None
    next: dict[str, str] | None
    listing: list[dict[str, str]]


def nav_index(gen: Generation) -> NavIndex:
    """Return the generation's nav index (read once per generation)."""
    return gen.remember("nav_index", lambda: NavIndex.load(gen.meta("nav")))


def _children(gen: Generation) -> dict[str, list[str]]:
    """Return the page URLs below each page URL's folder, read once per generation."""

    def compute() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for url in sorted(generation_facts(gen).titles):
            if url != DOCS_ROOT:
                found.setdefault(url.rsplit("/", 1)[0] or DOCS_ROOT, []).append(url)
        return found

    return gen.remember("nav_children", compute)


def _tab_html(gen: Generation, nav: int) -> str:
    """Return the tab bar of a nav, rendered once per generation (tabs marked by data-tab)."""
    index = nav_index(gen)
    return gen.remember(
        ("nav_tabs", nav), lambda: render_template("_nav_tabs.html", tabs=index.tabs(nav))
    )


def _sidebar_html(gen: Generation, nav: int, tab: int) -> str:
    """Return the sidebar of one tab, rendered once per generation (groups marked by data-gid)."""
    index = nav_index(gen)

    def render() -> str:
        tabs = index.tabs(nav)
        return render_template("_nav_sidebar.html", tab=tabs[tab]) if 0 <= tab < len(tabs) else ""

    return gen.remember(("nav_sidebar", nav, tab), render)


def _mark_sidebar(html: str, place: Place | None, url: str) -> str:
    """Mark the current page's link and open the groups that hold it."""
    if place is not None:
        html = _open(html, place)
    link = f'<a href="{escape(url)}">'
    return html.replace(link, f'<a href="{escape(url)}" aria-current="page">', 1)


def _mark_tab(html: str, tab: int) -> str:
    """Mark the current tab."""
    return html.replace(f' data-tab="{tab}">', f' data-tab="{tab}" aria-current="true">', 1)


def _nearest(index: NavIndex, url: str) -> Place | None:
    """Return the place of the page, else of its nearest folder above that is in the nav."""
    while True:
        place = index.place(url)
        if place is not None or url == DOCS_ROOT or "/" not in url.strip("/"):
            return place
        url = url.rsplit("/", 1)[0]


def page_nav(gen: Generation, url: str) -> PageNav:
    """Return the navigation shown around the page at url."""
    index = nav_index(gen)
    place = index.place(url)
    near = place or _nearest(index, url)
    if near is None:
        tabs = sidebar = ""
    else:
        tabs = _mark_tab(_tab_html(gen, near.nav), near.tab)
        sidebar = _sidebar_html(gen, near.nav, near.tab)
        sidebar = _mark_sidebar(sidebar, place, url) if place else _open(sidebar, near)
    return PageNav(
        tabs=Markup(tabs),
        sidebar=Markup(sidebar),
        crumbs=_crumbs(gen, url, place),
        prev=_link(place.prev) if place else None,
        next=_link(place.next) if place else None,
        listing=_listing(gen, index, url),
    )


def _open(html: str, near: Place) -> str:
    """Open the groups of the nearest page in the nav (for a page outside it)."""
    for gid in near.groups:
        html = html.replace(f' data-gid="{gid}">', f' data-gid="{gid}" open>', 1)
    return html


def _link(pair: tuple[str, str] | None) -> dict[str, str] | None:
    """Return a prev/next link."""
    return {"href": pair[0], "title": pair[1]} if pair else None


def _crumbs(gen: Generation, url: str, place: Place | None) -> list[dict[str, str | None]]:
    """Return the trail to a page: its tab and groups from the nav, else its folders by title."""
    trail: list[dict[str, str | None]] = [{"label": "Docs", "href": DOCS_ROOT}]
    if place is not None:
        trail += [{"label": label, "href": href} for label, href in place.trail if href != url]
        return trail[1:] if len(trail) > 1 and trail[1]["href"] == DOCS_ROOT else trail
    titles = generation_facts(gen).titles
    parts = url.removeprefix(DOCS_ROOT).strip("/").split("/")
    for depth in range(1, len(parts)):
        target = page_url("/".join(parts[:depth]))
        label = titles.get(target) or _spelled(parts[depth - 1])
        trail.append({"label": label, "href": target if target in titles else None})
    if DOCS_ROOT not in titles:
        trail[0]["href"] = "/"
    return trail


def _spelled(slug: str) -> str:
    """Spell a folder name as words (a folder with no page of its own)."""
    words = re.sub(r"[-_]+", " ", slug).strip()
    return words[:1].upper() + words[1:]


def _listing(gen: Generation, index: NavIndex, url: str) -> list[dict[str, str]]:
    """List a folder page's pages when some of them are not in the nav (else the nav shows them)."""
    below = _children(gen).get(url, [])
    if not below or all(index.place(u) is not None for u in below):
        return []
    titles = generation_facts(gen).titles
    return [{"href": u, "title": titles.get(u, u)} for u in below[:MAX_LISTED]]


def facet_labels(gen: Generation) -> dict[str, str]:
    """Return the nav's label of each section (a page URL's first folder), read once.

    A section takes the label of the tab, else of the top group, that holds nearly all its pages
    and holds nearly nothing else; a section the nav splits up keeps its own name.
    """
    return gen.remember("nav_facet_labels", lambda: _facet_labels(nav_index(gen)))


def _facet_labels(index: NavIndex) -> dict[str, str]:
    """Match sections to the nav's tabs and top groups (the default language's nav)."""
    by_section: dict[str, list[Place]] = {}
    sizes: Counter[tuple[int, tuple[int, ...]]] = Counter()
    for url, place in index.places.items():
        if place.nav == 0:
            section = url.removeprefix(DOCS_ROOT).strip("/").split("/")[0]
            by_section.setdefault(section, []).append(place)
            for depth in range(len(place.groups) + 1):
                sizes[(place.tab, place.groups[:depth])] += 1
    labels: dict[str, str] = {}
    for section, places in by_section.items():
        for depth in (0, 1):
            keys = Counter((p.tab, p.groups[:depth]) for p in places if len(p.groups) >= depth)
            if not keys or not section:
                break
            key, count = keys.most_common(1)[0]
            if count >= SHARE * len(places) and count >= SHARE * sizes[key]:
                holder = next(p for p in places if (p.tab, p.groups[:depth]) == key)
                labels[section] = holder.trail[depth][0]
                break
    return labels


def section_labels() -> dict[str, str]:
    """Return the nav's section labels for the request's generation ({} when none is served)."""
    try:
        return facet_labels(generation())
    except NoIndex:
        return {}


def nav_json(nav: PageNav) -> dict[str, object]:
    """Return a page's navigation as the JSON twin gives it (the sidebar is the HTML view's)."""
    return {"trail": nav.crumbs, "prev": nav.prev, "next": nav.next, "listing": nav.listing}
