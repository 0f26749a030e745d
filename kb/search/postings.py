"""Postings of a Whoosh index read once and kept in memory, with BM25F scoring over several fields.

Whoosh's own matchers spend several microseconds per posting in Python; for the handful of
terms in a query it is far cheaper to read each posting list once (cached per generation) and
score it with plain loops. Whoosh still owns the index: segments, lexicon, postings, lengths.
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.reading import TermNotFound

CACHE_POSTINGS = 3_000_000  # postings kept in memory per generation (about 8 bytes each)
K1 = 1.2
FIELD_B = {
    "title": 0.5,
    "title_exact": 0.5,
    "headings": 0.6,
    "description": 0.6,
    "body": 0.75,
    "code": 0.75,
}
Posting = tuple[array, array]  # docnums, term frequencies
_EMPTY: Posting = (array("i"), array("f"))


class PostingCache:
    """Per-generation posting lists, field length norms and document frequencies."""

    def __init__(self, live: Iterable[int], doc_count: int) -> None:
        """Start empty; `live` are the documents not deleted."""
        self.live = frozenset(live)
        self.doc_count = max(1, doc_count)
        self._postings: OrderedDict[tuple[str, str], Posting] = OrderedDict()
        self._size = 0
        self._norms: dict[str, array] = {}
        self._lock = threading.Lock()

    def postings(self, reader: Any, field: str, term: str) -> Posting:
        """Return (docnums, frequencies) of a term in a field, read on first use."""
        key = (field, term)
        with self._lock:
            found = self._postings.get(key)
            if found is not None:
                self._postings.move_to_end(key)
                return found
        read = _read_postings(reader, field, term, self.live)
        with self._lock:
            self._postings[key] = read
            self._size += len(read[0])
            while self._size > CACHE_POSTINGS and len(self._postings) > 1:
                _, dropped = self._postings.popitem(last=False)
                self._size -= len(dropped[0])
        return read

    def norms(self, reader: Any, field: str) -> array:
        """Return each document's BM25 length norm in a field: 1 - b + b * length / average."""
        norms = self._norms.get(field)
        if norms is not None:
            return norms
        total = reader.doc_count_all()
        lengths = [reader.doc_field_length(d, field, 0) or 0 for d in range(total)]
        average = (sum(lengths) / len(self.live)) if self.live else 1.0
        b = FIELD_B.get(field, 0.75)
        norms = array("f", (1 - b + b * n / (average or 1.0) for n in lengths))
        with self._lock:
            self._norms.setdefault(field, norms)
        return self._norms[field]

    def bm25f(self, reader: Any, terms: list[tuple[str, str, float]]) -> dict[int, float]:
        """Score one query word given as (field, term, weight) triples with BM25F.

        The weighted, length-normalized frequencies of all fields are summed before saturation,
        so a word in the title and the body counts once, strongly, not twice.
        """
        pseudo: dict[int, float] = {}
        for field, term, weight in terms:
            if not term:
                continue
            docs, freqs = self.postings(reader, field, term)
            if not docs:
                continue
            norms = self.norms(reader, field)
            get = pseudo.get
            for doc, freq in zip(docs, freqs, strict=True):
                pseudo[doc] = get(doc, 0.0) + weight * freq / norms[doc]
        if not pseudo:
            return {}
        df = len(pseudo)
        idf = math.log(1.0 + (self.doc_count - df + 0.5) / (df + 0.5))
        return {doc: idf * tf * (K1 + 1) / (K1 + tf) for doc, tf in pseudo.items()}

    def idf(self, reader: Any, field: str, term: str) -> float:
        """Return the inverse document frequency of a term in one field."""
        df = reader.doc_frequency(field, term)
        return math.log(1.0 + (self.doc_count - df + 0.5) / (df + 0.5))


def _unwrap(matcher: Any) -> Any:
    """Return the leaf matcher under Whoosh's deleted-documents filter."""
    while isinstance(matcher, WrappingMatcher):
        matcher = matcher.child
    return matcher


def _read_postings(reader: Any, field: str, term: str, live: frozenset[int]) -> Posting:
    """Read a whole posting list (all segments, live documents only) as arrays."""
    docs, freqs = array("i"), array("f")
    for leaf, offset in reader.leaf_readers():
        try:
            matcher = _unwrap(leaf.postings(field, term))
        except TermNotFound:
            continue
        deleted = leaf.has_deletions()
        if isinstance(matcher, W3LeafMatcher):
            # Read whole blocks: the per-posting Matcher calls cost far more than the data.
            while matcher.is_active():
                matcher._read_ids()
                matcher._read_weights()
                ids, weights = matcher._ids, matcher._weights
                for i in range(matcher._i, len(ids)):
                    doc = ids[i] + offset
                    if not deleted or doc in live:
                        docs.append(doc)
                        freqs.append(weights[i])
                matcher._next_block()
        else:
            while matcher.is_active():
                doc = matcher.id() + offset
                if not deleted or doc in live:
                    docs.append(doc)
                    freqs.append(matcher.weight())
                matcher.next()
    return (docs, freqs) if docs else _EMPTY


def positions(reader: Any, field: str, term: str, docnums: list[int]) -> dict[int, list[int]]:
    """Return the positions of a term in each of some documents (sorted docnums) that hold it."""
    found: dict[int, list[int]] = {}
    if not docnums:
        return found
    leaves = reader.leaf_readers()
    for index, (leaf, offset) in enumerate(leaves):
        end = leaves[index + 1][1] if index + 1 < len(leaves) else offset + leaf.doc_count_all()
        wanted = [d - offset for d in docnums if offset <= d < end]
        if not wanted:
            continue
        try:
            matcher = leaf.postings(field, term)
        except TermNotFound:
            continue
        if not matcher.supports("positions"):
            return found
        for local in wanted:
            if not matcher.is_active():
                break
            matcher.skip_to(local)
            if matcher.is_active() and matcher.id() == local:
                found[local + offset] = matcher.value_as("positions")
    return found
