"""Write a generation's search index: the only code that writes Whoosh.

A full build creates the index; an incremental build adds segments to hard links of the previous
one's files. Pages and glossary terms become documents by kb.search.schema.

An incremental commit adds its segment and rewrites none of the others, unless there are more than
MAX_SMALL_SEGMENTS small ones (under SMALL_SHARE of the documents): those are merged into one, so
searches do not slow down over many runs while the large segments are never rewritten.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader
from whoosh.writing import IndexingError, SegmentWriter

from kb.index.generations import WHOOSH_DIR, link_tree
from kb.pages import Page
from kb.search.schema import SCHEMA_VERSION, build_schema, page_document, term_document

__all__ = ["SCHEMA_VERSION", "IndexWriter", "readable"]

# A batch this large analyzes in two sub-processes; smaller ones cost more to fork than to run.
PARALLEL_DOCUMENTS = 256
MAX_SMALL_SEGMENTS = 8
SMALL_SHARE = 0.05


class IndexWriter:
    """The writer of one generation's search index, open until committed or cancelled."""

    def __init__(self, folder: Path, *, previous: Path | None, documents: int) -> None:
        """Create a new index in the generation folder, or add to links to the previous one's.

        `documents` is how many pages the run expects to write.
        """
        target = folder / WHOOSH_DIR
        if previous is not None:
            link_tree(previous / WHOOSH_DIR, target)
            self.index = whoosh_index.open_dir(str(target))
        else:
            target.mkdir()
            self.index = whoosh_index.create_in(str(target), build_schema())
        try:
            if documents >= PARALLEL_DOCUMENTS and (multiprocessing.cpu_count() or 1) >= 2:
                self._writer: Any = self.index.writer(procs=2, limitmb=128, multisegment=True)
            else:
                self._writer = self.index.writer(limitmb=256)
        except BaseException:
            self.index.close()
            raise

    def put_page(self, page: Page) -> None:
        """Add a page's document, replacing the one at its URL."""
        self._writer.update_document(**page_document(page))

    def drop(self, url: str) -> None:
        """Remove the document at a URL (a page that vanished or was rejected)."""
        self._writer.delete_by_term("url", url)

    def replace_terms(self, terms: list[dict[str, Any]]) -> None:
        """Replace every glossary term document with these (slug, term, definition, aliases)."""
        self._writer.delete_by_term("kind", "term")
        for term in terms:
            self._writer.add_document(**term_document(**term))

    def commit(self, *, optimize: bool) -> None:
        """Write the index to disk (merged into one segment when optimize is set) and close it.

        A commit that fails (a full disk) leaves the writer to cancel().
        """
        if optimize:
            self._writer.commit(optimize=True)
        else:
            self._writer.commit(mergetype=merge_when_many_small)
        self.index.close()

    def cancel(self) -> None:
        """Drop what was written and close the index, keeping the error that led here."""
        try:
            # A commit that failed half-way has closed the writer: cancelling it raises again.
            with contextlib.suppress(IndexingError, OSError):
                self._writer.cancel()
        finally:
            self.index.close()


def merge_when_many_small(writer: SegmentWriter, segments: list[Any]) -> list[Any]:
    """Keep every segment as it is, unless too many are small: then merge the small ones.

    The Whoosh merge policy interface: return the segments to keep; the ones merged are added
    to the new segment being written.
    """
    total = sum(segment.doc_count_all() for segment in segments) or 1
    small = [s for s in segments if s.doc_count_all() < SMALL_SHARE * total]
    if len(small) <= MAX_SMALL_SEGMENTS:
        return list(segments)
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in small]


def readable(folder: Path) -> None:
    """Open a generation's search index and count its documents; raise if that fails."""
    ix = whoosh_index.open_dir(str(folder / WHOOSH_DIR))
    try:
        with ix.reader() as reader:
            reader.doc_count_all()
    finally:
        ix.close()
