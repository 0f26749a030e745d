"""What search logging costs under the load benchmark, and whether any logged search is lost.

Runs bench/load.py's request mix (wrk, `kb serve` with 2 workers on the real corpus) on two
servers started side by side, the search log on in one and off in the other (fresh state
folders), driven in alternating slices (on/off, then off/on …) so that the machine's other load
falls on both alike. Per slice: throughput (req/s). After both servers are stopped normally
(SIGTERM), the rows in the log are compared with the searches the server answered, counted from
gunicorn's access log (every 200 answer of /search or /api/search with a non-blank query; the
mix sends no KB-Search-Deferred header, so each of them must be logged).

Usage (after `.venv/bin/python bench/load.py prepare`):
  .venv/bin/python bench/demand_load.py --rounds 8 --seconds 10 --connections 4
Results go to bench/out/load/demand.json and are printed as Markdown.
"""

from __future__ import annotations

import argparse
import contextlib
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


def start_server(stack: contextlib.ExitStack, logging_on: bool, label: str) -> tuple[str, int]:
    """Start `kb serve` (2 workers) with logging on or off and a fresh state folder."""
    state = STATE / label
    shutil.rmtree(state, ignore_errors=True)
    os.environ["KB_STATE_DIR"] = str(state)
    os.environ["KB_SEARCH_LOG"] = "true" if logging_on else "false"
    return stack.enter_context(load.server(load.INDEX, 2, f"server-{label}.log"))


def run_mix(mix_name: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Run one mix on two servers side by side, logging on and off, in alternating slices.

    Both servers run for the whole measurement and take turns, so a change in the machine's
    other load falls on both alike; the on server's log is then compared with its access log.
    """
    mix = load.OUT / f"{mix_name}.tsv"
    runs: list[dict[str, Any]] = []
    on_label, off_label = f"{mix_name}-on", f"{mix_name}-off"
    with contextlib.ExitStack() as stack:
        servers = {
            True: start_server(stack, True, on_label),
            False: start_server(stack, False, off_label),
        }
        for on, (base, master) in servers.items():
            load.drive(base, mix, args.connections, 5, f"{mix_name}-{on}-warm", master)
        for slice_no in range(args.rounds):
            for on in (True, False) if slice_no % 2 == 0 else (False, True):
                base, master = servers[on]
                label = f"{mix_name}-s{slice_no}-{'on' if on else 'off'}"
                run = load.summarize(
                    load.drive(base, mix, args.connections, args.seconds, label, master)
                )
                result = {
                    "mix": mix_name,
                    "label": label,
                    "logging": on,
                    "rps": run["rps"],
                    "p50_ms": run["latency_ms"]["all"].get("p50"),
                    "http_errors": run["http_errors"],
                    "socket_errors": run["socket_errors"],
                    "load_avg_1min": run["load_avg_1min"],
                }
                runs.append(result)
                print(json.dumps(result), flush=True)
    answered = searches_answered(load.OUT / f"server-{on_label}.log")
    rows = logged_rows(STATE / on_label)
    counts = {
        "mix": mix_name,
        "searches_answered": answered,
        "rows": rows,
        "lost": answered - rows,
        "tracebacks": load.tracebacks(f"server-{on_label}.log")
        + load.tracebacks(f"server-{off_label}.log"),
        "rows_with_logging_off": logged_rows(STATE / off_label),
    }
    print(json.dumps(counts), flush=True)
    runs.append(counts)
    return runs


def main() -> None:
    """Alternate logging on and off over some rounds and report the throughput cost and losses."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=8, help="slices per server and mix")
    parser.add_argument("--seconds", type=float, default=10, help="length of one slice")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--mixes", default="mix,mix-search", help="mix files under bench/out/load")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, load.interrupt)
    runs: list[dict[str, Any]] = []
    print(f"1-minute load average {os.getloadavg()[0]:.2f} at the start", flush=True)
    for mix_name in args.mixes.split(","):
        runs += run_mix(mix_name, args)
    summary = {}
    for mix_name in args.mixes.split(","):
        slices = [r for r in runs if r["mix"] == mix_name and "logging" in r]
        on = [r["rps"] for r in slices if r["logging"]]
        off = [r["rps"] for r in slices if not r["logging"]]
        counted = next(r for r in runs if r["mix"] == mix_name and "lost" in r)
        lost, logged = counted["lost"], counted["rows"]
        cost = 1 - statistics.median(on) / statistics.median(off)
        summary[mix_name] = {
            "on_rps": on,
            "off_rps": off,
            "median_on": round(statistics.median(on), 1),
            "median_off": round(statistics.median(off), 1),
            "cost_percent": round(100 * cost, 1),
            # Each slice against its neighbour of the same round: drifts in other load cancel.
            "paired_cost_percent": round(
                100 * statistics.median(1 - a / b for a, b in zip(on, off, strict=True) if b), 1
            ),
            "rows_logged": logged,
            "rows_lost": lost,
        }
    RESULTS.write_text(json.dumps({"runs": runs, "summary": summary}, indent=1), "utf-8")
    print(
        "\n| mix | logging off req/s (slices) | logging on req/s (slices) | cost of medians "
        "| paired cost | rows logged | lost |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, s in summary.items():
        print(
            f"| {name} | {s['median_off']} ({', '.join(map(str, s['off_rps']))}) | "
            f"{s['median_on']} ({', '.join(map(str, s['on_rps']))}) | {s['cost_percent']} % | "
            f"{s['paired_cost_percent']} % | "
            f"{s['rows_logged']} | {s['rows_lost']} |"
        )
    print(f"1-minute load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
