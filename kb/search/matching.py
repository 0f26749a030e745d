"""Sets of scored documents and how a query's clauses combine: AND, OR, NOT, relaxed AND."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.search.query import Group, Negated, Node, Required
from kb.search.scores import Scores, exclude, intersect, share_matched, union

__all__ = ["Plan", "Scores", "is_relaxable"]


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
        return exclude(found, self.excluded)

    def relaxed(self) -> Scores | None:
        """Return the scores of documents matching any optional clause, scaled by how many match."""
        if not self.relaxable or len(self.optional) < 2:
            return None
        found = share_matched(self.optional)
        if self.required:
            found = intersect([*self.required, found])
        return exclude(found, self.excluded)


def is_relaxable(node: Node | None) -> bool:
    """Tell whether a tree's top is an implicit AND of two or more optional clauses."""
    if not isinstance(node, Group) or node.op != "and" or not node.implicit:
        return False
    return sum(1 for c in node.children if not isinstance(c, Negated | Required)) > 1
