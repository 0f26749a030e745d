"""Benchmark kb's full and incremental index builds against a plain Whoosh build of the same text.

Usage: .venv/bin/python bench/index_build.py [--corpus PATH] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
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


def children_cpu() -> float:
    """Return the user+sys CPU seconds of every waited-for child process (and theirs) so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    """Return the user+sys CPU seconds of this process and its waited-for children so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + children_cpu()


def run_kb(args: list[str]) -> tuple[float, float, dict[str, object], int]:
    """Run `kb` in a child process; return wall seconds, CPU seconds of its process tree, its
    JSON summary and peak child RSS (KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cpu_before = children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kb.cli", *args, "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    cpu = children_cpu() - cpu_before
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return seconds, cpu, json.loads(done.stdout), peak


def plain_build(corpus: Path, index_dir: Path) -> tuple[float, float, int]:
    """Read and index the corpus with plain Whoosh; return wall seconds, CPU seconds (this
    process and any children) and index bytes."""
    cpu_before = own_cpu()
    started = time.perf_counter()
    pages = read_plain_pages(corpus)
    build_plain_index(pages, index_dir)
    seconds = time.perf_counter() - started
    return seconds, own_cpu() - cpu_before, folder_bytes(index_dir)


def load_average() -> str:
    """Return the 1, 5 and 15 minute load averages, to judge how noisy wall times are."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


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
    plain_cpus: list[float] = []
    kb_cpus: list[float] = []
    pages = 0
    kb_bytes = plain_bytes = 0
    for run in range(options.runs):
        plain_seconds, plain_cpu, plain_bytes = plain_build(site, work / f"plain-{run}")
        plain_times.append(plain_seconds)
        plain_cpus.append(plain_cpu)
        index_dir = work / f"kb-{run}"
        seconds, cpu, summary, peak = run_kb(
            ["index", str(site), "--index-dir", str(index_dir), "--full"]
        )
        kb_times.append(seconds)
        kb_cpus.append(cpu)
        peaks.append(peak)
        pages = int(summary["pages"])  # type: ignore[call-overload]
        kb_bytes = folder_bytes(index_dir)
    index_dir = work / "kb-0"
    touched = next((site / "docs").rglob("*.mdx"))
    incremental = []
    for run in range(options.runs):
        touched.write_text(touched.read_text("utf-8") + f"\nEdited paragraph {run}.\n", "utf-8")
        seconds, _, summary, _ = run_kb(["index", str(site), "--index-dir", str(index_dir)])
        assert summary["indexed"] == 1, summary
        incremental.append(seconds)
    kb_median = statistics.median(kb_times)
    plain_median = statistics.median(plain_times)
    kb_cpu = statistics.median(kb_cpus)
    plain_cpu = statistics.median(plain_cpus)
    rows = [
        ("pages", f"{pages}"),
        ("kb full build, wall seconds (median of runs, CLI process)", f"{kb_median:.1f}"),
        ("kb pages/s", f"{pages / kb_median:.0f}"),
        ("kb index folder size (one generation)", f"{kb_bytes / 1e6:.1f} MB"),
        ("kb peak RSS of one process", f"{max(peaks) / 1024:.0f} MiB"),
        ("plain Whoosh build (read + title/body index), seconds", f"{plain_median:.1f}"),
        ("plain Whoosh index size", f"{plain_bytes / 1e6:.1f} MB"),
        ("ratio kb / plain", f"{kb_median / plain_median:.2f}x"),
        ("kb full build, CPU seconds of the process tree (user+sys, median)", f"{kb_cpu:.1f}"),
        ("plain Whoosh build, CPU seconds (user+sys, median)", f"{plain_cpu:.1f}"),
        ("CPU ratio kb / plain", f"{kb_cpu / plain_cpu:.2f}x"),
        ("load average at the end (1, 5, 15 min)", load_average()),
        (
            "incremental after touching one page, wall seconds (median)",
            f"{statistics.median(incremental):.2f}",
        ),
    ]
    table = "| measure | value |\n| --- | --- |\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    print(table)
    print(
        f"\nruns: kb {[round(t, 1) for t in kb_times]} (CPU {[round(t, 1) for t in kb_cpus]}), "
        f"plain {[round(t, 1) for t in plain_times]} (CPU {[round(t, 1) for t in plain_cpus]}), "
        f"incremental {[round(t, 2) for t in incremental]}"
    )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
