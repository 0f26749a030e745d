"""The served generation as the web app sees it: found through CURRENT, re-checked every second."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar, cast

from kb.index import generations
from kb.index.store import PageStore

RECHECK_SECONDS = 1.0
# Derived data per generation: a handful of fixed entries plus one per as_of date asked for.
DERIVED_ENTRIES = 64
T = TypeVar("T")


@dataclass
class Generation:
    """One complete, immutable generation: its folder, page store and cached generation-wide data."""

    folder: Path
    store: PageStore = field(init=False)
    _meta: dict[str, Any] = field(default_factory=dict, init=False)
    _derived: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        """Open the page store read-only."""
        self.store = PageStore(self.folder)

    @property
    def name(self) -> str:
        """Return the generation's folder name, e.g. gen-000003."""
        return self.folder.name

    @cached_property
    def manifest(self) -> dict[str, object]:
        """Return the manifest written when the generation was published."""
        return generations.read_manifest(self.folder)

    def meta(self, key: str, default: Any = None) -> Any:
        """Return a generation-wide value, read once and kept (the generation never changes)."""
        with self._lock:
            if key not in self._meta:
                self._meta[key] = self.store.get_meta(key, default)
            return self._meta[key]

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return compute()'s value for a key, computed once for this generation (LRU-bounded)."""
        with self._lock:
            if key in self._derived:
                self._derived.move_to_end(key)
                return cast(T, self._derived[key])
        value = compute()
        with self._lock:
            self._derived[key] = value
            while len(self._derived) > DERIVED_ENTRIES:
                self._derived.popitem(last=False)
        return value

    @cached_property
    def page_count(self) -> int:
        """Return how many pages the generation holds."""
        return self.store.count()


class GenerationWatcher:
    """Hand out the current generation, noticing a newly switched one within a second."""

    def __init__(self, index_dir: Path) -> None:
        """Watch an index folder; nothing is opened until the first request."""
        self.index_dir = index_dir
        self._current: Generation | None = None
        self._pointer: str | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def current(self) -> Generation:
        """Return the served generation, or raise generations.NoIndex."""
        now = time.monotonic()
        with self._lock:
            if self._current is None or now - self._checked >= RECHECK_SECONDS:
                self._checked = now
                folder = generations.current_generation(self.index_dir)
                if self._current is None or folder.name != self._pointer:
                    self._current = Generation(folder)
                    self._pointer = folder.name
            return self._current
