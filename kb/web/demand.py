"""Search demand on the web: the app's search log (its one owner), which searches are logged,
the settled-query beacon, and the /reports/searches report with its JSON twin.

Which searches count (docs/http-api.md, "Search demand"): a reader typing "refresh token"
must not log "r", "re", "ref"…, so
- a results page (GET /search) or an API search (GET /api/search) is logged when it asks for the
  first page of a non-empty query;
- except the requests of the search box, which carry the KB-Search-Deferred header because the
  box reports the query the reader settled on itself (static/demand.js): after a pause of 1.5 s
  in typing, at once on Enter or the Search button, or when the reader leaves the page first,
  with POST /api/search/settled, which runs it once more for its result count and top pages;
- and an htmx history restore (Back), which repeats a search already counted.
"""

from __future__ import annotations

import atexit
from dataclasses import replace
from datetime import date
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from kb.config import load_settings, state_folder
from kb.demand.log import LOG_FILE, TOP_HITS, SearchLog, utc_today
from kb.demand.report import (
    DemandReport,
    demand_report,
    page_demand,
    parse_days,
    report_to_json,
)
from kb.glossary.listing import glossary_view
from kb.search import SearchResults, SearchUnavailable, search
from kb.web.context import generation, render_page

bp = Blueprint("demand", __name__)
EXTENSION = "kb.search_log"
DEFERRED_HEADER = "KB-Search-Deferred"
DEMAND_SECONDS = 60  # how long a worker reuses demand per page before counting it again
HOME_ZERO_QUERIES = 5


def init_app(app: Flask) -> None:
    """Give the app its search log (nothing opened yet), closed when the process exits.

    The settings are the server's: KB_* variables and app.config["SETTINGS"] overrides (tests,
    `kb serve --state-dir`), on top of the site's kb.toml when KB_SITE_ROOT names one.
    """
    overrides = {"index_dir": app.config["INDEX_DIR"], **app.config.get("SETTINGS", {})}
    settings = load_settings(None, overrides)
    found: SearchLog | None = None
    if settings.search_log:
        found = SearchLog(
            state_folder(settings) / LOG_FILE,
            retention_days=settings.search_log_retention_days,
            max_rows=settings.search_log_max_rows,
        )
        atexit.register(found.close)
    app.extensions[EXTENSION] = found

    @app.context_processor
    def demand_helpers() -> dict[str, Any]:
        """Let a page include the top zero-result queries (read only when it does)."""
        return {"zero_result_summary": zero_result_summary}


def search_log(app: Flask | None = None) -> SearchLog | None:
    """Return the app's search log, or None when logging is off."""
    found: SearchLog | None = (app or current_app).extensions.get(EXTENSION)
    return found


def close_search_log(app: Flask) -> None:
    """Write what is queued and close the log (a worker's exit)."""
    found = search_log(app)
    if found is not None:
        found.close()


def top_pages(results: SearchResults) -> list[str]:
    """Return the URLs of the pages among the first TOP_HITS results."""
    return [hit.url for hit in results.hits[:TOP_HITS] if hit.kind == "page"]


def record_search(query: str, results: SearchResults, *, page: int) -> None:
    """Log a settled search (see the module's rules); anything else is left out."""
    found = search_log()
    if found is None or page != 1 or not query.strip():
        return
    if request.headers.get(DEFERRED_HEADER) or request.headers.get("HX-History-Restore-Request"):
        return
    found.record(query, results.total, top_pages(results))


@bp.post("/api/search/settled")
def api_settled() -> Response:
    """Log the query a reader settled on in the search box (204; nothing when logging is off)."""
    found = search_log()
    limit = int(current_app.config.get("MAX_QUERY_LENGTH", 512))
    query = (request.args.get("q") or "")[:limit]
    if found is not None and query.strip():
        try:
            results = search(
                generation(),
                query,
                page=1,
                limit=TOP_HITS,
                section=(request.args.get("section") or "").strip()[:200] or None,
                status=(request.args.get("status") or "").strip()[:200] or None,
            )
        except SearchUnavailable:
            return Response(status=204)
        found.record(query, results.total, top_pages(results))
    return Response(status=204)


def _is_term(name: str) -> bool:
    """Tell whether the served glossary knows a name as a term or alias."""
    return glossary_view(generation()).glossary.lookup(name) is not None


def read_report(days: int, today: date | None = None) -> DemandReport | None:
    """Read the demand report for the last `days` days, or None when logging is off."""
    found = search_log()
    if found is None:
        return None
    with found.reading() as conn:
        return demand_report(conn, today or utc_today(), days, _is_term)


def demand_for_pages(days: int) -> dict[str, int] | None:
    """Return per page URL how often it was a top-5 result in the window (None when off)."""
    found = search_log()
    if found is None:
        return None
    today = utc_today()

    def count() -> dict[str, int]:
        """Count top-5 appearances per page in the window."""
        with found.reading() as conn:
            return page_demand(conn, today, days)

    result: dict[str, int] = found.remember(("page_demand", today, days), DEMAND_SECONDS, count)
    return result


def stale_demand() -> dict[str, int] | None:
    """Return page demand for the stale report, over the request's `days` window."""
    return demand_for_pages(parse_days(request.args.get("days")))


def zero_result_summary(limit: int = HOME_ZERO_QUERIES) -> DemandReport | None:
    """Return the demand report the home page and /reports summarise (None when logging is off).

    Kept for DEMAND_SECONDS per worker: the home page is asked for far more often than the
    counts change.
    """
    found = search_log()
    if found is None:
        return None
    days, today = parse_days(None), utc_today()

    def summary() -> DemandReport | None:
        """Read the report and keep its first zero-result queries."""
        report = read_report(days, today)
        return None if report is None else replace(report, zero_results=report.zero_results[:limit])

    result: DemandReport | None = found.remember(("summary", today, days), DEMAND_SECONDS, summary)
    return result


def zero_results_json() -> list[dict[str, Any]] | None:
    """Return the summary's top zero-result queries for /api/reports (None when logging is off)."""
    summary = zero_result_summary()
    return None if summary is None else [q.to_json() for q in summary.zero_results]


@bp.get("/reports/searches")
def report() -> Response:
    """Show what readers searched for: top queries, queries that found nothing, missing terms."""
    days = parse_days(request.args.get("days"))
    return render_page(
        "reports_searches.html",
        "_report_searches.html",
        report=read_report(days),
        days=days,
        window_choices=(7, 30, 90),
    )


@bp.get("/api/reports/searches")
def api_report() -> Response:
    """Return the search demand report as JSON (the contract in docs/http-api.md)."""
    days = parse_days(request.args.get("days"))
    found = read_report(days)
    if found is None:
        return jsonify({"enabled": False, "days": days})
    return jsonify({"enabled": True, **report_to_json(found)})
