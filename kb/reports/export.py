"""The stale report as the JSON of its API twin and as CSV a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
from typing import Any

from kb.reports.stale import StalePageRow, StaleReport

ROW_FIELDS = (
    "url",
    "title",
    "section",
    "validated_on",
    "age_days",
    "status",
    "problem",
    "raw",
    "due_on",
    "days_left",
    "deprecated_terms",
    "source_path",
    "edit_url",
    "last_changed",
    "changed_after_validation",
    "owners",
    "demand",
    "lang",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def row_to_dict(row: StalePageRow) -> dict[str, object]:
    """Return a row as a dict in the column order of the JSON and CSV contract."""
    data = {name: getattr(row, name) for name in ROW_FIELDS}
    data["owners"] = list(row.owners)
    return data


def report_to_json(report: StaleReport) -> dict[str, Any]:
    """Return the report as the JSON data of GET /api/reports/stale."""
    return {
        "as_of": report.as_of.isoformat(),
        "policy": report.policy,
        "summary": dict(report.summary),
        "sections": {name: dict(counts) for name, counts in report.sections.items()},
        "pages": [row_to_dict(row) for row in report.pages],
        "total": len(report.pages),
        "falling_due": {str(days): n for days, n in report.falling_due.items()},
        "age_histogram": [{"bucket": label, "count": n} for label, n in report.age_histogram],
        "problems": list(report.problems),
        "changed_after_validation": report.changed_after_validation,
        "by_owner": by_owner(report.pages),
    }


def by_owner(rows: list[StalePageRow]) -> dict[str, dict[str, int]]:
    """Group rows by owner ("-" for nobody): pages, edits after validation, count per status."""
    groups: dict[str, dict[str, int]] = {}
    for row in rows:
        for owner in row.owners or ("-",):
            group = groups.setdefault(owner, {"pages": 0, "changed_after_validation": 0})
            group["pages"] += 1
            group["changed_after_validation"] += row.changed_after_validation
            group[row.status] = group.get(row.status, 0) + 1
    return dict(sorted(groups.items(), key=lambda item: (-item[1]["pages"], item[0])))


def csv_cell(value: object) -> str:
    """Render a cell, defusing text a spreadsheet would run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple):
        return csv_cell(" ".join(value)) if value else ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def report_to_csv(report: StaleReport) -> str:
    """Return the report's rows as RFC 4180 CSV with a header row, the columns of the JSON rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ROW_FIELDS)
    for row in report.pages:
        writer.writerow([csv_cell(getattr(row, name)) for name in ROW_FIELDS])
    return buffer.getvalue()
