"""How pages use the glossary beyond tooltips: whole-word mentions of each term, unused terms."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from kb.glossary.terms import Glossary, Term


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
            if not re.search(r"[^\W_]", form):
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
