"""Search over the example site (and a few real corpus queries): ranking, typos, syntax, facets."""

from __future__ import annotations

import json
import shutil
import threading
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.build.indexer import build_index
from kb.config import load_settings
from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.search.engine import SearchResults, SearchUnavailable, search, suggest

AS_OF = date(2026, 11, 26)  # the date examples/site/README.md states every status for


@pytest.fixture(scope="module")
def gen(example_index: Path) -> Generation:
    """Return the example site's current generation."""
    return Generation(current_generation(example_index))


def urls(results: SearchResults) -> list[str]:
    """Return the URLs of the hits in order."""
    return [hit.url for hit in results.hits]


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("daylight saving", "/docs/rollouts/scheduled-releases"),
        ("sample ratio", "/docs/rollouts/experiments"),
        ("game day", "/docs/flags/kill-switches"),
        ("heartbeat", "/docs/troubleshooting/sdk-connection"),
        ("kebab-case", "/docs/flags/flag-naming-conventions"),
        ("HMAC", "/docs/api/webhooks"),
        ("retention", "/docs/reference/audit-logs"),
        ("concurrent streaming", "/docs/reference/rate-limits"),
        ("environment colors", "/docs/get-started/environments"),
    ],
)
def test_a_distinct_topic_finds_its_only_page_first(gen: Generation, query: str, page: str) -> None:
    results = search(gen, query, as_of=AS_OF)
    assert urls(results)[0] == page


@pytest.mark.parametrize(
    ("query", "page"),
    [
        ("kill switch", "/docs/flags/kill-switches"),
        ("rotate key", "/docs/get-started/sdk-keys"),
        ("relay proxy", "/docs/reference/terms"),
        ("Retry-After", "/docs/reference/rate-limits"),
    ],
)
def test_ranked_queries_put_the_expected_page_first(gen: Generation, query: str, page: str) -> None:
    results = search(gen, query, as_of=AS_OF)
    assert urls(results)[0] == page
    assert results.total > 1


def test_hits_link_to_the_best_matching_section(gen: Generation) -> None:
    hit = search(gen, "game day", as_of=AS_OF).hits[0]
    assert (hit.heading, hit.anchor) == (
        "Test a kill switch in staging",
        "test-a-kill-switch-in-staging",
    )
    assert hit.link == "/docs/flags/kill-switches#test-a-kill-switch-in-staging"
    assert "<mark>game</mark> <mark>day</mark>" in hit.snippet
    relay = search(gen, "relay proxy", as_of=AS_OF).hits[0]
    assert (relay.heading, relay.anchor) == ("Relay Proxy", "relay-proxy")


def test_words_only_in_a_jsx_comment_are_not_found(gen: Generation) -> None:
    results = search(gen, "quokka", as_of=AS_OF)
    assert (results.total, results.hits, results.suggestion) == (0, [], None)
    assert results.message is not None and "No pages match 'quokka'" in results.message


def test_inlined_snippet_text_is_found_on_the_importing_pages(gen: Generation) -> None:
    expected = {"/docs/get-started/quickstart", "/docs/troubleshooting/sdk-connection"}
    assert set(urls(search(gen, "support@lanternfly.example", as_of=AS_OF))) == expected
    assert set(urls(search(gen, "X-Lanternfly-Request-Id", as_of=AS_OF))[:2]) == expected


def test_identifier_parts_are_searchable_words(gen: Generation) -> None:
    whole = search(gen, "new-checkout-flow", as_of=AS_OF)
    parts = search(gen, "checkout flow", as_of=AS_OF)
    assert urls(whole)[0] == urls(parts)[0] == "/docs/flags/flag-naming-conventions"


def test_a_misspelled_word_is_expanded_and_a_better_query_offered(gen: Generation) -> None:
    results = search(gen, "Daylght saving", as_of=AS_OF)
    assert urls(results)[0] == "/docs/rollouts/scheduled-releases"
    assert "daylight" in results.expanded["daylght"]
    assert results.suggestion == "Daylight saving"
    assert "<mark>daylight</mark>" in results.hits[0].snippet


def test_typos_in_every_long_word(gen: Generation) -> None:
    results = search(gen, "hartbeat conection", as_of=AS_OF)
    assert urls(results)[0] == "/docs/troubleshooting/sdk-connection"
    assert results.suggestion == "heartbeat connection"


def test_a_correct_query_gets_no_suggestion(gen: Generation) -> None:
    results = search(gen, "heartbeat", as_of=AS_OF)
    assert (results.suggestion, results.expanded) == (None, {})


def test_words_too_short_to_correct_are_left_alone(gen: Generation) -> None:
    assert search(gen, "xqz", as_of=AS_OF).expanded == {}


def test_exact_phrase_needs_the_words_in_order(gen: Generation) -> None:
    assert urls(search(gen, '"game day"', as_of=AS_OF)) == ["/docs/flags/kill-switches"]
    assert search(gen, '"day game"', as_of=AS_OF).total == 0
    assert urls(search(gen, '"sample ratio"', as_of=AS_OF)) == ["/docs/rollouts/experiments"]


def test_boolean_operators(gen: Generation) -> None:
    both = set(urls(search(gen, "heartbeat OR HMAC", as_of=AS_OF)))
    assert both == {"/docs/troubleshooting/sdk-connection", "/docs/api/webhooks"}
    assert search(gen, "heartbeat AND HMAC", as_of=AS_OF).total == 0
    assert search(gen, "HMAC -webhook", as_of=AS_OF).total == 0
    assert search(gen, "HMAC NOT webhook", as_of=AS_OF).total == 0
    without = urls(search(gen, "kill switch -staging", as_of=AS_OF))
    assert without and "/docs/flags/kill-switches" not in without


def test_only_exclusions_is_a_message_not_everything(gen: Generation) -> None:
    results = search(gen, "-heartbeat", as_of=AS_OF)
    assert results.total == 0
    assert results.message is not None and "add a word" in results.message


def test_prefix_search(gen: Generation) -> None:
    assert urls(search(gen, "heartb*", as_of=AS_OF)) == ["/docs/troubleshooting/sdk-connection"]
    short = search(gen, "h*", as_of=AS_OF)
    assert short.message is not None and "too short" in short.message


def test_title_and_heading_fields(gen: Generation) -> None:
    titled = search(gen, "title:rollouts", as_of=AS_OF)
    assert titled.hits and all("rollout" in hit.title.lower() for hit in titled.hits)
    assert "/docs/flags/kill-switches" not in urls(search(gen, "title:staging", as_of=AS_OF))
    assert urls(search(gen, "heading:staging", as_of=AS_OF))[0] == "/docs/flags/kill-switches"


def test_section_filter_in_the_query_and_as_a_parameter(gen: Generation) -> None:
    in_query = search(gen, "section:flags kill switch", as_of=AS_OF)
    as_param = search(gen, "kill switch", section="flags", as_of=AS_OF)
    assert urls(in_query) == urls(as_param)
    assert in_query.hits and all(hit.section == "flags" for hit in in_query.hits)
    # The section facet still counts the other sections, so the reader can switch to them.
    assert in_query.total == in_query.facets["section"]["flags"]
    assert len(in_query.facets["section"]) > 1


def test_unknown_section_says_which_exist(gen: Generation) -> None:
    results = search(gen, "kill", section="nope", as_of=AS_OF)
    assert results.total == 0
    assert results.message is not None and "no section 'nope'" in results.message
    assert "rollouts" in results.message


def test_status_filter_and_facets_count_all_matches(gen: Generation) -> None:
    everything = search(gen, "key", limit=2, as_of=AS_OF)
    assert len(everything.hits) == 2 < everything.total
    assert sum(everything.facets["section"].values()) == everything.total
    stale = search(gen, "key", status="stale", as_of=AS_OF)
    assert stale.hits and {hit.status for hit in stale.hits} == {"stale"}
    assert stale.total == everything.facets["status"]["stale"]
    # Status counts stay those of all matches, so the other statuses remain choosable.
    assert stale.facets["status"] == everything.facets["status"]
    several = search(gen, "key", status="stale,due", as_of=AS_OF)
    assert (
        several.total == everything.facets["status"]["stale"] + everything.facets["status"]["due"]
    )


def test_statuses_follow_the_review_policy(gen: Generation) -> None:
    def status(query: str) -> str | None:
        return search(gen, query, as_of=AS_OF).hits[0].status

    assert status("daylight saving") == "stale"  # rollouts: 90-day window
    assert status("heartbeat") == "future"
    assert status("HMAC") == "exempt"
    assert status("sample ratio") == "fresh"
    assert status("kebab-case") == "invalid"


def test_glossary_card_for_an_abbreviation(gen: Generation) -> None:
    results = search(gen, "MFA", as_of=AS_OF)
    assert results.glossary is not None
    assert results.glossary["term"] == "Multi-factor Authentication (MFA)"
    assert results.glossary["url"] == "/glossary/multi-factor-authentication"
    assert results.glossary["definition"]
    assert "/glossary/multi-factor-authentication" not in urls(results)
    assert "/docs/get-started/sdk-keys" in urls(results)


@pytest.mark.parametrize(
    ("query", "term"),
    [
        ("SLO", "Service Level Objective (SLO)"),
        ("kill switches", "Kill Switch"),
        ("what is a relay proxy?", "Relay Proxy"),
        ("kill swtich", "Kill Switch"),
    ],
)
def test_glossary_card_by_name_plural_question_or_typo(
    gen: Generation, query: str, term: str
) -> None:
    card = search(gen, query, as_of=AS_OF).glossary
    assert card is not None and card["term"] == term


def test_no_glossary_card_when_the_query_says_more(gen: Generation) -> None:
    assert search(gen, "kill switch staging", as_of=AS_OF).glossary is None


def test_zero_results_still_help(gen: Generation) -> None:
    nothing = search(gen, "flibbertigibbet", as_of=AS_OF)
    assert nothing.total == 0 and nothing.message is not None
    assert "No pages match 'flibbertigibbet'." in nothing.message and "Tips:" in nothing.message
    filtered = search(gen, "segments", status="future", as_of=AS_OF)
    assert filtered.total == 0 and filtered.message is not None
    assert "with the chosen filters" in filtered.message
    assert "Close glossary terms: Segment" in filtered.message


def test_long_question_falls_back_to_most_words(gen: Generation) -> None:
    results = search(
        gen, "how do I keep my kill switch tested with a monthly game day drill", as_of=AS_OF
    )
    assert urls(results)[0] == "/docs/flags/kill-switches"


def test_pages_of_results(gen: Generation) -> None:
    first = search(gen, "flag", limit=3, as_of=AS_OF)
    second = search(gen, "flag", limit=3, page=2, as_of=AS_OF)
    assert first.total == second.total > 6
    assert len(first.hits) == len(second.hits) == 3
    assert not set(urls(first)) & set(urls(second))
    beyond = search(gen, "flag", limit=3, page=99, as_of=AS_OF)
    assert beyond.hits == [] and beyond.total == first.total
    assert beyond.message is not None and "past the last page" in beyond.message


def test_json_contract(gen: Generation) -> None:
    data = search(gen, "kill switch", as_of=AS_OF).to_json()
    json.dumps(data)
    assert {"query", "total", "page", "results", "suggestion", "glossary", "facets"} <= set(data)
    hit = data["results"][0]
    keys = {
        "url",
        "title",
        "section",
        "snippet",
        "heading",
        "anchor",
        "validated_on",
        "status",
        "score",
    }
    assert keys <= set(hit)
    assert hit["validated_on"] == "2026-03-15"


def test_snippets_are_escaped_text_with_only_mark_tags(tmp_path: Path) -> None:
    docs = tmp_path / "site" / "docs"
    docs.mkdir(parents=True)
    (docs / "unsafe.md").write_text(
        "---\ntitle: Unsafe markup\n---\n\n## Pasted markup\n\n"
        "The widget shows `<script>alert('widget')</script>` as text, and a < b & c > d.\n",
        encoding="utf-8",
    )
    build_index(load_settings(tmp_path / "site", {"index_dir": tmp_path / "index"}))
    generation = Generation(current_generation(tmp_path / "index"))
    snippet = search(generation, "widget").hits[0].snippet
    assert "&lt;script&gt;" in snippet and "<script" not in snippet
    assert "&amp;" in snippet
    stripped = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped
    assert snippet.count("<mark>") == snippet.count("</mark>") >= 2


HOSTILE = [
    "",
    "*",
    "**",
    "?",
    "AND",
    "OR OR OR",
    "NOT",
    "-",
    "+",
    '"',
    '"""',
    "(",
    ")))(((",
    "(" * 1000 + "kill",
    "title:",
    "section:",
    "status:bogus kill",
    "a* b* c* d* e* f* g*",
    "k*",
    "\x00\x01\x02\x1b[31m",
    "kill\u202eswitch",
    "🔥🔥🔥",
    "認証トークン",
    "Ελληνικά τεστ",
    "x" * 20_000,
    "kill " * 4000,
    "-a -b -c",
    "\\",
    "%00%ff",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_answers_without_raising(gen: Generation, query: str) -> None:
    # How fast: bench/hostile_inputs.py (wall-clock budgets live in benchmarks, not unit tests).
    results = search(gen, query, page=-3, limit=10_000, as_of=AS_OF)
    assert isinstance(results, SearchResults)
    assert results.page == 1 and results.limit <= 100
    json.dumps(results.to_json())
    assert results.hits or results.message


def test_parallel_searches_agree(gen: Generation) -> None:
    queries = ["kill switch", "rotate key", "heartbeat", "Daylght saving", "flag"]
    expected = {q: urls(search(gen, q, as_of=AS_OF)) for q in queries}
    seen: list[bool] = []

    def worker() -> None:
        for q in queries * 3:
            seen.append(urls(search(gen, q, as_of=AS_OF)) == expected[q])

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 60 and all(seen)


def test_suggest_completes_titles_and_glossary_names(gen: Generation) -> None:
    found = suggest(gen, "kill")
    assert "Kill switches" in found and "Kill Switch" in found
    assert suggest(gen, "proxy") == ["Relay Proxy"]
    assert len(suggest(gen, "s", limit=3)) == 3
    assert suggest(gen, "") == [] and suggest(gen, "zzzz") == []
    assert suggest(gen, "x" * 20_000) == []


@pytest.mark.parametrize("checksums", [True, False])
def test_unreadable_index_raises_search_unavailable(
    example_index: Path, tmp_path: Path, checksums: bool
) -> None:
    copy = tmp_path / "index"
    shutil.copytree(example_index, copy)
    folder = current_generation(copy)
    if not checksums:  # damage the checksums cannot tell: reading itself must fail cleanly
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        manifest.pop("checksums", None)
        manifest.pop("stats", None)
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for segment in (folder / "whoosh").glob("*.seg"):
        segment.write_bytes(b"\0" * segment.stat().st_size)
    with pytest.raises(SearchUnavailable, match="search index of gen-"):
        search(Generation(folder), "kill switch")


CORPUS_QUERIES = [
    ("app_metadata", "/docs/manage-users/user-accounts/metadata"),
    ("id tokens", "/docs/secure/tokens/id-tokens"),
    ("refresh token rotation", "/docs/secure/tokens/refresh-tokens/refresh-token-rotation"),
    ("passwrdless conection", "/docs/authenticate/passwordless"),
    ("MFA", "/docs/secure/multi-factor-authentication"),
]


@pytest.mark.corpus
def test_real_corpus_queries(corpus_index: Path) -> None:
    generation = Generation(current_generation(corpus_index))
    for query, expected in CORPUS_QUERIES:
        results = search(generation, query)
        top = urls(results)[:5]
        assert any(url.startswith(expected) for url in top), (query, top)
    assert search(generation, "id tokens").glossary is not None
    assert search(generation, "passwrdless").suggestion == "passwordless"


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    query=st.text(alphabet=st.characters(codec="utf-8"), max_size=80)
    | st.lists(
        st.sampled_from(["kill", "AND", "OR", "NOT", "-", '"', "(", ")", "*", "title:", "flag*"]),
        max_size=12,
    ).map(" ".join),
    section=st.sampled_from([None, "", "flags", "nope"]),
    status=st.sampled_from([None, "", "stale", "due,never", "bogus"]),
)
def test_any_input_gives_results_or_a_message(
    gen: Generation, query: str, section: str | None, status: str | None
) -> None:
    results = search(gen, query, section=section, status=status, as_of=AS_OF)
    assert results.hits or results.message
    assert all(hit.snippet.count("<mark>") == hit.snippet.count("</mark>") for hit in results.hits)
    suggest(gen, query)
