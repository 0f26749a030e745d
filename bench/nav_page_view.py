"""Time page views with the site nav (tabs, sidebar, prev/next), redirects and 404s: p50/p95/max.

    nice .venv/bin/python bench/nav_page_view.py --site ../shared/corpora/auth0-docs --index-dir /tmp/ix-nav
    nice .venv/bin/python bench/nav_page_view.py --index-dir /tmp/ix-nav --no-build   # reuse an index

The app runs in this process behind the Flask test client: the figures are the app's own time
(routing, nav look-up and marking, templates) without network or server overhead. Pages are drawn
at random (seeded), two thirds from the nav and a third outside it; each is viewed once, so the
page HTML cache (128 pages) rarely helps. The first view of each tab renders its sidebar once per
generation; the run's first request (reading the generation) is reported apart as "cold".
Goal (issue 13): page-view p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

GOAL_MS = 50.0


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 2),
        "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "max": round(ordered[-1], 2),
    }


def _time(client: object, path: str, status: tuple[int, ...]) -> float:
    start = time.perf_counter()
    response = client.get(path)  # type: ignore[attr-defined]
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code not in status:
        sys.exit(f"{path}: status {response.status_code}, expected {status}")
    return elapsed


def main() -> None:
    """Build (or reuse) an index, then time page views, redirects and 404s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("../shared/corpora/auth0-docs"))
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--no-build", action="store_true", help="reuse the index in --index-dir")
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    from kb.build.indexer import build_index
    from kb.config import load_settings
    from kb.structure.redirects import is_pattern
    from kb.web import create_app
    from kb.web.context import watcher
    from kb.web.navigation import nav_index

    if not args.no_build:
        build_index(load_settings(args.site, {"index_dir": args.index_dir}))
    app = create_app({"TESTING": True, "INDEX_DIR": str(args.index_dir)})
    client = app.test_client()
    with app.test_request_context(), watcher().using() as gen:
        places = nav_index(gen).places
        urls = sorted(gen.store.urls())
        rules = gen.meta("redirect_rules") or []
    rng = random.Random(args.seed)
    in_nav = sorted(places)
    outside = sorted(set(urls) - set(in_nav))
    chosen = rng.sample(in_nav, min(len(in_nav), args.pages * 2 // 3))
    chosen += rng.sample(outside, min(len(outside), args.pages - len(chosen)))
    rng.shuffle(chosen)
    cold = _time(client, chosen[0], (200,))
    views = [_time(client, url, (200,)) for url in chosen[1:]]
    exact = [
        r["source"] for r in rules if not is_pattern(r["source"]) and r["source"] not in set(urls)
    ]
    redirects = [_time(client, s, (301, 308)) for s in rng.sample(exact, min(200, len(exact)))]
    misses = [_time(client, url.rstrip("s") + "x-gone", (404,)) for url in rng.sample(urls, 100)]
    result = {
        "pages": len(urls),
        "nav_pages": len(in_nav),
        "redirect_rules": len(rules),
        "cold_first_view_ms": round(cold, 2),
        "page_view_ms": _stats(views),
        "redirect_ms": _stats(redirects),
        "not_found_ms": _stats(misses),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "goal_p95_ms": GOAL_MS,
        "met": _stats(views)["p95"] <= GOAL_MS,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
