"""Benchmark kb's full and incremental index builds against a plain Whoosh build of the same text.

Usage: .venv/bin/python bench/index_build.py [--corpus PATH] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline import build_plain_index, read_plain_pages

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "auth0-docs"


def folder_bytes(folder: Path) -> int:
    """Return the total size of the files under a folder."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_kb(args: list[str]) -> tuple[float, dict[str, object], int]:
    """Run `kb` in a child process; return wall seconds, its JSON summary and peak child RSS (KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kb.cli", *args, "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return seconds, json.loads(done.stdout), peak


def plain_build(corpus: Path, index_dir: Path) -> tuple[float, int]:
    """Read and index the corpus with plain Whoosh; return seconds and index bytes."""
    started = time.perf_counter()
    pages = read_plain_pages(corpus)
    build_plain_index(pages, index_dir)
    return time.perf_counter() - started, folder_bytes(index_dir)


def main() -> int:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    site = work / "site"
    shutil.copytree(options.corpus, site)
    plain_times, kb_times, peaks = [], [], []
    pages = 0
    kb_bytes = plain_bytes = 0
    for run in range(options.runs):
        plain_seconds, plain_bytes = plain_build(site, work / f"plain-{run}")
        plain_times.append(plain_seconds)
        index_dir = work / f"kb-{run}"
        seconds, summary, peak = run_kb(
            ["index", str(site), "--index-dir", str(index_dir), "--full"]
        )
        kb_times.append(seconds)
        peaks.append(peak)
        pages = int(summary["pages"])  # type: ignore[call-overload]
        kb_bytes = folder_bytes(index_dir)
    index_dir = work / "kb-0"
    touched = next((site / "docs").rglob("*.mdx"))
    incremental = []
    for run in range(options.runs):
        touched.write_text(touched.read_text("utf-8") + f"\nEdited paragraph {run}.\n", "utf-8")
        seconds, summary, _ = run_kb(["index", str(site), "--index-dir", str(index_dir)])
        assert summary["indexed"] == 1, summary
        incremental.append(seconds)
    kb_median = statistics.median(kb_times)
    plain_median = statistics.median(plain_times)
    rows = [
        ("pages", f"{pages}"),
        ("kb full build, wall seconds (median of runs, CLI process)", f"{kb_median:.1f}"),
        ("kb pages/s", f"{pages / kb_median:.0f}"),
        ("kb index folder size (one generation)", f"{kb_bytes / 1e6:.1f} MB"),
        ("kb peak RSS of one process", f"{max(peaks) / 1024:.0f} MiB"),
        ("plain Whoosh build (read + title/body index), seconds", f"{plain_median:.1f}"),
        ("plain Whoosh index size", f"{plain_bytes / 1e6:.1f} MB"),
        ("ratio kb / plain", f"{kb_median / plain_median:.2f}x"),
        (
            "incremental after touching one page, wall seconds (median)",
            f"{statistics.median(incremental):.2f}",
        ),
    ]
    table = "| measure | value |\n| --- | --- |\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    print(table)
    print(
        f"\nruns: kb {[round(t, 1) for t in kb_times]}, plain {[round(t, 1) for t in plain_times]}, "
        f"incremental {[round(t, 2) for t in incremental]}"
    )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
