"""Time every report route (HTML, htmx fragment, JSON, CSV) over an index: p50/p95 per route.

    .venv/bin/python bench/report_latency.py --index-dir /tmp/ix-rep-corpus
    .venv/bin/python bench/report_latency.py --url http://127.0.0.1:5000   # a running `kb serve`

Without --url the app runs in this process behind the Flask test client, so the figures are
the app's own time (routing, report maths, templates) without network or server overhead.
The first request of a generation reads its page facts once; it is reported apart as "cold".
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

AS_OF = "2026-11-26"
GOAL_MS = 300.0
ROUTES: list[tuple[str, str, dict[str, str]]] = [
    ("home", "/", {}),
    ("reports index", f"/reports?as_of={AS_OF}", {}),
    ("reports index JSON", f"/api/reports?as_of={AS_OF}", {}),
    ("stale HTML", f"/reports/stale?as_of={AS_OF}", {}),
    ("stale HTML, never charted", f"/reports/stale?as_of={AS_OF}&never=show", {}),
    ("stale htmx fragment", f"/reports/stale?as_of={AS_OF}&status=stale", {"HX-Request": "true"}),
    ("stale HTML sorted by age", f"/reports/stale?as_of={AS_OF}&sort=age&order=desc&page=5", {}),
    # A new date every request: nothing judged earlier can be reused.
    ("stale HTML, new date each time", "/reports/stale?as_of=%2B{n}", {}),
    ("stale JSON", f"/api/reports/stale?as_of={AS_OF}", {}),
    ("stale CSV", f"/reports/stale.csv?as_of={AS_OF}", {}),
    ("terms HTML", "/reports/terms", {}),
    ("terms JSON", "/api/reports/terms", {}),
    ("links HTML", "/reports/links", {}),
    ("links JSON", "/api/reports/links", {}),
]
Fetch = Callable[[str, dict[str, str]], tuple[int, int]]


def _test_client_fetch(index_dir: Path) -> Fetch:
    """Return a fetch function that asks the app in this process through the Flask test client."""
    from kb.web import create_app

    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()

    def fetch(path: str, headers: dict[str, str]) -> tuple[int, int]:
        """Request a path; return the status and the body size."""
        response = client.get(path, headers=headers)
        return response.status_code, len(response.data)

    return fetch


def _http_fetch(base_url: str) -> Fetch:
    """Return a fetch function that asks a running server over HTTP."""

    def fetch(path: str, headers: dict[str, str]) -> tuple[int, int]:
        """Request a path; return the status and the body size."""
        request = urllib.request.Request(base_url.rstrip("/") + path, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, len(response.read())

    return fetch


def _percentile(samples: list[float], share: float) -> float:
    """Return the nearest-rank percentile of the samples."""
    ordered = sorted(samples)
    rank = max(1, round(share * len(ordered) + 0.5)) - 1
    return ordered[min(rank, len(ordered) - 1)]


def measure(fetch: Fetch, requests: int) -> list[dict[str, object]]:
    """Time each route `requests` times after one cold request; return one result per route."""
    results = []
    for name, path, headers in ROUTES:
        started = time.perf_counter()
        status, size = fetch(path.format(n=0), headers)
        cold = (time.perf_counter() - started) * 1000
        if status != 200:
            raise SystemExit(f"{name}: {path} answered {status}")
        samples = []
        for n in range(1, requests + 1):
            started = time.perf_counter()
            fetch(path.format(n=n), headers)
            samples.append((time.perf_counter() - started) * 1000)
        results.append(
            {
                "route": name,
                "path": path,
                "bytes": size,
                "cold_ms": round(cold, 1),
                "p50_ms": round(statistics.median(samples), 1),
                "p95_ms": round(_percentile(samples, 0.95), 1),
                "max_ms": round(max(samples), 1),
                "requests": requests,
            }
        )
    return results


def as_markdown(results: list[dict[str, object]]) -> str:
    """Render the results as a Markdown table with a verdict per route."""
    lines = [
        "| route | bytes | cold ms | p50 ms | p95 ms | max ms | < 300 ms p95 |",
        "|---|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in results:
        ok = "yes" if float(str(r["p95_ms"])) < GOAL_MS else "**no**"
        lines.append(
            f"| {r['route']} (`{r['path']}`) | {r['bytes']} | {r['cold_ms']} | {r['p50_ms']} "
            f"| {r['p95_ms']} | {r['max_ms']} | {ok} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the measurements, print a table (or JSON); exit 1 if a p95 misses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, default=Path("/tmp/ix-rep-corpus"))
    parser.add_argument("--url", help="base URL of a running kb server instead of the test client")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per route (≥ 30)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    args = parser.parse_args(argv)
    fetch = _http_fetch(args.url) if args.url else _test_client_fetch(args.index_dir)
    results = measure(fetch, max(30, args.requests))
    print(json.dumps(results, indent=2) if args.json else as_markdown(results))
    return 0 if all(float(str(r["p95_ms"])) < GOAL_MS for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
