"""Handles lent to one thread at a time and kept for reuse: page-store connections, index readers.

Opening one costs milliseconds, too much per request for servers that start a thread per
request; a handle that failed is closed rather than lent again, and closing the pool closes every
handle it keeps, or the moment a lent one comes back.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

H = TypeVar("H")


class PoolClosed(RuntimeError):
    """The pool's generation was closed; nothing more is lent from it."""


class HandlePool(Generic[H]):
    """A bounded stock of idle handles, opened on demand."""

    def __init__(
        self, name: str, open_handle: Callable[[], H], close_handle: Callable[[H], None], idle: int
    ) -> None:
        """Lend handles made by open_handle; keep up to `idle` of them between uses."""
        self.name = name
        self._open = open_handle
        self._close = close_handle
        self._max_idle = idle
        self._idle: list[H] = []
        self._closed = False
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def lend(self) -> Iterator[H]:
        """Lend a handle for the block; it goes back to the pool, or is closed, afterwards."""
        with self._lock:
            if self._closed:
                raise PoolClosed(f"{self.name} is closed")
            handle = self._idle.pop() if self._idle else None
        if handle is None:
            handle = self._open()
        try:
            yield handle
        except BaseException:
            self._close(handle)
            raise
        with self._lock:
            if not self._closed and len(self._idle) < self._max_idle:
                self._idle.append(handle)
                return
        self._close(handle)

    def close(self) -> None:
        """Close every idle handle now and every lent one when it comes back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for handle in idle:
            self._close(handle)
