"""Benchmark a one-page re-index at scale: edit one page, run `kb index --json` as a child, report.

Each run appends a paragraph with a fresh word to one page (a new file renamed over the old one,
so a hard-linked site copy is not written through), runs `kb index`, and records wall seconds,
child CPU seconds, the load average and the phases of the run's summary; then it checks the fresh
word is found in the new generation. At the end the page is restored and indexed once more
(reported as the last run), so the index again matches the site.

Usage: .venv/bin/python bench/incremental_scale.py SITE_ROOT --index-dir DIR [--runs N]
       [--page REL_PATH] [--out bench/out/incremental_scale.json]

The index must already hold a generation of SITE_ROOT (a full build). The first run after a full
build by an older kb also hashes every source once; later runs show the steady state.
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
import time
from pathlib import Path
from typing import Any

from kb.urls import url_for_path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out" / "incremental_scale.json"


def pick_page(site: Path) -> Path:
    """Choose a page in the middle of the site's sorted page files (deterministic)."""
    pages = sorted(p for p in (site / "docs").rglob("*") if p.suffix in (".md", ".mdx"))
    if not pages:
        raise SystemExit(f"no .md or .mdx page under {site / 'docs'}")
    return pages[len(pages) // 2]


def replace_file(path: Path, text: str) -> None:
    """Write text to a new file and rename it over path (never writing a shared inode)."""
    fresh = path.with_name(path.name + ".bench-tmp")
    fresh.write_text(text, "utf-8")
    os.replace(fresh, path)


def run_index(site: Path, index_dir: Path) -> dict[str, Any]:
    """Run `kb index --json` in a child; return its summary with wall, CPU and load figures."""
    load_before = os.getloadavg()[0]
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kb.cli",
            "index",
            str(site),
            "--index-dir",
            str(index_dir),
            "--json",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"kb index failed ({done.returncode}): {done.stderr or done.stdout}")
    summary = json.loads(done.stdout)
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round((after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime), 3),
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "mode": summary["mode"],
        "indexed": summary["indexed"],
        "unchanged": summary["unchanged"],
        "pages": summary["pages"],
        "generation": summary["generation"],
        "kb_seconds": summary["seconds"],
        "phases": summary.get("phases", {}),
        "problems_about_reuse": [
            p for p in summary["problems"] if "not reused" in p.get("problem", "")
        ],
    }


def found(index_dir: Path, word: str, url: str) -> bool:
    """Tell whether the app's search API, on the served generation, finds a word at a URL."""
    from kb.web import create_app  # imported here: the timed runs are children, not this process

    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    answer = client.get("/api/search", query_string={"q": word})
    return answer.status_code == 200 and url in [h["url"] for h in answer.get_json()["results"]]


def main() -> None:
    """Edit one page N times, re-index after each edit, restore it, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--page", help="page to edit, relative to SITE_ROOT")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    site = args.site.resolve()
    page = site / args.page if args.page else pick_page(site)
    original = page.read_text("utf-8")
    url = url_for_path(page.relative_to(site).as_posix())
    saved = page.with_name(page.name + ".bench-orig")
    shutil.copy2(page, saved)  # a private copy: restoring renames it back, mtime included
    runs = []
    try:
        for n in range(args.runs):
            word = f"benchprobe{os.getpid()}x{n}"
            replace_file(page, f"{original}\n\nThe {word} paragraph, run {n}.\n")
            result = run_index(site, args.index_dir)
            result["edit"] = n
            result["fresh_word_found"] = found(args.index_dir, word, url)
            runs.append(result)
            print(json.dumps(result), flush=True)
    finally:
        os.replace(saved, page)
    restore = run_index(site, args.index_dir)
    restore["edit"] = "restore"
    runs.append(restore)
    print(json.dumps(restore), flush=True)
    edits = [r for r in runs if r["edit"] != "restore" and r["mode"] == "incremental"]
    report = {
        "site": str(site),
        "page": str(page.relative_to(site)),
        "pages": runs[-1]["pages"],
        "runs": runs,
        "median_wall_s": statistics.median(r["wall_s"] for r in edits) if edits else None,
        "median_cpu_s": statistics.median(r["cpu_s"] for r in edits) if edits else None,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), "utf-8")
    print(
        f"{report['pages']} pages: one-page re-index median wall {report['median_wall_s']} s, "
        f"CPU {report['median_cpu_s']} s over {len(edits)} incremental runs -> {args.out}"
    )


if __name__ == "__main__":
    main()
