"""A URL with no page: the site's redirect when one applies, else a 404 that helps.

Redirects are only looked up once no page answered, so a redirect never shadows a page. The 404
lists the closest pages by URL and those a search for the slug's words finds, with a search box
holding those words.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Response, jsonify, make_response, redirect, render_template, request
from rapidfuzz import fuzz, process

from kb.index.generation import Generation
from kb.index.generations import NoIndex
from kb.reports.facts import generation_facts
from kb.search import SearchUnavailable, search
from kb.structure.redirects import Hop, RedirectLoop, Redirects, is_external
from kb.urls import DOCS_ROOT, page_api_url
from kb.web.context import generation
from kb.web.locale import say
from kb.words import said

MAX_PATH = 1024
SUGGESTIONS = 8
BY_SPELLING = 5  # pages offered for a URL spelled nearly like theirs
SPELLING_CUTOFF = 75  # similarity (0-100) below which a URL is not "nearly" another
API_PAGES = "/api/pages"
log = logging.getLogger(__name__)


def served_redirects(gen: Generation) -> Redirects:
    """Return the generation's redirect rules, compiled once per generation."""
    return gen.remember("served_redirects", lambda: Redirects(gen.meta("redirect_rules") or []))


def _page_path(path: str) -> str | None:
    """Return the page URL a missing request path stands for (its API twin's too), or None."""
    if len(path) > MAX_PATH or "\x00" in path:
        return None
    if path == API_PAGES or path.startswith(API_PAGES + "/"):
        return DOCS_ROOT + path.removeprefix(API_PAGES)
    if path.startswith(("/api/", "/static/")):
        return None
    return path


def not_found(message: str) -> Response | None:
    """Answer a 404 for the request: a redirect, the helpful page, or None to answer plainly."""
    wanted = _page_path(request.path)
    if wanted is None:
        return None
    try:
        gen = generation()
    except NoIndex:
        return None
    urls = generation_facts(gen).titles
    problem = None
    try:
        hop = served_redirects(gen).follow(wanted, urls.__contains__)
    except RedirectLoop as loop:
        hop, problem = (
            None,
            said("The redirects for this URL go round in a loop: %(loop)s", loop=str(loop)),
        )
        log.warning("redirect loop: %s", loop)
    if hop is not None:
        return _redirect(hop, api=wanted != request.path)
    suggestions = closest_pages(gen, wanted)
    words = slug_words(wanted)
    if wanted != request.path:
        body = {"error": problem or message, "suggestions": suggestions, "query": words}
        response = jsonify(body)
        response.status_code = 404
        return response
    html = render_template(
        "not_found.html", message=say(problem or message), suggestions=suggestions, query=words
    )
    return make_response(html, 404)


def _redirect(hop: Hop, *, api: bool) -> Response:
    """Answer with the redirect's target, the request's query string kept."""
    target = hop.target
    if api and not is_external(target) and target.startswith(DOCS_ROOT):
        target = page_api_url(target.split("#", 1)[0])
    query = request.query_string.decode("utf-8", "replace")
    if query:
        path, hash_, fragment = target.partition("#")
        target = f"{path}{'&' if '?' in path else '?'}{query}{hash_}{fragment}"
    # 308/307 keep a POST a POST; a GET or HEAD gets the codes every client knows.
    keeps_method = request.method not in ("GET", "HEAD")
    codes = (308, 301) if hop.permanent else (307, 302)
    code = codes[0] if keeps_method else codes[1]
    return redirect(target, code)  # type: ignore[return-value]


def slug_words(url: str) -> str:
    """Return the words of a URL's last segments, as a search for them would be typed."""
    parts = [p for p in url.removeprefix(DOCS_ROOT).split("/") if p][-2:]
    return " ".join(w for p in parts for w in re.findall(r"[^\W_]+", p))[:200]


def closest_pages(gen: Generation, url: str) -> list[dict[str, Any]]:
    """Return the pages closest to a missing URL: by the URL's spelling, then by its words."""
    titles = generation_facts(gen).titles
    # rapidfuzz scores every URL in C: difflib took 20-70 ms per 404 at 1x and grows with the site.
    close = process.extract(
        url, titles.keys(), scorer=fuzz.ratio, limit=BY_SPELLING, score_cutoff=SPELLING_CUTOFF
    )
    found = [match for match, _, _ in close]
    words = slug_words(url)
    if words:
        try:
            results = search(gen, words, limit=SUGGESTIONS)
            found += [hit.url for hit in results.hits if hit.kind == "page"]
        except SearchUnavailable:
            log.warning("search unavailable while suggesting pages for %s", url)
    unique = list(dict.fromkeys(u for u in found if u in titles))[:SUGGESTIONS]
    return [{"url": u, "title": titles[u]} for u in unique]
