"""Reports as aligned plain-text tables for a terminal or a CI log (`kb stale`, `kb check`)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kb.index.generation import Generation
from kb.reports.findings import drift_findings, link_findings, nav_findings, term_findings
from kb.reports.stale import STATUS_ORDER, StaleReport

CHECKS = ("terms", "links", "glossary", "nav")
TITLES = {
    "terms": "Deprecated terms",
    "links": "Broken links",
    "glossary": "Glossary drift",
    "nav": "Site nav and redirects",
}
# What a docs team acts on; the other statuses are counted in the summary line only.
ACTION_STATUSES = ("invalid", "stale", "due", "future")
_FINDERS: dict[str, Callable[[Generation], list[dict[str, Any]]]] = {
    "terms": term_findings,
    "links": link_findings,
    "glossary": drift_findings,
    "nav": nav_findings,
}
_MIN_LAST = 24


def _width() -> int | None:
    """Return the terminal width when writing to one, else None (machine logs keep full lines)."""
    return shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else None


def _clip(text: str, width: int) -> str:
    """Cut text to a width, marking the cut."""
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], numeric: Sequence[int] = ()
) -> str:
    """Align rows under headers in columns two spaces apart; numeric columns align right.

    On a terminal the last column is cut to fit the width; elsewhere nothing is cut.
    """
    cells = [[("" if v is None else str(v)).replace("\n", " ") for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    width = _width()
    if width is not None and len(widths) > 1:
        room = width - sum(widths[:-1]) - 2 * (len(widths) - 1)
        widths[-1] = min(widths[-1], max(_MIN_LAST, room))
    lines = []
    for row in [list(headers), *cells]:
        parts = []
        for i, value in enumerate(row):
            value = _clip(value, widths[i])
            last = i == len(row) - 1
            if i in numeric:
                parts.append(value.rjust(widths[i]))
            else:
                parts.append(value if last else value.ljust(widths[i]))
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def format_stale_table(report: StaleReport, listed: Sequence[str] | None = ACTION_STATUSES) -> str:
    """Render the stale report: a summary line, then the pages whose status is in `listed`."""
    policy = report.policy
    counts = " · ".join(f"{s.value} {report.summary.get(s.value, 0)}" for s in STATUS_ORDER)
    head = [
        f"Review status as of {report.as_of.isoformat()} "
        f"(window {policy['review_window_days']} days, warning {policy['warning_days']} days): "
        f"{len(report.pages)} pages",
        counts,
    ]
    if report.changed_after_validation:
        head.append(f"{report.changed_after_validation} changed in git after validation")
    rows = [r for r in report.pages if listed is None or r.status in listed]
    if not rows:
        return "\n".join([*head, "", "No page to list."])
    table = format_table(
        ("STATUS", "AGE", "VALIDATED", "SECTION", "URL", "PROBLEM"),
        [
            (
                r.status,
                "-" if r.age_days is None else r.age_days,
                r.validated_on or (repr(r.raw) if r.raw is not None else "-"),
                r.section,
                r.url,
                r.problem or "",
            )
            for r in rows
        ],
        numeric=(1,),
    )
    tail = []
    hidden = len(report.pages) - len(rows)
    if hidden:
        tail = [
            "",
            f"{hidden} pages with other statuses are not listed; use --status to list them.",
        ]
    return "\n".join([*head, "", table, *tail])


def run_checks(gen: Generation, checks: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Return the findings of each named check (terms, links, glossary), in the order given."""
    return {name: _FINDERS[name](gen) for name in dict.fromkeys(checks)}


def _where(finding: Mapping[str, Any]) -> str:
    """Name a finding's place as path:line (what editors and CI annotations understand)."""
    return f"{finding.get('path') or finding.get('url')}:{finding.get('line')}"


def _check_rows(
    name: str, findings: Sequence[Mapping[str, Any]]
) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """Return the headers and rows of one check's table."""
    if name == "terms":
        return ("WHERE", "TERM", "USE", "CONTEXT"), [
            (_where(f), f["found"], f["replacement"], f["context"]) for f in findings
        ]
    if name in ("links", "nav"):
        return ("WHERE", "KIND", "TARGET", "SUGGESTION"), [
            (_where(f), f["kind"], f["target"], f.get("suggestion") or "") for f in findings
        ]
    return ("WHERE", "KIND", "TERM", "EXPECTED"), [
        (_where(f), f["kind"], f["term"], f.get("expected") or f.get("named_term") or "")
        for f in findings
    ]


def suppressed_note(counts: Mapping[str, int]) -> str:
    """Say how many uses of deprecated terms were suppressed, and by what."""
    if not counts.get("total"):
        return ""
    return (
        f" ({counts['total']} suppressed: {counts.get('marker', 0)} by kb-ignore markers, "
        f"{counts.get('allowlist', 0)} by the deprecated_allow setting)"
    )


def format_checks_table(
    results: Mapping[str, Sequence[Mapping[str, Any]]],
    notes: Mapping[str, str] | None = None,
) -> str:
    """Render each check's findings under a heading with its count (and a note, if any)."""
    blocks = []
    for name, findings in results.items():
        title = (
            f"{TITLES.get(name, name)}: {len(findings)} finding{'' if len(findings) == 1 else 's'}"
            f"{(notes or {}).get(name, '')}"
        )
        if findings:
            headers, rows = _check_rows(name, findings)
            blocks.append(title + "\n" + format_table(headers, rows))
        else:
            blocks.append(title)
    return "\n\n".join(blocks)
