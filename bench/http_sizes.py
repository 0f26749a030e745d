"""Bytes on the wire per response, plain and compressed, and what compressing costs.

    .venv/bin/python bench/http_sizes.py --index-dir /tmp/ix-corpus

The app runs in this process behind the Flask test client. For each route the body is fetched
without Accept-Encoding and with each encoding kb offers; the time is the median of five
requests with the encoding minus the median without (the encoder's own cost).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROUTES = [
    ("home", "/"),
    ("search HTML", "/search?q=refresh+token"),
    ("search JSON", "/api/search?q=refresh+token"),
    ("page view", "/docs/secure/tokens/refresh-tokens"),
    ("stale HTML", "/reports/stale?as_of=2026-11-26"),
    ("stale JSON", "/api/reports/stale?as_of=2026-11-26"),
    ("stale CSV", "/reports/stale.csv?as_of=2026-11-26"),
    ("glossary JSON", "/api/glossary"),
    ("kb.css", "/static/kb.css"),
    ("htmx", "/static/vendor/htmx.min.js"),
]
ENCODINGS = ("zstd", "br", "gzip")


def timed(client, url: str, headers: dict[str, str]) -> tuple[int, float, str]:  # type: ignore[no-untyped-def]
    """Return (body bytes, median ms of five requests, Content-Encoding) of a URL."""
    times = []
    size, encoding = 0, ""
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        size, encoding = len(response.data), response.headers.get("Content-Encoding", "")
    return size, statistics.median(times), encoding


def main() -> int:
    """Print a Markdown table of sizes and encoder costs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    args = parser.parse_args()
    from kb.web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(args.index_dir)}).test_client()
    print("| route | plain | " + " | ".join(ENCODINGS) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in ENCODINGS) + " |")
    for name, url in ROUTES:
        client.get(url)  # warm caches: the first request of a generation reads its facts
        plain, plain_ms, _ = timed(client, url, {})
        cells = []
        for encoding in ENCODINGS:
            size, ms, used = timed(client, url, {"Accept-Encoding": encoding})
            shown = f"{size / 1024:.1f} KB (+{max(0.0, ms - plain_ms):.1f} ms)"
            cells.append(shown if used == encoding else f"{shown}, not encoded")
        print(f"| {name} | {plain / 1024:.1f} KB | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
