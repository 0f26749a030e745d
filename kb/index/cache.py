"""Caches a generation owns: computed once per key, one builder at a time, dropped with it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

T = TypeVar("T")


class Cache:
    """Values computed once per key; with a size, the least recently used go first.

    Building a value can take a second (a spelling vocabulary, every page judged as of a date):
    threads that need the same key wait for the one building it rather than build duplicates
    that, under the GIL, would slow every request of the worker.
    """

    def __init__(self, size: int | None = None) -> None:
        """Keep at most `size` values (None: every value; the keys are a fixed set)."""
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return the value for key, computing it on first use."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return cast(T, self._values[key])
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._values:
                    return cast(T, self._values[key])
            try:
                value = compute()
            except BaseException:
                with self._lock:
                    self._building.pop(key, None)
                raise
            with self._lock:
                self._building.pop(key, None)
                self._values[key] = value
                while self.size is not None and len(self._values) > self.size:
                    self._values.popitem(last=False)
        return value

    def values(self) -> list[Any]:
        """Return the values held now."""
        with self._lock:
            return list(self._values.values())

    def clear(self) -> None:
        """Drop every value."""
        with self._lock:
            self._values.clear()


ENTRY_OVERHEAD = 120  # bytes an entry costs besides its value: the key and the LRU's links


class ByteCache:
    """Values kept under a byte budget: the least recently used go first when it is exceeded.

    Unlike Cache, values are cheap to rebuild and many (posting lists, a title's terms), so two
    threads missing the same key may both build it rather than wait on a lock per key.
    """

    def __init__(self, budget: int) -> None:
        """Keep values whose estimated sizes add up to at most `budget` bytes."""
        self.budget = budget
        self.used = 0
        self._values: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T], sizeof: Callable[[T], int]) -> T:
        """Return the value for key, computing it (and weighing it with `sizeof`) on a miss."""
        found = self.find(key)
        if found is not None:
            return cast(T, found)
        value = compute()
        self.put(key, value, sizeof(value))
        return value

    def find(self, key: Hashable) -> Any:
        """Return the value held for key (now the most recently used), None when there is none."""
        with self._lock:
            found = self._values.get(key)
            if found is None:
                return None
            self._values.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        """Hold a value of `size` bytes for key, dropping the least recently used over budget."""
        size += ENTRY_OVERHEAD
        with self._lock:
            old = self._values.pop(key, None)
            if old is not None:
                self.used -= old[1]
            self._values[key] = (value, size)
            self.used += size
            # The newest value stays even alone over budget: the query needs it now.
            while self.used > self.budget and len(self._values) > 1:
                _, (_, dropped) = self._values.popitem(last=False)
                self.used -= dropped

    def __contains__(self, key: Hashable) -> bool:
        """Tell whether a value is held for key (without touching its recency)."""
        with self._lock:
            return key in self._values

    def __len__(self) -> int:
        """Return how many values are held."""
        with self._lock:
            return len(self._values)
