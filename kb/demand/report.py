"""The search demand report: what readers asked for in a window of days, read from the log.

Top queries, the queries that found nothing, those of them that look like missing glossary
terms, and demand per page (how often it was a top-5 result), all counted over the last `days`
days (UTC), today included.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kb.params import positive_int

DEFAULT_DAYS = 30
MAX_DAYS = 3650
TOP_QUERIES = 50
ZERO_QUERIES = 100
# A glossary term is a short name: a few words of letters and digits, perhaps joined by - . ' &.
_TERM_SHAPE = re.compile(r"[^\W_]+(?:[-.'&+ ][^\W_]+)*\.?")
TERM_MAX_WORDS = 4
TERM_MAX_CHARS = 40
TERM_MIN_DAYS = 2


def parse_days(text: str | None) -> int:
    """Read the window in days (1 to MAX_DAYS, DEFAULT_DAYS when absent); a bad one is a 400."""
    return positive_int("days", text, DEFAULT_DAYS, MAX_DAYS)


def window_start(today: date, days: int) -> date:
    """Return the first day of a window of `days` days ending today."""
    return today - timedelta(days=days - 1)


@dataclass(frozen=True)
class QueryCount:
    """A normalized query and how it was asked in the window."""

    query: str
    count: int  # searches
    days: int  # distinct days it was asked on
    results: int  # the most results any of those searches found
    capitalised: bool  # some reader typed a capital letter (a name, an acronym)

    def to_json(self) -> dict[str, Any]:
        """Return the query as one entry of the JSON report."""
        return {
            "query": self.query,
            "count": self.count,
            "days": self.days,
            "results": self.results,
        }


@dataclass(frozen=True)
class DemandReport:
    """The search demand report for a window of days."""

    days: int
    since: date
    until: date
    searches: int
    distinct_queries: int
    zero_result_searches: int
    top_queries: list[QueryCount]
    zero_results: list[QueryCount]
    missing_terms: list[QueryCount]


def _counts(conn: sqlite3.Connection, since: str, where: str, limit: int) -> list[QueryCount]:
    """Count searches per query since a day, most asked first."""
    rows = conn.execute(
        "SELECT query, count(*) AS n, count(DISTINCT day), max(results), max(capitalised) "
        f"FROM searches WHERE day >= ? {where} GROUP BY query ORDER BY n DESC, query LIMIT ?",
        (since, limit),
    ).fetchall()
    return [QueryCount(q, int(n), int(d), int(r), bool(c)) for q, n, d, r, c in rows]


def looks_like_term(query: QueryCount, is_term: Callable[[str], bool]) -> bool:
    """Tell whether a query that found nothing looks like a glossary term the site lacks.

    It must not be a glossary term or alias already; it must be shaped like a name (one to four
    words of letters or digits, optionally joined by - . ' & +, at most 40 characters, with a
    letter; no operators, quotes or sentences); and readers must mean it as a name: someone typed
    it with a capital letter ("DPoP", "Token Vault"), or it was asked on two or more days.
    """
    text = query.query
    if len(text) > TERM_MAX_CHARS or len(text.split()) > TERM_MAX_WORDS:
        return False
    if not _TERM_SHAPE.fullmatch(text) or not any(ch.isalpha() for ch in text):
        return False
    if not (query.capitalised or query.days >= TERM_MIN_DAYS):
        return False
    return not is_term(text)


def demand_report(
    conn: sqlite3.Connection,
    today: date,
    days: int,
    is_term: Callable[[str], bool],
    *,
    limit: int = TOP_QUERIES,
) -> DemandReport:
    """Read the report for the `days` days ending today."""
    since = window_start(today, days)
    start = since.isoformat()
    searches, distinct, zero = conn.execute(
        "SELECT count(*), count(DISTINCT query), coalesce(sum(results = 0), 0) "
        "FROM searches WHERE day >= ?",
        (start,),
    ).fetchone()
    zero_results = _counts(conn, start, "AND results = 0", ZERO_QUERIES)
    return DemandReport(
        days=days,
        since=since,
        until=today,
        searches=int(searches),
        distinct_queries=int(distinct),
        zero_result_searches=int(zero),
        top_queries=_counts(conn, start, "", limit),
        zero_results=zero_results,
        missing_terms=[q for q in zero_results if looks_like_term(q, is_term)],
    )


def page_demand(conn: sqlite3.Connection, today: date, days: int) -> dict[str, int]:
    """Return, per page URL, how many searches in the window showed it in their top 5."""
    rows = conn.execute(
        "SELECT url, count(*) FROM top_hits WHERE day >= ? GROUP BY url",
        (window_start(today, days).isoformat(),),
    ).fetchall()
    return {str(url): int(n) for url, n in rows}


def page_demand_from_file(path: Path, today: date, days: int) -> dict[str, int] | None:
    """Read demand per page from a log file, read-only; None when there is no log there."""
    if not path.is_file():
        return None
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        return page_demand(conn, today, days)
    except sqlite3.Error:  # not a search log (or damaged): no demand rather than a crash
        return None
    finally:
        conn.close()


def report_to_json(report: DemandReport) -> dict[str, Any]:
    """Return the report as the JSON of GET /api/reports/searches."""
    return {
        "days": report.days,
        "since": report.since.isoformat(),
        "until": report.until.isoformat(),
        "searches": report.searches,
        "distinct_queries": report.distinct_queries,
        "zero_result_searches": report.zero_result_searches,
        "top_queries": [q.to_json() for q in report.top_queries],
        "zero_results": [q.to_json() for q in report.zero_results],
        "missing_terms": [q.to_json() for q in report.missing_terms],
    }
