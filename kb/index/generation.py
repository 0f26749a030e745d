"""The served generation: the one owner of everything tied to it, closed when it is superseded.

A Generation holds the page-store connections, the settings it was built with, the resources
other layers open on it (the search index and its pooled readers) and every cache derived from
it. When a newer generation is switched in, the watcher retires the old one; it closes its files
as soon as the last request using it is done, so no worker keeps a deleted generation open.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, TypeVar

from kb.config import Settings, settings_from_report
from kb.index import generations
from kb.index.cache import Cache
from kb.index.store import PageStore
from kb.languages import SiteLanguages

RECHECK_SECONDS = 1.0
T = TypeVar("T")
log = logging.getLogger(__name__)


class Closable(Protocol):
    """A resource opened on a generation that must be closed with it."""

    def close(self) -> None:
        """Release the resource's files."""


R = TypeVar("R", bound=Closable)


class Generation:
    """One complete, immutable generation: its folder, page store, settings, resources, caches."""

    def __init__(self, folder: Path) -> None:
        """Open the page store of a generation folder (read-only)."""
        self.folder = folder
        self.store = PageStore(folder)
        self._meta = Cache()
        self._derived = Cache()
        self._caches: dict[str, Cache] = {}
        self._resources = Cache()
        self._lock = threading.Lock()
        self._users = 0
        self._retired = False
        self.closed = False

    def __enter__(self) -> Generation:
        """Use the generation for a block (a command); it is closed afterwards."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the generation at the end of the block."""
        self.close()

    @property
    def name(self) -> str:
        """Return the generation's folder name, e.g. gen-000003."""
        return self.folder.name

    @cached_property
    def manifest(self) -> dict[str, object]:
        """Return the manifest written when the generation was published."""
        return generations.read_manifest(self.folder)

    @cached_property
    def settings(self) -> Settings:
        """Return the settings the generation was built with (defaults where unreadable)."""
        stored = self.meta("settings")
        usable = (
            {k: v for k, v in stored.items() if v is not None} if isinstance(stored, dict) else {}
        )
        try:
            return settings_from_report(usable)
        except (TypeError, ValueError, KeyError):
            log.warning("%s: stored settings unreadable; using the defaults", self.name)
            return Settings()

    @cached_property
    def languages(self) -> SiteLanguages:
        """Return the site's languages: codes (default first), labels, the default, page counts."""
        return SiteLanguages.from_json(self.meta("languages"))

    def twins(self, url: str) -> dict[str, str]:
        """Return a page's twins in the site's other languages: language code → URL."""
        found = self.meta("twins", {}) or {}
        return dict(found.get(url) or {})

    @cached_property
    def page_count(self) -> int:
        """Return how many pages the generation holds."""
        return self.store.count()

    def meta(self, key: str, default: Any = None) -> Any:
        """Return a generation-wide value, read once and kept (the generation never changes)."""
        return self._meta.get(key, lambda: self.store.get_meta(key, default))

    def read_meta(self, key: str, default: Any = None) -> Any:
        """Return a generation-wide value read now and not kept: for a caller that keeps only
        what it derives from it (counts, an index), not the raw value besides."""
        return self.store.get_meta(key, default)

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return compute()'s value for a key, computed once while the generation lives.

        For data derived from the whole generation (a fixed set of keys); values per request
        parameter belong in a bounded cache().
        """
        return self._derived.get(key, compute)

    def cache(self, name: str, size: int) -> Cache:
        """Return the generation's bounded cache called name (made on first use)."""
        with self._lock:
            found = self._caches.get(name)
            if found is None:
                found = self._caches[name] = Cache(size)
            return found

    def resource(self, key: str, open_resource: Callable[[], R]) -> R:
        """Return a resource opened once on this generation; it is closed with the generation."""
        if self.closed:
            raise RuntimeError(f"{self.name} is closed")
        resource = self._resources.get(key, open_resource)
        with self._lock:
            closed = self.closed
        if closed:  # closed while it was being opened: close() never saw it
            resource.close()
            raise RuntimeError(f"{self.name} is closed")
        return resource

    def acquire(self) -> Generation:
        """Count one more user (a request); a retired generation waits for its users to leave."""
        with self._lock:
            if self.closed:
                raise RuntimeError(f"{self.name} is closed")
            self._users += 1
        return self

    def release(self) -> None:
        """Count one user less; the last user of a retired generation closes it."""
        with self._lock:
            self._users -= 1
            close = self._retired and self._users <= 0
        if close:
            self.close()

    def retire(self) -> None:
        """Mark the generation superseded: it closes now, or when its last user leaves."""
        with self._lock:
            self._retired = True
            close = self._users <= 0
        if close:
            self.close()

    def close(self) -> None:
        """Close every file the generation holds and drop its caches."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            resources = self._resources.values()
        for resource in resources:
            with contextlib.suppress(Exception):  # closing must go on whatever one resource does
                resource.close()
        self.store.close()
        for cache in (self._meta, self._derived, self._resources, *self._caches.values()):
            cache.clear()


class GenerationWatcher:
    """Hand out the current generation, noticing a newly switched one within a second.

    With a `warm` function, a new generation is opened and warmed (its searcher, its tables)
    before it is handed out: requests meanwhile keep reading the one served so far. Polling (the
    served app) leaves noticing to the poll thread, so once a generation is served no request
    waits for the next one to open.
    """

    def __init__(self, index_dir: Path, warm: Callable[[Generation], None] | None = None) -> None:
        """Watch an index folder; nothing is opened until the first request or refresh."""
        self.index_dir = index_dir
        self._warm = warm
        self._current: Generation | None = None
        self._checked = 0.0
        self._polling = False
        self._lock = threading.Lock()  # guards _current; never held while a generation opens
        self._opening = threading.Lock()  # one open at a time: a second would duplicate it
        self._stop = threading.Event()

    def acquire(self) -> Generation:
        """Return the served generation with one more user, or raise generations.NoIndex."""
        with self._lock:
            current = self._current
            recent = time.monotonic() - self._checked < RECHECK_SECONDS
            if current is not None and (self._polling or recent):
                return current.acquire()
        self._refresh()
        with self._lock:
            if self._current is None:  # closed meanwhile
                raise generations.NoIndex(f"{self.index_dir} is no longer watched")
            return self._current.acquire()

    @contextlib.contextmanager
    def using(self) -> Iterator[Generation]:
        """Use the served generation for a block."""
        generation = self.acquire()
        try:
            yield generation
        finally:
            generation.release()

    def refresh(self) -> None:
        """Switch to a newly published generation now (warmed first), retiring the old one."""
        with contextlib.suppress(generations.NoIndex):
            self._refresh()

    def _refresh(self) -> None:
        """Read CURRENT; open and warm its generation if it is not the one served, then switch."""
        with self._opening:
            if self._stop.is_set():
                raise generations.NoIndex(f"{self.index_dir} is no longer watched")
            folder = generations.current_generation(self.index_dir)
            with self._lock:
                self._checked = time.monotonic()
                if self._current is not None and folder.name == self._current.name:
                    return
            fresh = Generation(folder)
            self._warm_up(fresh)
            old: Generation | None = fresh  # closed while it warmed: nobody will serve it
            with self._lock:
                if not self._stop.is_set():
                    old, self._current = self._current, fresh
        if old is not None:
            old.retire()

    def _warm_up(self, fresh: Generation) -> None:
        """Warm a generation before it is served; a failure is left for its requests to meet."""
        if self._warm is None:
            return
        try:
            self._warm(fresh)
        except Exception:  # a damaged part is reported by the requests that read it
            log.exception("warming %s failed; serving it cold", fresh.name)

    def poll(self, seconds: float = RECHECK_SECONDS) -> threading.Thread:
        """Refresh every few seconds in a daemon thread, so an idle worker lets go of old files.

        The thread holds the watcher weakly: it ends when the watcher (its app) is gone.
        """
        ref, stop, index_dir = weakref.ref(self), self._stop, self.index_dir
        self._polling = True

        def loop() -> None:
            while not stop.is_set():  # at once first: a new worker warms before it is asked
                watcher = ref()
                if watcher is None:
                    return
                try:
                    watcher.refresh()
                except Exception:  # the next round tries again
                    log.exception("checking %s for a new generation failed", index_dir)
                del watcher
                stop.wait(seconds)

        thread = threading.Thread(target=loop, name="kb-generation-poll", daemon=True)
        thread.start()
        return thread

    def close(self) -> None:
        """Stop polling and retire the served generation."""
        self._stop.set()
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current.retire()
