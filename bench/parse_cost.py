"""What building the pages alone costs, against a plain Whoosh build of the same pages.

Issue 11 asks for a full build within 1.5× a plain Whoosh build (bench/index_build.py). This
measures the floor under kb's build: every page read, converted from MDX, rendered by
python-markdown, highlighted by Pygments and sanitized, in one process, with no search index and
no page store. The plain build (bench/baseline.py) runs in the same process, before it.

Prints CPU seconds of each, their ratio, and the ratio a perfect split over the machine's cores
would give the parse stage alone. With --profile, the share of the stages that cost most
(cProfile inflates Python code more than C, so the shares are rough).

Usage: .venv/bin/python bench/parse_cost.py [--corpus PATH] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baseline import build_plain_index, read_plain_pages

from kb.build.dialect import site_markup
from kb.build.discover import discover
from kb.build.page import BuiltPage, build_page
from kb.config import load_settings

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "auth0-docs"
STAGES = {
    "python-markdown": "markdown/core.py",
    "Pygments": "pygments/__init__.py",
    "sanitizer (nh3)": "kb/render/sanitize.py",
    "MDX scanner": "kb/mdx/scanner.py",
}


def plain_cpu(corpus: Path) -> float:
    """Return the CPU seconds of a plain Whoosh build of the corpus (read and index)."""
    started = time.process_time()
    with tempfile.TemporaryDirectory(prefix="kb-plain-") as folder:
        build_plain_index(read_plain_pages(corpus), Path(folder) / "index")
    return time.process_time() - started


def build_all(corpus: Path) -> list[BuiltPage]:
    """Build every page of the corpus in this process, as one parse worker would."""
    with tempfile.TemporaryDirectory(prefix="kb-parse-") as folder:
        settings = load_settings(corpus, {"index_dir": Path(folder) / "index"})
        found = discover(settings.site_root, settings.excludes, settings.snippet_dirs)
        markup = site_markup(settings)
        cache: dict[str, tuple[str, str] | None] = {}
        return [build_page(source, settings, cache, markup) for source in found.sources]


def stage_shares(profile: cProfile.Profile) -> dict[str, float]:
    """Return each stage's share of the profiled time (cumulative time of its entry points)."""
    stats = pstats.Stats(profile)
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    shares: dict[str, float] = {}
    for label, where in STAGES.items():
        entries = [
            value[3]
            for (file, _, name), value in stats.stats.items()  # type: ignore[attr-defined]
            if where in file and name in ("convert", "highlight", "sanitize_html", "parse")
        ]
        shares[label] = max(entries, default=0.0) / total
    return shares


def main() -> int:
    """Time the plain build, then the page builds, and print both with their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--profile", action="store_true", help="also profile the stages")
    options = parser.parse_args()
    plain = plain_cpu(options.corpus)
    started = time.process_time()
    built = build_all(options.corpus)
    parse = time.process_time() - started
    cores = os.cpu_count() or 1
    print(f"pages built: {sum(1 for b in built if b.page is not None)} of {len(built)}")
    print(f"plain Whoosh build, CPU s: {plain:.1f}")
    print(f"kb page building alone (no index, no store), CPU s: {parse:.1f}")
    print(f"ratio, CPU: {parse / plain:.2f}")
    print(f"ratio if split perfectly over {cores} cores: {parse / cores / plain:.2f}")
    if options.profile:
        profile = cProfile.Profile()
        profile.runcall(build_all, options.corpus)
        for label, share in stage_shares(profile).items():
            print(f"  {label}: {share:.0%} of the profiled page building")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
