"""Find the pages under a site root: Markdown/MDX files, their URLs, and what was skipped and why."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kb.globs import matches_any
from kb.markup.hygiene import name_problem, printable_name
from kb.urls import CONTENT_DIR, INDEX_STEMS, PAGE_SUFFIXES, url_for_path

SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv"})


@dataclass(frozen=True)
class SourceFile:
    """A page's source file: where it is and the URL it will be served at."""

    file: str  # the path as a string: a Path per file cost seconds at 90k pages
    rel: str
    url: str

    @property
    def path(self) -> Path:
        """Return where the file is, as a Path."""
        return Path(self.file)


@dataclass(frozen=True)
class Discovery:
    """What a walk found: the page sources in URL order, problems (path: reason), and page files
    that cannot become pages at all (path, reason)."""

    sources: tuple[SourceFile, ...]
    problems: tuple[str, ...]
    rejected: tuple[tuple[str, str], ...] = ()


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
    walk = _Walk(site_root.resolve(), excludes, snippet_dirs, {p.resolve() for p in skip})
    start = walk.root / CONTENT_DIR
    walk.run(start if start.is_dir() else walk.root)
    by_url: dict[str, SourceFile] = {}
    # Each file's URL is worked out once: it is the first part of its preference.
    for (url, _, rel), file in sorted((_preference(rel), file) for rel, file in walk.found):
        if url in by_url:
            walk.problems.append(
                f"{rel}: duplicate URL {url} (also {by_url[url].rel}, which is kept)"
            )
            continue
        by_url[url] = SourceFile(file=file, rel=rel, url=url)
    return Discovery(
        tuple(sorted(by_url.values(), key=lambda s: s.url)),
        tuple(walk.problems),
        tuple(walk.rejected),
    )


class _Walk:
    """A walk of a site's folders that collects page files and what it skipped, and why."""

    def __init__(
        self, root: Path, excludes: tuple[str, ...], snippet_dirs: tuple[str, ...], skip: set[Path]
    ) -> None:
        """Prepare to walk below root."""
        self.root = root
        self.excludes = excludes
        self.snippet_dirs = snippet_dirs
        self.skip = {(info.st_dev, info.st_ino) for info in _stats(skip)}
        self.found: list[tuple[str, str]] = []  # (rel, file)
        self.problems: list[str] = []
        self.rejected: list[tuple[str, str]] = []
        self.seen_dirs: set[tuple[int, int]] = set()

    def run(self, start: Path) -> None:
        """Visit every folder from start, each real folder once (symlink loops end)."""
        stack = [start]
        while stack:
            current = stack.pop()
            stat = current.stat()
            if current != start and (stat.st_dev, stat.st_ino) in self.skip:
                continue
            if (stat.st_dev, stat.st_ino) in self.seen_dirs:
                self.problems.append(
                    f"{current.relative_to(self.root)}: symlink loop, not followed"
                )
                continue
            self.seen_dirs.add((stat.st_dev, stat.st_ino))
            try:
                entries = sorted(os.scandir(current), key=lambda e: e.name)
            except OSError as exc:
                self.problems.append(f"{current}: cannot list folder ({exc.strerror})")
                continue
            for entry in entries:
                if (folder := self.visit(entry)) is not None:
                    stack.append(folder)

    def visit(self, entry: os.DirEntry[str]) -> Path | None:
        """Take a page file, or return a folder to walk into; skip what is not the site's."""
        rel = entry.path[len(str(self.root)) + 1 :].replace(os.sep, "/")
        if entry.name.startswith(".") or entry.name in SKIPPED_DIRS:
            return None
        if "/" not in rel and entry.name in self.snippet_dirs:
            return None
        if self.excludes and (
            matches_any(rel, self.excludes) or matches_any(rel + "/", self.excludes)
        ):
            return None
        if entry.is_symlink():
            resolved = Path(entry.path).resolve()
            if not resolved.exists():
                self.problems.append(f"{rel}: broken symlink, skipped")
                return None
            if not _inside(resolved, self.root):
                self.problems.append(f"{rel}: symlink leads outside the site root, not followed")
                return None
        if entry.is_dir():
            return Path(entry.path)
        if entry.is_file() and entry.name.lower().endswith(PAGE_SUFFIXES):
            # The name becomes the page's URL and its key in the page store and search index.
            if (reason := name_problem(rel)) is not None:
                self.rejected.append((printable_name(rel), reason))
            else:
                self.found.append((rel, entry.path))
        return None


def _stats(paths: set[Path]) -> list[os.stat_result]:
    """Return the stats of the paths that exist (a folder to skip need not exist yet)."""
    found = []
    for path in paths:
        try:
            found.append(path.stat())
        except OSError:
            continue
    return found


def _preference(rel: str) -> tuple[str, int, str]:
    """Order sources so the preferred one of a duplicate URL comes first."""
    # PurePosixPath's stem and suffix, by string: a Path per file costs more than the rest here.
    name = rel.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    stem, suffix = (name[:dot], name[dot:]) if 0 < dot < len(name) - 1 else (name, "")
    stem = stem.lower()
    rank = 0 if stem not in INDEX_STEMS else (1 if stem == "index" else 2)
    suffix_rank = {".mdx": 0, ".md": 1}.get(suffix.lower(), 2)
    return (url_for_path(rel), rank * 3 + suffix_rank, rel)
