"""`/api/search` over loopback: the real `kb serve` (gunicorn) on an index, the query mix replayed
by one client on one keep-alive connection, sequentially (so a latency is never queueing).

The server starts in a child with N workers on 127.0.0.1 and a free port, its search log in a
state folder of its own (the index folder is only read). A first query that finds nothing,
sent until every worker has served one, opens their searchers and is timed apart; then the mix
runs cold, then warm. A request the server refuses closes the connection; the client reconnects
(counted) and the new connection may reach another worker, which has seen only part of the mix.
Every response must be 200 with a JSON body; anything else is counted as a failure with its
status and reason, except gunicorn's 414 for a request line over its limit (the mix's 20,000-
character hostile query), counted apart as refused and left out of the latencies. After the warm pass each worker's (and the master's) RSS, PSS and CPU are
read from /proc.

The API takes no `as_of` (the server uses today's date for review statuses, the in-process run
2026-11-26) and no `lang` is sent (both runs then search in the site's default language). The
client asks for gzip, as browsers do, and decodes it before checking the JSON.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from procstat import children_of, cpu_seconds, memory_mib
from search_latency import percentile

REPO = Path(__file__).resolve().parent.parent
OPEN_QUERY = "qqzxvopenprobe"
READY_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 60.0
HEADERS = {"Accept-Encoding": "gzip", "Accept": "application/json"}
# gunicorn refuses longer request lines with 414 (its limit_request_line default, 4094 bytes).
GUNICORN_REQUEST_LINE = 4094


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(
    index_dir: Path, state_dir: Path, workers: int, log: Path
) -> tuple[subprocess.Popen[bytes], int]:
    """Start `kb serve` in its own process group; return it and its port once /healthz answers."""
    port = free_port()
    command = [sys.executable, "-m", "kb.cli", "serve", "--index-dir", str(index_dir)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    command += ["--state-dir", str(state_dir)]
    with log.open("w") as out:
        server = subprocess.Popen(
            command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"kb serve exited with {server.returncode}; see {log}")
        if _healthy(port) and len(children_of(server.pid)) >= workers:
            return server, port
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(
        f"kb serve did not answer /healthz within {READY_TIMEOUT_S:.0f} s; see {log}"
    )


def _healthy(port: int) -> bool:
    """Tell whether the server answers /healthz with 200 (on a connection of its own)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (gunicorn's master and workers) and reap the master."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


class Client:
    """One keep-alive connection to the server, reopened (and counted) when the server closes it."""

    def __init__(self, port: int) -> None:
        """Open the connection lazily on the first request."""
        self.port = port
        self.connection: http.client.HTTPConnection | None = None
        self.reconnects = -1  # the first connection is not a reconnect

    def get(self, path: str) -> tuple[float, int, bytes, str]:
        """Send one GET; return seconds to the last body byte, status, decoded body, encoding."""
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S
                )
                self.reconnects += 1
            try:
                started = time.perf_counter()
                self.connection.request("GET", path, headers=HEADERS)
                response = self.connection.getresponse()
                body = response.read()
                seconds = time.perf_counter() - started
            except (OSError, http.client.HTTPException) as exc:
                # A keep-alive connection the server closed is retried once on a new one; a
                # request the server refuses mid-send is a failure, status 0.
                self.close()
                if attempt == 2:
                    return time.perf_counter() - started, 0, repr(exc).encode(), ""
                continue
            encoding = response.getheader("Content-Encoding") or ""
            if response.will_close:
                self.close()
            return (
                seconds,
                response.status,
                gzip.decompress(body) if encoding == "gzip" else body,
                encoding,
            )
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the connection; the next request opens a new one."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def search_path(query: str) -> str:
    """Return the /api/search request path for a query."""
    return "/api/search?" + urlencode({"q": query})


def refused_as_too_long(path: str, status: int) -> bool:
    """Tell whether gunicorn refused a request line longer than it accepts (HTTP 414, or the
    connection closed mid-send): the answer kb's server gives such a URL, not a failure."""
    return len(path) > GUNICORN_REQUEST_LINE and status in (0, 414)


def check(status: int, body: bytes) -> str | None:
    """Return why a response is a failure (not 200, or not a JSON object with results), or None."""
    if status == 0:
        return f"no response: {body.decode()}"
    if status != 200:
        return f"HTTP {status}: {' '.join(body[:300].decode('utf-8', 'replace').split())[:120]}"
    try:
        data = json.loads(body)
    except ValueError as exc:
        return f"invalid JSON: {exc}"
    if not isinstance(data, dict) or "results" not in data:
        return "JSON without results"
    return None


def replay(client: Client, mix: list[tuple[str, str]]) -> dict[str, Any]:
    """Send every query of the mix once; return the latency summary and the failures."""
    timings: list[tuple[str, str, float]] = []
    failures: list[dict[str, Any]] = []
    compressed = 0
    refused = 0
    for kind, text in mix:
        path = search_path(text)
        seconds, status, body, encoding = client.get(path)
        if refused_as_too_long(path, status):
            refused += 1
            continue
        timings.append((kind, text, seconds))
        compressed += encoding == "gzip"
        if (problem := check(status, body)) is not None:
            failures.append(
                {"kind": kind, "query": text[:80], "query_chars": len(text), "problem": problem}
            )
    ms = [t * 1000 for _, _, t in timings]
    slowest = sorted(timings, key=lambda t: -t[2])[:5]
    return {
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1),
        "over_1s": sum(1 for m in ms if m > 1000),
        "failures": len(failures),
        "refused_too_long": refused,
        "failed": failures[:20],
        "gzip_responses": compressed,
        "slowest": [{"kind": k, "query": q[:80], "ms": round(t * 1000, 1)} for k, q, t in slowest],
    }


def server_processes(server: subprocess.Popen[bytes]) -> dict[str, Any]:
    """Return the master's and each worker's memory and CPU seconds."""
    workers = [
        {"pid": pid, **memory_mib(pid), "cpu_s": round(cpu_seconds(pid), 1)}
        for pid in children_of(server.pid)
    ]
    return {"master": memory_mib(server.pid), "workers": workers}


def workers_cpu(server: subprocess.Popen[bytes]) -> float:
    """Return the CPU seconds the server's workers have used so far."""
    return sum(cpu_seconds(pid) for pid in children_of(server.pid))


def open_every_worker(port: int, server: subprocess.Popen[bytes], workers: int) -> list[float]:
    """Send the first query on fresh connections until every worker has served one; return
    each worker's first-query milliseconds (it opens that worker's searcher).

    Which worker accepts a connection is the kernel's choice, so a connection reopened after a
    refused request may land on either; opening them all first keeps that cost out of the passes.
    """
    opened: dict[int, float] = {}
    for _ in range(20 * workers):
        before = {pid: cpu_seconds(pid) for pid in children_of(server.pid)}
        client = Client(port)
        seconds, status, body, _ = client.get(search_path(OPEN_QUERY))
        client.close()
        if (problem := check(status, body)) is not None:
            raise RuntimeError(f"the first query failed: {problem}")
        busiest = max(before, key=lambda pid: cpu_seconds(pid) - before[pid])
        opened.setdefault(busiest, round(seconds * 1000, 1))
        if len(opened) == workers:
            break
    return list(opened.values())


def loopback(
    index_dir: Path, mix: list[tuple[str, str]], workers: int, work: Path
) -> dict[str, Any]:
    """Serve the index, replay the mix cold then warm over HTTP, and return every figure."""
    work.mkdir(parents=True, exist_ok=True)
    server, port = start_server(index_dir, work / "state", workers, work / "serve.log")
    client = Client(port)
    try:
        result: dict[str, Any] = {"workers": workers}
        result["open_ms"] = open_every_worker(port, server, workers)
        for label in ("cold", "warm"):
            cpu_before = workers_cpu(server)
            result[label] = replay(client, mix)
            result[label]["server_cpu_ms_per_query"] = round(
                (workers_cpu(server) - cpu_before) * 1000 / len(mix), 1
            )
        result["reconnects"] = client.reconnects
        result["processes"] = server_processes(server)
    finally:
        client.close()
        stop_server(server)
    return result


def flatten(result: dict[str, Any]) -> dict[str, Any]:
    """Return the loopback figures as the flat http_* keys of a results row."""
    row: dict[str, Any] = {
        "http_workers": result["workers"],
        "http_open_ms": " / ".join(str(ms) for ms in result["open_ms"]),
        "http_reconnects": result["reconnects"],
    }
    for label in ("cold", "warm"):
        for key in (
            "p50_ms",
            "p95_ms",
            "p99_ms",
            "max_ms",
            "over_1s",
            "failures",
            "refused_too_long",
            "server_cpu_ms_per_query",
        ):
            row[f"http_{label}_{key}"] = result[label][key]
    workers = result["processes"]["workers"]
    row["http_worker_rss_mib"] = " / ".join(str(w["rss_mib"]) for w in workers)
    row["http_worker_pss_mib"] = " / ".join(str(w["pss_mib"]) for w in workers)
    row["http_worker_max_rss_mib"] = max((w["rss_mib"] for w in workers), default=0)
    row["http_master_rss_mib"] = result["processes"]["master"]["rss_mib"]
    row["http_detail"] = result
    return row
