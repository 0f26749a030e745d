"""What the glossary views show, as plain data: terms with usage, A–Z groups, filtered drift."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kb.glossary.drift import DRIFT_KINDS
from kb.glossary.terms import Glossary, Term, normalize_term
from kb.index.generation import Generation
from kb.index.store import PageStore
from kb.urls import term_url
from kb.words import N_

KIND_LABELS = {
    "wrong-term": N_("Wrong term"),
    "empty": N_("Empty tip"),
    "variant": N_("Variant wording"),
    "unknown-term": N_("Unknown term"),
}
KIND_HELP = {
    "wrong-term": N_("the tip carries the definition of another term than the one it links"),
    "empty": N_("the tooltip has no tip text"),
    "variant": N_("the tip words the definition differently from the usual tip for that term"),
    "unknown-term": N_("the tooltip links a term the glossary does not define"),
}


@dataclass(frozen=True)
class GlossaryView:
    """A generation's glossary with its usage and drift, read once per generation."""

    glossary: Glossary
    counts: Mapping[str, tuple[int, int, int]]  # slug: (pages, tooltips, mentions) of used terms
    drift: list[dict[str, Any]]
    unused: tuple[str, ...]
    by_slug: Mapping[str, Term]
    lang: str | None = None  # None: the default language's glossary, drift of every language
    default: str = "en"
    resolver: Glossary | None = None  # this language's terms, then the default language's
    store: PageStore | None = None  # where a term's pages are read; None: no usage recorded

    def find(self, name: str) -> Term | None:
        """Find a term by slug first, then by any name the glossary knows it by."""
        return self.by_slug.get(name.casefold()) or self.glossary.lookup(name)

    def url(self, slug: str) -> str:
        """Return the URL of a term of this glossary."""
        return term_url(slug, self.lang, self.default)

    def pages_of(self, slug: str) -> list[dict[str, Any]]:
        """Return the pages using a term (url, title, tooltips, mentions), read when asked."""
        return self.store.term_pages(slug) if self.store is not None else []

    @property
    def tooltips(self) -> Glossary:
        """Return the glossary a page of this language resolves its tooltips against."""
        return self.resolver or self.glossary


def glossary_view(gen: Generation, lang: str | None = None) -> GlossaryView:
    """Return a language's glossary data (the default's for None or an unknown language),
    built on first use and kept while the generation is served."""
    code = gen.languages.known(lang) if lang else None
    if code is None or code == gen.languages.default:
        return gen.remember("glossary_view", lambda: _read_view(gen))
    return gen.remember(("glossary_view", code), lambda: _language_view(gen, code))


def _read_view(gen: Generation) -> GlossaryView:
    """Read the glossary, its usage and its drift from a generation."""
    glossary = Glossary.from_json(gen.read_meta("glossary", []) or [])
    return GlossaryView(
        glossary=glossary,
        counts=gen.store.term_counts(),
        drift=[dict(f) for f in gen.read_meta("drift", []) or []],
        unused=tuple(gen.meta("unused_terms", []) or ()),
        by_slug={t.slug.casefold(): t for t in glossary.terms},
        default=gen.languages.default,
        store=gen.store,
    )


def _language_view(gen: Generation, lang: str) -> GlossaryView:
    """Read one language's own glossary and the drift of its pages' tooltips."""
    default = glossary_view(gen)
    rows = (gen.meta("glossaries", {}) or {}).get(lang) or []
    glossary = Glossary.from_json(rows)
    return GlossaryView(
        glossary=glossary,
        counts={},
        drift=[f for f in default.drift if f.get("lang") == lang],
        unused=(),
        by_slug={t.slug.casefold(): t for t in glossary.terms},
        lang=lang,
        default=gen.languages.default,
        resolver=Glossary([*glossary.terms, *default.glossary.terms]),
    )


def _number_key(name: str) -> str:
    """Key a name so its singular and plural forms (switch/switches, policy/policies) match."""
    key = " ".join(name.casefold().split())
    for plural, singular in (("ies", "y"), ("es", ""), ("s", "")):
        if key.endswith(plural) and len(key) > len(plural) + 2:
            return key[: -len(plural)] + singular
    return key


def shown_aliases(term: Term) -> list[str]:
    """Return the aliases worth showing a reader: not mere plural or singular forms of a name."""
    seen = {_number_key(term.term), normalize_term(term.term)}
    kept = set()
    for alias in sorted(term.aliases, key=len):
        keys = {_number_key(alias), normalize_term(alias)}
        if not keys & seen:
            kept.add(alias)
        seen |= keys
    return [a for a in term.aliases if a in kept]


def term_entry(view: GlossaryView, term: Term) -> dict[str, Any]:
    """Describe a term with its usage counts (the /api/glossary row)."""
    pages, tooltips, mentions = view.counts.get(term.slug, (0, 0, 0))
    return {
        "term": term.term,
        "definition": term.definition,
        "aliases": list(term.aliases),
        "uses": tooltips + mentions,
        "slug": term.slug,
        "url": view.url(term.slug),
        "pages": pages,
        "tooltips": tooltips,
        "mentions": mentions,
        "also_known_as": shown_aliases(term),
    }


def letter_of(name: str) -> str:
    """Return the A–Z letter a term is listed under ("#" for digits, symbols and other scripts)."""
    first = unicodedata.normalize("NFKD", name.strip()[:1])[:1].upper()
    return first if "A" <= first <= "Z" else "#"


def filter_terms(glossary: Glossary, query: str) -> list[Term]:
    """Keep the terms whose name or an alias contains the query (case-blind, plural-blind)."""
    folded = query.casefold().strip()
    if not folded:
        return list(glossary.terms)
    key = normalize_term(query)
    kept = []
    for term in glossary.terms:
        names = (term.term, *term.aliases)
        if any(folded in n.casefold() or (key and key in normalize_term(n)) for n in names):
            kept.append(term)
    return kept


def letter_groups(view: GlossaryView, terms: list[Term]) -> list[dict[str, Any]]:
    """Group term entries under their letters, in A–Z order with "#" last."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for term in terms:
        groups.setdefault(letter_of(term.term), []).append(term_entry(view, term))
    return [{"letter": k, "terms": groups[k]} for k in sorted(groups, key=lambda k: (k == "#", k))]


def term_drift(view: GlossaryView, term: Term) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split the drift about a term: its own tooltips, and other terms' tips that carry it."""
    own = [f for f in view.drift if f.get("canonical") == term.term]
    carried = [
        f
        for f in view.drift
        if f.get("named_term") == term.term and f.get("canonical") != term.term
    ]
    return own, carried


def filter_drift(
    view: GlossaryView, kind: str = "", term: str = ""
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Keep the findings of one kind whose tooltip links a term; count every kind for the term."""
    if kind and kind not in DRIFT_KINDS:
        raise ValueError(f"unknown kind {kind[:40]!r}; use one of {', '.join(DRIFT_KINDS)}")
    kept = view.drift
    if term:
        found = view.find(term)
        folded = term.casefold()
        kept = [
            f
            for f in kept
            if (found is not None and f.get("canonical") == found.term)
            or str(f.get("term", "")).casefold() == folded
        ]
    counts = Counter(str(f.get("kind")) for f in kept)
    if kind:
        kept = [f for f in kept if f.get("kind") == kind]
    return kept, {k: counts.get(k, 0) for k in DRIFT_KINDS}


def unused_entries(view: GlossaryView) -> list[dict[str, Any]]:
    """Return the glossary terms no page uses, as term entries."""
    terms = [view.by_slug[s.casefold()] for s in view.unused if s.casefold() in view.by_slug]
    return [
        {"term": t.term, "slug": t.slug, "url": view.url(t.slug), "definition": t.definition}
        for t in terms
    ]
