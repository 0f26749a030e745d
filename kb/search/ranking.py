"""Order matches: BM25F scores, known-item boosts for titles and headings, word proximity."""

from __future__ import annotations

import heapq
import itertools
from typing import Any

from kb.search.matching import Scores
from kb.search.postings import positions
from kb.search.scorer import Scorer
from kb.search.searcher import Searcher

RERANK_DEPTH = 120  # best matches re-scored for proximity and headings
TITLE_MATCH_WEIGHT = 1.0
HEADING_MATCH_WEIGHT = 0.6
EXACT_MATCH = 1.5  # a title or heading that is exactly the query counts this much more
PROXIMITY_WEIGHT = 0.5  # every neighbouring pair of query words close together: score x1.5
PROXIMITY_FIELDS = ("title", "headings", "body")
PROXIMITY_WINDOW = 3  # a next query word at most this many positions on counts as close
PROXIMITY_WORDS = 6
TERM_WEIGHT = 0.5  # a glossary entry ranks below pages that match as well (its card shows it)


def overlap(query: set[str], text: frozenset[str]) -> float:
    """Return how much of the query a text holds times how much of the text is query (1: same)."""
    shared = len(query & text)
    if not shared:
        return 0.0
    share = (shared / len(query)) * (shared / len(text))
    return share * (EXACT_MATCH if share == 1.0 else 1.0)


def rank(
    searcher: Searcher, scorer: Scorer, matched: Scores, allowed: set[int], needed: int
) -> list[tuple[int, float]]:
    """Return the best allowed matches, best first, at least `needed` of them when there are."""
    query_terms = set(scorer.built.query_terms)
    docs = searcher.docs

    def first_score(docnum: int) -> float:
        """Return a match's score with the title boost and the glossary damping."""
        score = matched[docnum]
        if query_terms:
            # The more of the query a title holds, and the less else it holds, the likelier
            # it is the page the reader has in mind.
            title = searcher.title_terms(docnum)
            score *= 1.0 + TITLE_MATCH_WEIGHT * overlap(query_terms, title)
        return score if docs[docnum].kind == "page" else score * TERM_WEIGHT

    top = heapq.nlargest(max(RERANK_DEPTH, needed), ((first_score(d), d) for d in allowed))
    near = proximity(scorer.reader, scorer.built.query_terms, [d for _, d in top])
    headings = searcher.heading_terms([d for _, d in top]) if query_terms else {}
    ranked: list[tuple[int, float]] = []
    for score, docnum in top:
        score *= 1.0 + PROXIMITY_WEIGHT * near.get(docnum, 0.0)
        best = max((overlap(query_terms, h) for h in headings.get(docnum, ())), default=0.0)
        ranked.append((docnum, score * (1.0 + HEADING_MATCH_WEIGHT * best)))
    ranked.sort(key=lambda pair: -pair[1])
    return ranked


def proximity(reader: Any, words: list[str], docnums: list[int]) -> dict[int, float]:
    """Return, per document, the share of neighbouring query words found close together, in order."""
    words = words[:PROXIMITY_WORDS]
    if len(words) < 2 or not docnums:
        return {}
    ordered = sorted(docnums)
    best: dict[int, float] = {}
    for name in PROXIMITY_FIELDS:
        where = [positions(reader, name, word, ordered) for word in words]
        for doc in ordered:
            pairs = sum(
                1
                for left, right in itertools.pairwise(where)
                if (a := left.get(doc)) and (b := right.get(doc)) and _near(a, b)
            )
            if pairs:
                best[doc] = max(best.get(doc, 0.0), pairs / (len(words) - 1))
    return best


def _near(left: list[int], right: list[int]) -> bool:
    """Tell whether some position of the right word follows one of the left word closely."""
    after = set(right)
    return any(p + d in after for p in left for d in range(1, PROXIMITY_WINDOW + 1))
