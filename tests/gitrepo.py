"""Real git repositories in a temporary folder, with commits at set dates (for history tests)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class Repo:
    """A git work tree made for one test; every commit is dated as the test says."""

    def __init__(self, root: Path) -> None:
        """Create an empty repository at root (branch main)."""
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, date: str = "2026-01-01", cwd: Path | None = None) -> str:
        """Run git with author and committer dated at noon UTC of `date`; return its output."""
        stamp = f"{date}T12:00:00+00:00"
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Tester",
            "GIT_AUTHOR_EMAIL": "tester@example.com",
            "GIT_COMMITTER_NAME": "Tester",
            "GIT_COMMITTER_EMAIL": "tester@example.com",
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        done = subprocess.run(
            ["git", *args], cwd=cwd or self.root, env=env, capture_output=True, check=True
        )
        return done.stdout.decode()

    def write(self, rel: str, text: str) -> Path:
        """Write a file below the root (folders made as needed)."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def commit(self, date: str, files: dict[str, str] | None = None, message: str = "edit") -> str:
        """Write files (path → text) and commit everything in the work tree on `date`."""
        for name, text in (files or {}).items():
            self.write(name, text)
        self.git("add", "-A", date=date)
        self.git("commit", "-q", "--allow-empty", "-m", message, date=date)
        return self.git("rev-parse", "HEAD").strip()


def page(validated: str | None, body: str, title: str = "A page") -> str:
    """Return an MDX page with frontmatter (validatedOn when given) and a body."""
    stamp = f"validatedOn: {validated}\n" if validated else ""
    return f"---\ntitle: {title}\n{stamp}---\n\n{body}\n"
