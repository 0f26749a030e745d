"""The scale benchmark's in-process search phase: a fresh process opens the generation and calls
search() directly for the mix, cold then warm (figures free of HTTP, for comparison with
bench/loopback.py's). Run as a script it is that child: `scale_search.py INDEX_DIR MIX`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from procstat import own_rss
from search_latency import AS_OF, percentile

from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.search.engine import search
from kb.search.searcher import searcher_for

REPO = Path(__file__).resolve().parent.parent


def search_child(index_dir: Path, mix_path: Path) -> dict[str, Any]:
    """Open a generation and time the mix cold then warm (run in a fresh process)."""
    mix = [tuple(pair) for pair in json.loads(mix_path.read_text())]
    base = own_rss()
    started = time.perf_counter()
    generation = Generation(current_generation(index_dir))
    searcher_for(generation)
    opened_s = time.perf_counter() - started
    after_open = own_rss()
    runs: dict[str, list[float]] = {}
    totals: list[int] = []
    for label in ("cold", "warm"):
        timings, cpu = [], []
        for _, text in mix:
            begin, begin_cpu = time.perf_counter(), time.process_time()
            found = search(generation, text, as_of=AS_OF)
            timings.append((time.perf_counter() - begin) * 1000)
            cpu.append((time.process_time() - begin_cpu) * 1000)
            if label == "warm":
                totals.append(found.total)
        runs[label], runs[f"{label} cpu"] = timings, cpu
    after = own_rss()
    with searcher_for(generation).index.reader() as reader:
        terms = {name: sum(1 for _ in reader.lexicon(name)) for name in ("body", "words")}
    return {
        "open_s": round(opened_s, 2),
        "rss_base_mib": round(base["rss_kib"] / 1024),
        "rss_open_mib": round(after_open["rss_kib"] / 1024),
        "rss_after_mib": round(after["rss_kib"] / 1024),
        "hwm_mib": round(after["hwm_kib"] / 1024),
        "cold_p50_ms": round(statistics.median(runs["cold"]), 1),
        "cold_p95_ms": round(percentile(runs["cold"], 0.95), 1),
        "cold_max_ms": round(max(runs["cold"]), 1),
        "warm_p50_ms": round(statistics.median(runs["warm"]), 1),
        "warm_p95_ms": round(percentile(runs["warm"], 0.95), 1),
        "warm_p99_ms": round(percentile(runs["warm"], 0.99), 1),
        "warm_max_ms": round(max(runs["warm"]), 1),
        "warm_cpu_p50_ms": round(statistics.median(runs["warm cpu"]), 1),
        "warm_cpu_p95_ms": round(percentile(runs["warm cpu"], 0.95), 1),
        "mean_hits": round(statistics.mean(totals), 1),
        "body_terms": terms["body"],
        "words_terms": terms["words"],
    }


def timed_search(index_dir: Path, mix_path: Path) -> dict[str, Any]:
    """Run search_child in a fresh interpreter and return its figures."""
    command = [sys.executable, __file__, str(index_dir), str(mix_path)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


if __name__ == "__main__":
    print(json.dumps(search_child(Path(sys.argv[1]), Path(sys.argv[2]))))
