"""What search logging costs under the load benchmark, and whether any logged search is lost.

Runs bench/load.py's request mix (wrk, `kb serve` with 2 workers on the real corpus) with the
search log on and off, alternating which goes first each round, on a fresh server and a fresh
state folder each time. Per run: throughput (req/s); after the server is stopped normally
(SIGTERM), the rows in the log are compared with the searches the server answered, counted from
gunicorn's access log (every 200 answer of /search or /api/search with a non-blank query; the
mix sends no KB-Search-Deferred header, so each of them must be logged).

Usage (after `.venv/bin/python bench/load.py prepare`):
  .venv/bin/python bench/demand_load.py --rounds 3 --seconds 20 --connections 4
Results go to bench/out/load/demand.json and are printed as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import load  # noqa: E402

from kb.demand.log import LOG_FILE, normalize_query  # noqa: E402

STATE = load.OUT / "demand-state"
RESULTS = load.OUT / "demand.json"
_ACCESS = re.compile(r'"GET (/(?:api/)?search\?[^ "]*) HTTP/[\d.]+" (\d{3}) ')


def searches_answered(log_file: Path) -> int:
    """Count the searches a server answered with 200 that the log must keep (page 1, a query)."""
    count = 0
    for match in _ACCESS.finditer(log_file.read_text(encoding="utf-8", errors="replace")):
        if match[2] != "200":
            continue
        params = parse_qs(urlsplit(match[1]).query, keep_blank_values=True)
        query = unquote_plus(params.get("q", [""])[0]) if "q" in params else ""
        if normalize_query(query) and params.get("page", ["1"])[0] in ("", "1"):
            count += 1
    return count


def logged_rows(state: Path) -> int:
    """Count the searches in a state folder's log."""
    path = state / LOG_FILE
    if not path.exists():
        return 0
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM searches").fetchone()[0])
    finally:
        conn.close()


def one_run(mix: Path, logging_on: bool, label: str, args: argparse.Namespace) -> dict[str, Any]:
    """Start a fresh server with logging on or off, warm it, drive the mix, stop it, count."""
    state = STATE / label
    shutil.rmtree(state, ignore_errors=True)
    os.environ["KB_STATE_DIR"] = str(state)
    os.environ["KB_SEARCH_LOG"] = "true" if logging_on else "false"
    log_name = f"server-{label}.log"
    with load.server(load.INDEX, 2, log_name) as (base, master):
        load.drive(base, mix, args.connections, 5, f"{label}-warm", master)
        run = load.summarize(load.drive(base, mix, args.connections, args.seconds, label, master))
    answered = searches_answered(load.OUT / log_name)
    rows = logged_rows(state)
    return {
        "label": label,
        "logging": logging_on,
        "rps": run["rps"],
        "p50_ms": run["latency_ms"]["all"].get("p50"),
        "http_errors": run["http_errors"],
        "socket_errors": run["socket_errors"],
        "searches_answered": answered,
        "rows": rows,
        "lost": answered - rows if logging_on else None,
        "load_avg_1min": run["load_avg_1min"],
        "tracebacks": load.tracebacks(log_name),
    }


def main() -> None:
    """Alternate logging on and off over some rounds and report the throughput cost and losses."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--mixes", default="mix,mix-search", help="mix files under bench/out/load")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, load.interrupt)
    runs: list[dict[str, Any]] = []
    print(f"1-minute load average {os.getloadavg()[0]:.2f} at the start", flush=True)
    for mix_name in args.mixes.split(","):
        mix = load.OUT / f"{mix_name}.tsv"
        for round_no in range(args.rounds):
            order = (True, False) if round_no % 2 == 0 else (False, True)
            for on in order:
                label = f"{mix_name}-r{round_no}-{'on' if on else 'off'}"
                result = one_run(mix, on, label, args)
                result["mix"] = mix_name
                runs.append(result)
                print(json.dumps(result), flush=True)
    summary = {}
    for mix_name in args.mixes.split(","):
        on = [r["rps"] for r in runs if r["mix"] == mix_name and r["logging"]]
        off = [r["rps"] for r in runs if r["mix"] == mix_name and not r["logging"]]
        lost = sum(r["lost"] for r in runs if r["mix"] == mix_name and r["logging"])
        logged = sum(r["rows"] for r in runs if r["mix"] == mix_name and r["logging"])
        cost = 1 - statistics.median(on) / statistics.median(off)
        summary[mix_name] = {
            "on_rps": on,
            "off_rps": off,
            "median_on": statistics.median(on),
            "median_off": statistics.median(off),
            "cost_percent": round(100 * cost, 1),
            "rows_logged": logged,
            "rows_lost": lost,
        }
    RESULTS.write_text(json.dumps({"runs": runs, "summary": summary}, indent=1), "utf-8")
    print(
        "\n| mix | logging off req/s (runs) | logging on req/s (runs) | cost | rows logged | lost |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for name, s in summary.items():
        print(
            f"| {name} | {s['median_off']} ({', '.join(map(str, s['off_rps']))}) | "
            f"{s['median_on']} ({', '.join(map(str, s['on_rps']))}) | {s['cost_percent']} % | "
            f"{s['rows_logged']} | {s['rows_lost']} |"
        )
    print(f"1-minute load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
