"""A generation's search index opened for queries: document table, posting cache, readers.

The Searcher is a resource of its Generation: opened once per generation and worker, closed with
it, so a superseded generation's readers never outlive the generation.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import sqlite3
import struct
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import numpy as np
from whoosh import index as whoosh_index

from kb.glossary.listing import glossary_view
from kb.glossary.terms import Glossary
from kb.index.cache import ByteCache
from kb.index.generation import Generation
from kb.index.generations import WHOOSH_DIR, changed_since_published
from kb.index.pool import HandlePool, PoolClosed
from kb.reports.facts import page_statuses
from kb.reports.staleness import Status
from kb.search.analysis import analyze
from kb.search.columns import Column
from kb.search.mapped import read_segments_in_place
from kb.search.postings import PostingCache
from kb.search.scorer import WEIGHTS
from kb.search.spelling import Vocabulary

T = TypeVar("T")
log = logging.getLogger(__name__)
IDLE_READERS = 8  # pooled readers per generation (about one per concurrent request)
STATUS_DATES = 4  # report dates whose statuses by document a generation keeps (a byte each)
# Posting lists and the analyzed terms of titles and headings a Searcher keeps, in MiB. A module
# constant, not a setting: the settings a server runs with do not reach kb.search (a generation
# carries those it was built with); at 30x the posting lists of 1,200 varied queries fill it.
SEARCH_CACHE_MIB = 96
STATUSES = tuple(s.value for s in Status)
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


# What building the vocabulary in the background may meet: its generation closed or damaged.
VOCABULARY_ERRORS: tuple[type[BaseException], ...] = (*READ_ERRORS, PoolClosed)


class SearchUnavailable(Exception):
    """The search index of a generation cannot be opened or read; page views keep working."""


@dataclass(frozen=True, slots=True)
class DocInfo:
    """What results need about one indexed document, read once when the index opens."""

    url: str
    kind: str
    title: str
    section: str
    path: str
    description: str
    validated_on: date | None
    lang: str = "en"


class Searcher:
    """One generation's Whoosh index with the tables every query shares."""

    def __init__(self, generation: Generation, cache_bytes: int = SEARCH_CACHE_MIB << 20) -> None:
        """Open the index and read every document's stored fields; cache up to `cache_bytes`."""
        self.generation = generation
        read_segments_in_place()  # each reader would otherwise copy the segments it opens
        self.index = whoosh_index.open_dir(str(generation.folder / WHOOSH_DIR))
        self.glossary: Glossary = glossary_view(generation).glossary
        self.docs: dict[int, DocInfo] = {}
        self.by_url: dict[str, int] = {}
        with self.index.searcher() as searcher:
            for docnum, stored in searcher.reader().iter_docs():
                info = _doc_info(stored)
                self.docs[docnum] = info
                self.by_url[info.url] = docnum
        self.size = self.index.doc_count_all()
        self.memory = ByteCache(cache_bytes)
        self.postings = PostingCache(self.docs, self.size, self.memory)
        self.sections = sorted({d.section for d in self.docs.values() if d.kind == "page"})
        self.languages = generation.languages
        docs = self.docs.items()
        self.section_column = Column.of({n: d.section for n, d in docs}, self.size)
        self.lang_column = Column.of({n: d.lang for n, d in docs}, self.size)
        # Each title's count of distinct terms, analyzed on first use (-1: not yet): 4 bytes a
        # document, so no title is analyzed twice however full the byte cache gets.
        self.title_sizes = np.full(self.size, -1, dtype=np.int32)
        self.is_page = np.zeros(self.size, dtype=np.bool_)
        self.is_page[[n for n, d in docs if d.kind == "page"]] = True
        self.preparing: threading.Thread | None = None
        self._readers: HandlePool[Any] = HandlePool(
            f"the search index of {generation.name}", self.index.reader, _close, IDLE_READERS
        )

    def close(self) -> None:
        """Close the pooled readers (a lent one when it comes back)."""
        self._readers.close()

    def derive(self, key: str, build: Callable[[], T]) -> T:
        """Return a table derived from this index (vocabulary, completions), built once."""
        return self.generation.remember(("search", key), build)

    def vocabulary(self, reader: Any) -> Vocabulary:
        """Return the spelling vocabulary, read with `reader` unless it is read already."""
        return self.derive("vocabulary", lambda: Vocabulary.from_reader(reader))

    def prepare(self) -> threading.Thread:
        """Read the spelling vocabulary in the background, so the first typo does not wait
        seconds for it (a query needing it meanwhile waits for this build, not another)."""

        def build() -> None:
            """Build the vocabulary; a generation closed or damaged meanwhile is no error here."""
            try:
                with self.reading() as reader:
                    self.vocabulary(reader)
            except VOCABULARY_ERRORS as exc:
                log.debug("%s: no spelling vocabulary prepared: %s", self.generation.name, exc)

        thread = threading.Thread(target=build, name="kb-vocabulary", daemon=True)
        thread.start()
        self.preparing = thread
        return thread

    @contextlib.contextmanager
    def reading(self) -> Iterator[Any]:
        """Lend a Whoosh reader for one search: pooled, never used by two threads at once."""
        with self._readers.lend() as reader:
            yield reader

    def title_terms(self, docnum: int) -> frozenset[str]:
        """Return the analyzed terms of a document's title, by its page's language rules."""
        info = self.docs.get(docnum)
        return frozenset(analyze(info.title, info.lang)) if info else frozenset()

    def title_size(self, docnum: int) -> int:
        """Return how many distinct analyzed terms a document's title has (kept once read)."""
        size = int(self.title_sizes[docnum])
        if size < 0:
            size = len(self.title_terms(docnum))
            self.title_sizes[docnum] = size
        return size

    def statuses(self, as_of: date) -> Column:
        """Return every page's review status as of a date (none for glossary terms)."""

        def by_docnum() -> Column:
            """Map the reports' judgement of each page onto its document number."""
            judged = page_statuses(self.generation, as_of)
            pages = {n: judged.get(d.url) for n, d in self.docs.items() if d.kind == "page"}
            return Column.of(pages, self.size, STATUSES)

        return self.generation.cache("search_statuses", STATUS_DATES).get(as_of, by_docnum)

    def heading_terms(self, docnums: list[int]) -> dict[int, tuple[frozenset[str], ...]]:
        """Return the analyzed terms of each heading of some documents (cached)."""
        found: dict[int, tuple[frozenset[str], ...]] = {}
        for docnum in docnums:
            if (held := self.memory.find(("headings", docnum))) is not None:
                found[docnum] = held
        urls = {self.docs[d].url: d for d in docnums if d not in found and d in self.docs}
        if urls:
            column = self.generation.store.column_of(list(urls), "headings")
            for url, docnum in urls.items():
                lang = self.docs[docnum].lang
                found[docnum] = tuple(
                    frozenset(analyze(h.get("text", ""), lang)) for h in column.get(url) or []
                )
                self.memory.put(("headings", docnum), found[docnum], _headings_bytes(found[docnum]))
        return {d: found.get(d, ()) for d in docnums}

    def page_sections(self, urls: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Return the sections (anchor, heading, level, text) of some pages from the page store."""
        found = self.generation.store.column_of(urls, "sections")
        return {url: sections or [] for url, sections in found.items()}


def _terms_bytes(terms: frozenset[str]) -> int:
    """Return the memory a set of terms takes (strings counted even when shared)."""
    return sys.getsizeof(terms) + sum(sys.getsizeof(t) for t in terms)


def _headings_bytes(headings: tuple[frozenset[str], ...]) -> int:
    """Return the memory the term sets of a page's headings take."""
    return sys.getsizeof(headings) + sum(_terms_bytes(h) for h in headings)


def _close(reader: Any) -> None:
    """Close one Whoosh reader."""
    reader.close()


def _doc_info(stored: dict[str, Any]) -> DocInfo:
    """Build the table row of one document from its stored fields."""
    days = stored.get("validated_days")
    # Kinds, sections and languages repeat across documents: one string each, not one a row.
    return DocInfo(
        url=str(stored.get("url", "")),
        kind=sys.intern(str(stored.get("kind", "page"))),
        title=str(stored.get("title", "")),
        section=sys.intern(str(stored.get("section", ""))),
        path=str(stored.get("path", "")),
        description=str(stored.get("description", "")),
        validated_on=_EPOCH + timedelta(days=int(days)) if days is not None else None,
        lang=sys.intern(str(stored.get("lang") or "en")),
    )


def searcher_for(generation: Generation) -> Searcher:
    """Return the generation's Searcher, opening it on first use; SearchUnavailable if damaged."""
    return generation.resource("searcher", lambda: _open(generation))


def warm(generation: Generation) -> None:
    """Open a generation's Searcher, judge today's review statuses, read the field length norms
    and wait for the spelling vocabulary, so that no reader waits for them; a damaged index is
    left for searches to report."""
    try:
        searcher = searcher_for(generation)
    except SearchUnavailable:
        return
    searcher.statuses(date.today())  # every page judged: seconds at 30x
    with searcher.reading() as reader:  # every document's length in each field: a second at 30x
        for field in WEIGHTS:
            searcher.postings.norms(reader, field)
    if searcher.preparing is not None:
        searcher.preparing.join()


def _open(generation: Generation) -> Searcher:
    """Open a generation's index after checking it against its manifest."""
    # Sizes and mtimes against the manifest catch a truncated or rewritten segment that reading
    # alone may miss or only hit on some queries, in a stat per file: checksumming the segments
    # took a second at 30x on every open. `kb index --verify` checksums every file.
    problem = changed_since_published(generation.folder, WHOOSH_DIR)
    if problem is not None:
        raise SearchUnavailable(
            f"the search index of {generation.name} is damaged: {problem}; "
            "run `kb index` to rebuild it"
        )
    try:
        searcher = Searcher(generation)
    except OPEN_ERRORS as exc:
        raise SearchUnavailable(
            f"the search index of {generation.name} cannot be read: {exc}; "
            "run `kb index` to rebuild it"
        ) from exc
    searcher.prepare()
    return searcher
