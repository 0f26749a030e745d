"""Generation-wide data derived from all page records: glossary, term usage, drift, links, terms."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict
from typing import Any

from kb.config import Settings
from kb.glossary.drift import tooltip_drift
from kb.glossary.terms import Glossary, Term
from kb.glossary.usage import term_mentions, unused_terms
from kb.index.store import PageStore
from kb.pages import TooltipUse
from kb.reports.links import broken_links, nav_findings
from kb.structure.redirects import is_pattern
from kb.structure.sources import read_site_structure

_ROW_COLUMNS = ("url", "path", "title", "section", "headings", "links", "tooltips", "facts", "meta")


def derive_generation_data(store: PageStore, settings: Settings) -> list[dict[str, Any]]:
    """Compute and store glossary, drift, link and term findings; return the glossary terms."""
    rows = list(store.rows(_ROW_COLUMNS))
    glossary = _store_glossary(store, rows)
    _store_glossary_usage(store, rows, glossary)
    redirects, missing_in_nav = _store_structure(store, rows, settings)
    store.put_meta("links", broken_links(rows, redirects) + missing_in_nav)
    _store_term_findings(store, rows)
    return [
        {"slug": t.slug, "term": t.term, "definition": t.definition, "aliases": list(t.aliases)}
        for t in glossary.terms
    ]


def _store_structure(
    store: PageStore, rows: list[dict[str, Any]], settings: Settings
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Store the site's nav and redirects; return the exact redirects and nav entries lacking a page.

    Links and their view-time rewrites follow the exact rules; patterns are served, not rewritten.
    """
    structure = read_site_structure(settings.site_root, rows, settings.redirects)
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


def _store_term_findings(store: PageStore, rows: list[dict[str, Any]]) -> None:
    """Store every page's deprecated-term findings, and apart those a marker or allowlist suppressed."""
    for key in ("deprecated", "deprecated_suppressed"):
        store.put_meta(
            key,
            [
                {"url": row["url"], "title": row["title"], **hit}
                for row in rows
                for hit in row["facts"].get(key, [])
            ],
        )


def _store_glossary(store: PageStore, rows: list[dict[str, Any]]) -> Glossary:
    """Gather the terms every glossary page defined into the site's glossary and store it."""
    glossary = Glossary(
        Term(**{**t, "aliases": tuple(t["aliases"])})
        for row in rows
        for t in (row["facts"] or {}).get("glossary_terms", [])
    )
    glossary_json = glossary.to_json()
    store.put_meta("glossary", glossary_json)
    key = hashlib.sha256(json.dumps(glossary_json, sort_keys=True).encode()).hexdigest()[:16]
    _refresh_mentions(store, rows, glossary, key)
    return glossary


def _store_glossary_usage(store: PageStore, rows: list[dict[str, Any]], glossary: Glossary) -> None:
    """Store the tooltips that drift from the glossary, the pages per term and unused terms."""
    uses = [(row["url"], TooltipUse(**t)) for row in rows for t in row["tooltips"]]
    store.put_meta("drift", [asdict(f) for f in tooltip_drift(uses, glossary)])
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
