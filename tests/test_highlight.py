"""Choosing the best section of a page and cutting an escaped, highlighted snippet from it."""

from __future__ import annotations

from kb.search.analysis import analyze
from kb.search.highlight import Highlighter


def highlighter(query: str) -> Highlighter:
    """Return a highlighter for the analyzed terms of a query."""
    return Highlighter.for_terms(analyze(query) + analyze(query, stem=False))


def test_stemmed_forms_and_identifiers_are_marked() -> None:
    snippet = highlighter("rotate key").snippet("Rotating keys: call rotateKey() or key_rotation.")
    assert snippet.startswith("<mark>Rotating</mark> <mark>keys</mark>:")
    assert "<mark>key_rotation</mark>" in snippet


def test_text_is_escaped_and_marks_are_the_only_tags() -> None:
    snippet = highlighter("script").snippet('Never run <script src="x.js"> & co.')
    assert snippet == "Never run &lt;<mark>script</mark> src=&quot;x.js&quot;&gt; &amp; co."


def test_the_window_goes_to_the_densest_matches() -> None:
    text = (
        "Filler words here. " * 40 + "The relay proxy keeps a relay cache. " + "More filler. " * 40
    )
    snippet = highlighter("relay proxy").snippet(text, width=120)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert snippet.count("<mark>") == 3
    assert len(snippet.replace("<mark>", "").replace("</mark>", "")) < 140


def test_no_match_shows_the_beginning() -> None:
    assert highlighter("zebra").snippet("Short text.") == "Short text."


def test_best_section_prefers_more_and_rarer_terms_and_heading_matches() -> None:
    sections = [
        {"anchor": "", "heading": "", "text": "Rotate things sometimes."},
        {"anchor": "keys", "heading": "Keys", "text": "Every key can be rotated once a key leaks."},
        {"anchor": "other", "heading": "Rotate a key", "text": "Open settings."},
    ]
    weighted = Highlighter.for_terms(analyze("rotate key"), {"rotat": 1.0, "key": 1.0})
    assert weighted.best_section(sections) == sections[2]
    assert highlighter("leaks").best_section(sections) == sections[1]
    assert highlighter("zebra").best_section(sections) is None
