"""When each page's content last changed, from one pass over the site's git history.

One `git log` walks HEAD's first-parent line newest first (each change dated the day it landed
on that line); one `git cat-file --batch` reads the few blobs needed to tell a content change
from a frontmatter-only one (a restamped `validatedOn` is not an edit). A file is followed back
through renames until the first commit that changed its body; a page's date is the latest of
its own and its snippets'. The pass stops as soon as every tracked file is dated, or when its
time runs out (the pages left undated are named in the note).
"""

from __future__ import annotations

import difflib
import hashlib
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from kb.build.blobs import BlobReader
from kb.build.git import Change, Commit, GitUnavailable, LogStream, find_work_tree
from kb.build.sources import decode
from kb.markup.frontmatter import strip_frontmatter

RENAME_SIMILARITY = 0.5  # git's default for -M: half the lines in common
_RENAME_CANDIDATES = 30  # deleted files compared with one added file, closest names first


@dataclass
class _Track:
    """One file followed back through history: its name at the commit being read, its date."""

    name: str
    day: str | None = None
    commit: str | None = None
    approximate: bool = False


@dataclass
class History:
    """The result of a pass: per page URL its last content change, and a note for the summary."""

    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    head: str = ""
    note: str | None = None
    complete: bool = False
    key: str = ""

    def to_json(self) -> dict[str, Any]:
        """Return the history as the generation's `history` meta value."""
        return {
            "head": self.head,
            "note": self.note,
            "complete": self.complete,
            "key": self.key,
            "pages": self.pages,
        }


@dataclass(frozen=True)
class PageFiles:
    """A page and the files its content comes from, as paths below the site root."""

    url: str
    path: str
    includes: tuple[str, ...] = ()


class _Pass:
    """The state of one history pass: tracked files by current name, the blob reader, counts."""

    def __init__(self, reader: BlobReader, names: Iterable[str]) -> None:
        """Track each file under its name at HEAD (paths from the top of the work tree)."""
        self.reader = reader
        self.tracks = {name: _Track(name) for name in names}
        self.open = dict(self.tracks)
        self.digests: dict[str, str | None] = {}
        self.commits = 0

    def body_digest(self, sha: str) -> str | None:
        """Hash a blob's body without its frontmatter (None when the blob is not here)."""
        if sha not in self.digests:
            raw = self.reader.read(sha)
            if raw is None:
                self.digests[sha] = None
            else:
                text, _ = decode(raw)
                body = strip_frontmatter(text).replace("\r\n", "\n")
                self.digests[sha] = hashlib.sha256(body.encode()).hexdigest()
        return self.digests[sha]

    def read_commit(self, commit: Commit) -> None:
        """Date the tracked files this commit changed in content; follow the renamed ones."""
        self.commits += 1
        deleted = [c for c in commit.changes if c.status == "D"]
        for change in commit.changes:
            track = self.open.get(change.path)
            if track is None or change.status == "D":
                continue
            if change.status == "A":
                source = self._rename_source(change, deleted)
                if source is None:
                    self._date(track, commit, approximate=False)
                    continue
                old = source
            else:
                old = change
            self._compare(track, commit, old, change)

    def _compare(self, track: _Track, commit: Commit, old: Change, new: Change) -> None:
        """Date the file here when its body changed; otherwise keep following it (maybe renamed)."""
        before, after = self.body_digest(old.old), self.body_digest(new.new)
        if before is None or after is None:
            # Without both blobs the change may have been frontmatter only; count it, flagged.
            self._date(track, commit, approximate=True)
        elif before != after:
            self._date(track, commit, approximate=False)
        elif old.path != new.path:
            del self.open[track.name]
            track.name = old.path
            self.open[old.path] = track

    def _date(self, track: _Track, commit: Commit, *, approximate: bool) -> None:
        """Record the commit as the file's last content change and stop following it."""
        track.day, track.commit, track.approximate = commit.day, commit.sha, approximate
        self.open.pop(track.name, None)

    def _rename_source(self, added: Change, deleted: list[Change]) -> Change | None:
        """Find the deleted file an added one was renamed from (same blob, else similar text)."""
        for change in deleted:
            if change.old == added.new:
                return change
        if not deleted:
            return None
        new = self.reader.read(added.new)
        if new is None:
            return None
        new_lines = new.decode("utf-8", "replace").splitlines()
        suffix = PurePosixPath(added.path).suffix
        ranked = sorted(
            deleted,
            key=lambda c: (
                PurePosixPath(c.path).suffix != suffix,
                PurePosixPath(c.path).name != PurePosixPath(added.path).name,
            ),
        )
        best: tuple[float, Change] | None = None
        for change in ranked[:_RENAME_CANDIDATES]:
            old = self.reader.read(change.old)
            if old is None:
                continue
            matcher = difflib.SequenceMatcher(
                None, old.decode("utf-8", "replace").splitlines(), new_lines, autojunk=False
            )
            score = matcher.quick_ratio() and matcher.ratio()
            if score >= RENAME_SIMILARITY and (best is None or score > best[0]):
                best = (score, change)
        return best[1] if best else None


def read_history(
    site_root: Path,
    pages: Iterable[PageFiles],
    seconds: float,
    *,
    key: str = "",
    previous: Mapping[str, Any] | None = None,
) -> History:
    """Date each page's last content change from the git history (see the module docstring).

    `previous` (an earlier pass's to_json) is returned as it was when it read the whole history
    at the same HEAD for the same pages (`key`): nothing it rests on can have changed.
    """
    pages = list(pages)
    if seconds <= 0:
        return History(note="git history is off (history_seconds = 0)", key=key)
    try:
        tree = find_work_tree(site_root)
    except GitUnavailable as exc:
        return History(note=f"git history is off: {exc}", key=key)
    old = previous or {}
    if key and old.get("complete") and old.get("head") == tree.head and old.get("key") == key:
        return History(dict(old.get("pages") or {}), tree.head, old.get("note"), True, key)
    prefix = f"{tree.prefix}/" if tree.prefix else ""
    files = {f"{prefix}{name}" for page in pages for name in (page.path, *page.includes)}
    reader = BlobReader(tree)
    state = _Pass(reader, files)
    log = LogStream(tree)
    timer = threading.Timer(seconds, log.time_out)
    timer.start()
    try:
        for commit in log.commits():
            state.read_commit(commit)
            if not state.open:
                break
    finally:
        timer.cancel()
        log.stop()
        reader.close()
    history = History(head=tree.head, key=key)
    history.pages = _page_dates(pages, state.tracks, prefix)
    history.note, history.complete = _note(state, log, seconds, reader.missing)
    return history


def _page_dates(
    pages: list[PageFiles], tracks: Mapping[str, _Track], prefix: str
) -> dict[str, dict[str, Any]]:
    """Give each page the latest content change of its own file and its includes."""
    dated: dict[str, dict[str, Any]] = {}
    for page in pages:
        found = [tracks[f"{prefix}{name}"] for name in (page.path, *page.includes)]
        found = [t for t in found if t.day is not None]
        if not found:
            continue
        latest = max(found, key=lambda t: t.day or "")
        dated[page.url] = {
            "last_changed": latest.day,
            "commit": latest.commit,
            "approximate": any(t.approximate for t in found),
        }
    return dated


def _note(state: _Pass, log: LogStream, seconds: float, missing: int) -> tuple[str | None, bool]:
    """Say what the build summary should know about the pass, and whether it read it all."""
    failure = log.failure()
    undated = len(state.open)
    if failure is not None:
        return f"git history incomplete: {failure}; {undated} files left undated", False
    if log.timed_out:
        return (
            f"git history stopped after {seconds:g} s (history_seconds) having read "
            f"{state.commits} commits; {undated} files have no last-change date",
            False,
        )
    if missing:
        return (
            f"git history: {missing} blobs are not in this clone (a partial clone?); changes "
            "they took part in count as content changes, which a frontmatter-only commit may "
            "not have been",
            True,
        )
    return None, True
