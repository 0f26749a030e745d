"""Turn a parsed query into weighted Whoosh queries: fields, identifiers, typos, prefixes, proximity."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from kb.analysis import TOKEN_RE, analyze, exact_analyzer, text_analyzer
from kb.query import Group, Leaf, Negated, Node, Required
from kb.suggest import SPELL_FIELD, Vocabulary, close_terms, correctable

# Query-time field weights: title > headings > description > body; exact (unstemmed) forms and code
# add to a stemmed match, so a query typed like the identifier beats one matching only its stem.
WEIGHTS = {
    "title": 5.0,
    "title_exact": 2.0,
    "headings": 2.5,
    "description": 1.5,
    "body": 1.0,
    "code": 0.6,
}
FIELD_SETS = {
    None: ("title", "title_exact", "headings", "description", "body", "code"),
    "title": ("title", "title_exact"),
    "headings": ("headings",),
}
STEMMED = {"title", "headings", "description", "body"}
PROXIMITY_FIELDS = {"title": 3.0, "headings": 1.5, "body": 1.0}
PROXIMITY_SLOP = 3
RARE_DF = 2  # a word in this few documents is checked for a far more common spelling
RARE_RATIO = 25
TYPO_WEIGHT = {1: 0.85, 2: 0.7}
PREFIX_SCAN = 20_000  # lexicon entries walked for one prefix*
PREFIX_KEEP = 16  # most common expansions of a prefix* that are searched
TERM_BUDGET = 600  # term clauses in one query; past it, expansions are skipped


@dataclass
class Plan:
    """A query's clauses: all required ones must match; optional ones all (strict) or any (relaxed)."""

    relaxable: bool = False
    any_of: bool = False
    required: list[wq.Query] = field(default_factory=list)
    optional: list[wq.Query] = field(default_factory=list)
    excluded: list[wq.Query] = field(default_factory=list)

    def _finish(self, main: wq.Query | None) -> wq.Query | None:
        """Apply the excluded clauses."""
        if main is None or not self.excluded:
            return main
        return wq.AndNot(main, wq.Or(self.excluded) if len(self.excluded) > 1 else self.excluded[0])

    def strict(self) -> wq.Query | None:
        """Return the query where every clause must match (OR groups: any)."""
        if self.any_of:
            clauses = self.required + self.optional
            return self._finish(wq.Or(clauses) if len(clauses) > 1 else clauses[0] if clauses else None)
        clauses = self.required + self.optional
        return self._finish(wq.And(clauses) if len(clauses) > 1 else clauses[0] if clauses else None)

    def relaxed(self) -> wq.Query | None:
        """Return the query where any optional clause may match (ranked by how many do)."""
        if not self.relaxable or len(self.optional) < 2:
            return None
        anyone = wq.Or(self.optional)
        return self._finish(wq.And([*self.required, anyone]) if self.required else anyone)


@dataclass
class Built:
    """What building a query produced besides the Whoosh query."""

    terms: set[str] = field(default_factory=set)  # analyzed terms to highlight
    weights: dict[str, float] = field(default_factory=dict)  # term → idf, for snippets
    expanded: dict[str, list[str]] = field(default_factory=dict)  # typo word → close words used
    corrections: dict[str, str] = field(default_factory=dict)  # typo word → best spelling
    leaf_terms: list[set[tuple[str, bytes]]] = field(default_factory=list)  # per top-level clause
    query_terms: list[str] = field(default_factory=list)  # main stem of each plain word
    notes: list[str] = field(default_factory=list)


class QueryBuilder:
    """Build Whoosh queries for one search against one reader."""

    def __init__(self, reader: Any, vocabulary: Vocabulary) -> None:
        """Start with an empty term budget and nothing recorded."""
        self.reader = reader
        self.vocabulary = vocabulary
        self.built = Built()
        self.budget = TERM_BUDGET
        self._collect: set[tuple[str, bytes]] | None = None

    def _term(self, fieldname: str, text: str, boost: float) -> wq.Query:
        """Return a Term query and record it for coverage and highlighting."""
        self.budget -= 1
        if self._collect is not None:
            self._collect.add((fieldname, text.encode("utf-8")))
        return wq.Term(fieldname, text, boost=boost)

    def _idf(self, stem: str) -> float:
        """Return how rare a stem is in bodies (for snippet weights)."""
        df = self.reader.doc_frequency("body", stem) + 1
        return 1.0 + math.log(max(1, self.reader.doc_count()) / df)

    def fields_query(self, stem: str | None, exact: str, fields: tuple[str, ...], boost: float = 1.0) -> wq.Query:
        """Return one word searched in several fields with their weights."""
        clauses = []
        for name in fields:
            text = stem if name in STEMMED else exact
            if text:
                clauses.append(self._term(name, text, WEIGHTS[name] * boost))
        if stem:
            self.built.terms.add(stem)
            self.built.weights.setdefault(stem, self._idf(stem))
        self.built.terms.add(exact)
        return wq.Or(clauses) if len(clauses) > 1 else clauses[0] if clauses else wq.NullQuery

    def _doc_frequency(self, stem: str | None, exact: str, fields: tuple[str, ...]) -> int:
        """Return an upper bound of how many documents contain a word in the searched fields."""
        total = 0
        for name in fields:
            text = stem if name in STEMMED else exact
            if text:
                total += self.reader.doc_frequency(name, text)
        return total

    def word(self, leaf: Leaf) -> wq.Query | None:
        """Return the query of one typed word: identifier parts, CJK runs, typo expansions."""
        tokens = TOKEN_RE.findall(leaf.text)
        if len(tokens) > 1:
            parts = [q for t in tokens if (q := self.word(Leaf("word", t, leaf.field)))]
            return wq.And(parts) if len(parts) > 1 else parts[0] if parts else None
        fields = FIELD_SETS.get(leaf.field, FIELD_SETS[None])
        prose = [(t.pos, t.text) for t in text_analyzer()(leaf.text, positions=True)]
        exact = [t.text for t in exact_analyzer()(leaf.text)]
        if not exact:
            return None
        if len({pos for pos, _ in prose}) > 1:  # a CJK run: its characters as a phrase
            return self.phrase(Leaf("phrase", " ".join(t for _, t in prose), leaf.field))
        if not prose:
            if len(exact) == 1 and leaf.field is None:
                return None  # a stop word on its own
            prose = [(0, "")]
        if len(exact) > 1:  # an identifier: the whole form, or all of its parts
            whole = self.fields_query(prose[0][1] or None, exact[0], fields, 1.5)
            parts = []
            for part in exact[1:]:
                stems = analyze(part)
                if stems:
                    parts.append(self.fields_query(stems[0], part, fields, 0.8))
            query: wq.Query = wq.Or([whole, wq.And(parts)]) if parts else whole
        else:
            query = self.fields_query(prose[0][1] or None, exact[0], fields)
        if prose[0][1] and leaf.field is None:
            self.built.query_terms.append(prose[0][1])
        return self._with_typos(query, leaf.text.lower(), prose[0][1] or None, exact[0], fields)

    def _with_typos(self, query: wq.Query, word: str, stem: str | None, exact: str, fields: tuple[str, ...]) -> wq.Query:
        """Add close index words when a word matches nothing or far less than a near spelling."""
        if not correctable(word) or self.budget < 3 * len(fields):
            return query
        df = self._doc_frequency(stem, exact, fields)
        if df > RARE_DF:
            return query
        close = close_terms(self.vocabulary, word)
        if df:
            close = [c for c in close if c.doc_frequency >= RARE_RATIO * df]
        if not close:
            return query
        alternatives = [query] if df else []
        for candidate in close:
            stems = [t.text for t in text_analyzer()(candidate.word)]
            alternatives.append(
                self.fields_query(stems[0] if stems else None, candidate.word, fields, TYPO_WEIGHT.get(candidate.distance, 0.6))
            )
        self.built.expanded[word] = [c.word for c in close]
        self.built.corrections[word] = close[0].word
        return wq.Or(alternatives)

    def phrase(self, leaf: Leaf) -> wq.Query | None:
        """Return an exact phrase in prose fields (stop words may stand in the gaps) or in code."""
        fields = FIELD_SETS.get(leaf.field, FIELD_SETS[None])
        prose = [(t.pos, t.text) for t in text_analyzer()(leaf.text, positions=True)]
        exact = [(t.pos, t.text) for t in exact_analyzer()(leaf.text, positions=True)]
        firsts = _first_per_position(prose)
        exact_firsts = _first_per_position(exact)
        if len(exact_firsts) <= 1:
            if not exact_firsts:
                return None
            return self.fields_query(firsts[0][1] if firsts else None, exact_firsts[0][1], fields)
        clauses: list[wq.Query] = []
        if len(firsts) > 1:
            slop = max(b[0] - a[0] for a, b in zip(firsts, firsts[1:], strict=False))
            words = [w for _, w in firsts]
            for name in fields:
                if name in STEMMED:
                    clauses.append(wq.Phrase(name, words, slop=max(1, slop), boost=WEIGHTS[name]))
            self.built.terms.update(words)
            for word in words:
                self.built.weights.setdefault(word, self._idf(word))
            if self._collect is not None:
                self._collect.update((name, w.encode()) for name in fields if name in STEMMED for w in words)
        elif len(firsts) == 1:
            clauses.append(self.fields_query(firsts[0][1], exact_firsts[0][1], fields))
        if "code" in fields or "title_exact" in fields:
            words = [w for _, w in exact_firsts]
            clauses.extend(wq.Phrase(n, words, boost=WEIGHTS[n]) for n in ("title_exact", "code") if n in fields)
            self.built.terms.update(words)
        self.budget -= 2 * len(clauses)
        return wq.Or(clauses) if len(clauses) > 1 else clauses[0]

    def prefix(self, leaf: Leaf) -> wq.Query | None:
        """Return the most common words starting with a prefix, each searched like a word."""
        fields = FIELD_SETS.get(leaf.field, FIELD_SETS[None])
        exact = [t.text for t in exact_analyzer()(leaf.text)]
        if not exact:
            return None
        start = exact[0]
        found: list[tuple[int, str]] = []
        for n, raw in enumerate(self.reader.expand_prefix(SPELL_FIELD, start)):
            if n >= PREFIX_SCAN:
                self.built.notes.append(f"'{leaf.text}*' matches very many words; the most common were searched.")
                break
            word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            found.append((self.reader.doc_frequency(SPELL_FIELD, word), word))
        keep = max(1, min(PREFIX_KEEP, self.budget // (2 * len(fields))))
        found.sort(key=lambda f: (-f[0], f[1]))
        clauses = []
        for _, word in found[:keep]:
            stems = [t.text for t in text_analyzer()(word)]
            clauses.append(self.fields_query(stems[0] if stems else None, word, fields))
        if not clauses:
            return wq.NullQuery
        return wq.Or(clauses) if len(clauses) > 1 else clauses[0]

    def leaf(self, leaf: Leaf) -> wq.Query | None:
        """Return the query of one leaf."""
        if leaf.kind == "phrase":
            return self.phrase(leaf)
        if leaf.kind == "prefix":
            return self.prefix(leaf)
        return self.word(leaf)

    def node(self, node: Node) -> wq.Query | None:
        """Return the query of a (sub)tree."""
        if isinstance(node, Leaf):
            return self.leaf(node)
        if isinstance(node, Required):
            return self.node(node.child)
        if isinstance(node, Negated):
            # NOT NOT x is x; a lone NOT cannot be searched for on its own.
            return self.node(node.child.child) if isinstance(node.child, Negated) else None
        plan = self._plan(node, top=False)
        return plan.strict()

    def _plan(self, node: Node, top: bool) -> Plan:
        """Split a group into required, optional and excluded clause queries."""
        plan = Plan(relaxable=top and is_relaxable(node))
        if not isinstance(node, Group):
            if top:
                self._collect = set()
            query = self.node(node)
            if query is not None:
                (plan.required if isinstance(node, Required) else plan.optional).append(query)
                if top:
                    self.built.leaf_terms.append(self._collect or set())
            if top:
                self._collect = None
            return plan
        plan.any_of = node.op == "or"
        for child in node.children:
            if isinstance(child, Negated) and not isinstance(child.child, Negated):
                if (query := self.node(child.child)) is not None:
                    plan.excluded.append(query)
                continue
            if top:
                self._collect = set()
            query = self.node(child)
            if query is not None:
                (plan.required if isinstance(child, Required) else plan.optional).append(query)
                if top:
                    self.built.leaf_terms.append(self._collect or set())
            if top:
                self._collect = None
        return plan

    def build(self, root: Node) -> Plan:
        """Return the plan of a whole query: its strict form and, when allowed, a relaxed one."""
        return self._plan(root, top=True)

    def proximity(self) -> wq.Query | None:
        """Return an optional boost for the plain words standing close together, in order."""
        words = self.built.query_terms[:6]
        if len(words) < 2:
            return None
        return wq.Or([wq.Phrase(name, words, slop=PROXIMITY_SLOP, boost=w) for name, w in PROXIMITY_FIELDS.items()])


def _first_per_position(tokens: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Keep the first term at each position (an identifier's whole form, not its parts)."""
    seen: set[int] = set()
    kept = []
    for pos, text in tokens:
        if pos not in seen:
            seen.add(pos)
            kept.append((pos, text))
    return kept


def is_relaxable(node: Node | None) -> bool:
    """Tell whether a tree's top is an implicit AND of two or more optional clauses."""
    if not isinstance(node, Group) or node.op != "and" or not node.implicit:
        return False
    return sum(1 for c in node.children if not isinstance(c, Negated | Required)) > 1
