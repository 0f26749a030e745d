"""What a page view shows besides the page: its HTML as served, trail, contents, JSON twin.

The generation-wide facts these need are read once per generation, and each page's served HTML
is kept in a bounded cache the generation owns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort

from kb.glossary.listing import glossary_view, term_entry
from kb.index.generation import Generation
from kb.pages import Heading, Page
from kb.render.rewrites import (
    PageContext,
    broken_by_target,
    drop_title_heading,
    process_page_html,
)
from kb.reports.page_status import page_status
from kb.urls import is_glossary_path, page_url
from kb.words import said

MAX_PATH = 1024
HTML_CACHE_SIZE = 128


@dataclass(frozen=True)
class SiteFacts:
    """What page views need from the whole generation: page URLs, broken links, redirects."""

    urls: frozenset[str]
    broken: dict[str, list[dict[str, Any]]]
    redirects: dict[str, str]


def site_facts(gen: Generation) -> SiteFacts:
    """Return the generation-wide facts page views use, read once per generation."""
    return gen.remember("site_facts", lambda: _read_site_facts(gen))


def _read_site_facts(gen: Generation) -> SiteFacts:
    """Read the page URLs, broken links by page, and redirects of a generation."""
    broken: dict[str, list[dict[str, Any]]] = {}
    for finding in gen.meta("links", []) or []:
        broken.setdefault(str(finding.get("url")), []).append(finding)
    redirects = gen.meta("redirects", {}) or {}
    return SiteFacts(frozenset(gen.store.urls()), broken, dict(redirects))


def find_page(gen: Generation, path: str) -> Page:
    """Return the page served at /docs/<path>, or abort with 404."""
    if len(path) > MAX_PATH or "\x00" in path:
        abort(404)
    url = page_url(path)
    page = gen.store.get(url)
    if page is None:
        abort(404, description=said("No page at %(url)s.", url=url))
    return page


def page_metadata(gen: Generation, page: Page, as_of: date | None = None) -> dict[str, Any]:
    """Return the JSON description of a page (the /api/pages/<path> contract, docs/http-api.md)."""
    status = page_status(gen, page, as_of)
    return {
        "url": page.url,
        "path": page.path,
        "title": page.title,
        "description": page.description,
        "section": page.section,
        "lang": page.lang or gen.languages.default,
        "twins": gen.twins(page.url),
        "validated_on": page.validated_on,
        "validated_raw": page.validated_raw,
        "status": status["status"],
        "age_days": status["age_days"],
        "last_changed": status["last_changed"],
        "changed_after_validation": status["changed_after_validation"],
        "owners": status["owners"],
        "headings": [{"level": h.level, "text": h.text, "anchor": h.anchor} for h in page.headings],
        "glossary_uses": [
            {"term": t.term, "tip": t.tip, "text": t.text, "line": t.line} for t in page.tooltips
        ],
        "links": [{"target": link.target, "line": link.line} for link in page.links],
        "problems": list(page.problems) + ([status["problem"]] if status["problem"] else []),
    }


def page_html(gen: Generation, page: Page) -> str:
    """Return a page's HTML with the view-time rewrites applied (kept per generation and URL)."""

    def rewrite() -> str:
        """Apply the rewrites that need the whole generation: glossary, links, redirects."""
        facts = site_facts(gen)
        context = PageContext(
            page_url=page.url,
            page_path=page.path,
            glossary=glossary_view(gen, page.lang).tooltips,
            known_urls=facts.urls,
            broken=broken_by_target(facts.broken.get(page.url, []), page.path),
            redirects=facts.redirects,
        )
        return drop_title_heading(process_page_html(page.html, context), page.title)

    return gen.cache("page_html", HTML_CACHE_SIZE).get(page.url, rewrite)


def toc_entries(headings: tuple[Heading, ...]) -> list[dict[str, Any]]:
    """Return the table of contents: the two highest heading levels below the title."""
    levels = sorted({h.level for h in headings if h.level >= 2})[:2]
    return [
        {"text": h.text, "anchor": h.anchor, "depth": levels.index(h.level)}
        for h in headings
        if h.level in levels and h.anchor and h.text
    ]


def defined_terms(gen: Generation, page: Page) -> list[dict[str, Any]]:
    """Return the terms a glossary page defines when its body does not show them itself."""
    view = glossary_view(gen, page.lang)
    # A glossary held by a JSX component is defined in the snippet the page renders.
    component = is_glossary_path(page.path) and not page.path.endswith(".jsx")
    terms = [
        t
        for t in view.glossary.terms
        if t.source == page.path or (component and t.source.endswith((".jsx", ".js")))
    ]
    shown = sum(1 for t in terms if t.definition[:60] in page.text)
    if not terms or shown * 2 >= len(terms):
        return []
    return [term_entry(view, t) for t in terms]
