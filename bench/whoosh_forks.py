"""Compare Whoosh forks that import as `whoosh` by running bench/baseline.py in a venv per fork.

Usage: python bench/whoosh_forks.py [--corpus PATH] [--out bench/out] [--runs 2]
           [--compat-python /path/to/python3.13 ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import baseline

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_CORPUS = BENCH_DIR.parents[1] / "shared" / "corpora" / "auth0-docs"
CHILD_TIMEOUT_SECONDS = 1800
MEDIAN_KEYS = (
    "build_seconds",
    "pages_per_second",
    "index_bytes",
    "peak_rss_bytes",
    "query_p50_ms",
    "query_p95_ms",
)
MIB = 1024 * 1024


@dataclass(frozen=True)
class Fork:
    """A Whoosh distribution pinned to one version."""

    dist: str
    version: str


@dataclass(frozen=True)
class ChildOutcome:
    """What one baseline.py child run produced: its JSON result or why it failed."""

    result: dict[str, Any] | None
    error: str


FORKS = (Fork("whoosh-reloaded", "2.7.5"), Fork("whoosh3", "3.54.0"))


def log(message: str) -> None:
    """Print a progress line to stderr."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def python_version(python: Path | str) -> str:
    """Return the X.Y.Z version of an interpreter."""
    probe = [str(python), "-c", "import platform; print(platform.python_version())"]
    return subprocess.run(probe, capture_output=True, text=True, check=True).stdout.strip()


def ensure_venv(fork: Fork, out_dir: Path, base_python: str, suffix: str = "") -> Path:
    """Return the python of a venv holding only this fork, creating or reusing it."""
    venv_dir = out_dir / f"venv-{fork.dist}{suffix}"
    python = venv_dir / "bin" / "python"
    if not python.exists():
        log(f"creating {venv_dir}")
        subprocess.run([base_python, "-m", "venv", str(venv_dir)], check=True)
    probe = f"import importlib.metadata as m; print(m.version({fork.dist!r}))"
    installed = subprocess.run([str(python), "-c", probe], capture_output=True, text=True)
    if installed.stdout.strip() != fork.version:
        log(f"installing {fork.dist}=={fork.version} into {venv_dir}")
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, f"{fork.dist}=={fork.version}"], check=True)
    return python


def _failure_text(stderr: str, returncode: int) -> str:
    """Return the exception line of a child's traceback and where it was raised."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if not lines:
        return f"exit code {returncode}, no output"
    where = next((line for line in reversed(lines) if line.startswith("File ")), "")
    marker = "site-packages/"
    if marker in where:
        where = 'File "' + where.split(marker, 1)[1]
    return f"{lines[-1]} [{where}]" if where else lines[-1]


def run_child(
    python: Path, corpus: Path, queries_file: Path, work_dir: Path, *, strict: bool, max_pages: int
) -> ChildOutcome:
    """Run baseline.py once in a child interpreter; strict means -W error on fresh bytecode."""
    with tempfile.TemporaryDirectory(dir=work_dir) as scratch:
        scratch_dir = Path(scratch)
        out_file = scratch_dir / "result.json"
        command = [str(python)]
        env = dict(os.environ)
        if strict:
            # A fresh bytecode cache recompiles the fork from source, so compile-time
            # warnings (invalid escapes) are raised too, not hidden by pip's .pyc files.
            command += ["-W", "error"]
            env["PYTHONPYCACHEPREFIX"] = str(scratch_dir / "pycache")
        command += [str(BENCH_DIR / "baseline.py"), "--site-root", str(corpus)]
        command += ["--index-dir", str(scratch_dir / "index"), "--queries", str(queries_file)]
        command += ["--out", str(out_file), "--max-pages", str(max_pages)]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, env=env, timeout=CHILD_TIMEOUT_SECONDS
            )
        except subprocess.TimeoutExpired:
            return ChildOutcome(None, f"timed out after {CHILD_TIMEOUT_SECONDS} s")
        if done.returncode != 0 or not out_file.exists():
            return ChildOutcome(None, _failure_text(done.stderr, done.returncode))
        return ChildOutcome(json.loads(out_file.read_text()), "")


def median_result(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the first result with each timing/size replaced by the median over results."""
    merged = dict(results[0])
    for key in MEDIAN_KEYS:
        merged[key] = statistics.median(result[key] for result in results)
    return merged


def agreement(first: list[list[str]], second: list[list[str]]) -> tuple[int, int]:
    """Return how many queries got the same top-10 in the same order, and as a set."""
    pairs = list(zip(first, second, strict=False))
    return sum(a == b for a, b in pairs), sum(set(a) == set(b) for a, b in pairs)


def render_markdown(report: dict[str, Any]) -> str:
    """Return the benchmark report as a markdown section."""
    lines = [
        f"Corpus: `{report['corpus']}` ({report['pages']} pages, {report['queries']} queries), "
        f"median of {report['runs']} runs per fork, interleaved; machine: {report['machine']}.",
        "",
        "| Fork | Python | Build s | Pages/s | Index MiB | Peak RSS MiB | Query p50 ms "
        "| Query p95 ms | Warnings (normal run) | `-W error`, fresh bytecode |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for row in report["forks"]:
        median = row["median"]
        if median is None:
            lines.append(f"| {row['fork']} | — | failed: {row['errors'][0]} | | | | | | | |")
            continue
        warned = str(median["warning_count"])
        if median["first_warning"]:
            warned += f": {median['first_warning']}"
        strict = "passes" if not row["strict_error"] else f"raises: {row['strict_error']}"
        lines.append(
            f"| {row['fork']} | {median['python']} | {median['build_seconds']:.1f} "
            f"| {median['pages_per_second']:.0f} | {median['index_bytes'] / MIB:.1f} "
            f"| {median['peak_rss_bytes'] / MIB:.0f} | {median['query_p50_ms']:.2f} "
            f"| {median['query_p95_ms']:.2f} | {warned} | {strict} |"
        )
    if report.get("agreement"):
        same_order, same_set = report["agreement"]
        lines += [
            "",
            f"Same top-10 urls for both forks: {same_order}/{report['queries']} queries in the "
            f"same order, {same_set}/{report['queries']} as the same set.",
        ]
    lines += ["", "Declared support (package metadata):", ""]
    for row in report["forks"]:
        if row["median"] is not None:
            median = row["median"]
            versions = ", ".join(median["classifiers"]) or "none listed"
            lines.append(
                f"- {row['fork']}: Requires-Python `{median['requires_python'] or 'unset'}`; "
                f"classifiers {versions}"
            )
    if report["compat"]:
        lines += [
            "",
            f"Other Pythons: import + build of the first {report['compat_pages']} pages + "
            "every query under `-W error` with fresh bytecode:",
            "",
            "| Fork | Python | Result |",
            "| --- | --- | --- |",
        ]
        for check in report["compat"]:
            lines.append(f"| {check['fork']} | {check['python']} | {check['result']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Benchmark every fork and write bench/out/whoosh_forks.md and .json."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "out")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--compat-python", action="append", default=[], metavar="PYTHON")
    parser.add_argument("--compat-pages", type=int, default=300)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    out_dir: Path = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)

    pages = baseline.read_plain_pages(args.corpus)
    queries_file = out_dir / "queries.json"
    queries = baseline.make_query_mix(pages, args.queries)
    queries_file.write_text(json.dumps(queries, indent=1))
    try:
        pythons = {fork: ensure_venv(fork, out_dir, sys.executable) for fork in FORKS}
    except subprocess.CalledProcessError as error:
        print(f"could not set up a fork venv: {error}", file=sys.stderr)
        return 1

    runs: dict[Fork, list[dict[str, Any]]] = {fork: [] for fork in FORKS}
    errors: dict[Fork, list[str]] = {fork: [] for fork in FORKS}
    for run in range(args.runs):
        # Alternate the order so neither fork always runs on a warmer or busier machine.
        for fork in FORKS if run % 2 == 0 else tuple(reversed(FORKS)):
            log(f"run {run + 1}/{args.runs}: {fork.dist}")
            outcome = run_child(
                pythons[fork], args.corpus, queries_file, out_dir, strict=False, max_pages=0
            )
            if outcome.result is not None:
                runs[fork].append(outcome.result)
                log(f"  build {outcome.result['build_seconds']:.1f} s")
            else:
                errors[fork].append(outcome.error)
                log(f"  failed: {outcome.error}")

    rows = []
    for fork in FORKS:
        log(f"-W error run: {fork.dist}")
        strict = run_child(
            pythons[fork], args.corpus, queries_file, out_dir, strict=True, max_pages=0
        )
        rows.append(
            {
                "fork": f"{fork.dist} {fork.version}",
                "median": median_result(runs[fork]) if runs[fork] else None,
                "errors": errors[fork],
                "strict_error": strict.error,
                "runs": [{k: r[k] for k in MEDIAN_KEYS} for r in runs[fork]],
            }
        )

    compat = []
    for base_python in args.compat_python:
        version = python_version(base_python)
        for fork in FORKS:
            log(f"compat {fork.dist} on Python {version}")
            try:
                python = ensure_venv(fork, out_dir, base_python, suffix=f"-py{version}")
            except subprocess.CalledProcessError as error:
                compat.append({"fork": fork.dist, "python": version, "result": str(error)})
                continue
            outcome = run_child(
                python, args.corpus, queries_file, out_dir, strict=True, max_pages=args.compat_pages
            )
            result = "passes" if outcome.result is not None else f"raises: {outcome.error}"
            compat.append(
                {"fork": f"{fork.dist} {fork.version}", "python": version, "result": result}
            )

    first_runs = [runs[fork][0]["top_urls"] for fork in FORKS if runs[fork]]
    report = {
        "corpus": str(args.corpus),
        "pages": len(pages),
        "queries": len(queries),
        "runs": args.runs,
        "machine": f"{os.cpu_count()} cores, Python {python_version(sys.executable)}",
        "forks": rows,
        "agreement": agreement(first_runs[0], first_runs[1]) if len(first_runs) == 2 else None,
        "compat": compat,
        "compat_pages": args.compat_pages,
    }
    markdown = render_markdown(report)
    (out_dir / "whoosh_forks.md").write_text(markdown)
    (out_dir / "whoosh_forks.json").write_text(json.dumps(report, indent=1))
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
