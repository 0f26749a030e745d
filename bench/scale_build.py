"""The scale benchmark's build phases, each in a child process timed by wait4: kb's full build,
a plain Whoosh build of the same pages (bench/baseline.py, the yardstick of bench/index_build.py),
and a one-page incremental re-index (edit, then revert).

Run as a script it is the plain-build child: `scale_build.py --plain SITE INDEX_DIR`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baseline import build_plain_index, read_plain_pages
from procstat import ChildRun, folder_bytes, run_timed, tree_rss, wait_timed

from kb.index.generations import current_generation

REPO = Path(__file__).resolve().parent.parent
EDIT_MARK = "\n\nEdited by bench/scale.py: one paragraph more, to time a one-page re-index.\n"


def kb_index_command(site: Path, index_dir: Path, *, full: bool) -> list[str]:
    """Return the `kb index --json` command line for a site and index folder."""
    command = [sys.executable, "-m", "kb.cli", "index", str(site), "--index-dir", str(index_dir)]
    return command + (["--full", "--json"] if full else ["--json"])


def _sample_tree(child: subprocess.Popen[bytes], index_dir: Path, stop: threading.Event) -> int:
    """Return the peak RSS summed over the child's tree, sampled every 0.5 s; log every 30 s."""
    peak, last_log, started = 0, 0.0, time.perf_counter()
    while not stop.wait(0.5):
        peak = max(peak, tree_rss(child.pid))
        elapsed = time.perf_counter() - started
        if elapsed - last_log >= 30:
            last_log = elapsed
            size = folder_bytes(index_dir) if index_dir.exists() else 0
            print(
                f"    {elapsed:6.0f} s: tree RSS {peak / 2**20:.0f} MiB peak, "
                f"index folder {size / 1e6:.0f} MB, load {os.getloadavg()[0]:.1f}",
                file=sys.stderr,
                flush=True,
            )
    return peak


def timed_build(site: Path, index_dir: Path, log: Path) -> dict[str, Any]:
    """Run a full `kb index` in a child; return wall and CPU seconds, memory peaks, sizes."""
    shutil.rmtree(index_dir, ignore_errors=True)
    out_path = log.with_suffix(".json")
    peak: list[int] = []
    stop = threading.Event()
    with out_path.open("w") as out, log.open("w") as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            kb_index_command(site, index_dir, full=True), cwd=REPO, stdout=out, stderr=err
        )
        sampler = threading.Thread(
            target=lambda: peak.append(_sample_tree(child, index_dir, stop)), daemon=True
        )
        sampler.start()
        run = wait_timed(child, started)
        stop.set()
        sampler.join()
    if run.returncode != 0:
        raise RuntimeError(f"kb index failed ({run.returncode}); see {log}")
    summary = json.loads(out_path.read_text())
    generation = current_generation(index_dir)
    return {
        "build_s": round(run.wall_s, 1),
        "build_cpu_s": round(run.cpu_s, 1),
        "indexed": summary["indexed"],
        "pages": summary["pages"],
        "rejected": len(summary["rejected"]),
        "peak_rss_mib": run.peak_rss_mib,
        "peak_tree_rss_mib": round(peak[0] / 2**20) if peak else 0,
        "whoosh_mb": round(folder_bytes(generation / "whoosh") / 1e6, 1),
        "sqlite_mb": round((generation / "pages.sqlite").stat().st_size / 1e6, 1),
        "generation_mb": round(folder_bytes(generation) / 1e6, 1),
        "pages_per_s": round(summary["indexed"] / run.wall_s),
    }


def plain_child(site: Path, index_dir: Path) -> dict[str, Any]:
    """Read the site's pages and index them with plain Whoosh (run in a fresh process)."""
    shutil.rmtree(index_dir, ignore_errors=True)
    pages = read_plain_pages(site)
    built = build_plain_index(pages, index_dir)
    return {"pages": len(pages), "index_bytes": built["index_bytes"]}


def timed_plain(site: Path, index_dir: Path, log: Path) -> dict[str, Any]:
    """Build the plain Whoosh index in a child; return its wall and CPU seconds and size."""
    command = [sys.executable, __file__, "--plain", str(site), str(index_dir)]
    out_path = log.with_suffix(".json")
    run = run_timed(command, REPO, out_path, log)
    if run.returncode != 0:
        raise RuntimeError(f"plain Whoosh build failed ({run.returncode}); see {log}")
    result = json.loads(out_path.read_text())
    shutil.rmtree(index_dir, ignore_errors=True)
    return {
        "plain_s": round(run.wall_s, 1),
        "plain_cpu_s": round(run.cpu_s, 1),
        "plain_pages": result["pages"],
        "plain_peak_rss_mib": run.peak_rss_mib,
        "plain_mb": round(result["index_bytes"] / 1e6, 1),
    }


def edited_page(site: Path) -> Path:
    """Pick the page to edit: the middle one of the site's pages in path order (not the glossary)."""
    pages = sorted(p for p in (site / "docs").rglob("*.mdx") if p.name != "glossary.mdx")
    return pages[len(pages) // 2]


def replace_text(path: Path, text: str) -> None:
    """Give a file new content through a new inode, never writing into one shared by hard links."""
    fresh = path.with_name(f".{path.name}.scale-tmp")
    fresh.write_text(text, encoding="utf-8")
    os.replace(fresh, path)


def _incremental_run(site: Path, index_dir: Path, log: Path) -> dict[str, Any]:
    """Run one incremental `kb index --json`; return its figures and the summary's counts."""
    run: ChildRun = run_timed(
        kb_index_command(site, index_dir, full=False), REPO, log.with_suffix(".json"), log
    )
    if run.returncode != 0:
        raise RuntimeError(f"incremental kb index failed ({run.returncode}); see {log}")
    summary = json.loads(log.with_suffix(".json").read_text())
    return {
        "s": round(run.wall_s, 2),
        "cpu_s": round(run.cpu_s, 2),
        "peak_rss_mib": run.peak_rss_mib,
        "mode": summary["mode"],
        "indexed": summary["indexed"],
        "unchanged": summary["unchanged"],
        "removed": summary["removed"],
        "rejected": len(summary["rejected"]),
        "kb_seconds": summary.get("seconds"),
    }


def timed_incremental(site: Path, index_dir: Path, logs: Path) -> dict[str, Any]:
    """Edit one page and re-index, then restore it and re-index again; return both runs."""
    page = edited_page(site)
    original = page.read_text(encoding="utf-8")
    replace_text(page, original + EDIT_MARK)
    try:
        edit = _incremental_run(site, index_dir, logs / "edit.log")
    finally:
        replace_text(page, original)
    revert = _incremental_run(site, index_dir, logs / "revert.log")
    row: dict[str, Any] = {"incremental_page": page.relative_to(site).as_posix()}
    for label, run in (("edit", edit), ("revert", revert)):
        row.update({f"incr_{label}_{key}": value for key, value in run.items()})
    return row


def main() -> int:
    """Run the plain-build child and print its result as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plain", nargs=2, type=Path, metavar=("SITE", "INDEX_DIR"), required=True)
    args = parser.parse_args()
    print(json.dumps(plain_child(*args.plain)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
