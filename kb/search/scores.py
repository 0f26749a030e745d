"""Scored documents as one dense array per set: a document's score, 0 where it does not match.

Every BM25F score is positive and every factor applied to one is too, so 0 can mean "no match"
and combining sets is whole-array arithmetic instead of a Python loop per matching document.
The operations add and compare scores in the same order as summing per document would, so the
results are the same floats to the last bit.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
Docnums = npt.NDArray[np.intp]


class Scores:
    """Scores of the documents of one index (docnum → score > 0); treated as immutable."""

    __slots__ = ("_count", "values")

    def __init__(self, values: Floats) -> None:
        """Wrap a float64 array as long as the index has documents (0: no match)."""
        self.values = values
        self._count: int | None = None

    @classmethod
    def empty(cls, size: int) -> Scores:
        """Return the set of no documents of an index of `size` documents."""
        return cls(np.zeros(size, dtype=np.float64))

    @classmethod
    def of(cls, scores: dict[int, float], size: int) -> Scores:
        """Return a set from a docnum → score mapping."""
        values = np.zeros(size, dtype=np.float64)
        if scores:
            values[np.fromiter(scores, dtype=np.intp, count=len(scores))] = list(scores.values())
        return cls(values)

    def __len__(self) -> int:
        """Return how many documents match (counted once)."""
        if self._count is None:
            self._count = int(np.count_nonzero(self.values))
        return self._count

    def __bool__(self) -> bool:
        """Tell whether any document matches."""
        return len(self) > 0

    def __contains__(self, docnum: object) -> bool:
        """Tell whether a document matches."""
        if not isinstance(docnum, int | np.integer) or not 0 <= docnum < len(self.values):
            return False
        return bool(self.values[docnum] != 0.0)

    def __getitem__(self, docnum: int) -> float:
        """Return a matching document's score."""
        return float(self.values[docnum])

    def get(self, docnum: int, default: float = 0.0) -> float:
        """Return a document's score, `default` when it does not match."""
        if docnum not in self:
            return default
        return float(self.values[docnum])

    @property
    def size(self) -> int:
        """Return how many documents the index has (deleted ones included)."""
        return len(self.values)

    def docnums(self) -> Docnums:
        """Return the matching documents, in docnum order."""
        return np.flatnonzero(self.values)

    def best_first(self) -> Docnums:
        """Return the matching documents, best score first (equal scores: lower docnum first)."""
        docs = self.docnums()
        return docs[np.argsort(-self.values[docs], kind="stable")]

    def to_dict(self) -> dict[int, float]:
        """Return the matches as docnum → score."""
        docs = self.docnums()
        return dict(zip(docs.tolist(), self.values[docs].tolist(), strict=True))

    def without(self, docnum: int) -> Scores:
        """Return the set less one document."""
        if docnum not in self:
            return self
        values = self.values.copy()
        values[docnum] = 0.0
        return Scores(values)

    def only(self, docnums: Iterable[int]) -> Scores:
        """Return the set restricted to some documents."""
        keep = np.fromiter(docnums, dtype=np.intp)
        values = np.zeros_like(self.values)
        values[keep] = self.values[keep]
        return Scores(values)


def intersect(clauses: list[Scores]) -> Scores:
    """Return documents in every clause with summed scores (smallest clause first)."""
    ordered = sorted(clauses, key=len)
    docs = ordered[0].docnums()
    total = ordered[0].values[docs]
    for clause in ordered[1:]:
        found = clause.values[docs]
        keep = found != 0.0
        docs, total = docs[keep], total[keep] + found[keep]
    values = np.zeros_like(ordered[0].values)
    values[docs] = total
    return Scores(values)


def union(clauses: list[Scores]) -> Scores:
    """Return documents in any clause with summed scores (0 + x is x, to the bit)."""
    values = clauses[0].values.copy()
    for clause in clauses[1:]:
        values += clause.values
    return Scores(values)


def best_of(alternatives: list[Scores]) -> Scores:
    """Return documents in any alternative with their best score (alternatives do not add up)."""
    values = alternatives[0].values.copy()
    for clause in alternatives[1:]:
        np.maximum(values, clause.values, out=values)
    return Scores(values)


def scaled(scores: Scores, factor: float) -> Scores:
    """Return scores multiplied by a factor."""
    return Scores(scores.values * factor)


def exclude(found: Scores, clauses: list[Scores]) -> Scores:
    """Drop documents matching any of some clauses."""
    if not clauses:
        return found
    values = found.values.copy()
    for clause in clauses:
        values[clause.values != 0.0] = 0.0
    return Scores(values)


def share_matched(clauses: list[Scores]) -> Scores:
    """Return each document's union score scaled by the square of the share of clauses it is in."""
    counts = np.zeros(clauses[0].size, dtype=np.intp)
    for clause in clauses:
        counts += clause.values != 0.0
    share = len(clauses)
    # The factors per count as Python computes them, so the products match a per-document loop.
    factors = np.array([(n / share) ** 2 for n in range(share + 1)], dtype=np.float64)
    return Scores(union(clauses).values * factors[counts])
