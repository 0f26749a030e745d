"""The report pages and their JSON and CSV twins: index, stale, deprecated terms, broken links."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request, url_for

from kb.charts import histogram_svg, stacked_bars_svg
from kb.report_findings import LINK_KINDS, links_page, terms_page
from kb.reports import (
    PER_PAGE,
    ReportQueryError,
    StaleQuery,
    StaleView,
    due_soon,
    generation_facts,
    overview,
    overview_to_json,
    paginate,
    parse_stale_query,
    stale_report,
    stale_view,
)
from kb.stale_report import STATUS_ORDER, UNDATED_BUCKET, report_to_csv, report_to_json
from kb.staleness import Status
from kb.web.context import generation, render_page, wants_fragment
from kb.web.errors import error_response

bp = Blueprint("reports", __name__)
STATUS_NAMES = tuple(s.value for s in STATUS_ORDER)
STATUS_HELP = {
    "invalid": "validatedOn is unreadable, empty or misspelled",
    "stale": "past the review window",
    "due": "window ends within the warning period",
    "never": "no validatedOn at all",
    "future": "dated after the report date",
    "fresh": "validated within the window",
    "exempt": "not reviewed (exempt by glob)",
}
# Sorting by age is most useful oldest first; every other column starts ascending.
_FIRST_DESCENDING = {"age"}


@bp.errorhandler(ReportQueryError)
def bad_query(exc: ReportQueryError) -> Response:
    """Answer a bad report parameter with 400 and the reason (JSON under /api, HTML otherwise)."""
    return error_response(400, str(exc))


def _render(full: str, fragment: str, **context: Any) -> Response:
    """Render a report page or, for htmx, only its table partial; vary on HX-Request either way."""
    return render_page(full, fragment if wants_fragment() else None, **context)


def _link_maker(endpoint: str, state: Mapping[str, str]) -> Callable[..., str]:
    """Return a function building this report's URL from the current state with some changes."""

    def link(**changes: object) -> str:
        """Return the URL of the report with `changes` applied; empty values are left out."""
        merged = {**state, **{k: "" if v is None else str(v) for k, v in changes.items()}}
        query = urlencode({k: v for k, v in merged.items() if v})
        return url_for(endpoint) + ("?" + query if query else "")

    return link


def _int_arg(name: str) -> int:
    """Read a positive whole-number request parameter (default 1)."""
    text = request.args.get(name, "").strip() or "1"
    if not text.isdigit() or int(text) < 1:
        raise ReportQueryError(f"{name} must be a whole number from 1 up, not {text[:40]!r}")
    return int(text)


# --- index --------------------------------------------------------------------------------------


@bp.get("/reports")
def index() -> Response:
    """List every report with its headline numbers."""
    as_of = parse_stale_query({"as_of": request.args.get("as_of", "")}, date.today()).as_of
    return render_page("reports.html", ov=overview(generation(), as_of))


@bp.get("/api/reports")
def api_index() -> Response:
    """Return the headline numbers of every report as JSON."""
    as_of = parse_stale_query({"as_of": request.args.get("as_of", "")}, date.today()).as_of
    data = overview_to_json(overview(generation(), as_of))
    data["reports"] = {
        "stale": url_for("reports.api_stale"),
        "terms": url_for("reports.api_terms"),
        "links": url_for("reports.api_links"),
        "glossary": "/api/reports/glossary",
    }
    return jsonify(data)


# --- stale --------------------------------------------------------------------------------------


def _stale_state(query: StaleQuery, show_never: bool, dated: bool) -> dict[str, str]:
    """Return the non-default parameters that describe a stale report view.

    A date given in the request is kept as the ISO date, so a shared link keeps showing that
    day; without one the links keep following today.
    """
    return {
        "as_of": query.as_of.isoformat() if dated else "",
        "section": query.section,
        "status": query.status,
        "sort": query.sort if query.sort != "status" else "",
        "order": "desc" if query.descending else "",
        "never": "show" if show_never else "",
    }


def _charts(view: StaleView, show_never: bool) -> dict[str, str]:
    """Draw the site-wide section and age charts; never-reviewed pages only when asked."""
    sections = {
        name: {s: n for s, n in counts.items() if show_never or s != Status.NEVER}
        for name, counts in view.site.sections.items()
    }
    sections = {name: counts for name, counts in sections.items() if sum(counts.values())}
    buckets = [
        (label, n) for label, n in view.site.age_histogram if show_never or label != UNDATED_BUCKET
    ]
    return {
        "sections": stacked_bars_svg(sections, STATUS_NAMES),
        "ages": histogram_svg(buckets),
    }


def _sort_links(query: StaleQuery, link: Callable[..., str]) -> dict[str, dict[str, str]]:
    """Return, per sortable column, the URL that sorts by it and its aria-sort state."""
    columns = {}
    for key in ("title", "section", "validated_on", "age", "status"):
        if key == query.sort:
            descending = not query.descending
            state = "descending" if query.descending else "ascending"
        else:
            descending, state = key in _FIRST_DESCENDING, "none"
        columns[key] = {
            "url": link(
                sort=key if key != "status" else "", order="desc" if descending else "", page=""
            ),
            "aria": state,
        }
    return columns


@bp.get("/reports/stale")
def stale() -> Response:
    """Show the stale report: counts, charts, outlook, and the filterable, sortable page table."""
    gen = generation()
    query = parse_stale_query(request.args, date.today())
    show_never = request.args.get("never", "") == "show"
    view = stale_view(gen, query)
    state = _stale_state(query, show_never, bool(request.args.get("as_of", "").strip()))
    link = _link_maker("reports.stale", state)
    rows, pages = paginate(view.filtered.pages, query.page)
    page = min(query.page, pages)
    sections = sorted(set(generation_facts(gen).sections.values()))
    return _render(
        "reports_stale.html",
        "_report_stale_table.html",
        query=query,
        view=view,
        rows=rows,
        page=page,
        pages=pages,
        shown=((page - 1) * PER_PAGE + 1, (page - 1) * PER_PAGE + len(rows)),
        link=link,
        state=state,
        sort_links=_sort_links(query, link),
        # Each row links its section and status; building these once keeps long tables fast.
        section_links={name: link(section=name, page="") for name in sections},
        status_links={name: link(status=name, page="") for name in STATUS_NAMES},
        statuses=STATUS_NAMES,
        status_help=STATUS_HELP,
        sections=sections,
        charts=_charts(view, show_never) if not wants_fragment() else {},
        show_never=show_never,
        due_soon=due_soon(view.site, limit=12),
        terms_url=url_for("reports.terms"),
        csv_url=_link_maker("reports.stale_csv", {**state, "never": ""})(),
        json_url=_link_maker("reports.api_stale", {**state, "never": ""})(),
        today=date.today().isoformat(),
    )


@bp.get("/reports/stale.csv")
def stale_csv() -> Response:
    """Return the filtered stale report as a CSV download named after its date and filters."""
    query = parse_stale_query(request.args, date.today())
    report = stale_report(generation(), query)
    parts = ["kb-stale", query.as_of.isoformat(), query.section, query.status.replace(",", "+")]
    name = re.sub(r"[^A-Za-z0-9._+-]+", "-", "-".join(p for p in parts if p)).strip("-")
    response = Response(report_to_csv(report), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@bp.get("/api/reports/stale")
def api_stale() -> Response:
    """Return the filtered stale report as JSON (DESIGN.md contract)."""
    query = parse_stale_query(request.args, date.today())
    return jsonify(report_to_json(stale_report(generation(), query)))


# --- deprecated terms and broken links ----------------------------------------------------------


def _findings_args(*names: str) -> dict[str, str]:
    """Read text filters of a findings report, trimmed and capped."""
    return {name: request.args.get(name, "").strip()[:200] for name in names}


@bp.get("/reports/terms")
def terms() -> Response:
    """Show deprecated terminology grouped by term, and each occurrence with its replacement."""
    gen = generation()
    filters = _findings_args("term", "section", "url")
    result = terms_page(
        gen,
        term=filters["term"],
        section=filters["section"],
        url=filters["url"],
        page=_int_arg("page"),
    )
    every = terms_page(gen, page=1)
    return _render(
        "reports_terms.html",
        "_report_terms_table.html",
        result=result,
        filters=filters,
        link=_link_maker("reports.terms", filters),
        all_terms=sorted({g["term"] for g in every.groups}, key=str.casefold),
        sections=sorted(set(generation_facts(gen).sections.values())),
        json_url=_link_maker("reports.api_terms", filters)(),
    )


@bp.get("/api/reports/terms")
def api_terms() -> Response:
    """Return every deprecated-term finding that passes the filters, with counts per term."""
    f = _findings_args("term", "section", "url")
    result = terms_page(
        generation(), term=f["term"], section=f["section"], url=f["url"], per_page=0
    )
    return jsonify(
        {
            "total": result.total,
            "matched": result.matched,
            "by_term": result.groups,
            "findings": result.findings,
        }
    )


@bp.get("/reports/links")
def links() -> Response:
    """Show broken internal links and anchors with a close-match suggestion."""
    gen = generation()
    filters = _findings_args("kind", "section", "url")
    result = links_page(
        gen,
        kind=filters["kind"],
        section=filters["section"],
        url=filters["url"],
        page=_int_arg("page"),
    )
    return _render(
        "reports_links.html",
        "_report_links_table.html",
        result=result,
        filters=filters,
        link=_link_maker("reports.links", filters),
        kinds=LINK_KINDS,
        sections=sorted(set(generation_facts(gen).sections.values())),
        json_url=_link_maker("reports.api_links", filters)(),
    )


@bp.get("/api/reports/links")
def api_links() -> Response:
    """Return every broken-link finding that passes the filters, with counts per kind."""
    f = _findings_args("kind", "section", "url")
    result = links_page(
        generation(), kind=f["kind"], section=f["section"], url=f["url"], per_page=0
    )
    return jsonify(
        {
            "total": result.total,
            "matched": result.matched,
            "by_kind": result.groups,
            "findings": result.findings,
        }
    )
