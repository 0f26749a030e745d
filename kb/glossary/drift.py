"""Glossary drift and usage: tooltips at odds with the term they link, mentions, unused terms."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass
class _Use:
    """One tooltip being judged: where it is, the term it links, what its tip is about."""

    url: str
    use: TooltipUse
    name: str
    tip: str
    linked: Term | None
    subject: Term | None = None
    kind: str = ""


def tooltip_drift(uses: Iterable[tuple[str, TooltipUse]], glossary: Glossary) -> list[DriftFinding]:
    """Find wrong-term, empty, variant and unknown-term tooltips among (page url, use) pairs."""
    rows, known = _read_uses(uses, glossary)
    usual = _judge(rows, glossary, known)
    findings = []
    for row in rows:
        if row.linked is not None and not row.kind and row.tip != usual[row.linked.slug]:
            row.kind = "variant"
        if row.kind:
            findings.append(_finding(row, glossary, usual))
    return sorted(findings, key=lambda f: (f.url, f.line, f.term, f.text))


def tooltip_name(use: TooltipUse) -> str:
    """Return the term name a tooltip links: its term attribute, else the one its link names."""
    return (use.term or "").strip() or term_from_href(use.href) or ""


def _read_uses(
    uses: Iterable[tuple[str, TooltipUse]], glossary: Glossary
) -> tuple[list[_Use], dict[str, list[str]]]:
    """Resolve each tooltip's linked term, and gather every known wording of each term.

    Tips name their term ("Term: text"), so every such body is a known wording of that term.
    """
    rows = []
    known: dict[str, list[str]] = {t.slug: [t.definition] for t in glossary.terms}
    for url, use in uses:
        name = tooltip_name(use)
        tip = " ".join((use.tip or "").split())
        rows.append(_Use(url, use, name, tip, glossary.lookup(name) if name else None))
        split = tip_prefix(tip)
        named = glossary.lookup(split[0]) if split else None
        if split and named and split[1] and split[1] not in known[named.slug]:
            known[named.slug].append(split[1])
    return rows, known


def _judge(rows: list[_Use], glossary: Glossary, known: dict[str, list[str]]) -> dict[str, str]:
    """Set each tooltip's subject and kind (variants aside); return each term's usual tip."""
    subjects: dict[tuple[str, str], Term | None] = {}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        key = (row.tip, row.linked.slug if row.linked else "")
        if key not in subjects:
            subjects[key] = (
                _tip_subject(glossary, row.tip, row.linked, known) if _has_words(row.tip) else None
            )
        row.subject = subjects[key]
        if row.linked is None:
            row.kind = "unknown-term"
        elif not _has_words(row.tip):
            row.kind = "empty"
        elif row.subject is not None and row.subject.slug != row.linked.slug:
            row.kind = "wrong-term"
        else:
            counts[row.linked.slug][row.tip] += 1
    definitions = {t.slug: t.definition for t in glossary.terms}
    return {slug: _usual_tip(c, definitions[slug]) for slug, c in counts.items()}


def _finding(row: _Use, glossary: Glossary, usual: dict[str, str]) -> DriftFinding:
    """Describe one drifting tooltip with what the glossary expects there."""
    suggestions: tuple[str, ...] = ()
    if row.linked is None:
        near = [*([row.subject] if row.subject else []), *glossary.close_matches(row.name)]
        suggestions = tuple(dict.fromkeys(t.term for t in near))[:5]
        expected = ", ".join(suggestions) or None
    else:
        expected = usual.get(row.linked.slug) or row.linked.definition
    named = row.subject.term if row.subject and row.kind in ("wrong-term", "unknown-term") else None
    return DriftFinding(
        url=row.url,
        line=row.use.line,
        term=row.name,
        canonical=row.linked.term if row.linked else None,
        kind=row.kind,
        tip=row.use.tip,
        expected=expected,
        named_term=named,
        text=row.use.text,
        suggestions=suggestions,
    )
