"""A search worker's memory, step by step: open the Searcher, judge the review statuses, wait
for the spelling vocabulary (what a served worker does before its first request), run the
query mix; RSS, anonymous and file-backed memory after each step, and (with --trace) the
biggest tracemalloc sites. Run it at 1x then 10x:

    .venv/bin/python bench/worker_memory.py --index-dir /tmp/ix-corpus \
        --mix /work/bench11/scale/mix-600-3.json [--trace] [--copying]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search_latency import AS_OF

from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.search import searcher as searcher_module
from kb.search.engine import search
from kb.search.searcher import searcher_for

MIB = 1 << 20


def memory() -> dict[str, float]:
    """Return this process's RSS, anonymous and file-backed resident memory (MiB), and PSS."""
    found: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            found[key] = int(value.split()[0]) / 1024
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            found["Pss"] = int(line.split()[1]) / 1024
    return found


def report(step: str, seconds: float) -> dict[str, float]:
    """Print and return the memory after one step."""
    now = memory()
    figures = "  ".join(f"{k} {v:7.1f}" for k, v in now.items())
    print(f"{step:<22} {figures}  MiB  ({seconds:.1f} s)", flush=True)
    return now


def top_sites(before: tracemalloc.Snapshot | None, count: int = 12) -> None:
    """Print the allocation sites that grew most since a snapshot (or are biggest)."""
    now = tracemalloc.take_snapshot()
    stats = now.compare_to(before, "lineno") if before else now.statistics("lineno")
    for stat in stats[:count]:
        print(f"    {stat.size / MIB:7.2f} MiB  {stat.traceback}")


def object_counts(count: int = 8) -> None:
    """Print the most numerous live object types."""
    kinds = Counter(type(o).__name__ for o in gc.get_objects())
    print("    objects:", ", ".join(f"{k} {n}" for k, n in kinds.most_common(count)))


def main() -> None:
    """Measure a worker's memory at each step of its life."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--mix", type=Path, default=Path("/work/bench11/scale/mix-600-3.json"))
    parser.add_argument("--rounds", type=int, default=2, help="times the mix is run")
    parser.add_argument("--trace", action="store_true", help="tracemalloc sites (slower)")
    parser.add_argument(
        "--copying", action="store_true", help="readers copy the segments, as before (compare)"
    )
    args = parser.parse_args()
    if args.copying:
        searcher_module.read_segments_in_place = lambda: None  # type: ignore[assignment]
    if args.trace:
        tracemalloc.start()
    steps: dict[str, dict[str, float]] = {"start": report("start", 0.0)}
    started = time.perf_counter()
    generation = Generation(current_generation(args.index_dir))
    searcher = searcher_for(generation)
    snap = tracemalloc.take_snapshot() if args.trace else None
    steps["open"] = report("searcher open", time.perf_counter() - started)
    if args.trace:
        top_sites(None)
        object_counts()
    started = time.perf_counter()
    searcher.statuses(AS_OF)  # what warm() judges before a generation is served
    steps["statuses"] = report("statuses judged", time.perf_counter() - started)
    started = time.perf_counter()
    if searcher.preparing is not None:
        searcher.preparing.join()
    steps["vocabulary"] = report("vocabulary read", time.perf_counter() - started)
    if args.trace:
        top_sites(snap)
        snap = tracemalloc.take_snapshot()
    mix = [text for _, text in json.loads(args.mix.read_text())]
    for round_ in range(args.rounds):
        started = time.perf_counter()
        for text in mix:
            search(generation, text, as_of=AS_OF)
        name = f"mix round {round_ + 1} ({len(mix)} q)"
        steps[name] = report(name, time.perf_counter() - started)
    if args.trace:
        top_sites(snap)
    print(json.dumps(steps))


if __name__ == "__main__":
    main()
