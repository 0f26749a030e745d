"""Profile a full `kb index` build in one process, to see where its CPU time goes.

The parse pool and Whoosh's writer sub-processes are turned off (one CPU is reported), so one
cProfile sees every phase: read, frontmatter, MDX, render, Pygments, sanitize, analysis, Whoosh,
SQLite and the derived steps. The profile is written to bench/out/ for pstats or snakeviz.

Usage: .venv/bin/python bench/build_profile.py [--corpus PATH] [--top N] [--out FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "auth0-docs"
sys.path.insert(0, str(REPO))

from kb.build.indexer import build_index  # noqa: E402
from kb.config import load_settings  # noqa: E402


def main() -> int:
    """Build the corpus once under cProfile and print the costliest functions."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "build.prof")
    options = parser.parse_args()
    # One CPU: the pool and Whoosh's writer stay in this process, where the profiler is.
    multiprocessing.cpu_count = lambda: 1
    work = Path(tempfile.mkdtemp(prefix="kb-profile-"))
    try:
        settings = load_settings(options.corpus.resolve(), {"index_dir": work / "index"})
        profiler = cProfile.Profile()
        started, cpu = time.perf_counter(), time.process_time()
        profiler.enable()
        summary = build_index(settings, full=True)
        profiler.disable()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        shutil.rmtree(work, ignore_errors=True)
    options.out.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(options.out)
    print(f"{summary.pages} pages, {wall:.1f} s wall, {cpu:.1f} s CPU (profiled); {options.out}")
    stats = pstats.Stats(str(options.out))
    stats.sort_stats("tottime").print_stats(options.top)
    stats.sort_stats("cumulative").print_stats(options.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
