"""A field's terms with the number of documents holding each, read from the term headers.

Whoosh's own walk decodes every term's whole info, unpickling the postings a rare term keeps
inline, and across segments merges each term's info with a lookup in every other segment. The
walks here go segment by segment and read only the document count, the third number of the
info's fixed header (whoosh3 codec).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whoosh.codec.whoosh3 import W3TermInfo, W3TermsReader

SPELL_FIELD = "words"  # every prose word, unstemmed (kb.search.schema)
_INFO_HEAD = W3TermInfo._struct  # flags, weight, doc frequency, lengths …


def document_counts(leaf: Any, field: str, start: bytes = b"") -> Iterator[tuple[bytes, int]]:
    """Yield each term of one segment's field (those starting with `start`, in order) with the
    number of documents holding it."""
    if field not in leaf.schema:  # an index from before the field existed
        return
    terms = getattr(leaf, "_terms", None)
    if not isinstance(terms, W3TermsReader):
        for raw, info in leaf.iter_prefix(field, start):
            yield raw, info.doc_frequency()
        return
    head = terms._keycoder(field, b"")
    prefix = terms._keycoder(field, start)
    for key, info in terms._tindex.items_from(prefix):
        if not key.startswith(prefix):  # past the prefix, or the next field's terms
            return
        yield key[len(head) :], _INFO_HEAD.unpack_from(info)[2]


def prefix_counts(reader: Any, prefix: str, scan: int) -> tuple[list[tuple[int, str]], bool]:
    """Return the first `scan` words of the spelling field starting with a prefix (in the
    lexicon's order) with the number of documents holding each, and whether there were more.

    The first `scan` words of all segments are among the first `scan` of each.
    """
    counts: dict[bytes, int] = {}
    start = prefix.encode("utf-8")
    for leaf, _ in reader.leaf_readers():
        for n, (raw, count) in enumerate(document_counts(leaf, SPELL_FIELD, start)):
            if n > scan:
                break
            counts[raw] = counts.get(raw, 0) + count
    ordered = sorted(counts)
    found = [(counts[raw], raw.decode("utf-8")) for raw in ordered[:scan]]
    return found, len(ordered) > scan
