"""Time building the pages of a MkDocs site as plain Markdown (with its extensions) and as MDX.

    .venv/bin/python bench/markdown_pages.py                        # tests/sites/mkdocs
    .venv/bin/python bench/markdown_pages.py --site SITE --rounds 50

Each page is built (read, parsed, rendered, sanitized, outlined: kb.build.page.build_page) once
untimed, so each converter is built, then --rounds times in each dialect. The figures are ms per
page build in this process: median and p95 over every build, and the slowest page's median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kb.build.dialect import SiteMarkup, site_markup  # noqa: E402
from kb.build.discover import discover  # noqa: E402
from kb.build.page import build_page  # noqa: E402
from kb.config import load_settings  # noqa: E402


def time_builds(site: Path, rounds: int, markup: SiteMarkup | None) -> dict[str, list[float]]:
    """Return each page's build times in ms (None markup: every page read as MDX)."""
    settings = load_settings(site, {"max_parse_seconds": 0})
    sources = discover(settings.site_root).sources
    times: dict[str, list[float]] = {source.rel: [] for source in sources}
    for source in sources:
        build_page(source, settings, {}, markup)
    for _ in range(rounds):
        for source in sources:
            started = time.perf_counter()
            built = build_page(source, settings, {}, markup)
            times[source.rel].append((time.perf_counter() - started) * 1000)
            assert built.page is not None, built.rejection
    return times


def summary(times: dict[str, list[float]]) -> str:
    """Return median, p95 and the slowest page's median, in ms."""
    every = sorted(t for page in times.values() for t in page)
    p95 = every[int(0.95 * (len(every) - 1))]
    slowest = max(times, key=lambda rel: statistics.median(times[rel]))
    return (
        f"median {statistics.median(every):.2f} ms, p95 {p95:.2f} ms, slowest page {slowest} "
        f"{statistics.median(times[slowest]):.2f} ms ({len(times)} pages × {len(every) // len(times)})"
    )


def main() -> None:
    """Time both dialects and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, default=REPO / "tests" / "sites" / "mkdocs")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    markup = site_markup(load_settings(args.site))
    print(f"extensions: {', '.join(markup.plan.names())}")
    print("markdown:", summary(time_builds(args.site, args.rounds, markup)))
    print("mdx:     ", summary(time_builds(args.site, args.rounds, None)))


if __name__ == "__main__":
    main()
