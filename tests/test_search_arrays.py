"""Search over arrays: score sets, the pruned first ranking stage, array facets, byte-bounded caches.

Each array form is checked against the per-document Python it replaced, on the real corpus where
an index matters (many matches, many ties).
"""

from __future__ import annotations

import heapq
import random
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.index.cache import ENTRY_OVERHEAD, ByteCache
from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.search.engine import search
from kb.search.facets import count_facets
from kb.search.languages import count_languages, keep_language
from kb.search.lexicon import SPELL_FIELD, prefix_counts
from kb.search.query import parse_query
from kb.search.ranking import (
    RERANK_DEPTH,
    TERM_WEIGHT,
    TITLE_MATCH_WEIGHT,
    first_stage,
    overlap,
    rank,
)
from kb.search.scorer import Scorer
from kb.search.scores import (
    Scores,
    best_of,
    exclude,
    intersect,
    scaled,
    share_matched,
    union,
)
from kb.search.searcher import STATUSES, Searcher, searcher_for
from kb.search.spelling import PLAIN_WORD, Vocabulary
from tests.conftest import index_site

AS_OF = date(2026, 11, 26)
SIZE = 40
Dict = dict[int, float]

# Score sets as the dicts the arrays replace: positive scores of docnums below SIZE.
score_dicts = st.dictionaries(
    st.integers(0, SIZE - 1), st.floats(0.001, 50.0, allow_nan=False, allow_infinity=False)
)


def dict_intersect(clauses: list[Dict]) -> Dict:
    """Intersect as the dict code did: smallest clause first, scores summed in that order."""
    ordered = sorted(clauses, key=len)
    found = dict(ordered[0])
    for clause in ordered[1:]:
        found = {doc: score + clause[doc] for doc, score in found.items() if doc in clause}
    return found


def dict_union(clauses: list[Dict]) -> Dict:
    """Unite as the dict code did: scores summed in clause order."""
    found: Dict = {}
    for clause in clauses:
        for doc, score in clause.items():
            found[doc] = found.get(doc, 0.0) + score
    return found


def dict_share_matched(clauses: list[Dict]) -> Dict:
    """Scale the union by the squared share of clauses each document is in, as Plan did."""
    found = dict_union(clauses)
    for doc in found:
        found[doc] *= (sum(doc in c for c in clauses) / len(clauses)) ** 2
    return found


def as_scores(clauses: list[Dict]) -> list[Scores]:
    """Return the clauses as score arrays."""
    return [Scores.of(c, SIZE) for c in clauses]


@settings(max_examples=200, deadline=None)
@given(st.lists(score_dicts, min_size=1, max_size=5), st.floats(0.1, 3.0))
def test_score_operations_match_the_dict_ones_to_the_bit(
    clauses: list[Dict], factor: float
) -> None:
    arrays = as_scores(clauses)
    assert intersect(arrays).to_dict() == dict_intersect(clauses)
    assert union(arrays).to_dict() == dict_union(clauses)
    best = {d: max(c.get(d, -1.0) for c in clauses) for c in clauses for d in c}
    assert best_of(arrays).to_dict() == best
    assert scaled(arrays[0], factor).to_dict() == {d: s * factor for d, s in clauses[0].items()}
    kept = {d: s for d, s in clauses[0].items() if not any(d in c for c in clauses[1:])}
    assert exclude(arrays[0], arrays[1:]).to_dict() == kept
    assert share_matched(arrays).to_dict() == dict_share_matched(clauses)


@given(score_dicts, st.integers(-3, SIZE + 3))
def test_membership_length_and_dropping_one(scores: Dict, docnum: int) -> None:
    found = Scores.of(scores, SIZE)
    assert len(found) == len(scores) and bool(found) == bool(scores)
    assert (docnum in found) == (docnum in scores)
    assert found.get(docnum, -1.0) == scores.get(docnum, -1.0)
    assert found.docnums().tolist() == sorted(scores)
    dropped = {d: s for d, s in scores.items() if d != docnum}
    assert found.without(docnum).to_dict() == dropped
    assert found.to_dict() == scores  # without() copies
    assert found.only([d for d in scores if d % 2]).to_dict() == {
        d: s for d, s in scores.items() if d % 2
    }


@pytest.fixture(scope="module")
def corpus(corpus_index: Path) -> Generation:
    """Return the real corpus's current generation."""
    return Generation(current_generation(corpus_index))


def matches_of(searcher: Searcher, reader: object, query: str) -> tuple[Scorer, Scores]:
    """Score a query over the corpus and return the scorer with its strict matches."""
    scorer = Scorer(reader, searcher.postings, lambda: Vocabulary({}), "en")
    root = parse_query(query).root
    assert root is not None
    matched = scorer.plan(root).strict()
    assert matched is not None
    return scorer, matched


def every_match_ranked(
    searcher: Searcher, matched: Scores, allowed: np.ndarray, terms: set[str], depth: int
) -> list[tuple[float, int]]:
    """Rank as before pruning: boost every allowed match, then take the best."""

    def first_score(docnum: int) -> float:
        """Boost one match by its title and damp a glossary entry."""
        score = matched[docnum]
        if terms:
            score *= 1.0 + TITLE_MATCH_WEIGHT * overlap(terms, searcher.title_terms(docnum))
        return score if searcher.docs[docnum].kind == "page" else score * TERM_WEIGHT

    return heapq.nlargest(depth, ((first_score(d), d) for d in allowed.tolist()))


@pytest.mark.parametrize("query", ["token", "user login", "api", "connection settings"])
@pytest.mark.parametrize("depth", [5, 120])
@pytest.mark.parametrize("step", [None, 0.5])
def test_pruned_first_stage_keeps_the_top_of_ranking_every_match(
    corpus: Generation, query: str, depth: int, step: float | None
) -> None:
    # A fresh Searcher, so the titles analyzed are those this ranking needed.
    searcher = Searcher(corpus)
    try:
        with searcher.reading() as reader:
            scorer, matched = matches_of(searcher, reader, query)
            if step is not None:  # coarse scores: hundreds of ties, broken by docnum
                matched = Scores(np.ceil(matched.values / step) * step)
            allowed = matched.docnums()
            assert len(allowed) > 4 * depth
            terms = set(scorer.built.query_terms)
            top = first_stage(searcher, reader, matched, allowed, terms, depth)
        analyzed = int(np.count_nonzero(searcher.title_sizes[allowed] >= 0))
        assert analyzed < len(allowed) // 2  # pruning left most titles unread
        assert top == every_match_ranked(searcher, matched, allowed, terms, depth)
    finally:
        searcher.close()


@pytest.mark.parametrize(
    "query",
    [
        "how to call my api from a single page application",
        "user login flow",
        "token",
        "create new custom",
        "refresh token rotation",
        '"configure application" login',
    ],
)
@pytest.mark.parametrize("needed", [1, 10, 30])
def test_rerank_of_the_reachable_head_keeps_the_first_places(
    corpus: Generation, query: str, needed: int
) -> None:
    # rank() re-ranks only matches whose bound can reach the first `needed` places; asked for
    # all RERANK_DEPTH places it re-ranks every one of them: the first `needed` must agree.
    searcher = Searcher(corpus)
    try:
        with searcher.reading() as reader:
            scorer, matched = matches_of(searcher, reader, query)
            allowed = matched.docnums()
            pruned = rank(searcher, scorer, matched, allowed, needed)
            full = rank(searcher, scorer, matched, allowed, RERANK_DEPTH)
        assert len(full) == min(RERANK_DEPTH, len(allowed))
        assert min(needed, len(allowed)) <= len(pruned) <= len(full)
        assert pruned[:needed] == full[:needed]
    finally:
        searcher.close()


@pytest.mark.parametrize("query", ["token", "user login flow", "organizations"])
def test_title_postings_hold_the_analyzed_title_terms(corpus: Generation, query: str) -> None:
    # first_stage bounds the title boost by the title field's postings: they must agree.
    searcher = Searcher(corpus)
    try:
        with searcher.reading() as reader:
            scorer, _ = matches_of(searcher, reader, query)
            terms = set(scorer.built.query_terms)
            holders = {
                t: set(searcher.postings.postings(reader, "title", t)[0].tolist()) for t in terms
            }
        for docnum in searcher.docs:
            held = {t for t in terms if docnum in holders[t]}
            assert held == terms & searcher.title_terms(docnum)
    finally:
        searcher.close()


@pytest.mark.parametrize("field", ["body", "title", "headings", "title_exact"])
def test_postings_and_positions_read_by_block_are_whooshs_own(
    corpus: Generation, field: str
) -> None:
    # Postings and positions are read block by block: the same as stepping Whoosh's matcher.
    searcher = Searcher(corpus)
    rnd = random.Random(field)
    try:
        with searcher.reading() as reader:
            lexicon = [t.decode() if isinstance(t, bytes) else t for t in reader.lexicon(field)]
            known = set(lexicon)
            for term in [*rnd.sample(lexicon, 40), "the", "auth0", "token"]:
                wanted = sorted(rnd.sample(sorted(searcher.docs), rnd.choice([3, 120, 2000])))
                every: dict[int, list[int]] = {}
                frequencies: list[float] = []
                matcher = reader.postings(field, term) if term in known else None
                while matcher is not None and matcher.is_active():
                    every[matcher.id()] = matcher.value_as("positions")
                    frequencies.append(matcher.weight())
                    matcher.next()
                docs, freqs = searcher.postings.postings(reader, field, term)
                assert docs.tolist() == list(every)
                assert freqs.tolist() == frequencies
                expected = {d: every[d] for d in wanted if d in every}
                # The first read maps the term's blocks; the second finds them through the map.
                assert searcher.postings.positions(reader, field, term, wanted) == expected
                assert searcher.postings.positions(reader, field, term, wanted) == expected
    finally:
        searcher.close()


@pytest.fixture
def segmented(site: Path, tmp_path: Path) -> Generation:
    """Index the example docs, then edit a page and add one: two segments, one deletion."""
    index_dir = tmp_path / "index"
    index_site(site, index_dir)
    edited = site / "docs" / "api" / "webhooks.mdx"
    edited.write_text(edited.read_text() + "\nWebhooks retry a delivery with a token.\n")
    (site / "docs" / "later.md").write_text(
        "---\ntitle: Later page\n---\n\n# Later\n\nA token, then a webhook, then a token.\n"
    )
    index_site(site, index_dir)
    return Generation(current_generation(index_dir))


def test_positions_over_segments_and_deletions_are_whooshs_own(segmented: Generation) -> None:
    # An incremental run adds a segment and deletes the edited page's old document: positions
    # read through the cached block maps must still be Whoosh's own, segment by segment.
    searcher = Searcher(segmented)
    try:
        with searcher.reading() as reader:
            assert len(reader.leaf_readers()) > 1
            assert reader.has_deletions()
            for field in ("body", "title", "headings"):
                for raw in list(reader.lexicon(field)):
                    term = raw.decode() if isinstance(raw, bytes) else raw
                    every: dict[int, list[int]] = {}
                    matcher = reader.postings(field, term)
                    while matcher.is_active():
                        every[matcher.id()] = matcher.value_as("positions")
                        matcher.next()
                    wanted = sorted(searcher.docs)
                    for _ in range(2):  # mapping the blocks, then through the map
                        assert searcher.postings.positions(reader, field, term, wanted) == every
    finally:
        searcher.close()


@pytest.mark.parametrize("scan", [3, 40, 20_000])
def test_prefix_counts_are_the_merged_lexicons(segmented: Generation, scan: int) -> None:
    # Walked segment by segment, the first `scan` words of a prefix and their document counts
    # are those of Whoosh's merged lexicon, and "more" says when the walk stopped early.
    searcher = Searcher(segmented)
    try:
        with searcher.reading() as reader:
            for prefix in ("", "t", "to", "web", "a", "zzz"):
                words = [w.decode() for w in reader.expand_prefix(SPELL_FIELD, prefix)]
                expected = [(reader.doc_frequency(SPELL_FIELD, w), w) for w in words[:scan]]
                assert prefix_counts(reader, prefix, scan) == (expected, len(words) > scan)
    finally:
        searcher.close()


def counted_by_loop(
    searcher: Searcher, matched: list[int], statuses: dict[int, str | None], section, wanted
) -> tuple[dict[str, dict[str, int]], list[int]]:
    """Count facets per document, as count_facets did before arrays."""
    by_section: dict[str, int] = {}
    by_status: dict[str, int] = {}
    allowed = []
    for docnum in matched:
        info = searcher.docs[docnum]
        status = statuses.get(docnum)
        section_ok = section is None or info.section == section
        status_ok = wanted is None or status in wanted
        if status_ok:
            by_section[info.section] = by_section.get(info.section, 0) + 1
        if section_ok and status is not None:
            by_status[status] = by_status.get(status, 0) + 1
        if section_ok and status_ok:
            allowed.append(docnum)
    ordered = {name: by_status[name] for name in STATUSES if name in by_status}
    sections = dict(sorted(by_section.items(), key=lambda kv: (-kv[1], kv[0])))
    return {"section": sections, "status": ordered}, sorted(allowed)


def test_array_facets_count_as_a_loop_over_matches(corpus: Generation) -> None:
    searcher = Searcher(corpus)
    try:
        column = searcher.statuses(AS_OF)
        statuses = {d: column.name_of(d) for d in searcher.docs}
        assert len(set(statuses.values())) > 3
        sections = [*searcher.sections[:3], "glossary", "no-such-section", None]
        wanted_sets = [None, {"stale"}, {"due", "never", "bogus"}]
        rng = random.Random(5)
        every = sorted(searcher.docs)
        for share in (0.01, 0.3, 1.0):
            matched = sorted(rng.sample(every, int(share * len(every))))
            for section in sections:
                for wanted in wanted_sets:
                    facets, allowed = count_facets(
                        searcher, np.array(matched, dtype=np.intp), column, section, wanted
                    )
                    expected = counted_by_loop(searcher, matched, statuses, section, wanted)
                    assert (facets, allowed.tolist()) == expected
            languages = count_languages(searcher, np.array(matched, dtype=np.intp))
            assert languages == {"en": len(matched)}
            shown, own = keep_language(searcher, np.array(matched, dtype=np.intp), "fr")
            assert shown.tolist() == matched and own.tolist() == []
    finally:
        searcher.close()


def test_byte_cache_drops_the_least_recently_used() -> None:
    cache = ByteCache(3 * (100 + ENTRY_OVERHEAD))
    for key in "abc":
        cache.put(key, key.upper(), 100)
    assert cache.find("a") == "A"  # now the most recently used
    assert cache.get("d", lambda: "D", lambda _: 100) == "D"
    assert "b" not in cache and all(k in cache for k in "acd")
    assert cache.used == 3 * (100 + ENTRY_OVERHEAD)
    cache.put("big", "BIG", 10_000)  # alone over budget: kept, everything else dropped
    assert len(cache) == 1 and cache.find("big") == "BIG"


def test_searcher_caches_stay_under_their_byte_budget(corpus_index: Path) -> None:
    generation = Generation(current_generation(corpus_index))
    budget = 2_000_000
    searcher = generation.resource("searcher", lambda: Searcher(generation, budget))
    words = sorted({w.lower() for d in searcher.docs.values() for w in d.title.split()})
    queries = [w for w in words if w.isalpha() and len(w) > 3][:150]
    assert len(queries) == 150
    highest = 0
    for query in queries:
        search(generation, query, as_of=AS_OF)
        assert searcher.memory.used <= budget
        highest = max(highest, searcher.memory.used)
    assert highest > budget // 2  # the budget was reached, so eviction was exercised
    first, last = queries[0], queries[-1]
    assert ("postings", "title_exact", last) in searcher.memory
    assert ("postings", "title_exact", first) not in searcher.memory
    generation.close()


def test_vocabulary_counts_as_whooshs_own_term_walk(corpus: Generation) -> None:
    searcher = Searcher(corpus)
    try:
        with searcher.reading() as reader:
            assert len(reader.leaf_readers()) > 1  # counts summed over segments
            vocabulary = Vocabulary.from_reader(reader)
            expected = {
                word: info.doc_frequency()
                for raw, info in reader.iter_field(SPELL_FIELD)
                if PLAIN_WORD.fullmatch(word := raw.decode("utf-8"))
            }
        assert dict(zip(vocabulary.words, vocabulary.frequency, strict=True)) == expected
        assert len(expected) > 5000
    finally:
        searcher.close()


def test_the_vocabulary_is_read_when_the_searcher_opens(example_index: Path) -> None:
    generation = Generation(current_generation(example_index))
    try:
        searcher = searcher_for(generation)
        assert searcher.preparing is not None
        searcher.preparing.join()

        def read_again() -> Vocabulary:
            """Fail: the vocabulary should be there already."""
            raise AssertionError("the vocabulary was not prepared")

        vocabulary = generation.remember(("search", "vocabulary"), read_again)
        assert "rollout" in vocabulary.words
    finally:
        generation.close()
