"""Compare the cost of the prose rule (kb/markup/prose.py) with its version at a git revision.

Reads every page of a site once, then times `prose_lines` over all bodies for the old and the
current rule, alternating, and prints CPU seconds. The old module is taken with `git show` and
imported from a temporary folder (its own imports resolve to the current kb, which is fine while
fences and spans are unchanged).

    nice .venv/bin/python bench/prose_cost.py ../shared/corpora/auth0-docs --rev caf1a70
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

from kb.markup import prose
from kb.markup.frontmatter import split_frontmatter

ProseLines = Callable[[str, int], Iterator[tuple[int, str]]]


def old_module(rev: str, folder: Path) -> ModuleType:
    """Import kb/markup/prose.py as it was at a git revision."""
    source = subprocess.run(
        ["git", "show", f"{rev}:kb/markup/prose.py"], check=True, capture_output=True, text=True
    ).stdout
    path = folder / "old_prose.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("old_prose", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpu_seconds(rule: ProseLines, bodies: list[tuple[str, int]]) -> float:
    """Return the CPU seconds one pass of a prose rule over every body takes."""
    started = time.process_time()
    for body, offset in bodies:
        for _ in rule(body, offset):
            pass
    return time.process_time() - started


def main() -> None:
    """Time the old and the current prose rule, three rounds each, alternating."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--rev", default="caf1a70")
    args = parser.parse_args()
    bodies = []
    for page in sorted((args.site / "docs").rglob("*.md*")):
        parsed = split_frontmatter(page.read_text(encoding="utf-8").replace("\r\n", "\n"))
        bodies.append((parsed.body, parsed.body_line - 1))
    with tempfile.TemporaryDirectory() as temp:
        old = old_module(args.rev, Path(temp))
        for round_ in range(1, 4):
            before = cpu_seconds(old.prose_lines, bodies)
            after = cpu_seconds(prose.prose_lines, bodies)
            print(
                f"round {round_}: {len(bodies)} pages, {args.rev} {before:.2f} s, now {after:.2f} s"
            )


if __name__ == "__main__":
    main()
