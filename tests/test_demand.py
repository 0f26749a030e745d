"""The search log and the search demand report: real SQLite files in tmp_path, the real app."""

from __future__ import annotations

import sqlite3
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import csv_rows
from flask import Flask
from flask.testing import FlaskClient

from kb.config import load_settings, state_folder
from kb.demand.log import LOG_FILE, SearchLog, normalize_query
from kb.demand.report import QueryCount, demand_report, looks_like_term, page_demand
from kb.web import create_app
from kb.web.demand import search_log

DAY = date(2026, 11, 29)


def make_log(tmp_path: Path, **kw: object) -> SearchLog:
    """Return a search log in tmp_path whose clock reads DAY unless told otherwise."""
    options: dict[str, object] = {"retention_days": 90, "max_rows": 1000, "clock": lambda: DAY}
    options.update(kw)
    return SearchLog(tmp_path / "state" / LOG_FILE, **options)  # type: ignore[arg-type]


def rows(path: Path) -> list[tuple[str, str, int, int]]:
    """Read the searches of a log file with a connection of its own."""
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT day, query, capitalised, results FROM searches ORDER BY id"
        ).fetchall()


@pytest.fixture
def demand_app(example_index: Path, tmp_path: Path) -> Flask:
    """The app on the example index, logging searches into a state folder of its own."""
    return create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(example_index),
            "SETTINGS": {"state_dir": str(tmp_path / "state")},
        }
    )


def logged(app: Flask) -> list[tuple[str, int]]:
    """Flush the app's log and return (query, results) of every row, oldest first."""
    found = search_log(app)
    assert found is not None
    with found.reading() as conn:
        return conn.execute("SELECT query, results FROM searches ORDER BY id").fetchall()


# --- the store ----------------------------------------------------------------------------------


def test_queries_are_folded_for_counting() -> None:
    assert normalize_query("  Refresh\tTOKEN ") == "refresh token"
    assert normalize_query("ＭＦＡ") == "mfa"  # full-width letters (NFKC)
    assert normalize_query("Straße") == "strasse"
    assert normalize_query("   ") == ""
    assert normalize_query("a\x00b\u200bc\nd") == "a b c d"
    assert len(normalize_query("x" * 5000)) == 200


def test_nothing_is_opened_until_a_search_is_recorded(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    assert not (tmp_path / "state").exists()
    log.record("Rules", 3, ["/docs/a"])
    log.close()
    assert (tmp_path / "state" / LOG_FILE).is_file()


def test_close_writes_every_queued_search(tmp_path: Path) -> None:
    log = make_log(tmp_path, flush_seconds=3600, max_rows=10_000)  # the writer never wakes
    for n in range(1234):
        log.record(f"query {n % 7}", n % 3, [f"/docs/p{n % 5}", f"/docs/p{(n + 1) % 5}"])
    log.close()
    with sqlite3.connect(log.path) as conn:
        assert conn.execute("SELECT count(*) FROM searches").fetchone() == (1234,)
        assert conn.execute("SELECT count(*) FROM top_hits").fetchone() == (2468,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    log.record("after close", 1)  # ignored, not an error
    log.close()


def test_the_writer_thread_flushes_without_being_asked(tmp_path: Path) -> None:
    log = make_log(tmp_path, flush_seconds=0.05)
    log.record("MFA", 0)
    for _ in range(200):
        time.sleep(0.05)
        try:
            if rows(log.path):
                break
        except sqlite3.OperationalError:  # the writer is still creating the file
            continue
    assert rows(log.path) == [(DAY.isoformat(), "mfa", 1, 0)]
    log.close()


def test_no_reader_data_is_stored(tmp_path: Path) -> None:
    """Privacy: the schema has no column for an address, agent, cookie, session or time of day."""
    log = make_log(tmp_path)
    log.record("DPoP", 0)
    log.close()
    with sqlite3.connect(log.path) as conn:
        columns = {
            (table, col[1])
            for table in ("searches", "top_hits")
            for col in conn.execute(f"PRAGMA table_info({table})")
        }
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"searches", "top_hits"}
    assert columns == {
        ("searches", "id"),
        ("searches", "day"),
        ("searches", "query"),
        ("searches", "capitalised"),
        ("searches", "results"),
        ("top_hits", "search_id"),
        ("top_hits", "day"),
        ("top_hits", "url"),
    }


def test_retention_deletes_old_searches_and_their_hits(tmp_path: Path) -> None:
    today = [DAY - timedelta(days=40)]
    log = make_log(tmp_path, retention_days=30, clock=lambda: today[0])
    log.record("old", 1, ["/docs/old"])
    log.flush()
    today[0] = DAY
    log.record("new", 1, ["/docs/new"])
    log.close()
    assert rows(log.path) == [(DAY.isoformat(), "new", 0, 1)]
    with sqlite3.connect(log.path) as conn:
        assert conn.execute("SELECT url FROM top_hits").fetchall() == [("/docs/new",)]


def test_the_row_cap_keeps_the_newest_searches(tmp_path: Path) -> None:
    log = make_log(tmp_path, max_rows=50, flush_seconds=3600)
    for n in range(120):
        log.record(f"q{n:03}", 1, [f"/docs/{n}"])
        if n % 17 == 0:
            log.flush()
    log.close()
    with sqlite3.connect(log.path) as conn:
        kept = [r[0] for r in conn.execute("SELECT query FROM searches ORDER BY id")]
        hits = conn.execute("SELECT count(*) FROM top_hits").fetchone()[0]
    assert kept == [f"q{n:03}" for n in range(70, 120)]
    assert hits == 50


def test_two_writers_share_one_file(tmp_path: Path) -> None:
    """Two logs on one file (as two workers would be) lose nothing to each other's locks."""
    first, second = make_log(tmp_path, flush_seconds=0.01), make_log(tmp_path, flush_seconds=0.01)
    for n in range(500):
        first.record(f"a{n}", 1, ["/docs/a"])
        second.record(f"b{n}", 1, ["/docs/b"])
    first.close()
    second.close()
    with sqlite3.connect(first.path) as conn:
        assert conn.execute("SELECT count(*) FROM searches").fetchone() == (1000,)


# --- the report ---------------------------------------------------------------------------------


def test_report_counts_top_and_zero_result_queries_in_the_window(tmp_path: Path) -> None:
    today = [DAY - timedelta(days=10)]
    log = make_log(tmp_path, clock=lambda: today[0])
    log.record("Token Vault", 0)  # ten days ago: inside 30 days, outside 7
    log.flush()
    today[0] = DAY
    for query, found, top in [
        ("refresh token", 4, ["/docs/a", "/docs/b"]),
        ("Refresh  Token", 4, ["/docs/a"]),
        ("token vault", 0, []),
        ("how do i rotate keys?", 0, []),
        ("xyzzy", 0, []),
    ]:
        log.record(query, found, top)
    with log.reading() as conn:
        month = demand_report(conn, DAY, 30, lambda name: name == "refresh token")
        week = demand_report(conn, DAY, 7, lambda name: False)
        assert page_demand(conn, DAY, 30) == {"/docs/a": 2, "/docs/b": 1}
    log.close()
    assert (month.searches, month.distinct_queries, month.zero_result_searches) == (6, 4, 4)
    assert [(q.query, q.count) for q in month.top_queries][:2] == [
        ("refresh token", 2),
        ("token vault", 2),
    ]
    assert [(q.query, q.count, q.days) for q in month.zero_results] == [
        ("token vault", 2, 2),
        ("how do i rotate keys?", 1, 1),
        ("xyzzy", 1, 1),
    ]
    # Capitalised, and asked on two days: a term. A question is not; nor is "xyzzy", asked once
    # in lower case.
    assert [q.query for q in month.missing_terms] == ["token vault"]
    assert ("token vault", 1) in [(q.query, q.count) for q in week.zero_results]
    # This week it was asked once, in lower case: the capitals were typed ten days ago.
    assert week.missing_terms == []
    assert week.since == DAY - timedelta(days=6)


@pytest.mark.parametrize(
    ("query", "count", "days", "capitalised", "known", "expected"),
    [
        ("dpop", 1, 1, True, False, True),
        ("dpop", 1, 1, False, False, False),  # once, lower case: a typo as likely as a term
        ("dpop", 3, 2, False, False, True),  # asked on two days
        ("dpop", 3, 2, True, True, False),  # already a glossary term or alias
        ("how do i rotate signing keys", 5, 5, True, False, False),  # a sentence
        ('"kill switch"', 5, 5, True, False, False),  # quotes: a query, not a name
        ("1234", 5, 5, True, False, False),  # no letter
        ("トークン交換", 2, 2, True, False, True),  # CJK names count too
        ("ci/cd", 2, 2, True, False, False),
        ("o'auth proxy", 2, 2, True, False, True),
    ],
)
def test_what_looks_like_a_missing_glossary_term(
    query: str, count: int, days: int, capitalised: bool, known: bool, expected: bool
) -> None:
    found = QueryCount(query, count, days, 0, capitalised)
    assert looks_like_term(found, lambda _: known) is expected


# --- the app ------------------------------------------------------------------------------------


def test_searches_are_logged_once_each_and_keystrokes_not(demand_app: Flask) -> None:
    client = demand_app.test_client()
    assert client.get("/search?q=Kill+switch").status_code == 200  # a submitted form, no JS
    assert client.get("/api/search?q=flag").status_code == 200
    assert client.get("/search?q=kill+switch&page=2").status_code == 200  # the same search, on
    assert client.get("/api/search?q=").status_code == 200  # nothing asked
    typing = {"HX-Request": "true", "KB-Search-Deferred": "1"}
    for prefix in ("f", "fl", "fla"):
        assert client.get(f"/search?q={prefix}", headers=typing).status_code == 200
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert client.get("/search?q=kill+switch", headers=restore).status_code == 200
    assert client.post("/api/search/settled?q=Flags").status_code == 204
    assert client.post("/api/search/settled?q=").status_code == 204
    found = search_log(demand_app)
    assert found is not None
    with found.reading() as conn:
        logged_rows = conn.execute("SELECT id, query, results FROM searches ORDER BY id").fetchall()
        hits = conn.execute("SELECT search_id, url FROM top_hits").fetchall()
    assert [(q, n > 0) for _, q, n in logged_rows] == [
        ("kill switch", True),
        ("flag", True),
        ("flags", True),
    ]
    first_id = logged_rows[0][0]
    first_hits = [url for search_id, url in hits if search_id == first_id]
    assert 1 <= len(first_hits) <= 5 and all(url.startswith("/docs") for url in first_hits)
    found.close()


def test_state_folder_defaults_beside_the_index_never_inside(tmp_path: Path) -> None:
    settings = load_settings(None, {"index_dir": tmp_path / "ix"})
    assert state_folder(settings) == tmp_path / "ix-state"
    chosen = load_settings(None, {"index_dir": tmp_path / "ix", "state_dir": tmp_path / "s"})
    assert state_folder(chosen) == tmp_path / "s"
    with pytest.raises(ValueError, match="search_log"):
        load_settings(None, {"search_log": "maybe"})
    assert load_settings(None, {}, {"KB_SEARCH_LOG": "off"}).search_log is False


def test_the_off_switch_logs_nothing_and_says_so(example_index: Path, tmp_path: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(example_index),
            "SETTINGS": {"state_dir": str(tmp_path / "state"), "search_log": False},
        }
    )
    client = app.test_client()
    assert search_log(app) is None
    assert client.get("/search?q=flag").status_code == 200
    assert client.post("/api/search/settled?q=flag").status_code == 204
    assert client.get("/api/reports/searches").get_json() == {"enabled": False, "days": 30}
    assert "Search logging is off" in client.get("/reports/searches").get_data(as_text=True)
    stale = client.get("/api/reports/stale").get_json()
    assert {row["demand"] for row in stale["pages"]} == {None}
    assert "Searches that found nothing" not in client.get("/").get_data(as_text=True)
    assert client.get("/api/reports").get_json()["top_zero_results"] is None
    assert not (tmp_path / "state").exists()


def test_report_and_its_json_twin(demand_app: Flask) -> None:
    client = demand_app.test_client()
    for query in ("DPoP", "dpop", "kill switch", "Kill Switch", "zzqxv wqpfj", "flag"):
        client.get("/api/search", query_string={"q": query})
    data = client.get("/api/reports/searches?days=7").get_json()
    assert data["enabled"] is True and data["days"] == 7
    assert data["searches"] == 6 and data["distinct_queries"] == 4
    assert data["zero_results"] == [
        {"query": "dpop", "count": 2, "days": 1, "results": 0},
        {"query": "zzqxv wqpfj", "count": 1, "days": 1, "results": 0},
    ]
    assert [q["query"] for q in data["missing_terms"]] == ["dpop"]
    assert data["top_queries"][0]["query"] in {"dpop", "kill switch"}
    page = client.get("/reports/searches?days=7")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "zzqxv wqpfj" in html and "Missing glossary" in html
    fragment = client.get("/reports/searches?days=7", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers.get("Vary", "")
    for where in ("/", "/reports"):
        assert "dpop" in client.get(where).get_data(as_text=True), where
    headline = client.get("/api/reports").get_json()
    assert [q["query"] for q in headline["top_zero_results"]] == ["dpop", "zzqxv wqpfj"]
    assert headline["reports"]["searches"] == "/api/reports/searches"


@pytest.mark.parametrize("days", ["0", "-3", "abc", "1.5", "²", "9" * 400])
def test_bad_days_are_a_clear_400(demand_app: Flask, days: str) -> None:
    client = demand_app.test_client()
    api = client.get("/api/reports/searches", query_string={"days": days})
    if days == "9" * 400:  # a huge number is the largest window, not an error
        assert api.status_code == 200 and api.get_json()["days"] == 3650
        return
    assert api.status_code == 400 and "days must be a whole number" in api.get_json()["error"]
    assert client.get("/reports/searches", query_string={"days": days}).status_code == 400
    assert client.get("/api/reports/stale", query_string={"days": days}).status_code == 400


def test_stale_report_sorts_by_demand(demand_app: Flask) -> None:
    client: FlaskClient = demand_app.test_client()
    for _ in range(3):
        client.get("/api/search?q=kill+switch&limit=5")
    hits = client.get("/api/search?q=kill+switch&limit=5").get_json()["results"]
    top = [h["url"] for h in hits if h["kind"] == "page"]
    found = search_log(demand_app)
    assert found is not None
    found.flush()
    data = client.get("/api/reports/stale?sort=demand&order=desc").get_json()
    demand = {row["url"]: row["demand"] for row in data["pages"]}
    assert demand[top[0]] == 4
    assert [row["demand"] for row in data["pages"]] == sorted(demand.values(), reverse=True)
    assert sum(demand.values()) == 4 * len(top)
    csv = client.get("/reports/stale.csv?sort=demand&order=desc").get_data(as_text=True)
    assert csv_rows(csv)[0]["demand"] == "4"
    html = client.get("/reports/stale?sort=demand&order=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in html and ">Demand<" in html


@pytest.mark.parametrize(
    "query",
    ["", "\x00", "a" * 100_000, '"unclosed', "NOT", "((((", "<script>x</script>", "²", "%ff"],
)
def test_hostile_settled_queries_never_fail(demand_app: Flask, query: str) -> None:
    client = demand_app.test_client()
    response = client.post("/api/search/settled", query_string={"q": query, "status": "bogus"})
    assert response.status_code == 204 and response.data == b""
    assert client.get("/api/search/settled", query_string={"q": query}).status_code == 405
    found = search_log(demand_app)
    assert found is not None
    with found.reading() as conn:
        stored = [q for (q,) in conn.execute("SELECT query FROM searches")]
    assert all(q.isprintable() and len(q) <= 200 for q in stored)


def test_kb_stale_reads_demand_from_the_log(example_index: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kb.cli import main

    state = tmp_path / "state"
    log = SearchLog(state / LOG_FILE, retention_days=90, max_rows=100)
    for _ in range(3):
        log.record("kill switch", 2, ["/docs/flags/kill-switches"])
    log.record("flags", 9, ["/docs/flags/overview", "/docs/flags/kill-switches"])
    log.close()
    runner = CliRunner()
    args = ["stale", "--index-dir", str(example_index), "--format", "csv", "--sort", "demand"]
    found = runner.invoke(main, [*args, "--state-dir", str(state)])
    assert found.exit_code == 0, found.output
    first, second, third = csv_rows(found.output)[:3]
    assert (first["url"], first["demand"]) == ("/docs/flags/kill-switches", "4")
    assert (second["url"], second["demand"]) == ("/docs/flags/overview", "1")
    assert third["demand"] == "0"
    # No log in the state folder: the column is empty, nothing fails.
    empty = runner.invoke(main, [*args, "--state-dir", str(tmp_path / "none")])
    assert empty.exit_code == 0 and {r["demand"] for r in csv_rows(empty.output)} == {""}
    bad = runner.invoke(main, [*args, "--days", "0"])
    assert bad.exit_code == 2
