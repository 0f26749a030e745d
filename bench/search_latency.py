"""Server-side search latency over a realistic query mix: p50 / p95 / max, cold and warm.

The mix is derived from the index's own pages with a seed: 1-3 word queries from titles and
headings (most traffic), glossary terms and abbreviations, single common words, misspelled words,
quoted phrases, prefix*, operators and filters, long natural-language questions, queries that
find nothing, and hostile input (20 KB, unbalanced syntax, lone operators, control characters).
Each query runs once in a fresh process ("cold": posting lists read from disk on first use) and
then again ("warm"). With --api the same mix also goes through the Flask test client on
/api/search, when the app has that route: the app opens its own generation, so one untimed
pass warms it first.

Usage:
  .venv/bin/python bench/search_latency.py --index-dir /tmp/ix-corpus [--queries 600] [--api]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.search import search

AS_OF = date(2026, 11, 26)
SECTIONS = ["get-started", "api", "secure"]
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{2,}")
HOSTILE = [
    "x" * 20_000,
    "(" * 500 + "token",
    '"unbalanced quote',
    "AND OR NOT",
    "*",
    "a* b* c* d* e*",
    "-",
    "\x00\x01\x02 token \x7f",
    "🔐 認証 トークン",
    "title: section: status:",
    "((a OR b) AND (c OR (d AND e))) NOT f",
    " ".join(["token"] * 300),
    "?*?*?*",
    "OR " * 200,
]
NATURAL = [
    "how do I add users to an organization",
    "what is the difference between id tokens and access tokens",
    "how can I customize the login page with my own branding",
    "why does my refresh token expire so quickly",
    "set up multi-factor authentication for my tenant",
    "how to call my api from a single page application",
    "where do I find the client secret of my application",
    "migrate users from my database to auth0",
]


def build_mix(generation: Generation, count: int, seed: int) -> list[tuple[str, str]]:
    """Return (kind, query) pairs in a realistic proportion."""
    rng = random.Random(seed)
    rows = list(generation.store.rows(("title", "headings")))
    titles = [r["title"] for r in rows if r["title"]]
    headings = [h["text"] for r in rows for h in r["headings"]]
    words = [w for t in titles for w in WORD.findall(t)]
    glossary = [t["term"] for t in generation.meta("glossary") or []]
    aliases = [a for t in generation.meta("glossary") or [] for a in t.get("aliases", [])]

    def short(text: str) -> str:
        """Return 1-3 consecutive words of a text."""
        parts = text.split()
        n = min(len(parts), rng.choice([1, 2, 2, 3, 3]))
        start = rng.randrange(0, len(parts) - n + 1)
        return " ".join(parts[start : start + n])

    def typo(text: str) -> str:
        """Misspell the longest word of a text."""
        word = max(text.split(), key=len)
        if len(word) < 5:
            return text
        i = rng.randrange(1, len(word) - 1)
        return text.replace(word, word[:i] + word[i + 1 :], 1)

    makers: list[tuple[str, float, Callable[[], str]]] = [
        ("title words", 0.30, lambda: short(rng.choice(titles))),
        ("heading words", 0.15, lambda: short(rng.choice(headings))),
        ("one word", 0.10, lambda: rng.choice(words)),
        ("glossary", 0.08, lambda: rng.choice(glossary + aliases or ["token"])),
        ("typo", 0.10, lambda: typo(short(rng.choice(titles)))),
        ("phrase", 0.05, lambda: f'"{short(rng.choice(headings))}"'),
        ("prefix", 0.05, lambda: rng.choice(words)[: rng.choice([2, 3, 4])] + "*"),
        (
            "operators",
            0.04,
            lambda: f"{rng.choice(words)} -{rng.choice(words)} OR {rng.choice(words)}",
        ),
        (
            "filter",
            0.03,
            lambda: f"{short(rng.choice(titles))} section:{rng.choice(SECTIONS)}",
        ),
        ("natural", 0.04, lambda: rng.choice(NATURAL)),
        ("nothing", 0.03, lambda: rng.choice(["qwzxv", "zzyzx plorb", "flibbertigibbet"])),
        ("hostile", 0.03, lambda: rng.choice(HOSTILE)),
    ]
    mix = []
    for _ in range(count):
        pick = rng.random()
        for kind, share, make in makers:
            pick -= share
            if pick <= 0:
                mix.append((kind, make()))
                break
        else:
            mix.append(("title words", short(rng.choice(titles))))
    return mix


def percentile(values: list[float], share: float) -> float:
    """Return a nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summarize(label: str, timings: list[tuple[str, str, float]]) -> dict[str, object]:
    """Return p50/p95/max (ms) overall and per kind, and the slowest queries."""
    ms = [t * 1000 for _, _, t in timings]
    kinds: dict[str, list[float]] = {}
    for kind, _, t in timings:
        kinds.setdefault(kind, []).append(t * 1000)
    slowest = sorted(timings, key=lambda t: -t[2])[:5]
    return {
        "run": label,
        "queries": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(percentile(ms, 0.95), 2),
        "max_ms": round(max(ms), 2),
        "over_1s": sum(1 for m in ms if m > 1000),
        "per_kind_p95_ms": {k: round(percentile(v, 0.95), 2) for k, v in sorted(kinds.items())},
        "slowest": [{"kind": k, "query": q[:80], "ms": round(t * 1000, 1)} for k, q, t in slowest],
    }


def run(index_dir: Path, count: int, seed: int, api: bool) -> list[dict[str, object]]:
    """Time every query of the mix cold, warm and optionally through /api/search."""
    generation = Generation(current_generation(index_dir))
    mix = build_mix(generation, count, seed)
    reports = []
    for label in ("cold", "warm"):
        timings = []
        for kind, text in mix:
            started = time.perf_counter()
            search(generation, text, as_of=AS_OF)
            timings.append((kind, text, time.perf_counter() - started))
        reports.append(summarize(label, timings))
    if api:
        from kb.web import create_app

        client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
        if client.get("/api/search?q=token").status_code == 404:
            print("the app has no /api/search yet; skipped the API run")
        else:
            # The app serves its own Generation, with its own caches: warm them with one pass,
            # so this run measures what the HTTP layer adds to the warm run above.
            for _, text in mix:
                client.get("/api/search", query_string={"q": text})
            timings = []
            for kind, text in mix:
                started = time.perf_counter()
                client.get("/api/search", query_string={"q": text})
                timings.append((kind, text, time.perf_counter() - started))
            reports.append(summarize("api (Flask test client, warm)", timings))
    return reports


def main() -> None:
    """Parse arguments, run the mix, print a table and optionally write JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--api", action="store_true", help="also time /api/search via the test client"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    reports = run(args.index_dir, args.queries, args.seed, args.api)
    print(
        f"{os.cpu_count()} CPUs; 1-minute load average {load_before:.1f} before the run and "
        f"{os.getloadavg()[0]:.1f} after (other processes share the machine)"
    )
    print("| Run | Queries | p50 ms | p95 ms | max ms | > 1 s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in reports:
        cells = [r[k] for k in ("run", "queries", "p50_ms", "p95_ms", "max_ms", "over_1s")]
        print("| " + " | ".join(str(c) for c in cells) + " |")
    for r in reports:
        print(f"{r['run']}: p95 per kind {r['per_kind_p95_ms']}")
        print(f"{r['run']}: slowest {r['slowest']}")
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
