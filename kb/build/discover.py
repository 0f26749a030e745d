"""Find the pages under a site root: Markdown/MDX files, their URLs, and what was skipped and why."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kb.globs import matches_any
from kb.urls import CONTENT_DIR, INDEX_STEMS, PAGE_SUFFIXES, url_for_path

SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv"})


@dataclass(frozen=True)
class SourceFile:
    """A page's source file: where it is and the URL it will be served at."""

    path: Path
    rel: str
    url: str


@dataclass(frozen=True)
class Discovery:
    """What a walk found: the page sources in URL order, and problems (path: reason)."""

    sources: tuple[SourceFile, ...]
    problems: tuple[str, ...]


def _inside(path: Path, root: Path) -> bool:
    """Tell whether a resolved path lies within the resolved root."""
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def discover(
    site_root: Path,
    excludes: tuple[str, ...] = (),
    snippet_dirs: tuple[str, ...] = ("snippets",),
    skip: tuple[Path, ...] = (),
) -> Discovery:
    """Walk the site root and return every page source, following symlinks only within it."""
    root = site_root.resolve()
    skipped = {p.resolve() for p in skip}
    problems: list[str] = []
    found: list[tuple[str, Path]] = []
    seen_dirs: set[tuple[int, int]] = set()
    stack = [root / CONTENT_DIR] if (root / CONTENT_DIR).is_dir() else [root]
    while stack:
        current = stack.pop()
        stat = current.stat()
        if (stat.st_dev, stat.st_ino) in seen_dirs:
            problems.append(f"{current.relative_to(root)}: symlink loop, not followed")
            continue
        seen_dirs.add((stat.st_dev, stat.st_ino))
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            problems.append(f"{current}: cannot list folder ({exc.strerror})")
            continue
        for entry in entries:
            rel = entry.path[len(str(root)) + 1 :].replace(os.sep, "/")
            if entry.name.startswith(".") or entry.name in SKIPPED_DIRS:
                continue
            if "/" not in rel and entry.name in snippet_dirs:
                continue
            if excludes and (matches_any(rel, excludes) or matches_any(rel + "/", excludes)):
                continue
            target = Path(entry.path)
            if entry.is_symlink():
                resolved = target.resolve()
                if not resolved.exists():
                    problems.append(f"{rel}: broken symlink, skipped")
                    continue
                if not _inside(resolved, root):
                    problems.append(f"{rel}: symlink leads outside the site root, not followed")
                    continue
            if entry.is_dir():
                if target.resolve() not in skipped:
                    stack.append(target)
            elif entry.is_file() and entry.name.lower().endswith(PAGE_SUFFIXES):
                found.append((rel, target))
    by_url: dict[str, SourceFile] = {}
    for rel, path in sorted(found, key=lambda item: _preference(item[0])):
        url = url_for_path(rel)
        if url in by_url:
            problems.append(f"{rel}: duplicate URL {url} (also {by_url[url].rel}, which is kept)")
            continue
        by_url[url] = SourceFile(path=path, rel=rel, url=url)
    return Discovery(tuple(sorted(by_url.values(), key=lambda s: s.url)), tuple(problems))


def _preference(rel: str) -> tuple[str, int, str]:
    """Order sources so the preferred one of a duplicate URL comes first."""
    posix = PurePosixPath(rel)
    stem = posix.stem.lower()
    rank = 0 if stem not in INDEX_STEMS else (1 if stem == "index" else 2)
    suffix_rank = {".mdx": 0, ".md": 1}.get(posix.suffix.lower(), 2)
    return (url_for_path(rel), rank * 3 + suffix_rank, rel)
