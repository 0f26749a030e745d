"""Term positions read from Whoosh's posting blocks, for the few documents that need them.

Whoosh's matcher reaches a document by reading every block header before it (a pickle each) and
decodes positions one posting at a time. Here a term's block offsets and last docnums are read
once and kept under the generation's byte budget: a document's block is found by bisection,
and only the wanted documents' positions are decoded.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermsReader
from whoosh.matching.wrappers import WrappingMatcher
from whoosh.reading import TermNotFound

from kb.index.cache import ByteCache

# A term's blocks in one segment: where each starts in the postings file, its last docnum.
BlockMap = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]


def read_positions(
    memory: ByteCache, reader: Any, field: str, term: str, docnums: list[int]
) -> dict[int, list[int]]:
    """Return the positions of a term in each of some documents (sorted docnums) that hold it;
    block maps are kept in `memory`, which belongs to the reader's generation."""
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
            matcher = _matcher(leaf, field, term)
        except TermNotFound:
            continue
        if not matcher.supports("positions"):
            return found
        reading = leaf_matcher(matcher)
        if isinstance(reading, W3LeafMatcher):
            leaf_found = _mapped_positions(
                reading, _blocks(memory, reading, index, field, term), wanted
            )
        else:
            leaf_found = _matcher_positions(matcher, wanted)
        found.update((local + offset, places) for local, places in leaf_found.items())
    return found


def _matcher(leaf: Any, field: str, term: str) -> Any:
    """Return a segment's matcher of a term, without Whoosh's deleted-documents filter when
    the segment is in the whoosh3 format: the filter reads the first block as it is made, to
    step over deleted documents, and positions are only ever asked of live ones."""
    terms = getattr(leaf, "_terms", None)
    if not isinstance(terms, W3TermsReader) or field not in leaf.schema:
        return leaf.postings(field, term)
    text = leaf._text_to_bytes(field, term)
    return terms.matcher(field, text, leaf.schema[field].format)


def leaf_matcher(matcher: Any) -> Any:
    """Return the leaf matcher under Whoosh's deleted-documents filter."""
    while isinstance(matcher, WrappingMatcher):
        matcher = matcher.child
    return matcher


def block_ids(matcher: Any) -> npt.NDArray[np.int64]:
    """Return the docnums of a block reader's current block, decoded by numpy.

    Whoosh stores a block's docnums as differences and sums them back in a Python generator,
    a few microseconds a posting: a cumulative sum over the array does the same at once.
    """
    if matcher._byteids:
        matcher._read_ids()
        return np.asarray(matcher._ids, dtype=np.int64)
    if matcher._data is None:
        matcher._read_data()
    return np.cumsum(np.asarray(matcher._data[0], dtype=np.int64))


def _blocks(memory: ByteCache, matcher: Any, leaf: int, field: str, term: str) -> BlockMap:
    """Return the block map of a term in one segment (the leaf-th), read on first use."""
    return memory.get(("blocks", leaf, field, term), lambda: _block_map(matcher), _bytes)


def _block_map(matcher: Any) -> BlockMap:
    """Walk a block reader's headers once: each block's offset and last docnum."""
    starts: list[int] = []
    last: list[int] = []
    matcher.reset()
    at = matcher._baseoffset
    while True:
        starts.append(at)
        last.append(matcher._maxid)
        if matcher._lastblock:
            break
        at = matcher._nextoffset
        matcher._goto(at)
    return np.array(starts, dtype=np.int64), np.array(last, dtype=np.int64)


def _bytes(blocks: BlockMap) -> int:
    """Return the memory a block map takes."""
    starts, last = blocks
    return sys.getsizeof(starts) + sys.getsizeof(last) + sys.getsizeof(blocks)


def _mapped_positions(matcher: Any, blocks: BlockMap, wanted: list[int]) -> dict[int, list[int]]:
    """Return the positions of the wanted documents (sorted, segment-local) that hold the term,
    visiting only the blocks that can hold them."""
    starts, last = blocks
    decode = matcher.format.decoder("positions")
    found: dict[int, list[int]] = {}
    # Sorted docnums fall in non-decreasing blocks: each run of one block is read once.
    which = np.searchsorted(last, wanted).tolist()
    i = 0
    while i < len(wanted):
        block, j = which[i], i
        while j < len(wanted) and which[j] == block:
            j += 1
        if block < len(starts):
            matcher._goto(int(starts[block]))
            ids = block_ids(matcher)
            chunk = wanted[i:j]
            places = np.minimum(np.searchsorted(ids, chunk), len(ids) - 1)
            held = (ids[places] == chunk).tolist()
            if any(held):
                matcher._read_values()
                for docnum, k, hit in zip(chunk, places.tolist(), held, strict=True):
                    if hit:
                        found[docnum] = decode(matcher._values[k])
        i = j
    return found


def _matcher_positions(matcher: Any, wanted: list[int]) -> dict[int, list[int]]:
    """Return the positions of the wanted documents through the generic Matcher interface."""
    found: dict[int, list[int]] = {}
    for local in wanted:
        if not matcher.is_active():
            break
        matcher.skip_to(local)
        if matcher.is_active() and matcher.id() == local:
            found[local] = matcher.value_as("positions")
    return found
