"""The CPU a logged search costs, measured in-process so other jobs on the machine matter less.

Three figures on the load benchmark's index and search mix (bench/out/load, made by
`bench/load.py prepare`):
  record    wall time of SearchLog.record(), the only part a request waits for (µs per call)
  write     CPU of the writer per row: batches of BATCH rows inserted and pruned (µs per row)
  requests  process CPU (every thread, the writer's included) per search request of the mix
            through the real app, logging on vs off, in alternating blocks; the difference is
            what logging costs a worker, as a share of what a search costs
CPU time (time.process_time) rather than wall time: on a shared machine wall time measures the
neighbours as much as kb.

Usage:
  .venv/bin/python bench/demand_log_cost.py --blocks 10 --requests 300
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import load  # noqa: E402

from kb.demand.log import LOG_FILE, SearchLog  # noqa: E402
from kb.web import create_app  # noqa: E402
from kb.web.demand import search_log  # noqa: E402

RESULTS = load.OUT / "demand-cost.json"
BATCH = 500


def record_cost(folder: Path, calls: int) -> float:
    """Return the median wall µs of record() over some calls (nothing written meanwhile)."""
    log = SearchLog(folder / LOG_FILE, retention_days=90, max_rows=1_000_000, flush_seconds=3600)
    times = []
    for n in range(calls):
        began = time.perf_counter()
        log.record(f"Refresh Token Rotation {n % 97}", n % 11, ["/docs/a", "/docs/b", "/docs/c"])
        times.append(time.perf_counter() - began)
    log.close()
    return statistics.median(times) * 1e6


def write_cost(folder: Path, batches: int) -> float:
    """Return the CPU µs per row of writing batches (insert, top hits, prune) into a log."""
    log = SearchLog(folder / LOG_FILE, retention_days=90, max_rows=1_000_000, flush_seconds=3600)
    log.record("warm", 1)
    log.flush()
    spent = 0.0
    for b in range(batches):
        for n in range(BATCH):
            log.record(f"query {b} {n % 50}", n % 7, [f"/docs/p{n % 40}", f"/docs/p{n % 13}"])
        began = time.process_time()
        log.flush()
        spent += time.process_time() - began
    log.close()
    return spent / (batches * BATCH) * 1e6


def request_cpu(app: Any, paths: list[tuple[str, bool]]) -> float:
    """Return process CPU µs per request of the paths, the log's queue written at the end."""
    client = app.test_client()
    began = time.process_time()
    for path, htmx in paths:
        client.get(path, headers={"HX-Request": "true"} if htmx else {})
    found = search_log(app)
    if found is not None:
        found.flush()
    return (time.process_time() - began) / len(paths) * 1e6


def main() -> None:
    """Measure the three figures and print them with the share logging adds to a search."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--blocks", type=int, default=10, help="alternating on/off blocks each")
    parser.add_argument("--requests", type=int, default=300, help="search requests per block")
    args = parser.parse_args()
    mix = [r for r in load.read_mix(load.OUT / "mix-search.tsv")]
    paths = [(r.path, r.htmx) for r in mix][: args.requests]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        record_us = record_cost(folder / "record", 20_000)
        write_us = write_cost(folder / "write", 20)
        apps = {
            on: create_app(
                {
                    "INDEX_DIR": str(load.INDEX),
                    "SETTINGS": {"state_dir": str(folder / "app"), "search_log": on},
                }
            )
            for on in (True, False)
        }
        for app in apps.values():  # open the generation and warm its caches
            request_cpu(app, paths)
        per: dict[bool, list[float]] = {True: [], False: []}
        for block in range(args.blocks):
            for on in (True, False) if block % 2 == 0 else (False, True):
                per[on].append(request_cpu(apps[on], paths))
        logged = search_log(apps[True])
        assert logged is not None
        with logged.reading() as conn:
            rows = conn.execute("SELECT count(*) FROM searches").fetchone()[0]
        logged.close()
    on_us, off_us = statistics.median(per[True]), statistics.median(per[False])
    result = {
        "record_us_median": round(record_us, 2),
        "write_cpu_us_per_row": round(write_us, 1),
        "search_cpu_us_off": [round(x) for x in per[False]],
        "search_cpu_us_on": [round(x) for x in per[True]],
        "median_off": round(off_us),
        "median_on": round(on_us),
        "cost_percent": round(100 * (on_us / off_us - 1), 2),
        "cost_bound_percent": round(100 * (record_us + write_us) / off_us, 2),
        "rows_logged": rows,
        "requests_sent_logging_on": len(paths) * (args.blocks + 1),
    }
    RESULTS.write_text(json.dumps(result, indent=1), "utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
