"""Generation-wide data derived from all page records: glossary, term usage, drift, links, terms."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict
from typing import Any

from kb.build.languages import language_rules, store_languages
from kb.config import Settings
from kb.glossary.drift import tooltip_drift
from kb.glossary.terms import Glossary, Term
from kb.glossary.usage import term_mentions, unused_terms
from kb.index.store import PageStore
from kb.pages import TooltipUse
from kb.reports.links import broken_links, load_redirects

_ROW_COLUMNS = (
    "url", "path", "title", "section", "headings", "links", "tooltips", "facts", "lang",
)  # fmt: skip


def derive_generation_data(store: PageStore, settings: Settings) -> list[dict[str, Any]]:
    """Compute and store glossary, drift, link and term findings; return the glossary terms."""
    rows = list(store.rows(_ROW_COLUMNS))
    rules = language_rules(settings)
    for row in rows:
        row["lang"] = row["lang"] or rules.default
    store_languages(store, rows, rules)
    own = _terms_by_language(rows, rules.default)
    glossary = _store_glossary(store, rows, own.get(rules.default, []))
    store.put_meta("glossaries", {lang: Glossary(terms).to_json() for lang, terms in own.items()})
    _store_glossary_usage(store, rows, glossary, own)
    redirects = load_redirects(settings.site_root)
    store.put_meta("redirects", redirects)
    store.put_meta("links", broken_links(rows, redirects))
    store.put_meta(
        "deprecated",
        [
            {"url": row["url"], "title": row["title"], **hit}
            for row in rows
            for hit in row["facts"].get("deprecated", [])
        ],
    )
    return [
        {
            "slug": t.slug,
            "term": t.term,
            "definition": t.definition,
            "aliases": list(t.aliases),
            "lang": lang,
        }
        for lang, terms in own.items()
        for t in Glossary(terms).terms
    ]


def _terms_by_language(rows: list[dict[str, Any]], default: str) -> dict[str, list[Term]]:
    """Gather the terms every glossary page defined, one glossary per page language."""
    found: dict[str, list[Term]] = {default: []}
    for row in rows:
        for t in (row["facts"] or {}).get("glossary_terms", []):
            term = Term(**{**t, "aliases": tuple(t["aliases"])})
            found.setdefault(row["lang"], []).append(term)
    return found


def _store_glossary(store: PageStore, rows: list[dict[str, Any]], terms: list[Term]) -> Glossary:
    """Store the default language's glossary (the site's canonical one) and count its mentions."""
    glossary = Glossary(terms)
    glossary_json = glossary.to_json()
    store.put_meta("glossary", glossary_json)
    key = hashlib.sha256(json.dumps(glossary_json, sort_keys=True).encode()).hexdigest()[:16]
    _refresh_mentions(store, rows, glossary, key)
    return glossary


def _store_glossary_usage(
    store: PageStore,
    rows: list[dict[str, Any]],
    glossary: Glossary,
    own: dict[str, list[Term]],
) -> None:
    """Store the tooltips that drift from the glossary, the pages per term and unused terms.

    A page's tooltips are checked against its language's glossary, then the default one's.
    """
    uses = [(row["url"], TooltipUse(**t)) for row in rows for t in row["tooltips"]]
    drift = []
    languages = {row["url"]: row["lang"] for row in rows}
    for lang in sorted({row["lang"] for row in rows}):
        in_lang = [(url, use) for url, use in uses if languages[url] == lang]
        resolver = Glossary([*own.get(lang, []), *glossary.terms])
        drift += [{**asdict(f), "lang": lang} for f in tooltip_drift(in_lang, resolver)]
    drift.sort(key=lambda f: (f["url"], f["line"], f["term"], f["text"]))
    store.put_meta("drift", drift)
    store.put_meta("term_pages", _term_pages(rows, glossary))
    used = {slug for row in rows for slug in row["facts"].get("mentions", {})}
    used |= {t.slug for _, use in uses if (t := glossary.lookup(use.term)) is not None}
    store.put_meta("unused_terms", [t.slug for t in unused_terms(glossary, used)])


def _refresh_mentions(
    store: PageStore, rows: list[dict[str, Any]], glossary: Glossary, key: str
) -> None:
    """Count plain mentions of glossary terms in pages whose counts predate this glossary."""
    stale = {row["url"] for row in rows if row["facts"].get("mentions_key") != key}
    if not stale:
        return
    texts = {r["url"]: r["text"] for r in store.rows(("url", "text")) if r["url"] in stale}
    for row in rows:
        if row["url"] in stale:
            row["facts"]["mentions"] = term_mentions(glossary, texts.get(row["url"]) or "")
            row["facts"]["mentions_key"] = key
            store.set_facts(row["url"], row["facts"])


def _term_pages(rows: list[dict[str, Any]], glossary: Glossary) -> dict[str, list[dict[str, Any]]]:
    """Map each term slug to the pages that use it, with tooltip and mention counts."""
    usage: dict[str, dict[str, Counter[str]]] = {}
    titles = {row["url"]: row["title"] for row in rows}
    for row in rows:
        for tooltip in row["tooltips"]:
            term = glossary.lookup(tooltip["term"])
            if term is not None:
                usage.setdefault(term.slug, {}).setdefault(row["url"], Counter())["tooltips"] += 1
        for slug, count in row["facts"].get("mentions", {}).items():
            usage.setdefault(slug, {}).setdefault(row["url"], Counter())["mentions"] += count
    return {
        slug: sorted(
            (
                {
                    "url": url,
                    "title": titles[url],
                    "tooltips": c["tooltips"],
                    "mentions": c["mentions"],
                }
                for url, c in pages.items()
            ),
            key=lambda p: (-(p["tooltips"] + p["mentions"]), p["url"]),
        )
        for slug, pages in usage.items()
    }
