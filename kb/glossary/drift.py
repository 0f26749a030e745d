"""Glossary drift and usage: tooltips at odds with the term they link, mentions, unused terms."""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kb.glossary.terms import (
    TIP_MATCH_THRESHOLD,
    Glossary,
    Term,
    definition_overlap,
    tip_prefix,
)
from kb.pages import TooltipUse
from kb.urls import term_from_href

DRIFT_KINDS = ("wrong-term", "empty", "variant", "unknown-term")


@dataclass(frozen=True)
class DriftFinding:
    """One tooltip whose tip or link disagrees with the glossary or with its sibling tooltips."""

    url: str
    line: int
    term: str
    canonical: str | None
    kind: str
    tip: str
    expected: str | None
    named_term: str | None
    text: str
    suggestions: tuple[str, ...] = ()


def _has_words(text: str) -> bool:
    """Say whether a text holds any letter or digit ("..." and "" do not)."""
    return re.search(r"[^\W_]", text) is not None


def _definition_owner(glossary: Glossary, body: str, named: Term) -> Term:
    """Return the named term, unless the body is plainly another term's canonical definition."""
    own = definition_overlap(body, named.definition)
    if own >= TIP_MATCH_THRESHOLD:
        return named
    best = max(
        ((definition_overlap(body, t.definition), t.term, t) for t in glossary.terms if t != named),
        default=None,
        key=lambda s: (s[0], s[1]),
    )
    # A wrong body under the right name ("Audit Log: <the Webhook definition>") is still wrong.
    if best is not None and best[0] >= TIP_MATCH_THRESHOLD and best[0] > own + 0.2:
        return best[2]
    return named


def _tip_subject(
    glossary: Glossary, tip: str, linked: Term | None, known: dict[str, list[str]]
) -> Term | None:
    """Return the term a tip is about: the one its prefix names, else the one it paraphrases."""
    if (split := tip_prefix(tip)) and (named := glossary.lookup(split[0])):
        return _definition_owner(glossary, split[1], named)
    if linked and any(
        definition_overlap(tip, text) >= TIP_MATCH_THRESHOLD for text in known[linked.slug]
    ):
        return linked
    scored = [
        (max(definition_overlap(tip, text) for text in known[t.slug]), t.term, t)
        for t in glossary.terms
    ]
    best = max(scored, default=None, key=lambda s: (s[0], s[1]))
    return best[2] if best and best[0] >= TIP_MATCH_THRESHOLD else None


def _usual_tip(wordings: Counter[str], definition: str) -> str:
    """Pick the most common wording; on a tie, the one closest to the glossary's own definition."""
    return min(
        wordings.items(),
        key=lambda kv: (-kv[1], -definition_overlap(kv[0], definition), kv[0]),
    )[0]


def tooltip_drift(uses: Iterable[tuple[str, TooltipUse]], glossary: Glossary) -> list[DriftFinding]:
    """Find wrong-term, empty, variant and unknown-term tooltips among (page url, use) pairs."""
    rows = []
    # Tips name their term ("Term: text"), so every such body is a known wording of that term.
    known: dict[str, list[str]] = {t.slug: [t.definition] for t in glossary.terms}
    for url, use in uses:
        name = (use.term or "").strip() or term_from_href(use.href) or ""
        tip = " ".join((use.tip or "").split())
        linked = glossary.lookup(name) if name else None
        rows.append((url, use, name, tip, linked))
        split = tip_prefix(tip)
        named = glossary.lookup(split[0]) if split else None
        if split and named and split[1] and split[1] not in known[named.slug]:
            known[named.slug].append(split[1])
    subjects: dict[tuple[str, str], Term | None] = {}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    judged = []
    for url, use, name, tip, linked in rows:
        key = (tip, linked.slug if linked else "")
        if key not in subjects:
            subjects[key] = _tip_subject(glossary, tip, linked, known) if _has_words(tip) else None
        subject = subjects[key]
        kind = ""
        if linked is None:
            kind = "unknown-term"
        elif not _has_words(tip):
            kind = "empty"
        elif subject is not None and subject.slug != linked.slug:
            kind = "wrong-term"
        else:
            counts[linked.slug][tip] += 1
        judged.append((url, use, name, tip, linked, subject, kind))
    definitions = {t.slug: t.definition for t in glossary.terms}
    usual = {slug: _usual_tip(c, definitions[slug]) for slug, c in counts.items()}
    findings = []
    for url, use, name, tip, linked, subject, kind in judged:
        if linked is not None and not kind and tip != usual[linked.slug]:
            kind = "variant"
        if not kind:
            continue
        suggestions: tuple[str, ...] = ()
        if linked is None:
            near = [*([subject] if subject else []), *glossary.close_matches(name)]
            suggestions = tuple(dict.fromkeys(t.term for t in near))[:5]
        expected = (
            ", ".join(suggestions) or None
            if linked is None
            else usual.get(linked.slug) or linked.definition
        )
        finding = DriftFinding(
            url=url,
            line=use.line,
            term=name,
            canonical=linked.term if linked else None,
            kind=kind,
            tip=use.tip,
            expected=expected,
            named_term=subject.term if subject and kind in ("wrong-term", "unknown-term") else None,
            text=use.text,
            suggestions=suggestions,
        )
        findings.append(finding)
    return sorted(findings, key=lambda f: (f.url, f.line, f.term, f.text))


def unused_terms(glossary: Glossary, used: Iterable[str]) -> list[Term]:
    """Return the terms that none of the used names (linked terms, mentions, slugs) refers to."""
    found = {term.slug for name in used if (term := glossary.lookup(name)) is not None}
    return [term for term in glossary.terms if term.slug not in found]


def _atoms(form: str, fold: bool) -> list[str]:
    """Split a term form into regex pieces: spaces match any whitespace, hyphens are optional."""
    atoms: list[str] = []
    for ch in form:
        if ch.isspace():
            if atoms[-1:] != [r"\s+"]:
                atoms.append(r"\s+")
        elif ch == "-":
            atoms.append(r"[-\s]?")
        else:
            atoms.append(re.escape(ch.casefold() if fold else ch))
    return atoms


def _trie_regex(forms: Iterable[list[str]]) -> str:
    """Build one regex matching any of the forms, shared prefixes merged so matching stays fast."""
    root: dict[str, Any] = {}
    for atoms in forms:
        node = root
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        """Return the regex for the subtree under one trie node."""
        branches = [atom + emit(child) for atom, child in sorted(node.items()) if atom]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _compact(text: str) -> str:
    """Key a matched form by its letters alone, so spacing and hyphenation do not matter."""
    return re.sub(r"[-\s]+", "", text).casefold()


@functools.lru_cache(maxsize=4)
def _mention_matcher(glossary: Glossary) -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """Compile the one alternation of all term names and aliases, with each form's slug."""
    folded: list[list[str]] = []
    exact: list[list[str]] = []
    slugs: dict[str, str] = {}
    for term in glossary.terms:
        for form in (term.term, *term.aliases):
            form = " ".join(form.split())
            if not _has_words(form):
                continue
            # Abbreviations (MFA, IdP, OAuth) only count in their own casing.
            sensitive = " " not in form and sum(ch.isupper() for ch in form) >= 2
            (exact if sensitive else folded).append(_atoms(form, fold=not sensitive))
            slugs.setdefault(_compact(form), term.slug)
    parts = [f"(?i:{_trie_regex(folded)})" if folded else "", _trie_regex(exact) if exact else ""]
    alternation = "|".join(p for p in parts if p)
    if not alternation:
        return None, slugs
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"), slugs


def term_mentions(glossary: Glossary, text: str) -> dict[str, int]:
    """Count whole-word mentions of each term (by name or alias) in a text: slug → count."""
    pattern, slugs = _mention_matcher(glossary)
    counts: Counter[str] = Counter()
    if pattern is None or not text:
        return {}
    for match in pattern.finditer(text):
        slug = slugs.get(_compact(match.group()))
        if slug:
            counts[slug] += 1
    return dict(counts)
