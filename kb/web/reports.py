"""The report pages and their JSON and CSV twins: index, stale, deprecated terms, broken links."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request, url_for
from flask_babel import gettext

from kb.index.generation import Generation
from kb.params import paginate
from kb.reports.charts import histogram_svg, stacked_bars_svg
from kb.reports.export import report_to_csv, report_to_json
from kb.reports.facts import StaleView, section_names, stale_report, stale_view
from kb.reports.findings import (
    LINK_KIND_LABELS,
    LINK_KINDS,
    FindingsPage,
    findings_to_json,
    found_terms,
    links_page,
    terms_page,
)
from kb.reports.overview import due_soon, overview, overview_to_json
from kb.reports.owners import campaign_numbers, known_owners
from kb.reports.queries import (
    PER_PAGE,
    StaleQuery,
    parse_report_date,
    parse_stale_query,
    report_page,
)
from kb.reports.stale import UNDATED_BUCKET
from kb.reports.staleness import STATUS_LABELS, STATUS_ORDER, Status
from kb.web.context import generation, render_page, wants_fragment
from kb.web.demand import stale_demand, zero_results_json
from kb.web.locale import translated

bp = Blueprint("reports", __name__)
STATUS_NAMES = tuple(s.value for s in STATUS_ORDER)
# Sorting by age is most useful oldest first; every other column starts ascending.
_FIRST_DESCENDING = {"age", "demand"}


def _link_maker(endpoint: str, state: Mapping[str, str]) -> Callable[..., str]:
    """Return a function building this report's URL from the current state with some changes."""

    def link(**changes: object) -> str:
        """Return the URL of the report with `changes` applied; empty values are left out."""
        merged = {**state, **{k: "" if v is None else str(v) for k, v in changes.items()}}
        query = urlencode({k: v for k, v in merged.items() if v})
        return url_for(endpoint) + ("?" + query if query else "")

    return link


def _as_of() -> date:
    """Read the request's report date (today when absent)."""
    return parse_report_date(request.args.get("as_of"), date.today())


def _page() -> int:
    """Read the request's page number (1 when absent)."""
    return report_page(request.args.get("page"))


# --- index --------------------------------------------------------------------------------------


@bp.get("/reports")
def index() -> Response:
    """List every report with its headline numbers."""
    gen, as_of = generation(), _as_of()
    return render_page(
        "reports.html", ov=overview(gen, as_of), campaign=campaign_numbers(gen, as_of)
    )


@bp.get("/api/reports")
def api_index() -> Response:
    """Return the headline numbers of every report as JSON."""
    gen, as_of = generation(), _as_of()
    data = overview_to_json(overview(gen, as_of))
    data.update(campaign_numbers(gen, as_of).to_json())
    data["reports"] = {
        "stale": url_for("reports.api_stale"),
        "terms": url_for("reports.api_terms"),
        "links": url_for("reports.api_links"),
        "glossary": url_for("glossary.api_report"),
        "owners": url_for("owners.api_index"),
        "searches": url_for("demand.api_report"),
    }
    data["top_zero_results"] = zero_results_json()
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
        "changed": "1" if query.changed else "",
        "owner": query.owner,
        "days": request.args.get("days", "").strip(),
        "lang": query.lang,
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
        "sections": stacked_bars_svg(
            sections,
            STATUS_NAMES,
            title=gettext("Pages by review status per section"),
            names=translated(STATUS_LABELS),
        ),
        "ages": histogram_svg(buckets, title=gettext("Pages by age of last validation (days)")),
    }


def _sort_links(query: StaleQuery, link: Callable[..., str]) -> dict[str, dict[str, str]]:
    """Return, per sortable column, the URL that sorts by it and its aria-sort state."""
    columns = {}
    for key in ("title", "section", "validated_on", "age", "status", "last_changed", "demand"):
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
    view = stale_view(gen, query, stale_demand())
    state = _stale_state(query, show_never, bool(request.args.get("as_of", "").strip()))
    link = _link_maker("reports.stale", state)
    rows, pages = paginate(view.filtered.pages, query.page, PER_PAGE)
    page = min(query.page, pages)
    sections = section_names(gen)
    return render_page(
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
        sections=sections,
        owners=known_owners(gen),
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
    report = stale_report(generation(), query, stale_demand())
    parts = ["kb-stale", query.as_of.isoformat(), query.section, query.status.replace(",", "+")]
    name = re.sub(r"[^A-Za-z0-9._+-]+", "-", "-".join(p for p in parts if p)).strip("-")
    response = Response(report_to_csv(report), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@bp.get("/api/reports/stale")
def api_stale() -> Response:
    """Return the filtered stale report as JSON (the contract in docs/http-api.md)."""
    query = parse_stale_query(request.args, date.today())
    return jsonify(report_to_json(stale_report(generation(), query, stale_demand())))


# --- deprecated terms and broken links ----------------------------------------------------------


def _read_findings(
    gen: Generation, read: Callable[..., FindingsPage], group: str, **paging: int
) -> tuple[dict[str, str], FindingsPage]:
    """Read a findings report's filters (its group, section, url) and return what they keep."""
    names = (group, "section", "url", "lang")
    filters = {name: request.args.get(name, "").strip()[:200] for name in names}
    return filters, read(gen, **filters, **paging)


def _render_findings(
    gen: Generation, name: str, result: FindingsPage, filters: dict[str, str], **context: Any
) -> Response:
    """Render findings report `name` (or its table for htmx) with its filter links and JSON twin.

    Report `name` is the page reports_<name>.html, the table _report_<name>_table.html, and the
    endpoints reports.<name> and reports.api_<name>.
    """
    return render_page(
        f"reports_{name}.html",
        f"_report_{name}_table.html",
        result=result,
        filters=filters,
        link=_link_maker(f"reports.{name}", filters),
        sections=section_names(gen),
        json_url=_link_maker(f"reports.api_{name}", filters)(),
        **context,
    )


@bp.get("/reports/terms")
def terms() -> Response:
    """Show deprecated terminology grouped by term, and each occurrence with its replacement."""
    gen = generation()
    filters, result = _read_findings(gen, terms_page, "term", page=_page())
    return _render_findings(gen, "terms", result, filters, all_terms=found_terms(gen))


@bp.get("/api/reports/terms")
def api_terms() -> Response:
    """Return every deprecated-term finding that passes the filters, with counts per term."""
    _, result = _read_findings(generation(), terms_page, "term", per_page=0)
    return jsonify(findings_to_json(result, "by_term"))


@bp.get("/reports/links")
def links() -> Response:
    """Show broken internal links and anchors with a close-match suggestion."""
    gen = generation()
    filters, result = _read_findings(gen, links_page, "kind", page=_page())
    return _render_findings(
        gen, "links", result, filters, kinds=LINK_KINDS, kind_labels=translated(LINK_KIND_LABELS)
    )


@bp.get("/api/reports/links")
def api_links() -> Response:
    """Return every broken-link finding that passes the filters, with counts per kind."""
    _, result = _read_findings(generation(), links_page, "kind", per_page=0)
    return jsonify(findings_to_json(result, "by_kind"))
