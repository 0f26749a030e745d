"""Generation-wide data derived from all page records: glossary, term usage, drift, links, terms.

Each step reads every page, so each is contained (`_contained`): when a step raises, the pages
that make it raise on their own are left out of it and reported, and the step runs again without
them; a step that still fails is reported and stored empty. No page can take the run down here.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

from kb.build.languages import language_rules, store_languages
from kb.build.page import describe
from kb.config import Settings
from kb.glossary.drift import tooltip_drift
from kb.glossary.terms import Glossary, Term
from kb.glossary.usage import term_mentions, unused_terms
from kb.index.store import PageStore
from kb.pages import TooltipUse
from kb.reports.links import broken_links, nav_findings
from kb.structure.redirects import is_pattern
from kb.structure.sources import read_site_structure

_ROW_COLUMNS = (
    "url", "path", "title", "section", "headings", "links", "tooltips", "facts", "meta", "lang",
)  # fmt: skip
Row = dict[str, Any]
# What an incremental run needs to update this data by delta (kb.build.derived_delta).
STATE_KEY = "derived_state"
STRUCTURE_KEY = "structure_inputs"
Problems = list[tuple[str, str]]
T = TypeVar("T")


def contained(
    name: str, step: Callable[[list[Row]], T], rows: list[Row], empty: T, problems: Problems
) -> T:
    """Run a step over every row; if it raises, leave out the rows it fails on alone, retry."""
    try:
        return step(rows)
    except Exception:
        pass
    kept = []
    for row in rows:
        try:
            step([row])
        except Exception as exc:
            problems.append((row["path"], f"left out of the {name}: {describe(exc)}"))
        else:
            kept.append(row)
    try:
        return step(kept)
    except Exception as exc:
        problems.append(("(site)", f"the {name} could not be computed: {describe(exc)}"))
        return empty


def derive_generation_data(
    store: PageStore, settings: Settings, problems: Problems | None = None
) -> list[dict[str, Any]]:
    """Compute and store glossary, drift, link and term findings; return the glossary terms.

    What a page made a step fail on is added to problems as (path, reason).
    """
    found: Problems = [] if problems is None else problems
    rules = language_rules(settings)
    rows = with_lang(list(store.rows(_ROW_COLUMNS)), rules.default)
    store_languages(store, rows, rules)
    no_terms: dict[str, list[Term]] = {rules.default: []}
    own = contained("glossary", terms_by_language(rules.default), rows, no_terms, found)
    glossary = Glossary(own.get(rules.default, []))
    store.put_meta("glossary", glossary.to_json())
    store.put_meta("glossaries", {lang: Glossary(terms).to_json() for lang, terms in own.items()})
    sources = [row["url"] for row in rows if (row["facts"] or {}).get("glossary_terms")]
    store.put_meta(STATE_KEY, {"glossary_sources": sources})
    refresh_mentions(store, rows, glossary, found)
    _store_glossary_usage(store, rows, glossary, own, found)
    redirects, missing_in_nav = store_structure(store, rows, settings, found)
    none: list[dict[str, Any]] = []
    links = contained("link check", lambda r: broken_links(r, redirects), rows, none, found)
    store.put_meta("links", links + missing_in_nav)
    for key in ("deprecated", "deprecated_suppressed"):
        store.put_meta(key, contained("deprecated terms", hits_of(key), rows, none, found))
    return term_docs(own)


def with_lang(rows: list[Row], default: str) -> list[Row]:
    """Give every row its language (the site's default where the page names none)."""
    for row in rows:
        row["lang"] = row["lang"] or default
    return rows


def term_docs(own: dict[str, list[Term]]) -> list[dict[str, Any]]:
    """Return the glossary terms of every language as the search index takes them."""
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


def store_structure(
    store: PageStore, rows: list[Row], settings: Settings, problems: Problems
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Store the site's nav and redirects; return the exact redirects and nav entries lacking a page.

    Links and their view-time rewrites follow the exact rules; patterns are served, not rewritten.
    """
    store.put_meta(STRUCTURE_KEY, None)  # until read: a failed read is not taken for a reuse
    try:
        structure = read_site_structure(settings.site_root, rows, settings.redirects)
    except Exception as exc:  # a site config kb cannot read must not cost the pages
        problems.append(("(site)", f"navigation and redirects not read: {describe(exc)}"))
        return {}, []
    store.put_meta(STRUCTURE_KEY, structure_inputs(settings, structure.files))
    store.put_meta("nav", structure.nav)
    store.put_meta("redirect_rules", structure.rules)
    store.put_meta("redirect_problems", structure.redirect_problems)
    store.put_meta("structure_problems", structure.problems)
    redirects: dict[str, str] = {}
    for rule in structure.rules:
        if not is_pattern(rule["source"]):
            redirects.setdefault(rule["source"], rule["destination"])
    store.put_meta("redirects", redirects)
    return redirects, nav_findings(structure.nav, [row["url"] for row in rows])


def structure_inputs(settings: Settings, files: list[str] | None) -> dict[str, Any] | None:
    """Return what the nav and redirects were read from besides the pages: the redirects
    setting and each site file's SHA-256 (None: missing); None when the files are not known."""
    if files is None:
        return None
    digests: dict[str, str | None] = {}
    for name in files:
        try:
            digests[name] = hashlib.sha256((settings.site_root / name).read_bytes()).hexdigest()
        except OSError:
            digests[name] = None
    redirects = [[source, target] for source, target in sorted(settings.redirects.items())]
    return {"redirects": redirects, "files": digests}  # lists: as they come back from JSON


def terms_by_language(default: str) -> Callable[[list[Row]], dict[str, list[Term]]]:
    """Return the step gathering the terms every glossary page defined, one glossary per language."""

    def terms(rows: list[Row]) -> dict[str, list[Term]]:
        found: dict[str, list[Term]] = {default: []}
        for row in rows:
            for t in (row["facts"] or {}).get("glossary_terms", []):
                term = Term(**{**t, "aliases": tuple(t["aliases"])})
                found.setdefault(row["lang"], []).append(term)
        return found

    return terms


def hits_of(key: str) -> Callable[[list[Row]], list[dict[str, Any]]]:
    """Return the step listing every deprecated term pages use (key "deprecated") or use
    legitimately ("deprecated_suppressed": a marker or the allowlist), with the page."""

    def hits(rows: list[Row]) -> list[dict[str, Any]]:
        return [
            {"url": row["url"], "title": row["title"], **hit}
            for row in rows
            for hit in row["facts"].get(key, [])
        ]

    return hits


def _uses_of(some: list[Row]) -> list[tuple[str, TooltipUse]]:
    """Return every tooltip of some pages with the URL of its page."""
    return [(row["url"], TooltipUse(**t)) for row in some for t in row["tooltips"]]


def drift_of(
    glossary: Glossary, own: dict[str, list[Term]]
) -> Callable[[list[Row]], list[dict[str, Any]]]:
    """Return the step finding drifting tooltips: each language's against its own glossary,
    then the default one's."""

    def drift(some: list[Row]) -> list[dict[str, Any]]:
        found = []
        for lang in sorted({row["lang"] for row in some}):
            in_lang = _uses_of([row for row in some if row["lang"] == lang])
            resolver = Glossary([*own.get(lang, []), *glossary.terms])
            found += [{**asdict(f), "lang": lang} for f in tooltip_drift(in_lang, resolver)]
        return sorted(found, key=lambda f: (f["url"], f["line"], f["term"], f["text"]))

    return drift


def _store_glossary_usage(
    store: PageStore,
    rows: list[Row],
    glossary: Glossary,
    own: dict[str, list[Term]],
    problems: Problems,
) -> None:
    """Store the tooltips that drift from the glossary, the pages per term and unused terms.

    A page's tooltips are checked against its language's glossary, then the default one's.
    """

    def used(some: list[Row]) -> set[str]:
        slugs = {slug for row in some for slug in row["facts"].get("mentions", {})}
        return slugs | {t.slug for _, use in _uses_of(some) if (t := lookup(use.term)) is not None}

    # Tooltip names repeat across pages: each is resolved once in this run, not once per use.
    lookup = functools.lru_cache(maxsize=None)(glossary.lookup)

    no_drift: list[dict[str, Any]] = []
    no_pages: dict[str, list[dict[str, Any]]] = {}
    no_slugs: set[str] = set()
    drift = drift_of(glossary, own)
    store.put_meta("drift", contained("tooltip drift check", drift, rows, no_drift, problems))
    pages = contained("term usage", lambda r: term_pages(r, lookup), rows, no_pages, problems)
    store.put_term_pages(pages)
    slugs = contained("term usage", used, rows, no_slugs, problems)
    store.put_meta("unused_terms", [t.slug for t in unused_terms(glossary, slugs)])


def refresh_mentions(
    store: PageStore, rows: list[Row], glossary: Glossary, problems: Problems
) -> None:
    """Count plain mentions of glossary terms in pages whose counts predate this glossary."""
    key = hashlib.sha256(json.dumps(glossary.to_json(), sort_keys=True).encode()).hexdigest()[:16]
    stale = {row["url"] for row in rows if row["facts"].get("mentions_key") != key}
    if not stale:
        return
    # Only the stale pages' texts: an incremental run has one or two, not every page's.
    texts = store.column_of(stale, "text")
    for row in rows:
        if row["url"] in stale:
            try:
                mentions = term_mentions(glossary, texts.get(row["url"]) or "")
            except Exception as exc:  # one page's text must not stop the others' counts
                problems.append((row["path"], f"glossary mentions not counted: {describe(exc)}"))
                mentions = {}
            row["facts"]["mentions"] = mentions
            row["facts"]["mentions_key"] = key
            store.set_facts(row["url"], row["facts"])


def term_pages(
    rows: list[dict[str, Any]], lookup: Callable[[str], Term | None]
) -> dict[str, list[dict[str, Any]]]:
    """Map each term slug to the pages that use it (terms found by lookup), with tooltip and
    mention counts."""
    usage: dict[str, dict[str, Counter[str]]] = {}
    titles = {row["url"]: row["title"] for row in rows}
    for row in rows:
        for tooltip in row["tooltips"]:
            term = lookup(tooltip["term"])
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
