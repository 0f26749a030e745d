"""JSON config files that point into others with `{"$ref": "path"}` (Mintlify's docs.json).

A reference is read relative to the file that holds it; its keys are merged under the referring
object's own keys. A missing, unreadable or circular reference is reported and left out, so one
bad file never hides the rest of the site's configuration.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MAX_DEPTH = 16
SOURCE_KEY = "$source"


class RefReader:
    """Read JSON files and resolve their `$ref`s, collecting the problems met on the way."""

    def __init__(self, root: Path) -> None:
        """Read files below a site root (references never leave it)."""
        self.root = root.resolve()
        self.problems: list[str] = []
        self.files: list[Path] = []  # every file a load tried to read, found or not

    def load(self, path: Path) -> Any:
        """Return a file's JSON with every reference resolved, or None when it cannot be read."""
        return self._load(path, ())

    def _load(self, path: Path, stack: tuple[Path, ...]) -> Any:
        """Read one file (stack: the files referring to it, to stop cycles)."""
        rel = self._rel(path)
        self.files.append(path)
        if path in stack or len(stack) >= MAX_DEPTH:
            self.problems.append(f"{rel}: circular or too deep $ref; left out")
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.problems.append(f"{rel}: referenced file not found; left out")
            return None
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            self.problems.append(f"{rel}: unreadable JSON ({exc}); left out")
            return None
        return self._resolve(data, path, (*stack, path))

    def _resolve(self, value: Any, path: Path, stack: tuple[Path, ...]) -> Any:
        """Replace the references inside a value read from path."""
        if isinstance(value, list):
            return [self._resolve(v, path, stack) for v in value]
        if not isinstance(value, dict):
            return value
        resolved = {k: self._resolve(v, path, stack) for k, v in value.items() if k != "$ref"}
        ref = value.get("$ref")
        if not isinstance(ref, str):
            return resolved
        target = (path.parent / ref).resolve()
        if not target.is_relative_to(self.root):
            self.problems.append(f"{self._rel(path)}: $ref {ref!r} leaves the site; left out")
            return resolved
        loaded = self._load(target, stack)
        if isinstance(loaded, dict):
            # Where the entries came from, so a problem in them names the file to fix.
            return {SOURCE_KEY: self._rel(target), **loaded, **resolved}
        if loaded is not None and not resolved:
            return loaded
        return resolved

    def read_files(self) -> set[str]:
        """Name every file a load tried to read (found or not), relative to the site root."""
        return {self._rel(path) for path in self.files}

    def _rel(self, path: Path) -> str:
        """Name a file relative to the site root."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
