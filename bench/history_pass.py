"""Time the git history pass of `kb index` on a synthetic repository with a long history.

The corpus in ../shared/corpora/auth0-docs is not a git repository, so this script writes one
with `git fast-import`: PAGES pages and a few snippets, then COMMITS commits each touching one to
four files — body edits, frontmatter-only restamps, snippet edits and renames (with and without
an edit) — one commit a day. It then runs kb.build.history.read_history over every page, as
`kb index` does, and prints the time, the commits read and what the pass found as JSON.

    nice .venv/bin/python bench/history_pass.py --pages 3000 --commits 20000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from kb.build.history import PageFiles, read_history

START = date(2015, 1, 1)
WORDS = [
    "token",
    "tenant",
    "action",
    "rule",
    "login",
    "flow",
    "user",
    "session",
    "domain",
    "client",
    "secret",
    "scope",
]


def _page(title: str, stamp: date, body: str) -> str:
    """Return a page: frontmatter with a validatedOn stamp, then its body."""
    return f"---\ntitle: {title}\nvalidatedOn: {stamp.isoformat()}\n---\n\n{body}"


def _body(rng: random.Random, snippet: str | None) -> str:
    """Return a body of twenty lines of words (importing a snippet when given)."""
    lines = [" ".join(rng.choices(WORDS, k=12)) for _ in range(20)]
    if snippet:
        lines.insert(0, f'import S from "/snippets/{snippet}";\n\n<S />\n')
    return "\n".join(lines) + "\n"


def _data(text: str) -> bytes:
    """Return a fast-import data block."""
    raw = text.encode()
    return b"data %d\n" % len(raw) + raw + b"\n"


def _commit(day: date, files: dict[str, str], moves: list[tuple[str, str]], n: int) -> bytes:
    """Return one fast-import commit writing files and renaming paths on a day."""
    stamp = int(time.mktime(day.timetuple())) + 43200
    out = [b"commit refs/heads/main\n", b"committer Bench <b@example.com> %d +0000\n" % stamp]
    out.append(_data(f"change {n}"))
    out += [f"R {old} {new}\n".encode() for old, new in moves]
    for path, text in files.items():
        out.append(f"M 100644 inline {path}\n".encode())
        out.append(_data(text))
    return b"".join(out) + b"\n"


def build_repo(
    root: Path, pages: int, commits: int, seed: int
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Write the synthetic repository; return each page's snippets, and its true last change."""
    rng = random.Random(seed)
    snippets = [f"snip-{i}.mdx" for i in range(max(1, pages // 100))]
    paths = [f"docs/s{i % 40}/page-{i}.mdx" for i in range(pages)]
    uses = {p: rng.choice(snippets) if rng.random() < 0.2 else None for p in paths}
    bodies = {p: _body(rng, uses[p]) for p in paths}
    stamps = {p: START for p in paths}
    changed = {p: START for p in paths}  # the truth: the day each body last changed
    snippet_changed = dict.fromkeys(snippets, START)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    stream = [_commit(START, {p: _page(p, START, bodies[p]) for p in paths}
                      | {f"snippets/{s}": f"Snippet {s}\n" for s in snippets}, [], 0)]  # fmt: skip
    day = START
    for n in range(1, commits):
        day += timedelta(days=rng.random() < 0.3)
        files: dict[str, str] = {}
        moves: list[tuple[str, str]] = []
        for _ in range(rng.randint(1, 4)):
            kind = rng.random()
            index = rng.randrange(pages)
            path = paths[index]
            if kind < 0.6:
                lines = bodies[path].split("\n")
                lines[rng.randrange(len(lines))] = " ".join(rng.choices(WORDS, k=12))
                bodies[path] = "\n".join(lines)
                changed[path] = day
            elif kind < 0.85:
                stamps[path] = day
            elif kind < 0.95:
                snippet = rng.choice(snippets)
                files[f"snippets/{snippet}"] = f"Snippet edited {n}\n"
                snippet_changed[snippet] = day
                continue
            elif path not in files:
                new = path.replace(".mdx", f"-r{n}.mdx")
                moves.append((path, new))
                paths[index] = new
                bodies[new], stamps[new], uses[new] = bodies[path], stamps[path], uses[path]
                changed[new] = changed[path]
                path = new
            files[path] = _page(path, stamps[path], bodies[path])
        stream.append(_commit(day, files, moves, n))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    includes = {p: [f"snippets/{uses[p]}"] if uses[p] else [] for p in paths}
    truth = {
        p: max(changed[p], snippet_changed[uses[p]] if uses[p] else START).isoformat()
        for p in paths
    }
    return includes, truth


def main() -> None:
    """Build the repository (or reuse --repo) and time the history pass over it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        started = time.perf_counter()
        pages, truth = build_repo(root, args.pages, args.commits, args.seed)
        built = time.perf_counter() - started
        files = [PageFiles(p, p, tuple(s)) for p, s in pages.items()]
        timings = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            history = read_history(root, files, 600)
            timings.append(round(time.perf_counter() - started, 2))
        found = {url: entry["last_changed"] for url, entry in history.pages.items()}
        wrong = sorted(p for p in truth if found.get(p) != truth[p])
        print(
            json.dumps(
                {
                    "pages": args.pages,
                    "commits": args.commits,
                    "repo_seconds": round(built, 1),
                    "history_seconds": timings,
                    "dated": len(found),
                    "wrong": len(wrong),
                    "wrong_examples": [(p, found.get(p), truth[p]) for p in wrong[:5]],
                    "complete": history.complete,
                    "note": history.note,
                    "load_average": [round(x, 2) for x in os.getloadavg()],
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
