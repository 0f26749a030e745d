"""Score query words with BM25F over weighted fields: identifiers, typos, prefixes, phrases."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from kb.search.analysis import (
    CJK_RUN,
    analyze,
    exact_analyzer,
    first_per_position,
    script_runs,
    text_analyzer,
    token_re,
)
from kb.search.lexicon import prefix_counts
from kb.search.matching import Plan, is_relaxable
from kb.search.postings import PostingCache
from kb.search.query import Group, Leaf, Negated, Node, Required
from kb.search.scores import Scores, best_of, intersect, scaled, union
from kb.search.spelling import Vocabulary, close_terms, correctable

# Field weights: title > headings > description > body. The *_exact fields hold unstemmed words
# (identifiers as typed); code holds code blocks.
WEIGHTS = {
    "title": 6.0,
    "title_exact": 2.0,
    "headings": 3.0,
    "description": 2.0,
    "body": 1.0,
    "code": 0.5,
}
FIELD_SETS: dict[str | None, tuple[str, ...]] = {
    None: ("title", "title_exact", "headings", "description", "body", "code"),
    "title": ("title", "title_exact"),
    "headings": ("headings",),
}
STEMMED = frozenset({"title", "headings", "description", "body"})
IDENTIFIER_WHOLE = 1.5  # an identifier found as typed beats one found only through its parts
IDENTIFIER_PARTS = 0.8
IDENTIFIER_ENOUGH = 1  # an identifier found as typed (or nearly) is not searched by its parts
TYPO_WEIGHT = {1: 0.85, 2: 0.7}
RARE_DF = 2  # a word in this few documents is checked for a far more common spelling
RARE_RATIO = 25
PREFIX_SCAN = 20_000  # lexicon entries walked for one prefix*
PREFIX_KEEP = 12  # most common expansions of a prefix* that are searched
TERM_BUDGET = 400  # posting lists one query may read; past it, expansions are skipped
PHRASE_CANDIDATES = 3000


@dataclass
class Built:
    """What scoring a query learned besides the scores."""

    terms: set[str] = field(default_factory=set)  # analyzed terms to highlight
    weights: dict[str, float] = field(default_factory=dict)  # term → idf, for snippets
    expanded: dict[str, list[str]] = field(default_factory=dict)  # typo word → close words used
    corrections: dict[str, str] = field(default_factory=dict)  # typo word → best spelling
    rare: set[str] = field(default_factory=set)  # corrected words that do occur, rarely
    query_terms: list[str] = field(default_factory=list)  # main stem of each plain word, in order
    notes: list[str] = field(default_factory=list)


class Scorer:
    """Score one query against one generation's postings."""

    def __init__(
        self,
        reader: Any,
        cache: PostingCache,
        vocabulary: Callable[[], Vocabulary],
        lang: str | None = None,
    ) -> None:
        """Start with the whole term budget and nothing learned; words analyzed as `lang`."""
        self.lang = lang
        self.reader = reader
        self.cache = cache
        self.vocabulary = vocabulary
        self.built = Built()
        self.budget = TERM_BUDGET
        self._seen: dict[Leaf, Scores | None] = {}

    def _word_scores(self, stem: str | None, exact: str, fields: tuple[str, ...]) -> Scores:
        """Return BM25F scores of one word form over several fields; record it for highlighting."""
        triples = [
            (name, text, WEIGHTS[name])
            for name in fields
            if (text := stem if name in STEMMED else exact)
        ]
        self.budget -= len(triples)
        if stem:
            self.built.terms.add(stem)
            self.built.weights.setdefault(stem, self.cache.idf(self.reader, "body", stem))
        self.built.terms.add(exact)
        return self.cache.bm25f(self.reader, triples)

    def word(self, leaf: Leaf) -> Scores | None:
        """Return the scores of one typed word: identifier parts, CJK runs, typo expansions."""
        tokens = token_re(self.lang).findall(leaf.text)
        if len(tokens) > 1:
            parts = [s for t in tokens if (s := self.word(Leaf("word", t, leaf.field))) is not None]
            return intersect(parts) if parts else None
        if not tokens:
            return None
        token = tokens[0]
        runs = script_runs(token)
        if len(runs) > 1:  # useStteを使う: typos tolerated in the Latin part, not in the CJK one
            parts = [s for r in runs if (s := self.word(Leaf("word", r, leaf.field))) is not None]
            return intersect(parts) if parts else None
        if len(token) == 1 and CJK_RUN.fullmatch(token):  # one character: the bigrams it opens
            return self.prefix(Leaf("prefix", token, leaf.field))
        fields = FIELD_SETS.get(leaf.field, FIELD_SETS[None])
        prose = [(t.pos, t.text) for t in text_analyzer(self.lang)(token, positions=True)]
        exact = [t.text for t in exact_analyzer(self.lang)(token)]
        if not exact:
            return None
        if len({pos for pos, _ in prose}) > 1:  # a CJK run: its bigrams as a phrase
            if leaf.field is None:  # titles and headings are matched by its bigrams
                self.built.query_terms.extend(t for _, t in prose)
            return self.phrase(Leaf("phrase", " ".join(t for _, t in prose), leaf.field))
        stem = prose[0][1] if prose else None
        if stem is None and len(exact) == 1:
            return None  # a stop word on its own
        found = self._word_scores(stem, exact[0], fields)
        if len(exact) == 1 or len(found) < IDENTIFIER_ENOUGH:
            found = self._with_typos(found, exact[0], stem, fields)
        if leaf.field is None:
            self._note_query_term(exact[0], stem)
        if len(exact) == 1:
            return found
        # An identifier: found as typed (or nearly), or when that is rare, through all of its parts.
        whole = scaled(found, IDENTIFIER_WHOLE)
        if len(whole) >= IDENTIFIER_ENOUGH:
            return whole
        parts = []
        for part in exact[1:]:
            part_stems = analyze(part, self.lang)
            if part_stems:
                scores = self._word_scores(part_stems[0], part, fields)
                parts.append(self._with_typos(scores, part, part_stems[0], fields))
        return best_of([whole, scaled(intersect(parts), IDENTIFIER_PARTS)]) if parts else whole

    def _note_query_term(self, word: str, stem: str | None) -> None:
        """Remember a plain word's stem (or its correction's) for title matching and proximity."""
        correction = self.built.corrections.get(word)
        if correction is not None and word not in self.built.rare:
            stems = analyze(correction, self.lang)
            stem = stems[0] if stems else stem
        if stem:
            self.built.query_terms.append(stem)

    def _with_typos(
        self, scores: Scores, word: str, stem: str | None, fields: tuple[str, ...]
    ) -> Scores:
        """Add close index words when a word matches nothing, or far less than a near spelling."""
        if not correctable(word) or self.budget < 3 * len(fields) or len(scores) > RARE_DF:
            return scores
        close = close_terms(self.vocabulary(), word)  # built on the first typo, then kept
        if scores:
            close = [c for c in close if c.doc_frequency >= RARE_RATIO * len(scores)]
        if not close:
            return scores
        if scores:
            self.built.rare.add(word)
        alternatives = [scores]
        for candidate in close:
            stems = analyze(candidate.word, self.lang)
            found = self._word_scores(stems[0] if stems else None, candidate.word, fields)
            alternatives.append(scaled(found, TYPO_WEIGHT.get(candidate.distance, 0.6)))
        self.built.expanded[word] = [c.word for c in close]
        self.built.corrections[word] = close[0].word
        return best_of(alternatives)

    def phrase(self, leaf: Leaf) -> Scores | None:
        """Return documents holding the words as typed, in order (stop words may differ)."""
        fields = FIELD_SETS.get(leaf.field, FIELD_SETS[None])
        prose = first_per_position(
            [(t.pos, t.text) for t in text_analyzer(self.lang)(leaf.text, positions=True)]
        )
        exact = first_per_position(
            [(t.pos, t.text) for t in exact_analyzer(self.lang)(leaf.text, positions=True)]
        )
        if len(exact) <= 1:
            if not exact:
                return None
            return self._word_scores(prose[0][1] if prose else None, exact[0][1], fields)
        words = [
            self._word_scores(stem, "", tuple(f for f in fields if f in STEMMED))
            for _, stem in prose
        ]
        exact_words = [
            self._word_scores(None, word, tuple(f for f in fields if f not in STEMMED))
            for _, word in exact
        ]
        candidates = (
            union([intersect(words), intersect(exact_words)])
            if len(prose) > 1
            else intersect(exact_words)
        )
        if len(prose) == 1:
            candidates = union([candidates, words[0]])
        ordered = candidates.best_first()[:PHRASE_CANDIDATES].tolist()
        # One word left after stop words: any document holding it holds the phrase in prose.
        verified = {d for d in ordered if d in words[0]} if len(prose) == 1 else set()
        checks = [(f, prose) for f in fields if f in STEMMED and len(prose) > 1]
        checks += [(f, exact) for f in fields if f not in STEMMED]
        for name, sequence in checks:
            pending = sorted(d for d in ordered if d not in verified)
            verified |= self._in_sequence(name, sequence, pending)
        return candidates.only(verified)

    def _in_sequence(
        self, field_name: str, sequence: list[tuple[int, str]], docnums: list[int]
    ) -> set[int]:
        """Return the documents where the terms stand at the same distances as in the query."""
        if not docnums:
            return set()
        self.budget -= len(sequence)  # charged as before the postings narrowed the documents
        # Only documents whose field holds every term can hold them in sequence: the cached
        # postings say which, so positions are read for those alone.
        for _, term in sequence:
            docnums = self.cache.holding(self.reader, field_name, term, docnums)
        if not docnums:
            return set()
        base = sequence[0][0]
        starts = self.cache.positions(self.reader, field_name, sequence[0][1], docnums)
        for pos, term in sequence[1:]:
            # Keep, per document, the starts the term also stands at the right distance from.
            where = self.cache.positions(self.reader, field_name, term, sorted(starts))
            starts = {
                doc: kept
                for doc, places in starts.items()
                if (kept := _followed(places, where.get(doc, ()), pos - base))
            }
        return set(starts)

    def prefix(self, leaf: Leaf) -> Scores | None:
        """Return documents holding one of the most common words that start with a prefix."""
        fields = FIELD_SETS.get(leaf.field, FIELD_SETS[None])
        exact = [t.text for t in exact_analyzer(self.lang)(leaf.text)]
        if not exact:
            return None
        found, more = prefix_counts(self.reader, exact[0], PREFIX_SCAN)
        if more:
            self.built.notes.append(
                f"'{leaf.text}*' matches very many words; the most common were searched."
            )
        keep = max(1, min(PREFIX_KEEP, self.budget // (2 * len(fields))))
        found.sort(key=lambda f: (-f[0], f[1]))
        alternatives = []
        for _, word in found[:keep]:
            stems = analyze(word, self.lang)
            alternatives.append(self._word_scores(stems[0] if stems else None, word, fields))
        return best_of(alternatives) if alternatives else Scores.empty(self.cache.size)

    def leaf(self, leaf: Leaf) -> Scores | None:
        """Return the scores of one leaf (a repeated leaf is scored once)."""
        if leaf in self._seen:
            return self._seen[leaf]
        if leaf.kind == "phrase":
            scores = self.phrase(leaf)
        elif leaf.kind == "prefix":
            scores = self.prefix(leaf)
        else:
            scores = self.word(leaf)
        self._seen[leaf] = scores
        return scores

    def node(self, node: Node) -> Scores | None:
        """Return the scores of a (sub)tree."""
        if isinstance(node, Leaf):
            return self.leaf(node)
        if isinstance(node, Required):
            return self.node(node.child)
        if isinstance(node, Negated):
            # NOT NOT x is x; a lone NOT cannot be searched for on its own.
            return self.node(node.child.child) if isinstance(node.child, Negated) else None
        return self.plan(node, top=False).strict()

    def plan(self, node: Node, top: bool = True) -> Plan:
        """Split a tree into required, optional and excluded clauses."""
        plan = Plan(relaxable=top and is_relaxable(node))
        children = node.children if isinstance(node, Group) else (node,)
        plan.any_of = isinstance(node, Group) and node.op == "or"
        for child in children:
            if isinstance(child, Negated) and not isinstance(child.child, Negated):
                if (scores := self.node(child.child)) is not None:
                    plan.excluded.append(scores)
                continue
            scores = self.node(child)
            if scores is not None:
                (plan.required if isinstance(child, Required) else plan.optional).append(scores)
        return plan


def _followed(starts: list[int], places: Iterable[int], gap: int) -> list[int]:
    """Return the starts that one of the places stands `gap` positions after."""
    after = set(places)
    return [start for start in starts if start + gap in after]
