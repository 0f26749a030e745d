"""Glossary views: the A–Z list, one term with its pages and drift, the drift report, JSON twins."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, redirect, request, url_for

from kb.glossary.drift import DRIFT_KINDS
from kb.glossary.listing import (
    KIND_HELP,
    KIND_LABELS,
    GlossaryView,
    filter_drift,
    filter_terms,
    glossary_view,
    letter_groups,
    term_drift,
    term_entry,
    unused_entries,
)
from kb.index.generation import Generation
from kb.params import paginate
from kb.reports.facts import generation_facts
from kb.reports.queries import PER_PAGE, report_page
from kb.urls import url_for_path
from kb.web.context import generation, render_page, wants_fragment
from kb.web.language import asked_language
from kb.web.locale import translated

bp = Blueprint("glossary", __name__)

MAX_PARAM = 200
CLOSE_MATCHES = 6
TERM_DRIFT_SHOWN = 50  # a term page shows this many findings; the report has them all
ALL_LETTERS = [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "#"]


def read_param(name: str) -> str:
    """Read a short text parameter, control characters dropped."""
    raw = request.args.get(name, "")[:MAX_PARAM]
    return "".join(ch for ch in raw if ch.isprintable()).strip()


def glossary_listing(
    view: GlossaryView, query: str = "", missing: str = "", status: int = 200
) -> Response:
    """Render the A–Z page (or its list fragment for htmx) for a filter, noting a missing term."""
    terms = filter_terms(view.glossary, query)
    groups = letter_groups(view, terms)
    looked_up = missing or (query if not terms else "")
    close = [term_entry(view, t) for t in view.glossary.close_matches(looked_up, CLOSE_MATCHES)]
    response = render_page(
        "glossary.html",
        "_glossary_list.html",
        oob_count=wants_fragment(),
        query=query,
        missing=missing,
        groups=groups,
        letters=[g["letter"] for g in groups],
        all_letters=ALL_LETTERS,
        shown=len(terms),
        total=len(view.glossary.terms),
        close=close,
    )
    response.status_code = status
    return response


def resolve_term_param(view: GlossaryView) -> Response:
    """Answer ?term=X: a redirect to the term's page, or the A–Z page with close matches (404)."""
    name = read_param("term")
    term = view.find(name) if name else None
    if term is not None:
        return redirect(view.url(term.slug), 302)  # type: ignore[return-value]
    return glossary_listing(view, missing=name or "(empty)", status=404)


@bp.get("/glossary")
def index() -> Response:
    """Show the A–Z glossary; ?term= resolves to a term page, ?q= filters the list."""
    view = glossary_view(gen := generation(), asked_language(gen))
    if "term" in request.args:
        return resolve_term_param(view)
    return glossary_listing(view, query=read_param("q"))


def with_titles(gen: Generation, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add each finding's page title, the kind's label and the linked term's slug."""
    titles = generation_facts(gen).titles
    view = glossary_view(gen, asked_language(gen))
    out = []
    for f in findings:
        canonical = view.find(str(f["canonical"])) if f.get("canonical") else None
        out.append(
            {
                **f,
                "title": titles.get(f["url"], f["url"]),
                "kind_label": KIND_LABELS.get(f["kind"]),
                "canonical_slug": canonical.slug if canonical else None,
            }
        )
    return out


@bp.get("/glossary/<path:name>")
def term_page(name: str) -> Response:
    """Show one term: definition, aliases, every page that uses it, and its drift."""
    gen = generation()
    view = glossary_view(gen, asked_language(gen))
    term = view.find(name[:MAX_PARAM])
    if term is None:
        return glossary_listing(view, missing=name[:MAX_PARAM], status=404)
    if name != term.slug:
        return redirect(view.url(term.slug), 302)  # type: ignore[return-value]
    own, carried = term_drift(view, term)
    return render_page(
        "glossary_term.html",
        term=term_entry(view, term),
        source=term.source,
        line=term.line,
        source_url=url_for_path(term.source) if term.source else None,
        pages=view.pages_of(term.slug),
        drift=with_titles(gen, own[:TERM_DRIFT_SHOWN]),
        drift_total=len(own),
        carried=with_titles(gen, carried[:TERM_DRIFT_SHOWN]),
        carried_total=len(carried),
        report_url=report_link(term=term.term),
    )


@bp.get("/api/glossary")
def api_index() -> Response:
    """Return every term with its definition, aliases and use count."""
    view = glossary_view(gen := generation(), asked_language(gen))
    return jsonify([term_entry(view, t) for t in view.glossary.terms])


@bp.get("/api/glossary/<path:name>")
def api_term(name: str) -> Response:
    """Return one term with the pages that use it and its drift (404 with close matches)."""
    view = glossary_view(gen := generation(), asked_language(gen))
    term = view.find(name[:MAX_PARAM])
    if term is None:
        close = view.glossary.close_matches(name[:MAX_PARAM], CLOSE_MATCHES)
        response = jsonify(
            {
                "error": f"No glossary term {name[:MAX_PARAM]!r}.",
                "close_matches": [term_entry(view, t) for t in close],
            }
        )
        response.status_code = 404
        return response
    own, carried = term_drift(view, term)
    return jsonify(
        {
            **term_entry(view, term),
            "source": term.source,
            "line": term.line,
            "pages": view.pages_of(term.slug),
            "drift": own + carried,
        }
    )


def read_drift_filters(
    view: GlossaryView, lang: str | None = None
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Filter the drift findings by the request's kind, term and language (400 for an unknown
    kind); findings stored before languages count as the default language's."""
    try:
        kept, counts = filter_drift(view, read_param("kind"), read_param("term"))
    except ValueError as exc:
        abort(400, description=str(exc))
    if lang:
        kept = [f for f in kept if f.get("lang", view.default) == lang]
    return kept, counts


def report_link(endpoint: str = "glossary.report", **params: Any) -> str:
    """Return the drift report URL (or its JSON twin's) with the given non-empty parameters."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", 1)})
    return url_for(endpoint) + ("?" + query if query else "")


@bp.get("/reports/glossary")
def report() -> Response:
    """Show the glossary drift report with kind and term filters, and the unused terms."""
    gen = generation()
    view = glossary_view(gen, lang := asked_language(gen))
    kept, counts = read_drift_filters(view, lang)
    page = report_page(request.args.get("page"))
    shown, pages = paginate(kept, page, PER_PAGE)
    page = min(page, pages)
    filters = {"kind": read_param("kind"), "term": read_param("term"), "lang": lang or ""}
    return render_page(
        "report_glossary.html",
        "_glossary_drift.html",
        findings=with_titles(gen, shown),
        total=len(view.drift),
        matched=len(kept),
        counts=counts,
        page=page,
        pages=pages,
        filters=filters,
        link=lambda **changes: report_link(**{**filters, "page": page, **changes}),
        kinds=DRIFT_KINDS,
        kind_labels=translated(KIND_LABELS),
        kind_help=translated(KIND_HELP),
        unused=unused_entries(view),
        json_url=report_link("glossary.api_report", **filters),
        languages=[(c, gen.languages.label(c)) for c in gen.languages.codes],
    )


@bp.get("/api/reports/glossary")
def api_report() -> Response:
    """Return every drift finding that passes the kind and term filters, and the unused terms."""
    view = glossary_view(gen := generation(), lang := asked_language(gen))
    kept, counts = read_drift_filters(view, lang)
    return jsonify(
        {
            "total": len(view.drift),
            "matched": len(kept),
            "by_kind": [{"kind": k, "count": n} for k, n in counts.items()],
            "findings": kept,
            "unused_terms": unused_entries(view),
        }
    )
