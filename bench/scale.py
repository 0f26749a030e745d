"""How kb's cost grows with the corpus: build time, memory, index size and search latency at N×.

For each factor: build (or reuse) a synthetic site of N corpora (bench/synth_corpus.py), run a
full `kb index` in a child process (wall time, peak RSS of the largest process from wait4, peak
RSS summed over the process tree sampled every 0.5 s, index size), then time a fixed query mix
(bench/search_latency.py's mix, drawn once from the smallest factor's index) in a fresh child
process: time to open the generation, p50/p95 cold and warm, and that process's RSS.

Usage:
  .venv/bin/python bench/scale.py --factors 1 10 30 [--queries 600] [--out bench/out/scale]
  .venv/bin/python bench/scale.py --factors 1 10 30 --clean   # delete sites and indexes after
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search_latency import AS_OF, build_mix, percentile
from synth_corpus import DEFAULT_CORPUS, build_site

from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.search.engine import search
from kb.search.searcher import searcher_for

REPO = Path(__file__).resolve().parent.parent
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def folder_bytes(folder: Path) -> int:
    """Return the total size of the files under a folder."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def tree_rss(root: int) -> int:
    """Return the summed RSS (bytes) of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(stat[1]), []).append(pid)
        rss[pid] = int(stat[21]) * PAGE_SIZE
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def own_rss() -> dict[str, int]:
    """Return this process's current and peak RSS in KiB."""
    status = Path("/proc/self/status").read_text().splitlines()
    values = {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith("Vm")}
    return {"rss_kib": values["VmRSS"], "hwm_kib": values["VmHWM"]}


def kb_version() -> str:
    """Name the checked-out commit, marked "+dirty" when kb/ has uncommitted changes."""

    def git(*args: str) -> str:
        """Run a read-only git command in the repository."""
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout

    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    return head + ("+dirty" if git("status", "--porcelain", "kb").strip() else "")


def timed_build(site: Path, index_dir: Path, log: Path) -> dict[str, Any]:
    """Run a full `kb index` in a child; return wall seconds, memory peaks and its summary."""
    shutil.rmtree(index_dir, ignore_errors=True)
    command = [sys.executable, "-m", "kb.cli", "index", str(site)]
    command += ["--index-dir", str(index_dir), "--full", "--json"]
    out_path = log.with_suffix(".json")
    peak_tree = 0
    stop = threading.Event()
    started = time.perf_counter()
    with out_path.open("w") as out, log.open("w") as err:
        child = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=err)

        def sample() -> None:
            """Record the tree's RSS peak and log progress (index bytes) every 30 s."""
            nonlocal peak_tree
            last_log = 0.0
            while not stop.wait(0.5):
                peak_tree = max(peak_tree, tree_rss(child.pid))
                elapsed = time.perf_counter() - started
                if elapsed - last_log >= 30:
                    last_log = elapsed
                    size = folder_bytes(index_dir) if index_dir.exists() else 0
                    print(
                        f"    {elapsed:6.0f} s: tree RSS {peak_tree / 2**20:.0f} MiB peak, "
                        f"index folder {size / 1e6:.0f} MB, load {os.getloadavg()[0]:.1f}",
                        file=sys.stderr,
                        flush=True,
                    )

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
    if child.returncode != 0:
        raise RuntimeError(f"kb index failed ({child.returncode}); see {log}")
    summary = json.loads(out_path.read_text())
    generation = current_generation(index_dir)
    return {
        "build_s": round(seconds, 1),
        "build_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "indexed": summary["indexed"],
        "pages": summary["pages"],
        "rejected": len(summary["rejected"]),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
        "peak_tree_rss_mib": round(peak_tree / 2**20),
        "whoosh_mb": round(folder_bytes(generation / "whoosh") / 1e6, 1),
        "sqlite_mb": round((generation / "pages.sqlite").stat().st_size / 1e6, 1),
        "generation_mb": round(folder_bytes(generation) / 1e6, 1),
    }


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
        "warm_p50_ms": round(statistics.median(runs["warm"]), 1),
        "warm_p95_ms": round(percentile(runs["warm"], 0.95), 1),
        "warm_max_ms": round(max(runs["warm"]), 1),
        "warm_cpu_p50_ms": round(statistics.median(runs["warm cpu"]), 1),
        "warm_cpu_p95_ms": round(percentile(runs["warm cpu"], 0.95), 1),
        "mean_hits": round(statistics.mean(totals), 1),
        "body_terms": terms["body"],
        "words_terms": terms["words"],
    }


def timed_search(index_dir: Path, mix_path: Path) -> dict[str, Any]:
    """Run search_child in a fresh interpreter and return its figures."""
    command = [sys.executable, __file__, "--search-child", str(index_dir), "--mix", str(mix_path)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def ratio(value: float, base: float) -> str:
    """Format value/base as a growth factor."""
    return f"{value / base:.1f}×" if base else "–"


COLUMNS = [
    ("pages", "pages"),
    ("source_mb", "source MB"),
    ("synth_s", "generate s"),
    ("build_s", "build s"),
    ("pages_per_s", "pages/s"),
    ("build_cpu_s", "build CPU s (user+sys, all processes)"),
    ("peak_rss_mib", "build peak RSS, largest process MiB"),
    ("peak_tree_rss_mib", "build peak RSS, all processes MiB"),
    ("whoosh_mb", "Whoosh MB"),
    ("sqlite_mb", "pages.sqlite MB"),
    ("open_s", "open generation s"),
    ("rss_open_mib", "RSS after open MiB"),
    ("rss_after_mib", "RSS after queries MiB"),
    ("cold_p50_ms", "cold p50 ms"),
    ("cold_p95_ms", "cold p95 ms"),
    ("warm_p50_ms", "warm p50 ms"),
    ("warm_p95_ms", "warm p95 ms"),
    ("warm_max_ms", "warm max ms"),
    ("warm_cpu_p50_ms", "warm CPU p50 ms (contention-free)"),
    ("warm_cpu_p95_ms", "warm CPU p95 ms"),
    ("mean_hits", "mean hits per query"),
    ("body_terms", "distinct terms, body field"),
    ("words_terms", "distinct terms, exact words field"),
]


def table(results: dict[str, dict[str, Any]]) -> str:
    """Return a Markdown table: one row per measure, one column per factor, then ratios."""
    factors = sorted(results, key=int)
    base = results[factors[0]]
    head = ["measure", *[f"{f}×" for f in factors], *[f"{f}× / {factors[0]}×" for f in factors[1:]]]
    lines = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    for key, label in COLUMNS:
        cells = [str(results[f].get(key, "–")) for f in factors]
        growth = [
            ratio(float(results[f][key]), float(base[key]))
            if key in results[f] and key in base
            else "–"
            for f in factors[1:]
        ]
        lines.append("| " + " | ".join([label, *cells, *growth]) + " |")
    return "\n".join(lines)


def measure(factor: int, args: argparse.Namespace, mix_path: Path) -> dict[str, Any]:
    """Generate, build and search one factor; return its figures."""
    site = args.out / f"site-x{factor}"
    index_dir = args.out / f"index-x{factor}"
    print(f"{factor}×: generating {site}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    build_site(args.corpus, factor, site, args.seed, args.out / "cache")
    row: dict[str, Any] = {"synth_s": round(time.perf_counter() - started, 1)}
    row["source_mb"] = round(folder_bytes(site / "docs") / 1e6, 1)
    print(f"{factor}×: indexing (load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
    row["load_before_build"] = round(os.getloadavg()[0], 1)
    row["kb_version"] = kb_version()
    row.update(timed_build(site, index_dir, args.out / f"build-x{factor}.log"))
    row["load_after_build"] = round(os.getloadavg()[0], 1)
    row["pages_per_s"] = round(row["indexed"] / row["build_s"])
    if not mix_path.exists():
        generation = Generation(current_generation(index_dir))
        mix = build_mix(generation, args.queries, args.query_seed)
        mix_path.write_text(json.dumps(mix))
    print(f"{factor}×: searching", file=sys.stderr, flush=True)
    row.update(timed_search(index_dir, mix_path))
    row["load_avg"] = round(os.getloadavg()[0], 1)
    return row


def main() -> int:
    """Parse arguments, measure each factor, print and save the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "scale")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic text")
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--query-seed", type=int, default=3)
    parser.add_argument("--redo", action="store_true", help="measure factors already measured")
    parser.add_argument("--clean", action="store_true", help="delete sites and indexes at the end")
    parser.add_argument("--search-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mix", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.search_child is not None:
        print(json.dumps(search_child(args.search_child, args.mix)))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    saved = args.out / "results.json"
    results: dict[str, dict[str, Any]] = json.loads(saved.read_text()) if saved.exists() else {}
    mix_path = args.out / f"mix-{args.queries}-{args.query_seed}.json"
    for factor in sorted(args.factors):
        if str(factor) in results and not args.redo:
            print(f"{factor}×: measured before, kept ({saved})", file=sys.stderr)
            continue
        results[str(factor)] = measure(factor, args, mix_path)
        saved.write_text(json.dumps(results, indent=2))
        print(json.dumps({factor: results[str(factor)]}), file=sys.stderr, flush=True)
    print(f"{os.cpu_count()} CPUs, shared with other work; seed {args.seed}\n")
    print(table({k: v for k, v in results.items() if int(k) in args.factors}))
    if args.clean:
        for factor in args.factors:
            shutil.rmtree(args.out / f"site-x{factor}", ignore_errors=True)
            shutil.rmtree(args.out / f"index-x{factor}", ignore_errors=True)
        shutil.rmtree(args.out / "cache", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
