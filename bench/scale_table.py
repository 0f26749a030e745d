"""The scale benchmark's Markdown report: one row per measure, one column per factor, growth
ratios against the smallest factor, then the slowest and failed HTTP queries."""

from __future__ import annotations

from typing import Any

COLUMNS = [
    ("pages", "pages"),
    ("source_mb", "source MB"),
    ("synth_s", "generate s"),
    ("build_s", "kb full build s"),
    ("build_cpu_s", "kb full build CPU s (user+sys, all processes)"),
    ("pages_per_s", "kb pages/s"),
    ("peak_rss_mib", "build peak RSS, largest process MiB"),
    ("peak_tree_rss_mib", "build peak RSS, all processes MiB"),
    ("plain_s", "plain Whoosh build s (same pages, one process)"),
    ("plain_cpu_s", "plain Whoosh build CPU s"),
    ("build_ratio", "full build ratio kb / plain, wall (target ≤ 1.5)"),
    ("build_cpu_ratio", "full build ratio kb / plain, CPU"),
    ("whoosh_mb", "Whoosh MB"),
    ("sqlite_mb", "pages.sqlite MB"),
    ("plain_mb", "plain Whoosh MB"),
    ("open_s", "in-process: open generation s"),
    ("rss_open_mib", "in-process: RSS after open MiB"),
    ("rss_after_mib", "in-process: RSS after queries MiB"),
    ("cold_p50_ms", "in-process: cold p50 ms"),
    ("cold_p95_ms", "in-process: cold p95 ms"),
    ("cold_max_ms", "in-process: cold max ms"),
    ("warm_p50_ms", "in-process: warm p50 ms"),
    ("warm_p95_ms", "in-process: warm p95 ms"),
    ("warm_p99_ms", "in-process: warm p99 ms"),
    ("warm_max_ms", "in-process: warm max ms"),
    ("warm_cpu_p50_ms", "in-process: warm CPU p50 ms (contention-free)"),
    ("warm_cpu_p95_ms", "in-process: warm CPU p95 ms"),
    ("mean_hits", "mean hits per query"),
    ("body_terms", "distinct terms, body field"),
    ("words_terms", "distinct terms, exact words field"),
    ("http_workers", "HTTP: gunicorn workers"),
    ("http_open_ms", "HTTP: first query per worker (opens its searcher) ms"),
    ("http_cold_p50_ms", "HTTP: cold p50 ms"),
    ("http_cold_p95_ms", "HTTP: cold p95 ms"),
    ("http_cold_p99_ms", "HTTP: cold p99 ms"),
    ("http_cold_max_ms", "HTTP: cold max ms"),
    ("http_warm_p50_ms", "HTTP: warm p50 ms"),
    ("http_warm_p95_ms", "HTTP: warm p95 ms (target ≤ 50 at 10×, ≤ 100 at 30×)"),
    ("http_warm_p99_ms", "HTTP: warm p99 ms"),
    ("http_warm_max_ms", "HTTP: warm max ms (target < 1000)"),
    ("http_cold_over_1s", "HTTP: cold queries over 1 s"),
    ("http_warm_over_1s", "HTTP: warm queries over 1 s"),
    ("http_cold_failures", "HTTP: cold failures (not 200 + JSON)"),
    ("http_warm_failures", "HTTP: warm failures"),
    ("http_warm_refused_too_long", "HTTP: refused as too long (414, expected)"),
    ("http_warm_server_cpu_ms_per_query", "HTTP: warm server CPU ms per query"),
    ("http_worker_rss_mib", "HTTP: RSS per worker after warm MiB (target < 500 at 30×)"),
    ("http_worker_pss_mib", "HTTP: PSS per worker after warm MiB"),
    ("http_master_rss_mib", "HTTP: gunicorn master RSS MiB"),
    ("incr_edit_s", "one-page edit re-index s (target ≤ 5 at 10×, ≤ 10 at 30×)"),
    ("incr_edit_cpu_s", "one-page edit re-index CPU s"),
    ("incr_edit_kb_seconds", "one-page edit: kb's own seconds (summary; no interpreter start)"),
    ("incr_edit_peak_rss_mib", "one-page edit re-index peak RSS MiB"),
    ("incr_edit_mode", "one-page edit: mode"),
    ("incr_edit_indexed", "one-page edit: pages indexed"),
    ("incr_edit_unchanged", "one-page edit: pages unchanged"),
    ("incr_revert_s", "one-page revert re-index s"),
    ("incr_revert_cpu_s", "one-page revert re-index CPU s"),
    ("incr_revert_indexed", "one-page revert: pages indexed"),
]
PHASES = ("build", "plain", "search", "http", "incremental")
# Issue 11's "Done when", by factor: (figure, ceiling, what is judged). 1× has only the
# factor-free checks.
TARGETS: dict[int, list[tuple[str, float, str]]] = {
    10: [("http_warm_p95_ms", 50, "HTTP warm p95 ms"), ("incr_edit_s", 5, "one-page re-index s")],
    30: [
        ("http_warm_p95_ms", 100, "HTTP warm p95 ms"),
        ("incr_edit_s", 10, "one-page re-index s"),
        ("http_worker_max_rss_mib", 500, "largest worker RSS MiB"),
    ],
}
EVERY_FACTOR = [
    ("build_ratio", 1.5, "full build kb / plain, wall"),
    ("http_cold_max_ms", 1000, "HTTP cold max ms"),
    ("http_warm_max_ms", 1000, "HTTP warm max ms"),
    ("http_cold_failures", 0, "HTTP cold failures"),
    ("http_warm_failures", 0, "HTTP warm failures"),
]


def ratio(value: Any, base: Any) -> str:
    """Format value/base as a growth factor, or a dash when either is not a number."""
    try:
        return f"{float(value) / float(base):.1f}×" if float(base) else "–"
    except (TypeError, ValueError):
        return "–"


def table(results: dict[str, dict[str, Any]]) -> str:
    """Return the measures table: one column per factor, then growth against the first."""
    factors = sorted(results, key=int)
    base = results[factors[0]]
    head = ["measure", *[f"{f}×" for f in factors], *[f"{f}× / {factors[0]}×" for f in factors[1:]]]
    lines = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 1)]
    rows = COLUMNS + [(f"load_{p}", f"load average (1 min) before → after {p}") for p in PHASES]
    rows += [(f"kb_version_{p}", f"kb commit, {p}") for p in PHASES]
    rows += [("load_avg", "load average (1 min) after build and search (older runs)")]
    rows += [("kb_version", "kb commit (older runs)")]
    for key, label in rows:
        if not any(key in results[f] for f in factors):
            continue
        cells = [str(results[f].get(key, "–")) for f in factors]
        growth = [ratio(results[f].get(key), base.get(key)) for f in factors[1:]]
        lines.append("| " + " | ".join([label, *cells, *growth]) + " |")
    return "\n".join(lines)


def http_queries(results: dict[str, dict[str, Any]]) -> str:
    """List, per factor, the five slowest warm and cold HTTP queries and any failures."""
    lines: list[str] = []
    for factor in sorted(results, key=int):
        detail = results[factor].get("http_detail")
        if not detail:
            continue
        for label in ("cold", "warm"):
            slow = "; ".join(
                f"{q['ms']} ms {q['kind']} {q['query']!r}" for q in detail[label]["slowest"]
            )
            lines.append(f"- {factor}× {label}, slowest: {slow}")
            for failure in detail[label]["failed"]:
                lines.append(
                    f"- {factor}× {label}, FAILED ({failure['kind']}, {failure['query_chars']} chars "
                    f"{failure['query'][:40]!r}): {failure['problem']}"
                )
    return "\n".join(lines)


def verdicts(results: dict[str, dict[str, Any]]) -> str:
    """Judge each factor's figures against the issue's targets: met, missed or not measured."""
    lines = []
    for factor in sorted(results, key=int):
        row = results[factor]
        judged = []
        for key, ceiling, label in TARGETS.get(int(factor), []) + EVERY_FACTOR:
            if key not in row:
                judged.append(f"{label}: not measured")
            else:
                verdict = "met" if float(row[key]) <= ceiling else "MISSED"
                judged.append(f"{label} {row[key]} (≤ {ceiling:g}) {verdict}")
        lines.append(f"- {factor}×: " + "; ".join(judged))
    return "\n".join(lines)


def report(results: dict[str, dict[str, Any]]) -> str:
    """Return the whole Markdown report."""
    if not results:
        return "(no figures)"
    queries = http_queries(results)
    parts = [table(results), "Issue 11 targets:\n" + verdicts(results), queries]
    return "\n\n".join(part for part in parts if part)
