"""Page views and their JSON twin, plus the code-highlighting stylesheet they use."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, jsonify, make_response, request

from kb.config import settings_from_report
from kb.glossary.listing import glossary_view, term_entry
from kb.index.generation import Generation
from kb.pages import Heading, Page
from kb.render.code import stylesheet as code_stylesheet
from kb.render.rewrites import PageContext, broken_by_target, process_page_html
from kb.reports.facts import remember
from kb.reports.stale import parse_as_of, validation_from_fields
from kb.reports.staleness import Status, freshness, is_exempt, policy_for
from kb.urls import is_glossary_path, page_api_url, page_url
from kb.web.context import generation, render_page
from kb.web.glossary import resolve_term_param

bp = Blueprint("docs", __name__)
MAX_PATH = 1024
HTML_CACHE_SIZE = 128
STATUS_LABELS = {
    "fresh": "Fresh",
    "due": "Review due",
    "stale": "Stale",
    "never": "Never validated",
    "invalid": "Invalid date",
    "future": "Future date",
    "exempt": "Exempt from review",
}


@dataclass(frozen=True)
class SiteFacts:
    """What page views need from the whole generation: page URLs, broken links, redirects."""

    urls: frozenset[str]
    broken: dict[str, list[dict[str, Any]]]
    redirects: dict[str, str]


_html_cache: OrderedDict[tuple[str, str], str] = OrderedDict()
_html_lock = threading.Lock()


def site_facts(gen: Generation) -> SiteFacts:
    """Return the generation-wide facts page views use, read once per generation."""
    return remember(gen, "site_facts", lambda: _read_site_facts(gen))


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
        abort(404, description=f"No page at {url}.")
    return page


def status_detail(page: Page, status: str, age: int | None, due_on: str | None) -> str:
    """Say in words what a page's review status rests on."""
    parts = []
    if page.validated_on:
        parts.append(f"validated {page.validated_on}")
    if age is not None and status != Status.FUTURE:
        parts.append("today" if age == 0 else f"{age} day{'s' if age != 1 else ''} ago")
    if status in (Status.FRESH, Status.DUE) and due_on:
        parts.append(f"review due {due_on}")
    elif status == Status.STALE and due_on:
        parts.append(f"review was due {due_on}")
    elif status == Status.NEVER:
        parts.append("no validatedOn date")
    elif status == Status.EXEMPT:
        parts.append("this page is not reviewed")
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


def page_status(gen: Generation, page: Page, as_of: date | None = None) -> dict[str, Any]:
    """Work out a page's freshness as of a date (today by default) under the served settings."""
    settings = settings_from_report(gen.meta("settings"))
    result = freshness(
        validation_from_fields(page.validated_on, page.validated_raw, page.validation_problem),
        as_of or date.today(),
        policy_for(page.section, settings),
        is_exempt(page.url, page.path, settings.exempt),
    )
    due_on = result.due_on.isoformat() if result.due_on else None
    status = str(result.status)
    return {
        "status": status,
        "label": STATUS_LABELS.get(status, status),
        "detail": status_detail(page, status, result.age_days, due_on),
        "age_days": result.age_days,
        "due_on": due_on,
        "days_left": result.days_left,
        "problem": result.problem,
    }


def page_metadata(gen: Generation, page: Page, as_of: date | None = None) -> dict[str, Any]:
    """Return the JSON description of a page (DESIGN.md /api/pages contract)."""
    status = page_status(gen, page, as_of)
    return {
        "url": page.url,
        "path": page.path,
        "title": page.title,
        "description": page.description,
        "section": page.section,
        "validated_on": page.validated_on,
        "validated_raw": page.validated_raw,
        "status": status["status"],
        "age_days": status["age_days"],
        "headings": [{"level": h.level, "text": h.text, "anchor": h.anchor} for h in page.headings],
        "glossary_uses": [
            {"term": t.term, "tip": t.tip, "text": t.text, "line": t.line} for t in page.tooltips
        ],
        "links": [{"target": link.target, "line": link.line} for link in page.links],
        "problems": list(page.problems) + ([status["problem"]] if status["problem"] else []),
    }


def page_html(gen: Generation, page: Page) -> str:
    """Return a page's HTML with the view-time rewrites applied, cached per generation and URL."""
    key = (str(gen.folder), page.url)
    with _html_lock:
        cached = _html_cache.get(key)
        if cached is not None:
            _html_cache.move_to_end(key)
            return cached
    facts = site_facts(gen)
    context = PageContext(
        page_url=page.url,
        page_path=page.path,
        glossary=glossary_view(gen).glossary,
        known_urls=facts.urls,
        broken=broken_by_target(facts.broken.get(page.url, []), page.path),
        redirects=facts.redirects,
    )
    processed = drop_title_heading(process_page_html(page.html, context), page.title)
    with _html_lock:
        _html_cache[key] = processed
        while len(_html_cache) > HTML_CACHE_SIZE:
            _html_cache.popitem(last=False)
    return processed


def drop_title_heading(html: str, title: str) -> str:
    """Remove a leading h1 that repeats the page title (the page header shows it already)."""
    match = re.match(r"\s*<h1\b[^>]*>(.*?)</h1>\s*", html, re.DOTALL)
    if match and " ".join(re.sub(r"<[^>]*>", " ", match[1]).split()) in (title, f"{title} #"):
        return html[match.end() :]
    return html


def breadcrumbs(url: str, known: frozenset[str]) -> list[dict[str, str | None]]:
    """Return the trail from /docs to a page: each folder's label, linked when it is a page."""
    parts = url.strip("/").split("/")[1:]
    trail: list[dict[str, str | None]] = [
        {"label": "Docs", "href": "/docs" if "/docs" in known else "/"}
    ]
    for depth, part in enumerate(parts[:-1], start=1):
        target = "/docs/" + "/".join(parts[:depth])
        label = re.sub(r"[-_]+", " ", part).strip()
        trail.append(
            {"label": label[:1].upper() + label[1:], "href": target if target in known else None}
        )
    return trail


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
    view = glossary_view(gen)
    terms = [t for t in view.glossary.terms if t.source == page.path]
    shown = sum(1 for t in terms if t.definition[:60] in page.text)
    if not terms or shown * 2 >= len(terms):
        return []
    return [term_entry(view, t) for t in terms]


def read_as_of() -> date | None:
    """Read the optional as_of date (YYYY-MM-DD, today, or +N/-N days); a bad one is 400."""
    raw = request.args.get("as_of")
    if raw is None:
        return None
    try:
        return parse_as_of(raw[:40], date.today())
    except ValueError as exc:
        abort(400, description=str(exc))


@bp.get("/docs", defaults={"path": ""})
@bp.get("/docs/<path:path>")
def show(path: str) -> Response:
    """Show one page rendered; a glossary page asked for ?term= resolves to the term."""
    gen = generation()
    if "term" in request.args and is_glossary_path(path):
        return resolve_term_param(glossary_view(gen))
    page = find_page(gen, path)
    facts = site_facts(gen)
    return render_page(
        "page.html",
        page=page,
        html=page_html(gen, page),
        status=page_status(gen, page, read_as_of()),
        crumbs=breadcrumbs(page.url, facts.urls),
        toc=toc_entries(page.headings),
        terms=defined_terms(gen, page),
        api_url=page_api_url(page.url),
    )


@bp.get("/api/pages", defaults={"path": ""})
@bp.get("/api/pages/<path:path>")
def api_page(path: str) -> Response:
    """Return one page's metadata as JSON."""
    gen = generation()
    return jsonify(page_metadata(gen, find_page(gen, path), read_as_of()))


@bp.get("/assets/pygments.css")
def pygments_stylesheet() -> Response:
    """Serve the Pygments stylesheet, generated once per process and cached by browsers."""
    css, etag = code_stylesheet()
    response = make_response(css)
    response.mimetype = "text/css"
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response.make_conditional(request)  # type: ignore[return-value]
