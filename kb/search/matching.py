"""Sets of scored documents and how a query's clauses combine: AND, OR, NOT, relaxed AND."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.search.query import Group, Negated, Node, Required

Scores = dict[int, float]  # docnum → score


@dataclass
class Plan:
    """A query's clauses: required ones all match; optional ones all (strict) or any (relaxed)."""

    relaxable: bool = False
    any_of: bool = False
    required: list[Scores] = field(default_factory=list)
    optional: list[Scores] = field(default_factory=list)
    excluded: list[Scores] = field(default_factory=list)

    def strict(self) -> Scores | None:
        """Return the scores of documents matching every clause (OR groups: any)."""
        if not self.required and not self.optional:
            return None
        if self.any_of:
            found = union(self.required + self.optional)
        else:
            found = intersect(self.required + self.optional)
        return self._exclude(found)

    def relaxed(self) -> Scores | None:
        """Return the scores of documents matching any optional clause, scaled by how many match."""
        if not self.relaxable or len(self.optional) < 2:
            return None
        counts: dict[int, int] = {}
        for clause in self.optional:
            for doc in clause:
                counts[doc] = counts.get(doc, 0) + 1
        found = union(self.optional)
        share = len(self.optional)
        for doc in found:
            found[doc] *= (counts[doc] / share) ** 2
        if self.required:
            found = intersect([*self.required, found])
        return self._exclude(found)

    def _exclude(self, found: Scores) -> Scores:
        """Drop documents matching an excluded clause."""
        for clause in self.excluded:
            for doc in clause:
                found.pop(doc, None)
        return found


def intersect(clauses: list[Scores]) -> Scores:
    """Return documents in every clause with summed scores."""
    if not clauses:
        return {}
    ordered = sorted(clauses, key=len)
    found = dict(ordered[0])
    for clause in ordered[1:]:
        found = {doc: score + clause[doc] for doc, score in found.items() if doc in clause}
    return found


def union(clauses: list[Scores]) -> Scores:
    """Return documents in any clause with summed scores."""
    found: Scores = {}
    for clause in clauses:
        for doc, score in clause.items():
            found[doc] = found.get(doc, 0.0) + score
    return found


def best_of(alternatives: list[Scores]) -> Scores:
    """Return documents in any alternative with their best score (alternatives do not add up)."""
    found: Scores = {}
    for clause in alternatives:
        for doc, score in clause.items():
            if score > found.get(doc, -1.0):
                found[doc] = score
    return found


def scaled(scores: Scores, factor: float) -> Scores:
    """Return scores multiplied by a factor."""
    return {doc: score * factor for doc, score in scores.items()}


def is_relaxable(node: Node | None) -> bool:
    """Tell whether a tree's top is an implicit AND of two or more optional clauses."""
    if not isinstance(node, Group) or node.op != "and" or not node.implicit:
        return False
    return sum(1 for c in node.children if not isinstance(c, Negated | Required)) > 1
