"""The git processes the history pass runs: where the work tree is, and the log stream (the
blob reader is in kb/build/blobs.py).

Nothing here ever fetches: every process runs with GIT_NO_LAZY_FETCH=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# Git's own switches, so a user's config (pager, colours, signatures, rename settings) never
# changes what the pass reads.
GIT_CONFIG = (
    "-c", "core.quotepath=off", "-c", "log.showSignature=false", "-c", "diff.renames=false",
    "-c", "color.ui=false", "-c", "core.pager=cat",
)  # fmt: skip


class GitUnavailable(Exception):
    """The history pass cannot run here; the message says why, for the build summary."""


def git_env() -> dict[str, str]:
    """Return the environment every git process runs in: no lazy fetch, no prompt, C locale."""
    env = dict(os.environ)
    env.update(
        GIT_NO_LAZY_FETCH="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        LC_ALL="C",
    )
    return env


@dataclass(frozen=True)
class WorkTree:
    """The git work tree a site lives in: its top folder, the site's prefix in it, its HEAD."""

    git: str
    top: Path
    prefix: str
    head: str
    partial: bool


def _run(git: str, cwd: Path, *args: str) -> str:
    """Run one short git command and return its output; GitUnavailable when it fails."""
    try:
        done = subprocess.run(
            [git, *GIT_CONFIG, *args],
            cwd=cwd,
            env=git_env(),
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitUnavailable(f"git could not run: {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitUnavailable(message[-1] if message else f"git {args[0]} failed")
    return done.stdout.decode("utf-8", "replace").strip()


def find_work_tree(site_root: Path) -> WorkTree:
    """Locate the work tree holding the site; GitUnavailable says why the pass is off."""
    git = shutil.which("git")
    if git is None:
        raise GitUnavailable("no git program on PATH")
    root = site_root.resolve()
    try:
        inside = _run(git, root, "rev-parse", "--is-inside-work-tree")
    except GitUnavailable:
        raise GitUnavailable("the site is not inside a git work tree") from None
    if inside != "true":
        raise GitUnavailable("the site is not inside a git work tree")
    if _run(git, root, "rev-parse", "--is-shallow-repository") == "true":
        raise GitUnavailable(
            "the repository is a shallow clone, so its history is cut short "
            "(git fetch --unshallow turns the history on)"
        )
    try:
        head = _run(git, root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except GitUnavailable:
        raise GitUnavailable("the repository has no commit yet") from None
    top = Path(_run(git, root, "rev-parse", "--show-toplevel")).resolve()
    prefix = root.relative_to(top).as_posix() if root != top else ""
    promisors = _config_or_empty(
        git, root, "--get-regexp", r"^(remote\..*\.promisor|extensions\.partialclone)$"
    )
    return WorkTree(git, top, "" if prefix == "." else prefix, head, bool(promisors))


def _config_or_empty(git: str, cwd: Path, *args: str) -> str:
    """Run `git config`, taking its "nothing found" exit as an empty answer."""
    try:
        return _run(git, cwd, "config", *args)
    except GitUnavailable:
        return ""


@dataclass(frozen=True)
class Change:
    """One file changed by a commit (--raw): status letter, blob ids before and after, path."""

    status: str
    old: str
    new: str
    path: str


@dataclass(frozen=True)
class Commit:
    """One commit of the first-parent line with the day it landed and the files it changed."""

    sha: str
    day: str
    changes: tuple[Change, ...]


class LogStream:
    """`git log --first-parent --raw --no-renames -z` over the site's folder, read as it comes.

    Renames are followed by the caller (kb.build.history), which reads only the blobs of the
    files it tracks: git's own rename detection would read (and, in a partial clone, fetch) the
    blobs of every added and deleted file in the history.
    """

    def __init__(self, tree: WorkTree) -> None:
        """Start the log process (HEAD's first-parent line, limited to the site's folder)."""
        args = [
            tree.git, *GIT_CONFIG, "log", "--first-parent", "--diff-merges=first-parent",
            "--raw", "--no-renames", "--no-abbrev", "--no-ext-diff", "--no-textconv", "-z",
            "--format=%x01%H %cI", tree.head, "--",
        ]  # fmt: skip
        args.append(f":(top,literal){tree.prefix}" if tree.prefix else ":(top)")
        self.process = subprocess.Popen(
            args,
            cwd=tree.top,
            env=git_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.timed_out = False

    def commits(self) -> Iterator[Commit]:
        """Yield the commits newest first (stops early when the process is stopped)."""
        assert self.process.stdout is not None
        return _parse_log(_records(self.process.stdout))

    def time_out(self) -> None:
        """Stop a log still running when its time is up (noted as timed out)."""
        if self.process.poll() is None:
            self.timed_out = True
            self.process.kill()

    def stop(self) -> None:
        """End the log process (it may still be writing) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()

    def failure(self) -> str | None:
        """Say why the log ended badly (after stop), or None when it ended well."""
        code = self.process.returncode
        if self.timed_out or code in (0, None, -9):
            return None
        return f"git log failed (exit {code})"


def _records(stream: IO[bytes]) -> Iterator[str]:
    """Split the -z output into NUL-separated records as they arrive."""
    pending = b""
    read = getattr(stream, "read1", stream.read)
    while chunk := read(1 << 16):
        pending += chunk
        *done, pending = pending.split(b"\0")
        for record in done:
            yield record.decode("utf-8", "surrogateescape")
    if pending:
        yield pending.decode("utf-8", "surrogateescape")


def _parse_log(records: Iterator[str]) -> Iterator[Commit]:
    """Group -z records into commits: a header (\\x01sha date), then ':meta' / path pairs."""
    sha = day = ""
    changes: list[Change] = []
    meta: list[str] | None = None
    for record in records:
        record = record.lstrip("\n")
        if record.startswith("\x01"):
            if sha:
                yield Commit(sha, day, tuple(changes))
            head, _, rest = record[1:].partition("\n")
            sha, _, stamp = head.partition(" ")
            day, changes, meta = stamp[:10], [], None
            if rest.startswith(":"):
                meta = rest[1:].split()
        elif record.startswith(":") and meta is None:
            meta = record[1:].split()
        elif meta is not None:
            if len(meta) >= 5:
                changes.append(Change(meta[4][:1], meta[2], meta[3], record))
            meta = None
    if sha:
        yield Commit(sha, day, tuple(changes))
