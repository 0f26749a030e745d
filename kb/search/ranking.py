"""Order matches: BM25F scores, known-item boosts for titles and headings, word proximity."""

from __future__ import annotations

import heapq
import itertools
import math
from typing import Any

import numpy as np
import numpy.typing as npt

from kb.search.columns import Docnums
from kb.search.postings import PostingCache
from kb.search.scorer import Scorer
from kb.search.scores import Floats, Scores
from kb.search.searcher import Searcher

RERANK_DEPTH = 120  # best matches re-scored for proximity and headings
TITLE_MATCH_WEIGHT = 1.0
HEADING_MATCH_WEIGHT = 0.6
EXACT_MATCH = 1.5  # a title or heading that is exactly the query counts this much more
PROXIMITY_WEIGHT = 0.5  # every neighbouring pair of query words close together: score x1.5
PROXIMITY_BOUND = 1.0 + PROXIMITY_WEIGHT  # the most proximity multiplies a score by
PROXIMITY_FIELDS = ("title", "headings", "body")
PROXIMITY_WINDOW = 3  # a next query word at most this many positions on counts as close
PROXIMITY_WORDS = 6
TERM_WEIGHT = 0.5  # a glossary entry ranks below pages that match as well (its card shows it)
TITLE_BOUND = 1.0 + TITLE_MATCH_WEIGHT * EXACT_MATCH  # the most a title can boost a match
BATCH = 64  # titles read before the first check against the bound (doubling after)


def overlap(query: set[str], text: frozenset[str]) -> float:
    """Return how much of the query a text holds times how much of the text is query (1: same)."""
    return shared_overlap(len(query & text), len(query), len(text))


def shared_overlap(shared: int, query: int, text: int) -> float:
    """Return overlap() of a query and a text of these many distinct terms, `shared` in both."""
    if not shared:
        return 0.0
    share = (shared / query) * (shared / text)
    return share * (EXACT_MATCH if share == 1.0 else 1.0)


def rank(
    searcher: Searcher, scorer: Scorer, matched: Scores, allowed: Docnums, needed: int
) -> list[tuple[int, float]]:
    """Return the best allowed matches, best first, at least `needed` of them when there are."""
    query_terms = set(scorer.built.query_terms)
    depth = max(RERANK_DEPTH, needed)
    top = first_stage(searcher, scorer.reader, matched, allowed, query_terms, depth)
    bound = rerank_bound(scorer.built.query_terms)
    top = reachable(top, needed, bound)
    boosts, near = _reranked(searcher, scorer, top, needed, bound)
    ranked: list[tuple[int, float]] = []
    for score, docnum in top:
        if docnum in near:
            score *= 1.0 + PROXIMITY_WEIGHT * near[docnum]
            ranked.append((docnum, score * boosts[docnum]))
    ranked.sort(key=lambda pair: -pair[1])
    return ranked


def _reranked(
    searcher: Searcher,
    scorer: Scorer,
    top: list[tuple[float, int]],
    needed: int,
    bound: float,
) -> tuple[dict[int, float], dict[int, float]]:
    """Return the heading boost and the proximity share of each match that can still reach the
    first `needed` places; the others are left out.

    The first `needed` matches are re-ranked first: their final scores set a floor, and a later
    match that stays below it even when raised by `bound` (or, its headings known, by the
    proximity bound) cannot reach those places, so neither its headings nor its positions are
    read. Two rounds, not more: each round reads positions afresh, and at 1x a third cost more
    than it saved.
    """
    boosts: dict[int, float] = {}
    near: dict[int, float] = {}
    finals = _rerank_round(searcher, scorer, top[:needed], -math.inf, (boosts, near))
    floor = heapq.nlargest(needed, finals)[-1] if len(finals) >= needed > 0 else -math.inf
    # Best first: the matches still within reach are a head of the rest.
    rest = list(itertools.takewhile(lambda p: _reaches(p[0], bound, floor), top[needed:]))
    _rerank_round(searcher, scorer, rest, floor, (boosts, near))
    return boosts, near


def _rerank_round(
    searcher: Searcher,
    scorer: Scorer,
    batch: list[tuple[float, int]],
    floor: float,
    found: tuple[dict[int, float], dict[int, float]],
) -> list[float]:
    """Read the headings, then the positions, of some matches that can reach the floor; record
    their heading boosts and proximity shares in `found` and return their final scores."""
    boosts, near = found
    words = scorer.built.query_terms
    query_terms = set(words)
    headings = heading_terms(searcher, scorer.reader, query_terms, [d for _, d in batch])
    for _, docnum in batch:
        held = headings.get(docnum, ())
        best = max((overlap(query_terms, h) for h in held), default=0.0)
        boosts[docnum] = 1.0 + HEADING_MATCH_WEIGHT * best
    batch = [p for p in batch if _reaches(p[0] * boosts[p[1]], PROXIMITY_BOUND, floor)]
    wanted = [docnum for _, docnum in batch] if len(words[:PROXIMITY_WORDS]) >= 2 else []
    shares = proximity(searcher.postings, scorer.reader, words, wanted)
    finals = []
    for score, docnum in batch:
        near[docnum] = shares.get(docnum, 0.0)
        finals.append(score * (1.0 + PROXIMITY_WEIGHT * near[docnum]) * boosts[docnum])
    return finals


def _reaches(score: float, bound: float, floor: float) -> bool:
    """Tell whether a score raised by at most `bound` can reach a floor (the margin keeps a
    score whose bound equals the floor but for rounding)."""
    return score * bound * (1 + 1e-9) >= floor


def within_reach(scores: list[float], needed: int, bound: float) -> list[bool]:
    """Tell which scores, raised by at most `bound`, can reach the first `needed` places."""
    if needed < 1 or len(scores) <= needed:
        return [True] * len(scores)
    floor = sorted(scores, reverse=True)[needed - 1]
    return [_reaches(score, bound, floor) for score in scores]


def rerank_bound(words: list[str]) -> float:
    """Return the most proximity and a heading can multiply a match's first-stage score by."""
    near = 1.0 + PROXIMITY_WEIGHT if len(words[:PROXIMITY_WORDS]) >= 2 else 1.0
    return near * (1.0 + HEADING_MATCH_WEIGHT * EXACT_MATCH if words else 1.0)


def reachable(top: list[tuple[float, int]], needed: int, bound: float) -> list[tuple[float, int]]:
    """Return the head of a best-first list that can still reach the first `needed` places.

    Re-ranking only raises a score, by at most `bound`: a match whose raised score would stay
    below the needed-th score as it stands is outranked by `needed` others whatever proximity
    and headings say, and only the first `needed` places are ever shown.
    """
    keep = within_reach([score for score, _ in top], needed, bound)
    # Best first: the matches within reach are a head of the list.
    return top[: sum(keep)]


def heading_terms(
    searcher: Searcher, reader: Any, query_terms: set[str], docnums: list[int]
) -> dict[int, tuple[frozenset[str], ...]]:
    """Return the heading term sets of those documents whose headings hold a query term (the
    headings field's postings tell which): the others' headings cannot boost them."""
    ordered = sorted(docnums)
    holding = {
        d for t in query_terms for d in searcher.postings.holding(reader, "headings", t, ordered)
    }
    return searcher.heading_terms(sorted(holding)) if holding else {}


def first_stage(
    searcher: Searcher,
    reader: Any,
    matched: Scores,
    allowed: Docnums,
    query_terms: set[str],
    depth: int,
) -> list[tuple[float, int]]:
    """Return the `depth` best (score, docnum) of the allowed matches after the title boost and
    the glossary damping, best first (equal scores: higher docnum first).

    The title field's postings tell how many query terms each title holds, since the field
    holds exactly the terms analyze() makes of the title: no shared term, no boost; some, a
    boost of at most title_bound(). Titles are read (and their boost computed) only for
    matches whose bound can still reach the top, best bound first: the same top as boosting
    every match.
    """
    base = matched.values[allowed]
    # Halving is exact in binary, so damping before the boost gives the same floats as after.
    base = np.where(searcher.is_page[allowed], base, base * TERM_WEIGHT)
    shared = np.zeros(len(allowed), dtype=np.intp)
    for term in query_terms:
        holds = np.zeros(searcher.size, dtype=np.bool_)
        holds[searcher.postings.postings(reader, "title", term)[0]] = True
        shared += holds[allowed]
    plain = shared == 0
    found = _largest(base[plain], allowed[plain], depth)
    boosted = np.flatnonzero(~plain)
    bounds = base[boosted] * title_bound(shared[boosted], len(query_terms))
    order = np.argsort(-bounds, kind="stable")
    scores, docs = base[boosted][order].tolist(), allowed[boosted][order].tolist()
    counts = shared[boosted][order].tolist()
    limits = bounds[order].tolist()
    start, size = 0, BATCH
    while start < len(docs):
        end = min(len(docs), start + size)
        for score, docnum, count in zip(
            scores[start:end], docs[start:end], counts[start:end], strict=True
        ):
            # The more of the query a title holds, and the less else it holds, the likelier
            # it is the page the reader has in mind; the postings told how many it holds.
            title = shared_overlap(count, len(query_terms), searcher.title_size(docnum))
            found.append((score * (1.0 + TITLE_MATCH_WEIGHT * title), docnum))
        found = heapq.nlargest(depth, found)
        start, size = end, 2 * size
        # Strictly above: a match whose bound equals the last score could win on its docnum.
        if start < len(docs) and len(found) >= depth and found[-1][0] > limits[start]:
            break
    return found


def title_bound(shared: npt.NDArray[np.intp], words: int) -> Floats:
    """Return the most a title holding `shared` of `words` query terms can boost a match.

    All of them: the title may be exactly the query. Fewer: overlap() is at most shared/words.
    """
    share = shared / words
    return np.where(shared >= words, TITLE_BOUND, 1.0 + TITLE_MATCH_WEIGHT * share)


def _largest(scores: Floats, docnums: Docnums, depth: int) -> list[tuple[float, int]]:
    """Return the `depth` largest (score, docnum), as heapq.nlargest orders them."""
    if len(scores) > depth:
        # Everything tied with the depth-th score stays in: ties are broken by docnum below.
        keep = scores >= np.partition(scores, len(scores) - depth)[len(scores) - depth]
        scores, docnums = scores[keep], docnums[keep]
    return heapq.nlargest(depth, zip(scores.tolist(), docnums.tolist(), strict=True))


def proximity(
    cache: PostingCache, reader: Any, words: list[str], docnums: list[int]
) -> dict[int, float]:
    """Return, per document, the share of neighbouring query words found close together, in order."""
    words = words[:PROXIMITY_WORDS]
    if len(words) < 2 or not docnums:
        return {}
    ordered = sorted(docnums)
    best: dict[int, float] = {}
    for name in PROXIMITY_FIELDS:
        # The share is the best of the fields: one whose every pair is close already has it all.
        ordered = [doc for doc in ordered if best.get(doc, 0.0) < 1.0]
        where = [
            cache.positions(reader, name, word, docs)
            for word, docs in _paired(cache, reader, name, words, ordered)
        ]
        for doc in ordered:
            pairs = sum(
                1
                for left, right in itertools.pairwise(where)
                if (a := left.get(doc)) and (b := right.get(doc)) and _near(a, b)
            )
            if pairs:
                best[doc] = max(best.get(doc, 0.0), pairs / (len(words) - 1))
    return best


def _paired(
    cache: PostingCache, reader: Any, field: str, words: list[str], docnums: list[int]
) -> list[tuple[str, list[int]]]:
    """Return each word with the documents whose positions of it matter: those holding it and
    one of its neighbours in the query (the cached postings tell, before any position is read)."""
    held = [set(cache.holding(reader, field, word, docnums)) for word in words]
    paired = []
    for i, word in enumerate(words):
        neighbours = set().union(*held[max(0, i - 1) : i], *held[i + 1 : i + 2])
        paired.append((word, sorted(held[i] & neighbours)))
    return paired


def _near(left: list[int], right: list[int]) -> bool:
    """Tell whether some position of the right word follows one of the left word closely."""
    after = set(right)
    return any(p + d in after for p in left for d in range(1, PROXIMITY_WINDOW + 1))
