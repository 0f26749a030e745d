"""Postings of a Whoosh index read once and kept in memory, with BM25F scoring over several fields.

Whoosh's own matchers spend several microseconds per posting in Python; for the handful of
terms in a query it is far cheaper to read each posting list once (cached per generation, under
a byte budget) and score it with array arithmetic. Whoosh still owns the index: segments,
lexicon, postings, lengths.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import TermNotFound

from kb.index.cache import ByteCache
from kb.search.positions import block_ids, leaf_matcher, read_positions
from kb.search.scores import Scores

K1 = 1.2
FIELD_B = {
    "title": 0.5,
    "title_exact": 0.5,
    "headings": 0.6,
    "description": 0.6,
    "body": 0.75,
    "code": 0.75,
}
Docs = npt.NDArray[np.int32]
Freqs = npt.NDArray[np.float32] | npt.NDArray[np.uint8]
Posting = tuple[Docs, Freqs]  # docnums (unique, ascending), term frequencies


class PostingCache:
    """Per-generation posting lists, field length norms and document frequencies."""

    def __init__(self, live: Iterable[int], doc_count: int, memory: ByteCache) -> None:
        """Start empty; `live` are the documents not deleted; posting lists are kept in `memory`."""
        self.size = doc_count
        self.live = np.zeros(max(1, doc_count), dtype=np.bool_)
        self.live[np.fromiter(live, dtype=np.intp)] = True
        self.live_count = int(np.count_nonzero(self.live))
        self.doc_count = max(1, doc_count)
        self.memory = memory
        self._norms: dict[str, npt.NDArray[np.float32]] = {}
        self._lock = threading.Lock()

    def postings(self, reader: Any, field: str, term: str) -> Posting:
        """Return (docnums, frequencies) of a term in a field, read on first use."""
        return self.memory.get(
            ("postings", field, term),
            lambda: _read_postings(reader, field, term, self.live),
            _posting_bytes,
        )

    def holding(self, reader: Any, field: str, term: str, docnums: list[int]) -> list[int]:
        """Return those of some sorted docnums whose field holds the term (none read from Whoosh)."""
        held = self.postings(reader, field, term)[0]
        if not len(held) or not docnums:
            return []
        wanted = np.asarray(docnums, dtype=np.int64)
        at = np.minimum(np.searchsorted(held, wanted), len(held) - 1)
        result: list[int] = wanted[held[at] == wanted].tolist()
        return result

    def positions(
        self, reader: Any, field: str, term: str, docnums: list[int]
    ) -> dict[int, list[int]]:
        """Return the positions of a term in each of some documents (sorted) that hold it."""
        return read_positions(self.memory, reader, field, term, docnums)

    def norms(self, reader: Any, field: str) -> npt.NDArray[np.float32]:
        """Return each document's BM25 length norm in a field: 1 - b + b * length / average."""
        norms = self._norms.get(field)
        if norms is not None:
            return norms
        total = reader.doc_count_all()
        lengths = [reader.doc_field_length(d, field, 0) or 0 for d in range(total)]
        average = (sum(lengths) / self.live_count) if self.live_count else 1.0
        b = FIELD_B.get(field, 0.75)
        # Computed in double, kept in single precision: as the per-document loop did.
        norms = (1 - b + b * np.array(lengths, dtype=np.float64) / (average or 1.0)).astype(
            np.float32
        )
        with self._lock:
            self._norms.setdefault(field, norms)
        return self._norms[field]

    def bm25f(self, reader: Any, terms: list[tuple[str, str, float]]) -> Scores:
        """Score one query word given as (field, term, weight) triples with BM25F.

        The weighted, length-normalized frequencies of all fields are summed before saturation,
        so a word in the title and the body counts once, strongly, not twice.
        """
        pseudo = np.zeros(self.size, dtype=np.float64)
        for field, term, weight in terms:
            if not term:
                continue
            docs, freqs = self.postings(reader, field, term)
            if not len(docs):
                continue
            norms = self.norms(reader, field)
            # Docnums are unique within a posting list, so a fancy-indexed += adds each once.
            pseudo[docs] += weight * freqs.astype(np.float64) / norms[docs].astype(np.float64)
        found = np.flatnonzero(pseudo)
        if not len(found):
            return Scores(pseudo)
        df = len(found)
        idf = math.log(1.0 + (self.doc_count - df + 0.5) / (df + 0.5))
        tf = pseudo[found]
        pseudo[found] = idf * tf * (K1 + 1) / (K1 + tf)
        return Scores(pseudo)

    def idf(self, reader: Any, field: str, term: str) -> float:
        """Return the inverse document frequency of a term in one field."""
        df = reader.doc_frequency(field, term)
        return math.log(1.0 + (self.doc_count - df + 0.5) / (df + 0.5))


def _posting_bytes(posting: Posting) -> int:
    """Return the memory one cached posting list takes."""
    docs, freqs = posting
    # An array that owns its data counts it in getsizeof (the posting lists do, and were once
    # counted twice more by adding nbytes to it).
    return sys.getsizeof(docs) + sys.getsizeof(freqs) + sys.getsizeof(posting)


def _read_postings(reader: Any, field: str, term: str, live: npt.NDArray[np.bool_]) -> Posting:
    """Read a whole posting list (all segments, live documents only) as arrays."""
    docs: list[npt.NDArray[np.int64]] = []
    freqs: list[npt.NDArray[np.float32]] = []
    for leaf, offset in reader.leaf_readers():
        try:
            matcher = leaf_matcher(leaf.postings(field, term))
        except TermNotFound:
            continue
        if isinstance(matcher, W3LeafMatcher):
            # Read whole blocks: the per-posting Matcher calls cost far more than the data.
            while matcher.is_active():
                start = matcher._i
                docs.append(block_ids(matcher)[start:] + offset)
                freqs.append(_block_weights(matcher)[start:])
                matcher._next_block()
        else:
            ids, weights = [], []
            while matcher.is_active():
                ids.append(matcher.id() + offset)
                weights.append(matcher.weight())
                matcher.next()
            docs.append(np.array(ids, dtype=np.int64))
            freqs.append(np.array(weights, dtype=np.float32))
    if not docs:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
    found, frequencies = np.concatenate(docs), np.concatenate(freqs)
    keep = live[found]  # deleted documents stay in Whoosh's postings until a merge
    return found[keep].astype(np.int32), _compact(frequencies[keep])


def _compact(frequencies: npt.NDArray[np.float32]) -> Freqs:
    """Return term frequencies as bytes when they are all small whole numbers, as they nearly
    always are: the byte budget then holds more posting lists, and the scores stay the same."""
    if not len(frequencies) or frequencies.max() > 255:
        return frequencies
    small = frequencies.astype(np.uint8)
    return small if np.array_equal(small, frequencies) else frequencies


def _block_weights(matcher: Any) -> npt.NDArray[np.float32]:
    """Return the term frequencies of a block reader's current block (stored minified: None
    when all are 1, one float when all are equal)."""
    if matcher._data is None:
        matcher._read_data()
    weights = matcher._data[1]
    if weights is None or isinstance(weights, float):
        return np.full(matcher._blocklength, 1.0 if weights is None else weights, dtype=np.float32)
    return np.asarray(weights, dtype=np.float32)
