"""Page views and their JSON twin, plus the code-highlighting stylesheet they use."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, jsonify, make_response, request

from kb.glossary.listing import glossary_view
from kb.render.code import stylesheet as code_stylesheet
from kb.reports.page_status import page_status
from kb.reports.queries import parse_report_date
from kb.urls import edit_link, is_glossary_path, page_api_url
from kb.web.context import generation, render_page
from kb.web.glossary import resolve_term_param
from kb.web.language import asked_language, language_links, speak_reader
from kb.web.locale import shown_status
from kb.web.navigation import nav_json, page_nav
from kb.web.pages import (
    defined_terms,
    find_page,
    page_html,
    page_metadata,
    toc_entries,
)

bp = Blueprint("docs", __name__)


def read_as_of() -> date | None:
    """Read the optional as_of date (YYYY-MM-DD, today, or +N/-N days); a bad one is a 400."""
    raw = request.args.get("as_of")
    return None if raw is None else parse_report_date(raw, date.today())


@bp.get("/docs", defaults={"path": ""})
@bp.get("/docs/<path:path>")
def show(path: str) -> Response:
    """Show one page rendered; a glossary page asked for ?term= resolves to the term."""
    gen = generation()
    if "term" in request.args and is_glossary_path(path):
        return resolve_term_param(glossary_view(gen, asked_language(gen)))
    page = find_page(gen, path)
    nav = page_nav(gen, page.url)
    lang = page.lang or gen.languages.default
    speak_reader(gen, lang)
    return render_page(
        "page.html",
        page=page,
        html=page_html(gen, page),
        status=shown_status(page_status(gen, page, read_as_of())),
        nav=nav,
        crumbs=nav.crumbs,
        edit_url=edit_link(gen.settings.edit_url, page.path),
        toc=toc_entries(page.headings),
        terms=defined_terms(gen, page),
        api_url=page_api_url(page.url),
        # The search form carries the page's language only where the site has several.
        page_lang=(page.lang or gen.languages.default) if len(gen.languages.codes) > 1 else None,
        twins=gen.twins(page.url),
        languages=language_links(gen, page.url, lang),
        content_lang=lang,
    )


@bp.get("/api/pages", defaults={"path": ""})
@bp.get("/api/pages/<path:path>")
def api_page(path: str) -> Response:
    """Return one page's metadata as JSON."""
    gen = generation()
    page = find_page(gen, path)
    data = page_metadata(gen, page, read_as_of())
    data["edit_url"] = edit_link(gen.settings.edit_url, page.path)
    data["nav"] = nav_json(page_nav(gen, page.url))
    return jsonify(data)


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
