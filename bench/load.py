"""Load test of `kb serve` (gunicorn gthread) on the real corpus, driven by wrk over loopback.

Sub-commands (each starts its own `kb serve` on 127.0.0.1 and stops everything it started, also
on Ctrl-C or SIGTERM; results are merged into bench/out/load/results.json and printed as Markdown):
  prepare   index the corpus into bench/out/load/index (cached) and draw the request mix, every
            request checked once in-process (a failing one is listed and left out)
  sweep     the mix at 1, 2, 4 … 32 connections: throughput, p50/p95/p99, errors; the knee is the
            fewest connections reaching 90 % of the best throughput
  overload  the mix at 2x the knee
  floor     /healthz and search-only throughput on one server, and their ratio
  soak      the mix at the knee for 10 minutes: worker RSS at start, after warm-up, every 30 s
  reindex   one wrk run: a baseline, then `kb index` runs (--plan) switching generations while a
            poller asks /healthz every ~10 ms on fresh connections which generation answers
  all       every step above in order (about 30 minutes)

The mix: 70 % search (30 % /api/search, 20 % /search full page, 20 % /search htmx fragment) with
the realistic queries of bench/search_latency.py (titles, headings, typos, glossary terms …,
hostile input left out), 25 % /docs/<page>, 3 % glossary, 2 % reports. wrk runs one connection
per thread so bench/load_mix.lua can time and check every request (status; for /api/search
queries that found something when prepared, that total is not 0). The machine's CPU use is split
between the server, the bench, wrk and other processes (from /proc), since others share it.

Usage:
  apt-get install -y wrk
  .venv/bin/python bench/load.py prepare
  .venv/bin/python bench/load.py sweep --repeat 3 --seconds 20
  .venv/bin/python bench/load.py all
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from search_latency import build_mix, percentile  # noqa: E402

from kb.index.generation import Generation  # noqa: E402
from kb.index.generations import current_generation  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "auth0-docs"
OUT = ROOT / "bench" / "out" / "load"
INDEX = OUT / "index"
MIX = OUT / "mix.tsv"
RESULTS = OUT / "results.json"
LUA = ROOT / "bench" / "load_mix.lua"
SHARES = {
    "search_api": 0.30,
    "search_html": 0.20,
    "search_htmx": 0.20,
    "page": 0.25,
    "glossary": 0.03,
    "report": 0.02,
}
GROUPS = {"search": ("search_api", "search_html", "search_htmx")}
REPORTS = [
    "/reports/stale",
    "/reports/glossary",
    "/reports/links",
    "/reports/terms",
    "/reports/stale.csv",
    "/api/reports/stale",
    "/",
]


@dataclass(frozen=True)
class Request:
    """One request of the mix: its kind, path, whether htmx asks, whether it must find something."""

    kind: str
    path: str
    htmx: bool = False
    expect_nonempty: bool = False


# --- the request mix ----------------------------------------------------------------------------


def build_requests(index_dir: Path, count: int, seed: int) -> list[Request]:
    """Draw the weighted mix of requests from the index's own titles, headings, pages and terms."""
    rng = random.Random(seed)
    gen = Generation(current_generation(index_dir))
    queries = [q for kind, q in build_mix(gen, count, seed) if kind != "hostile"]
    pages = [u for u in gen.store.urls() if u.startswith("/docs/")]
    terms = [str(t["term"]) for t in gen.meta("glossary") or []] or ["token"]
    makers = {
        "search_api": lambda: Request(
            "search_api", "/api/search?" + urlencode({"q": pick(queries)})
        ),
        "search_html": lambda: Request("search_html", "/search?" + urlencode({"q": pick(queries)})),
        "search_htmx": lambda: Request(
            "search_htmx", "/search?" + urlencode({"q": pick(queries)}), htmx=True
        ),
        "page": lambda: Request("page", quote(pick(pages))),
        "glossary": lambda: Request(
            "glossary",
            pick(
                [
                    "/glossary",
                    f"/glossary/{quote(pick(terms))}",
                    "/glossary?" + urlencode({"term": pick(terms)}),
                    f"/api/glossary/{quote(pick(terms))}",
                ]
            ),
        ),
        "report": lambda: Request("report", pick(REPORTS)),
    }

    def pick(items: list[str]) -> str:
        """Return a random item."""
        return items[rng.randrange(len(items))]

    kinds = rng.choices(list(SHARES), weights=list(SHARES.values()), k=count)
    return [makers[kind]() for kind in kinds]


def check_requests(index_dir: Path, requests: list[Request]) -> tuple[list[Request], list[str]]:
    """Send each distinct request once in-process; mark searches finding something; list errors."""
    os.environ["KB_INDEX_DIR"] = str(index_dir)
    from kb.web import create_app

    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    seen: dict[tuple[str, bool], tuple[int, bool]] = {}
    for req in requests:
        key = (req.path, req.htmx)
        if key not in seen:
            answer = client.get(req.path, headers={"HX-Request": "true"} if req.htmx else {})
            found = req.kind == "search_api" and (answer.get_json(silent=True) or {}).get("total")
            seen[key] = (answer.status_code, bool(found))
    failures = [f"{s} {p}" for (p, _), (s, _) in seen.items() if s >= 400]
    checked = [
        Request(r.kind, r.path, r.htmx, seen[(r.path, r.htmx)][1])
        for r in requests
        if seen[(r.path, r.htmx)][0] < 400
    ]
    return checked, failures


def write_mix(requests: list[Request], path: Path) -> None:
    """Write requests in the line format bench/load_mix.lua reads."""
    lines = [
        f"{i}\t{int(r.expect_nonempty)}\t{int(r.htmx)}\t{r.path}" for i, r in enumerate(requests)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_mix(path: Path) -> list[Request]:
    """Read a mix file back, kinds from the sidecar JSON."""
    kinds = json.loads(path.with_suffix(".kinds.json").read_text(encoding="utf-8"))
    rows = [line.split("\t", 3) for line in path.read_text(encoding="utf-8").splitlines()]
    return [Request(kinds[int(i)], p, h == "1", e == "1") for i, e, h, p in rows]


def save_mix(requests: list[Request], path: Path) -> None:
    """Write a mix file and its sidecar of kinds."""
    write_mix(requests, path)
    path.with_suffix(".kinds.json").write_text(json.dumps([r.kind for r in requests]), "utf-8")


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """GET a URL on a fresh connection (so the kernel may hand it to any worker)."""
    request = urllib.request.Request(url, headers={"Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def children(pid: int) -> list[int]:
    """Return the pids of a process's children (the gunicorn workers of the master)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return sorted(found)


def rss_mib(pid: int) -> float:
    """Return a process's resident set size in MiB (0 once it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def cpu_seconds(pid: int) -> float:
    """Return the user+system CPU seconds a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def deleted_files(pid: int) -> int:
    """Count a process's open descriptors whose files were deleted (old generations kept open)."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            count += os.readlink(fd).endswith(" (deleted)")
    return count


@contextlib.contextmanager
def server(index_dir: Path, workers: int, log_name: str) -> Iterator[tuple[str, int]]:
    """Run `kb serve` on a free port until the block ends; yield its base URL and master pid."""
    port = free_port()
    log = open(OUT / log_name, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    command = [sys.executable, "-m", "kb.cli", "serve", "--index-dir", str(index_dir)]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if http_get(base + "/healthz")[0] == 200 and len(children(process.pid)) == workers:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"kb serve did not answer /healthz; see {log.name}")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen[Any]) -> None:
    """Stop a process started in its own session, with everything it forked."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def tracebacks(log_name: str) -> int:
    """Count tracebacks and worker errors in a server log."""
    text = (OUT / log_name).read_text(encoding="utf-8", errors="replace")
    return text.count("Traceback") + text.count("[CRITICAL]") + text.count("WORKER TIMEOUT")


# --- driving load and summarizing -----------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answered request as wrk saw it."""

    kind: str
    path: str
    status: int
    start: float  # seconds on time.monotonic's clock
    ms: float
    empty: bool


@dataclass(frozen=True)
class Run:
    """What one wrk run saw: every answer, wrk's error counters, the machine's load."""

    label: str
    connections: int
    seconds: float
    answers: list[Answer]
    socket_errors: dict[str, int]
    load: tuple[float, float]
    worker_cpu: list[float]
    cores: dict[str, float]


def cpu_snapshot(pids: list[int]) -> list[float]:
    """Return CPU seconds so far: the whole machine (busy), each pid, this script, its children."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle, iowait
    return [
        busy,
        *(cpu_seconds(p) for p in pids),
        me.ru_utime + me.ru_stime,
        kids.ru_utime + kids.ru_stime,
    ]


def cores_used(before: list[float], after: list[float], wall: float) -> dict[str, float]:
    """Split the machine's CPU use over a run between the server, the bench and everything else."""
    used = [(b - a) / wall for a, b in zip(before, after, strict=True)]
    server, bench, tools = sum(used[1:-2]), used[-2], used[-1]
    mine = {"kb serve": server, "bench script": bench, "wrk and indexer": tools}
    return {
        k: round(v, 2) for k, v in {**mine, "other processes": used[0] - sum(mine.values())}.items()
    }


def start_wrk(base: str, mix: Path, connections: int, seconds: float, out: Path) -> Any:
    """Start wrk with the mix script in its own session."""
    env = {**os.environ, "KB_LOAD_MIX": str(mix), "KB_LOAD_OUT": str(out)}
    command = ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{seconds:.0f}s"]
    return subprocess.Popen(
        [*command, "--timeout", "10s", "-s", str(LUA), base],
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )


def spread(workers: list[int], seconds: float = 3.0) -> float:
    """Return the smallest share of CPU any worker took over the next few seconds."""
    before = [cpu_seconds(p) for p in workers]
    time.sleep(seconds)
    used = [cpu_seconds(p) - b for p, b in zip(workers, before, strict=True)]
    return min(used) / sum(used) if sum(used) > 0.1 else 1.0


def drive(
    base: str,
    mix: Path,
    connections: int,
    seconds: float,
    label: str,
    master: int,
    stop_when: threading.Event | None = None,
) -> Run:
    """Run wrk with the mix for some seconds (or until stop_when is set) and read every answer.

    A gunicorn worker keeps the keep-alive connections it accepted, so a few connections may all
    land on one worker and leave a core idle; such a start (a worker under 15 % of the CPU in the
    first 3 s) is retried up to 8 times, since it measures the accept race, not kb.
    """
    requests = read_mix(mix)
    out = OUT / f"wrk-{label}.tsv"
    workers = children(master)
    load_before = os.getloadavg()[0]
    for attempt in range(8):
        cpu_before, began = cpu_snapshot([master, *workers]), time.monotonic()
        process = start_wrk(base, mix, connections, seconds, out)
        try:
            if connections < len(workers) or attempt == 7 or spread(workers) >= 0.15:
                break
        except BaseException:
            stop(process)
            raise
        print(f"{label}: a worker got almost no connections; wrk restarted", flush=True)
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    try:
        while process.poll() is None:
            if stop_when is not None and stop_when.is_set():
                process.send_signal(signal.SIGINT)  # wrk stops cleanly and still writes its file
                process.wait(timeout=30)
            time.sleep(0.2)
    finally:
        stop(process)
    cpu_after = cpu_snapshot([master, *workers])
    cores = cores_used(cpu_before, cpu_after, time.monotonic() - began)
    per_worker = [b - a for a, b in zip(cpu_before[2:-2], cpu_after[2:-2], strict=True)]
    answers: list[Answer] = []
    counters = [0] * 7
    for line in out.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if fields[0] == "#summary":
            counters = [int(f) for f in fields[1:]]
            continue
        req = requests[int(fields[0])]
        start, micros = int(fields[2]) / 1e6, int(fields[3])
        answers.append(
            Answer(req.kind, req.path, int(fields[1]), start, micros / 1000, fields[4] == "1")
        )
    errors = dict(zip(("connect", "read", "write", "status", "timeout"), counters[2:], strict=True))
    total = sum(per_worker) or 1.0
    return Run(
        label,
        connections,
        counters[0] / 1e6,
        answers,
        errors,
        (load_before, os.getloadavg()[0]),
        [round(c / total, 2) for c in per_worker],
        cores,
    )


def latency(answers: list[Answer]) -> dict[str, float]:
    """Return count, p50, p95, p99 and max (ms) of some answers."""
    ms = [a.ms for a in answers]
    if not ms:
        return {"n": 0}
    return {
        "n": len(ms),
        **{f"p{q}": round(percentile(ms, q / 100), 1) for q in (50, 95, 99)},
        "max": round(max(ms), 1),
    }


def summarize(run: Run) -> dict[str, Any]:
    """Return a run's throughput, latency per group and kind, and every kind of error."""
    groups = {**GROUPS, **{k: (k,) for k in SHARES}, "healthz": ("healthz",)}
    bad = [a for a in run.answers if a.status >= 400]
    return {
        "label": run.label,
        "connections": run.connections,
        "seconds": round(run.seconds, 1),
        "requests": len(run.answers),
        "rps": round(len(run.answers) / run.seconds, 1) if run.seconds else 0,
        "search_rps": round(sum(a.kind in GROUPS["search"] for a in run.answers) / run.seconds, 1)
        if run.seconds
        else 0,
        "latency_ms": {"all": latency(run.answers)}
        | {g: latency([a for a in run.answers if a.kind in kinds]) for g, kinds in groups.items()},
        "http_errors": len(bad),
        "http_error_examples": sorted({f"{a.status} {a.path[:100]}" for a in bad})[:10],
        "socket_errors": {k: v for k, v in run.socket_errors.items() if k != "status"},
        "empty_results": sorted({a.path for a in run.answers if a.empty})[:20],
        "load_avg_1min": [round(x, 2) for x in run.load],
        "worker_cpu_share": run.worker_cpu,
        "cores_used": run.cores,
    }


def row(s: dict[str, Any]) -> str:
    """Return one Markdown table row for a run summary."""
    lat = s["latency_ms"]
    errors = s["http_errors"] + sum(s["socket_errors"].values())
    cells = [
        s["label"],
        s["connections"],
        s["rps"],
        s["search_rps"],
        *(lat["all"].get(q, "-") for q in ("p50", "p95", "p99")),
        *(lat["search"].get(q, "-") for q in ("p50", "p95", "p99")),
        lat["page"].get("p95", "-"),
        errors,
        len(s["empty_results"]),
        "/".join(str(x) for x in s["load_avg_1min"]),
        "/".join(str(x) for x in s["cores_used"].values()) or "-",
    ]
    return "| " + " | ".join(str(c) for c in cells) + " |"


HEADER = (
    "| run | conns | req/s | search req/s | p50 | p95 | p99 | search p50 | search p95 | "
    "search p99 | page p95 | errors | empty | load avg before/after | "
    "CPU cores: kb serve/bench/wrk+indexer/others |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
    "--- | --- |"
)


def record(phase: str, data: Any) -> None:
    """Merge one phase's results into results.json."""
    results = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else {}
    results[phase] = data
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")


def recorded(phase: str) -> Any:
    """Return a phase's recorded results, or None."""
    results = json.loads(RESULTS.read_text("utf-8")) if RESULTS.exists() else {}
    return results.get(phase)


def warm_up(base: str, master: int) -> None:
    """Run the mix until every worker has served a while (its index and caches opened).

    Each wrk run opens new connections, and a worker keeps the connections it accepted, so one
    run may leave a worker idle: repeat (at most 6 times) until each has used 2 s of CPU.
    """
    workers = children(master)
    start = [cpu_seconds(p) for p in workers]
    for _ in range(6):
        drive(base, MIX, 8, 5, "warmup", master)
        if all(cpu_seconds(p) - s >= 2 for p, s in zip(workers, start, strict=True)):
            return


@contextlib.contextmanager
def driving(
    base: str, mix: Path, connections: int, seconds: float, label: str, master: int
) -> Iterator[tuple[threading.Thread, list[Run]]]:
    """Run the mix in a thread during the block; leaving it stops wrk (early if need be)."""
    finished = threading.Event()
    holder: list[Run] = []
    thread = threading.Thread(
        target=lambda: holder.append(
            drive(base, mix, connections, seconds, label, master, finished)
        )
    )
    thread.start()
    try:
        yield thread, holder
    finally:
        finished.set()
        thread.join()


# --- the phases ---------------------------------------------------------------------------------


def prepare(args: argparse.Namespace) -> None:
    """Build the corpus index (once) and the checked request mixes."""
    OUT.mkdir(parents=True, exist_ok=True)
    # Incremental: a second or two when the cached index is current, a full build after a
    # schema or settings change.
    command = [sys.executable, "-m", "kb.cli", "index", str(CORPUS), "--index-dir", str(INDEX)]
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    requests, failures = check_requests(INDEX, build_requests(INDEX, args.requests, args.seed))
    save_mix(requests, MIX)
    save_mix([r for r in requests if r.kind in GROUPS["search"]], OUT / "mix-search.tsv")
    save_mix([Request("healthz", "/healthz")], OUT / "mix-healthz.tsv")
    kinds = {k: sum(r.kind == k for r in requests) for k in SHARES}
    nonempty = sum(r.expect_nonempty for r in requests)
    record(
        "mix",
        {
            "requests": len(requests),
            "kinds": kinds,
            "api_searches_with_results": nonempty,
            "distinct": len({(r.path, r.htmx) for r in requests}),
            "failures": failures,
        },
    )
    print(f"mix: {len(requests)} requests {kinds}; {nonempty} /api/search must find something")
    if failures:
        print(f"{len(failures)} requests of the mix failed in-process and were left out:")
        print("\n".join(failures[:20]))


def sweep(args: argparse.Namespace) -> None:
    """Run the mix at each connection count and find the knee (the last big throughput gain).

    With --repeat N the levels run N times round-robin, and each level keeps the run that
    other processes on the shared machine disturbed least (the least CPU used by them).
    """
    levels = args.connections or [1, 2, 4, 8, 16, 32]
    runs: dict[int, list[dict[str, Any]]] = {c: [] for c in levels}
    print(HEADER)
    with server(INDEX, args.workers, "server-sweep.log") as (base, master):
        warm_up(base, master)
        for round_number in range(args.repeat):
            for connections in levels:
                label = f"mix-c{connections}-r{round_number + 1}"
                runs[connections].append(
                    summarize(drive(base, MIX, connections, args.seconds, label, master))
                )
                print(row(runs[connections][-1]), flush=True)
    kept = [min(found, key=lambda s: s["cores_used"]["other processes"]) for found in runs.values()]
    best = max(s["rps"] for s in kept)
    knee = min(s["connections"] for s in kept if s["rps"] >= 0.9 * best)
    record(
        "sweep",
        {
            "knee": knee,
            "runs": kept,
            "all_runs": [s for found in runs.values() for s in found],
            "tracebacks": tracebacks("server-sweep.log"),
        },
    )
    print("kept (least disturbed run of each level):\n" + HEADER)
    print("\n".join(row(s) for s in kept))
    print(f"knee: {knee} connections (the fewest reaching 90 % of the best {best} req/s)")


def knee(args: argparse.Namespace) -> int:
    """Return the knee of the recorded sweep (or of --knee)."""
    found = args.knee or (recorded("sweep") or {}).get("knee")
    if not found:
        raise SystemExit("no knee known: run `bench/load.py sweep` first or pass --knee N")
    return int(found)


def overload(args: argparse.Namespace) -> None:
    """Run the mix at twice the knee and judge search p95 and errors."""
    connections = args.connections[0] if args.connections else 2 * knee(args)
    with server(INDEX, args.workers, "server-overload.log") as (base, master):
        warm_up(base, master)
        summary = summarize(drive(base, MIX, connections, args.seconds, "overload", master))
    summary["tracebacks"] = tracebacks("server-overload.log")
    record("overload", summary)
    print(HEADER + "\n" + row(summary))


def floor(args: argparse.Namespace) -> None:
    """Measure /healthz and search-only throughput on one server, and their ratio."""
    levels = args.connections or sorted({knee(args), 2 * knee(args), 8})
    runs = []
    print(HEADER)
    with server(INDEX, args.workers, "server-floor.log") as (base, master):
        warm_up(base, master)
        for connections in levels:
            for name in ("healthz", "search"):
                mix = OUT / f"mix-{name}.tsv"
                runs.append(
                    summarize(
                        drive(
                            base, mix, connections, args.seconds, f"{name}-c{connections}", master
                        )
                    )
                )
                print(row(runs[-1]), flush=True)
    healthz = max(r["rps"] for r in runs if r["label"].startswith("healthz"))
    search = max(r["rps"] for r in runs if r["label"].startswith("search"))
    ratio = round(search / healthz, 3) if healthz else None
    record("floor", {"runs": runs, "healthz_rps": healthz, "search_rps": search, "ratio": ratio})
    print(f"search {search} req/s / healthz {healthz} req/s = {ratio}")


def soak(args: argparse.Namespace) -> None:
    """Run the mix at the knee for 10 minutes, sampling each worker's RSS every 30 s."""
    connections = args.connections[0] if args.connections else knee(args)
    seconds = args.soak_seconds
    samples: list[dict[str, Any]] = []
    with server(INDEX, args.workers, "server-soak.log") as (base, master):
        workers = children(master)
        start = {str(p): rss_mib(p) for p in workers}
        warm_up(base, master)
        warm = {str(p): rss_mib(p) for p in workers}
        with driving(base, MIX, connections, seconds, "soak", master) as (thread, holder):
            began = time.monotonic()
            while thread.is_alive():
                thread.join(30)
                samples.append(
                    {
                        "s": round(time.monotonic() - began),
                        "rss_mib": {str(p): rss_mib(p) for p in workers},
                        "load_avg_1min": round(os.getloadavg()[0], 2),
                    }
                )
        end = {str(p): rss_mib(p) for p in workers}
        same_workers = children(master) == workers
    summary = summarize(holder[0])
    record(
        "soak",
        {
            "summary": summary,
            "rss_start_mib": start,
            "rss_after_warmup_mib": warm,
            "rss_end_mib": end,
            "workers_never_restarted": same_workers,
            "samples": samples,
            "tracebacks": tracebacks("server-soak.log"),
        },
    )
    print(HEADER + "\n" + row(summary))
    print(f"worker RSS MiB: start {start}, after warm-up {warm}, after {seconds} s {end}")


# --- reindex while serving ----------------------------------------------------------------------


class Watch:
    """Poll /healthz on fresh connections and the CURRENT file, in threads, until stopped."""

    def __init__(self, base: str, index_dir: Path) -> None:
        """Start both pollers."""
        self.base, self.index_dir = base, index_dir
        self.answers: list[tuple[float, int, str]] = []  # (sent at, status, generation)
        self.switches: list[tuple[float, str]] = []
        self.done = threading.Event()
        self.threads = [
            threading.Thread(target=f, daemon=True) for f in (self._health, self._current)
        ]
        for thread in self.threads:
            thread.start()

    def _health(self) -> None:
        """Ask /healthz about every 10 ms which generation answers."""
        while not self.done.is_set():
            sent = time.monotonic()
            try:
                status, body = http_get(self.base + "/healthz")
                name = json.loads(body).get("generation", "") if status == 200 else ""
            except (OSError, ValueError):
                status, name = 0, ""
            self.answers.append((sent, status, name))
            time.sleep(0.01)

    def _current(self) -> None:
        """Note when CURRENT names a new generation (polled every 5 ms)."""
        last = ""
        while not self.done.is_set():
            with contextlib.suppress(OSError):
                name = (self.index_dir / "CURRENT").read_text(encoding="utf-8").strip()
                if name != last:
                    if last:
                        self.switches.append((time.monotonic(), name))
                    last = name
            time.sleep(0.005)

    def stop(self) -> None:
        """Stop both pollers."""
        self.done.set()
        for thread in self.threads:
            thread.join()

    def convergence(self, streak: int = 50) -> list[dict[str, Any]]:
        """For each switch: when the last old answer came, when `streak` new ones in a row began."""
        found = []
        ends = [at for at, _ in self.switches[1:]] + [float("inf")]
        for (at, name), end in zip(self.switches, ends, strict=True):
            after = [a for a in self.answers if at <= a[0] < end]
            names = [a[2] for a in after]
            start = next(
                (
                    i
                    for i in range(len(after) - streak + 1)
                    if names[i : i + streak] == [name] * streak
                ),
                None,
            )
            old = [a[0] for a in after if a[1] == 200 and a[2] != name]
            found.append(
                {
                    "generation": name,
                    "last_old_answer_s": round(max(old) - at, 3) if old else 0.0,
                    "all_new_from_s": round(after[start][0] - at, 3) if start is not None else None,
                    "probes_before_streak": start,
                    "probes_until_next_switch": len(after),
                }
            )
        return found


def edit_pages(site: Path, count: int, step: int, rng: random.Random) -> None:
    """Append a paragraph to some pages, so an incremental run has real changes to switch in."""
    pages = sorted((site / "docs").rglob("*.mdx"))
    for page in rng.sample(pages, count):
        with open(page, "a", encoding="utf-8") as handle:
            handle.write(f"\n\nLoad test revision {step}: kbloadrevision{step} marker.\n")


def run_indexer(command: list[str], nice: int) -> dict[str, Any]:
    """Run one `kb index` at a niceness in its own session (stopped with its pool on Ctrl-C)."""
    began = time.monotonic()
    process = subprocess.Popen(
        ["nice", "-n", str(nice), *command],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate()
    finally:
        stop(process)
    return {
        "exit": process.returncode,
        "seconds": round(time.monotonic() - began, 1),
        "summary": output.strip().splitlines()[:1],
    }


def part(
    run: Run, label: str, start: float, end: float, cores: dict[str, float], whole: bool = False
) -> Run:
    """Return the answers to requests sent between two moments, as a run of their own.

    wrk counts socket errors for its whole run only: `whole` charges them all to this part.
    """
    answers = [a for a in run.answers if start <= a.start < end]
    errors = run.socket_errors if whole else {}
    return Run(label, run.connections, end - start, answers, errors, run.load, [], cores)


def reindex(args: argparse.Namespace) -> None:
    """Serve the mix at the knee while `kb index` switches generations; compare with a baseline.

    One wrk run covers both: its first --baseline-seconds, before any indexer runs, are the
    baseline, so both parts use the same connections, spread over the workers the same way.
    """
    connections = args.connections[0] if args.connections else knee(args)
    ix = OUT / "reindex-index"
    shutil.rmtree(ix, ignore_errors=True)
    shutil.copytree(INDEX, ix)
    scratch = Path(tempfile.mkdtemp(prefix="kb-load-site-"))
    site = scratch / "site"
    rng = random.Random(args.seed)
    steps: list[dict[str, Any]] = []
    spans: list[tuple[str, float, float]] = []  # (label, indexer started, indexer ended)
    try:
        # A private copy of the corpus: incremental runs switch in real edits to it.
        shutil.copytree(CORPUS, site)
        index_command = [sys.executable, "-m", "kb.cli", "index", str(site), "--index-dir", str(ix)]
        steps.append({"mode": "before the load", **run_indexer(index_command, 0)})
        with server(ix, args.workers, "server-reindex.log") as (base, master):
            warm_up(base, master)
            pids = [master, *children(master)]
            rss_before = {str(p): rss_mib(p) for p in pids[1:]}
            watch = Watch(base, ix)
            try:
                with driving(base, MIX, connections, 3600, "reindex", master) as (_, holder):
                    marks = [(time.monotonic(), cpu_snapshot(pids))]
                    time.sleep(args.baseline_seconds)
                    marks.append((time.monotonic(), cpu_snapshot(pids)))
                    for number, mode in enumerate(args.plan.split(","), 1):
                        if mode == "incremental":
                            edit_pages(site, args.edit_pages, number, rng)
                        full = ["--full"] if mode == "full" else []
                        began = time.monotonic()
                        steps.append({"mode": mode, **run_indexer(index_command + full, args.nice)})
                        spans.append((f"{mode} {number} running", began, time.monotonic()))
                        time.sleep(args.settle)
                        steps[-1]["rss_mib"] = [rss_mib(p) for p in pids[1:]]
                        print(steps[-1], flush=True)
                    marks.append((time.monotonic(), cpu_snapshot(pids)))
            finally:
                watch.stop()
            rss_after = {str(p): rss_mib(p) for p in pids[1:]}
            deleted = {str(p): deleted_files(p) for p in pids[1:]}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    run = holder[0]
    (t0, cpu0), (t1, cpu1), (t2, cpu2) = marks
    baseline = summarize(part(run, "baseline", t0, t1, cores_used(cpu0, cpu1, t1 - t0)))
    during = summarize(part(run, "reindexing", t1, t2, cores_used(cpu1, cpu2, t2 - t1), True))
    windows = [
        summarize(part(run, f"switch {n}", at - 1, at + 5, {}))
        for n, (at, _) in enumerate(watch.switches, 1)
    ]
    windows += [summarize(part(run, label, began, ended, {})) for label, began, ended in spans]
    ratios = {
        f"{group}_p99_ratio": round(
            during["latency_ms"][group]["p99"] / baseline["latency_ms"][group]["p99"], 2
        )
        for group in ("all", "search")
    }
    result = {
        "connections": connections,
        "nice": args.nice,
        "steps": steps,
        "socket_errors_whole_run": run.socket_errors,
        "worker_cpu_share": run.worker_cpu,
        "convergence": watch.convergence(),
        "healthz_probes": len(watch.answers),
        "healthz_errors": sum(1 for a in watch.answers if a[1] != 200),
        **ratios,
        "rss_before_mib": rss_before,
        "rss_after_mib": rss_after,
        "deleted_files_held_open": deleted,
        "tracebacks": tracebacks("server-reindex.log"),
    }
    record("reindex", {**result, "baseline": baseline, "during": during, "windows": windows})
    print(HEADER)
    print("\n".join(row(r) for r in (baseline, during, *windows)))
    print("\n".join(f"{key}: {value}" for key, value in result.items() if key != "steps"))


# --- command line -------------------------------------------------------------------------------

PHASES = {
    "prepare": prepare,
    "sweep": sweep,
    "overload": overload,
    "floor": floor,
    "soak": soak,
    "reindex": reindex,
}


def main() -> None:
    """Parse arguments and run one phase, or all of them in order."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("phase", choices=[*PHASES, "all"])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--connections",
        type=lambda s: [int(c) for c in s.split(",")],
        help="comma-separated connection counts (default: per phase)",
    )
    parser.add_argument("--seconds", type=float, default=30, help="per sweep, overload, floor run")
    parser.add_argument("--soak-seconds", type=float, default=600, help="soak: run length")
    parser.add_argument("--baseline-seconds", type=float, default=60, help="reindex: baseline")
    parser.add_argument("--repeat", type=int, default=1, help="sweep: rounds over the levels")
    parser.add_argument("--knee", type=int, help="knee concurrency (default: from the sweep)")
    parser.add_argument("--requests", type=int, default=4000, help="size of the mix")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--plan",
        default="incremental,full,incremental,incremental",
        help="reindex: kb index runs in order (incremental edits pages first)",
    )
    parser.add_argument("--edit-pages", type=int, default=25, help="reindex: pages per edit")
    parser.add_argument("--settle", type=float, default=10, help="reindex: seconds between runs")
    parser.add_argument("--nice", type=int, default=10, help="reindex: niceness of kb index")
    parser.add_argument("--quiet", type=float, default=0, help="wait for a load average below")
    parser.add_argument("--quiet-wait", type=float, default=600, help="at most this many seconds")
    args = parser.parse_args()
    # SIGTERM unwinds like Ctrl-C (also when started in the background, where SIGINT is
    # ignored by default), so every server, wrk and indexer started here is stopped.
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    if shutil.which("wrk") is None and args.phase != "prepare":
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    try:
        for name, phase in PHASES.items():
            if args.phase in (name, "all"):
                if name != "prepare":
                    wait_quiet(args.quiet, args.quiet_wait)
                phase(args)
    except KeyboardInterrupt:
        raise SystemExit(
            "interrupted: the servers, wrk and indexers started here were stopped"
        ) from None


def interrupt(signum: int, frame: object) -> None:
    """Unwind on a signal, so every context and finally block stops what it started."""
    raise KeyboardInterrupt


def wait_quiet(load: float, patience: float) -> None:
    """Wait (at most `patience` seconds) until the 1-minute load average drops below `load`."""
    deadline = time.monotonic() + patience
    while load and os.getloadavg()[0] >= load and time.monotonic() < deadline:
        time.sleep(5)
    print(f"1-minute load average {os.getloadavg()[0]:.2f} at the start", flush=True)


if __name__ == "__main__":
    main()
