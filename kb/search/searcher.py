"""Opened search indexes, one per generation: document tables, statuses and pooled readers."""

from __future__ import annotations

import contextlib
import json
import pickle
import sqlite3
import struct
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as whoosh_index

from kb.build.indexer import WHOOSH_DIR
from kb.config import Settings, settings_from_report
from kb.glossary.terms import Glossary
from kb.index.generation import Generation
from kb.index.generations import damage
from kb.index.store import STORE_FILE
from kb.reports.staleness import Validation, freshness, is_exempt, policy_for
from kb.search.analysis import analyze
from kb.search.postings import PostingCache

T = TypeVar("T")
KEEP_OPEN = 3  # generations kept open: the served one and the ones requests may still hold
IDLE_READERS = 8  # pooled readers per generation (about one per concurrent request)
_EPOCH = date(1970, 1, 1)
# What a damaged or vanished index raises while being read.
READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    struct.error,
    zlib.error,
    pickle.UnpicklingError,
    whoosh_index.IndexError,
    sqlite3.DatabaseError,
)
# Opening also reads stored fields and settings, which fail in more ways when damaged, and
# unpickles the schema, which fails on classes a generation built by another kb version names.
OPEN_ERRORS: tuple[type[BaseException], ...] = (
    *READ_ERRORS, ValueError, KeyError, TypeError, AttributeError, ImportError,
)  # fmt: skip


class SearchUnavailable(Exception):
    """The search index of a generation cannot be opened or read; page views keep working."""


@dataclass(frozen=True)
class DocInfo:
    """What results need about one indexed document, read once when the index opens."""

    url: str
    kind: str
    title: str
    section: str
    path: str
    description: str
    validated_on: date | None
    state: str


class OpenIndex:
    """One generation's Whoosh index with the tables every query shares."""

    def __init__(self, generation: Generation) -> None:
        """Open the index, read every document's stored fields and the generation's settings."""
        self.folder = generation.folder
        self.index = whoosh_index.open_dir(str(generation.folder / WHOOSH_DIR))
        self.settings = _settings(generation.meta("settings"))
        self.glossary = Glossary.from_json(generation.meta("glossary") or [])
        self.docs: dict[int, DocInfo] = {}
        self.by_url: dict[str, int] = {}
        with self.index.searcher() as searcher:
            for docnum, stored in searcher.reader().iter_docs():
                info = _doc_info(stored)
                self.docs[docnum] = info
                self.by_url[info.url] = docnum
        self.postings = PostingCache(self.docs, self.index.doc_count_all())
        self.sections = sorted({d.section for d in self.docs.values() if d.kind == "page"})
        self._title_terms: dict[int, frozenset[str]] = {}
        self._heading_terms: dict[int, tuple[frozenset[str], ...]] = {}
        self._statuses: OrderedDict[date, dict[int, str | None]] = OrderedDict()
        self._derived: dict[str, Any] = {}
        self._building: dict[str, threading.Lock] = {}
        self._idle: list[Any] = []
        self._local = threading.local()
        self._lock = threading.Lock()

    def derive(self, key: str, build: Callable[[], T]) -> T:
        """Return a table derived from this index, built once on first use."""
        with self._lock:
            if key in self._derived:
                return self._derived[key]
            building = self._building.setdefault(key, threading.Lock())
        # Builds take up to a second; threads that need the same table wait for the one building
        # it rather than build duplicates that, under the GIL, slow every request of the worker.
        with building:
            with self._lock:
                if key in self._derived:
                    return self._derived[key]
            value = build()
            with self._lock:
                self._building.pop(key, None)
                return self._derived.setdefault(key, value)

    @contextlib.contextmanager
    def reading(self) -> Iterator[Any]:
        """Lend a Whoosh reader for one search: pooled, never used by two threads at once.

        Opening a reader costs ~5 ms, too much per request for servers that start a thread per
        request; a reader that failed is closed rather than lent again.
        """
        with self._lock:
            reader = self._idle.pop() if self._idle else None
        if reader is None:
            reader = self.index.reader()
        try:
            yield reader
        except BaseException:
            reader.close()
            raise
        with self._lock:
            if len(self._idle) < IDLE_READERS:
                self._idle.append(reader)
                return
        reader.close()

    def title_terms(self, docnum: int) -> frozenset[str]:
        """Return the analyzed terms of a document's title (cached)."""
        terms = self._title_terms.get(docnum)
        if terms is None:
            info = self.docs.get(docnum)
            terms = frozenset(analyze(info.title)) if info else frozenset()
            self._title_terms[docnum] = terms
        return terms

    def statuses(self, as_of: date) -> dict[int, str | None]:
        """Return every page's review status as of a date (None for glossary terms)."""
        with self._lock:
            cached = self._statuses.get(as_of)
            if cached is not None:
                self._statuses.move_to_end(as_of)
                return cached
        computed = {docnum: self._status(info, as_of) for docnum, info in self.docs.items()}
        with self._lock:
            self._statuses[as_of] = computed
            while len(self._statuses) > 4:
                self._statuses.popitem(last=False)
        return computed

    def _status(self, info: DocInfo, as_of: date) -> str | None:
        """Judge one page's freshness with the generation's review policy."""
        if info.kind != "page":
            return None
        problem = "invalid validatedOn" if info.state == "invalid" else None
        validation = Validation(info.validated_on, None, problem)
        policy = policy_for(info.section, self.settings)
        exempt = is_exempt(info.url, info.path, self.settings.exempt)
        return freshness(validation, as_of, policy, exempt).status.value

    def heading_terms(self, docnums: list[int]) -> dict[int, tuple[frozenset[str], ...]]:
        """Return the analyzed terms of each heading of some documents (cached)."""
        missing = [d for d in docnums if d not in self._heading_terms and d in self.docs]
        if missing:
            urls = {self.docs[d].url: d for d in missing}
            rows = self._store().execute(
                f"SELECT url, headings FROM pages WHERE url IN ({', '.join('?' * len(urls))})",
                list(urls),
            )
            found = {url: json.loads(headings or "[]") for url, headings in rows}
            for url, docnum in urls.items():
                self._heading_terms[docnum] = tuple(
                    frozenset(analyze(h.get("text", ""))) for h in found.get(url, [])
                )
        return {d: self._heading_terms.get(d, ()) for d in docnums}

    def _store(self) -> sqlite3.Connection:
        """Return this thread's read-only connection to the generation's page store."""
        conn: sqlite3.Connection | None = getattr(self._local, "store", None)
        if conn is None:
            path = self.folder / STORE_FILE
            conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
            self._local.store = conn
        return conn

    def page_sections(self, urls: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Return the sections (anchor, heading, level, text) of some pages from the page store."""
        if not urls:
            return {}
        marks = ", ".join("?" * len(urls))
        rows = self._store().execute(
            f"SELECT url, sections FROM pages WHERE url IN ({marks})", urls
        )
        return {url: json.loads(sections or "[]") for url, sections in rows}


def _settings(report: Any) -> Settings:
    """Rebuild the review settings a generation was built with (defaults if they are unreadable)."""
    data = {k: v for k, v in report.items() if v is not None} if isinstance(report, dict) else {}
    try:
        return settings_from_report(data)
    except (TypeError, ValueError, KeyError):
        return Settings()


def _doc_info(stored: dict[str, Any]) -> DocInfo:
    """Build the table row of one document from its stored fields."""
    days = stored.get("validated_days")
    return DocInfo(
        url=str(stored.get("url", "")),
        kind=str(stored.get("kind", "page")),
        title=str(stored.get("title", "")),
        section=str(stored.get("section", "")),
        path=str(stored.get("path", "")),
        description=str(stored.get("description", "")),
        validated_on=_EPOCH + timedelta(days=int(days)) if days is not None else None,
        state=str(stored.get("validation_state", "")),
    )


_open: OrderedDict[str, OpenIndex] = OrderedDict()
_open_lock = threading.Lock()
_opening: dict[str, threading.Lock] = {}


def open_index(generation: Generation) -> OpenIndex:
    """Return the opened index of a generation, opening it once per process."""
    key = str(Path(generation.folder).resolve())
    with _open_lock:
        found = _open.get(key)
        if found is not None:
            _open.move_to_end(key)
            return found
        opening = _opening.setdefault(key, threading.Lock())
    # After a switch every busy thread asks for the new generation at once; one opens it while
    # the others wait, since parallel duplicate opens under the GIL made each one slower.
    with opening:
        with _open_lock:
            found = _open.get(key)
        if found is not None:
            return found
        try:
            opened = _open_new(generation)
        finally:
            with _open_lock:
                _opening.pop(key, None)
        with _open_lock:
            _open[key] = opened
            while len(_open) > KEEP_OPEN:
                _open.popitem(last=False)
    return opened


def _open_new(generation: Generation) -> OpenIndex:
    """Open a generation's index after checking it against its manifest."""
    # Checksums catch damage that reading alone may miss or only hit on some queries.
    problem = damage(generation.folder, WHOOSH_DIR)
    if problem is not None:
        raise SearchUnavailable(
            f"the search index of {generation.name} is damaged: {problem}; "
            "run `kb index` to rebuild it"
        )
    try:
        return OpenIndex(generation)
    except OPEN_ERRORS as exc:
        raise SearchUnavailable(
            f"the search index of {generation.name} cannot be read: {exc}; "
            "run `kb index` to rebuild it"
        ) from exc


def forget(generation: Generation) -> None:
    """Drop a generation's opened index (tests and tools that rewrite a folder in place)."""
    with _open_lock:
        _open.pop(str(Path(generation.folder).resolve()), None)
