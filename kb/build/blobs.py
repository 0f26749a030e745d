"""One long-lived `git cat-file --batch` reading the blobs the history pass compares.

In a partial clone the reader asks only for blobs it knows are present (a request for a missing
one would try a fetch, which GIT_NO_LAZY_FETCH turns into a fatal error), so a missing object is
an answer, not an error or a download.
"""

from __future__ import annotations

import contextlib
import subprocess

from kb.build.git import GIT_CONFIG, WorkTree, git_env


class BlobReader:
    """One `git cat-file --batch` process for the whole pass; bodies read on demand.

    In a partial clone only blobs listed as present are asked for (a request for a missing one
    would try a fetch, which GIT_NO_LAZY_FETCH turns into a fatal error); if the process ends
    anyway, every later read answers None.
    """

    def __init__(self, tree: WorkTree) -> None:
        """Start the reader; in a partial clone, first list the blobs this clone holds."""
        self.present: set[str] | None = _present_blobs(tree) if tree.partial else None
        self.missing = 0
        self.process: subprocess.Popen[bytes] | None = subprocess.Popen(
            [tree.git, *GIT_CONFIG, "cat-file", "--batch"],
            cwd=tree.top,
            env=git_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def read(self, sha: str) -> bytes | None:
        """Return a blob's bytes, or None when this clone does not hold it."""
        if self.present is not None and sha not in self.present:
            self.missing += 1
            return None
        process = self.process
        if process is None or process.stdin is None or process.stdout is None:
            return None
        try:
            process.stdin.write(sha.encode() + b"\n")
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                self.missing += 1
                return None
            data = process.stdout.read(int(header[2]) + 1)[:-1]
        except (OSError, ValueError):
            self.close()
            return None
        return data

    def close(self) -> None:
        """End the reader process."""
        process, self.process = self.process, None
        if process is None:
            return
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _present_blobs(tree: WorkTree) -> set[str]:
    """List the blobs a partial clone holds (reads its pack indexes; never fetches)."""
    try:
        done = subprocess.run(
            [tree.git, *GIT_CONFIG, "cat-file", "--batch-all-objects", "--unordered",
             "--batch-check=%(objecttype) %(objectname)"],
            cwd=tree.top,
            env=git_env(),
            capture_output=True,
            timeout=120,
            check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return set()
    found = set()
    for line in done.stdout.split(b"\n"):
        if line.startswith(b"blob "):
            found.add(line[5:].decode())
    return found
