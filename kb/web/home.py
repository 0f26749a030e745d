"""The home page (the review campaign at a glance) and the health check."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, jsonify
from flask_babel import gettext

from kb.reports.charts import share_bar_svg
from kb.reports.overview import overview
from kb.reports.owners import campaign_numbers
from kb.reports.staleness import STATUS_ORDER
from kb.web.context import generation, render_page

bp = Blueprint("home", __name__)
STATUS_NAMES = tuple(s.value for s in STATUS_ORDER)


@bp.get("/")
def index() -> Response:
    """Show what the index holds and the state of the review campaign, with links to the reports."""
    gen = generation()
    ov = overview(gen, date.today())
    return render_page(
        "home.html",
        gen=gen,
        summary=gen.meta("summary", {}),
        ov=ov,
        statuses=STATUS_NAMES,
        share_bar=share_bar_svg(
            ov.summary, STATUS_NAMES, title=gettext("Share of pages by review status")
        ),
        campaign=campaign_numbers(gen, ov.as_of),
    )


@bp.get("/healthz")
def healthz() -> Response:
    """Report that the app serves a generation, which one, and how many pages it has."""
    gen = generation()
    return jsonify({"status": "ok", "generation": gen.name, "pages": gen.page_count})
