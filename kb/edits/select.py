"""Which pages an edit command works on: paths given, folders walked, or report filters."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kb.index.generation import Generation
from kb.reports.facts import generation_facts, stale_report
from kb.reports.queries import StaleQuery

PAGE_SUFFIXES = (".md", ".mdx")


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Return the pages named: files as given, folders walked for .md/.mdx files, in order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix in PAGE_SUFFIXES and p.is_file())
            )
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def pages_in_report(gen: Generation, query: StaleQuery) -> list[Path]:
    """Return the source files of the pages a stale report lists, under the indexed site root."""
    root = Path(str(gen.manifest.get("site_root") or "."))
    paths = generation_facts(gen).paths
    return [root / paths[row.url] for row in stale_report(gen, query).pages if paths.get(row.url)]
