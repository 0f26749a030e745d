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
