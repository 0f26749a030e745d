"""The campaign by owner: the load per owner, and one owner's to-do page with its CSV and JSON."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, jsonify, request, url_for

from kb.index.generation import Generation
from kb.reports.facts import JUDGED_DATES, judged_rows
from kb.reports.owners import (
    OwnerLoad,
    known_owners,
    owner_load,
    owner_todo,
    reasons,
    todo_to_csv,
    todo_to_dict,
)
from kb.reports.queries import parse_report_date
from kb.reports.stale import UNOWNED, StalePageRow
from kb.reports.staleness import STATUS_LABELS
from kb.web.context import generation, render_page
from kb.web.locale import translate, translated
from kb.words import said

bp = Blueprint("owners", __name__)


def _with_query(path: str, args: dict[str, str]) -> str:
    """Return a URL with its query (empty values left out)."""
    query = urlencode({k: v for k, v in args.items() if v})
    return f"{path}?{query}" if query else path


def shown_reasons(row: StalePageRow) -> list[str]:
    """Say in the reader's language why a page is on a to-do list (the JSON keeps English)."""
    labels = translated(STATUS_LABELS)
    return [labels.get(reason, translate(reason)) for reason in reasons(row)]


def _as_of() -> date:
    """Read the request's report date (today when absent)."""
    return parse_report_date(request.args.get("as_of"), date.today())


def _loads(gen: Generation, as_of: date) -> list[OwnerLoad]:
    """Return the load of every owner as of a date (the section filter applied)."""
    section = request.args.get("section", "").strip()[:200]

    def count() -> list[OwnerLoad]:
        """Count every owner's load among the section's pages."""
        return owner_load(r for r in judged_rows(gen, as_of) if not section or r.section == section)

    return gen.cache("owner_load", JUDGED_DATES).get((as_of, section), count)


def _todo(gen: Generation, as_of: date) -> tuple[str, list[StalePageRow]]:
    """Read the owner asked for and return their to-do list (everyone's without one; 404 for an
    owner no page has)."""
    owner = request.args.get("owner", "").strip()[:200]
    rows = judged_rows(gen, as_of)
    if owner and owner != UNOWNED and owner not in known_owners(gen):
        names = (
            ", ".join(known_owners(gen)[:20]) or "none (no CODEOWNERS, owner key or section_owners)"
        )
        abort(
            404,
            description=said(
                "No page is owned by %(owner)s. Owners: %(names)s.", owner=repr(owner), names=names
            ),
        )
    return owner, owner_todo(rows, owner)


@bp.get("/reports/owners")
def index() -> Response:
    """Show every owner's load: pages, stale, due, unusable dates, edits after validation."""
    gen = generation()
    as_of = _as_of()
    return render_page(
        "reports_owners.html",
        loads=_loads(gen, as_of),
        as_of=as_of,
        unowned=UNOWNED,
        json_url=_with_query(url_for("owners.api_index"), request.args.to_dict()),
    )


@bp.get("/api/reports/owners")
def api_index() -> Response:
    """Return every owner's load as JSON."""
    as_of = _as_of()
    loads = _loads(generation(), as_of)
    return jsonify({"as_of": as_of.isoformat(), "owners": [load.to_json() for load in loads]})


@bp.get("/reports/owners/todo")
def todo() -> Response:
    """Show one owner's to-do list: what is due, stale, unusable or changed after validation."""
    gen = generation()
    as_of = _as_of()
    owner, rows = _todo(gen, as_of)
    args = {"owner": owner, "as_of": as_of.isoformat() if "as_of" in request.args else ""}
    return render_page(
        "reports_owner_todo.html",
        owner=owner,
        rows=rows,
        reasons=shown_reasons,
        as_of=as_of,
        unowned=UNOWNED,
        csv_url=_with_query(url_for("owners.todo_csv"), args),
        json_url=_with_query(url_for("owners.api_todo"), args),
    )


@bp.get("/reports/owners/todo.csv")
def todo_csv() -> Response:
    """Return one owner's to-do list as a CSV download."""
    as_of = _as_of()
    owner, rows = _todo(generation(), as_of)
    slug = re.sub(r"[^A-Za-z0-9._+-]+", "-", owner).strip("-") or ("unowned" if owner else "all")
    response = Response(todo_to_csv(rows), mimetype="text/csv")
    name = f"kb-todo-{slug}-{as_of.isoformat()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/api/reports/owners/todo")
def api_todo() -> Response:
    """Return one owner's to-do list as JSON."""
    as_of = _as_of()
    owner, rows = _todo(generation(), as_of)
    return jsonify(
        {
            "as_of": as_of.isoformat(),
            "owner": owner,
            "total": len(rows),
            "pages": [todo_to_dict(r) for r in rows],
        }
    )
