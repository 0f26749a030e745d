"""How kb's cost grows with the corpus, and issue 11's "Done when" figures, at N× the corpus.

For each factor, on a synthetic site of N corpora (bench/synth_corpus.py), these phases run, each
in child processes (bench/scale_build.py, scale_search.py, loopback.py):

  build        a full `kb index`: wall and CPU (wait4), peak RSS of the largest process and of
               the tree (sampled every 0.5 s), index sizes
  plain        a plain Whoosh build of the same pages (bench/baseline.py): wall, CPU, and
               kb's full build over it (the issue's target: ≤ 1.5)
  search       the query mix (bench/search_latency.py's, drawn once from the first index) in a
               fresh process calling search(): open time, cold and warm latencies, its RSS
  http         the same mix over loopback to `kb serve` (gunicorn, --http-workers workers), one
               keep-alive connection: cold and warm p50/p95/p99/max, failures, slowest queries,
               each worker's RSS/PSS after the warm pass
  incremental  edit one page (new inode, never into a hard-linked file), `kb index`; revert, again

The 1-minute load average before and after each phase and the kb commit are kept with the
figures. Results merge into <out>/results.json (a phase already measured for a factor is kept
unless --redo) and a Markdown table is printed.

Usage:
  .venv/bin/python bench/scale.py --factors 1 10 30 [--out bench/out/scale]
  .venv/bin/python bench/scale.py --factors 10 --phases http --out /tmp/x \\
      --index-dir /work/bench11/scale/index-x10 --mix /work/bench11/scale/mix-600-3.json
  .venv/bin/python bench/scale.py --factors 1 10 30 --clean   # delete sites and indexes after
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from loopback import flatten, loopback
from procstat import folder_bytes, load_average
from scale_build import timed_build, timed_incremental, timed_plain
from scale_search import timed_search
from scale_table import report
from search_latency import build_mix
from synth_corpus import DEFAULT_CORPUS, build_site

from kb.index.generation import Generation
from kb.index.generations import current_generation

REPO = Path(__file__).resolve().parent.parent
PHASES = ("build", "plain", "search", "http", "incremental")
# The figure whose presence says a phase was measured for a factor.
DONE_KEY = {
    "build": "build_s",
    "plain": "plain_s",
    "search": "warm_p95_ms",
    "http": "http_warm_p95_ms",
    "incremental": "incr_edit_s",
}
READ_ONLY_PHASES = {"search", "http"}


def kb_version() -> str:
    """Name the checked-out commit, marked "+dirty" when kb/ has uncommitted changes."""

    def git(*args: str) -> str:
        """Run a read-only git command in the repository."""
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout

    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "kb").strip() else "")


def site_for(factor: int, args: argparse.Namespace, row: dict[str, Any]) -> Path:
    """Generate (or reuse) the factor's site; record how long generating took and its size."""
    site = args.out / f"site-x{factor}"
    print(f"{factor}×: site {site}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    build_site(args.corpus, factor, site, args.seed, args.out / "cache")
    row.setdefault("synth_s", round(time.perf_counter() - started, 1))
    row["source_mb"] = round(folder_bytes(site / "docs") / 1e6, 1)
    return site


def mix_for(args: argparse.Namespace, index_dir: Path) -> list[tuple[str, str]]:
    """Return the query mix, drawing it from this index when its file does not exist yet."""
    if not args.mix.exists():
        mix = build_mix(Generation(current_generation(index_dir)), args.queries, args.query_seed)
        args.mix.write_text(json.dumps(mix))
    return [(kind, text) for kind, text in json.loads(args.mix.read_text())]


def run_phase(phase: str, factor: int, args: argparse.Namespace, row: dict[str, Any]) -> None:
    """Run one phase for one factor, adding its figures to the row."""
    index_dir = args.index_dir or args.out / f"index-x{factor}"
    if phase == "build":
        site = site_for(factor, args, row)
        row.update(timed_build(site, index_dir, args.out / f"build-x{factor}.log"))
    elif phase == "plain":
        site = site_for(factor, args, row)
        plain = args.out / f"plain-x{factor}"
        row.update(timed_plain(site, plain, args.out / f"plain-x{factor}.log"))
    elif phase == "search":
        mix_for(args, index_dir)
        row.update(timed_search(index_dir, args.mix))
    elif phase == "http":
        mix = mix_for(args, index_dir)
        work = args.out / f"http-x{factor}"
        row.update(flatten(loopback(index_dir, mix, args.http_workers, work)))
    elif phase == "incremental":
        site = site_for(factor, args, row)
        logs = args.out / f"incremental-x{factor}"
        logs.mkdir(parents=True, exist_ok=True)
        row.update(timed_incremental(site, index_dir, logs))


def measure(
    factor: int, args: argparse.Namespace, row: dict[str, Any], save: Callable[[], None]
) -> None:
    """Run the asked phases for one factor (those measured before only with --redo), saving the
    figures after each."""
    for phase in args.phases:
        if DONE_KEY[phase] in row and not args.redo:
            print(f"{factor}×: {phase} measured before, kept", file=sys.stderr)
            continue
        print(f"{factor}×: {phase} (load {load_average()})", file=sys.stderr, flush=True)
        before, version = load_average(), kb_version()
        run_phase(phase, factor, args, row)
        row[f"load_{phase}"] = f"{before} → {load_average()}"
        row[f"kb_version_{phase}"] = version
        if "build_s" in row and "plain_s" in row:
            row["build_ratio"] = round(row["build_s"] / row["plain_s"], 2)
            row["build_cpu_ratio"] = round(row["build_cpu_s"] / row["plain_cpu_s"], 2)
        save()


def parse_args() -> argparse.Namespace:
    """Read and check the command line."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--phases", default=",".join(PHASES), help="comma-separated, in order")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "scale")
    parser.add_argument("--index-dir", type=Path, help="an existing index (one factor; read only)")
    parser.add_argument("--mix", type=Path, help="query mix file (default: in --out, drawn once)")
    parser.add_argument("--http-workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic text")
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--query-seed", type=int, default=3)
    parser.add_argument("--redo", action="store_true", help="measure phases already measured")
    parser.add_argument("--clean", action="store_true", help="delete sites and indexes at the end")
    args = parser.parse_args()
    args.phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = sorted(set(args.phases) - set(PHASES))
    if unknown:
        parser.error(f"unknown phases {unknown}; choose from {', '.join(PHASES)}")
    if args.index_dir is not None:
        if len(args.factors) != 1 or not set(args.phases) <= READ_ONLY_PHASES:
            parser.error("--index-dir takes one factor and only the search and http phases")
        if args.clean:
            parser.error("--clean would not touch --index-dir; leave it out")
    args.mix = args.mix or args.out / f"mix-{args.queries}-{args.query_seed}.json"
    return args


def main() -> int:
    """Measure each factor's phases, save the figures after each, print the table."""
    args = parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    saved = args.out / "results.json"
    results: dict[str, dict[str, Any]] = json.loads(saved.read_text()) if saved.exists() else {}

    def save() -> None:
        """Write every figure so far."""
        saved.write_text(json.dumps(results, indent=2))

    for factor in sorted(args.factors):
        measure(factor, args, results.setdefault(str(factor), {}), save)
    print(f"{os.cpu_count()} CPUs, shared with other work; seed {args.seed}\n")
    print(report({k: v for k, v in results.items() if int(k) in args.factors}))
    if args.clean:
        for factor in args.factors:
            for name in ("site", "index", "http", "incremental"):
                shutil.rmtree(args.out / f"{name}-x{factor}", ignore_errors=True)
        shutil.rmtree(args.out / "cache", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
