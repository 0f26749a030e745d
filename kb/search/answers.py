"""What the glossary adds to a search: an abbreviation's other form, and an answer card."""

from __future__ import annotations

import re

from kb.glossary.terms import Glossary
from kb.search.query import Group, Leaf, Node, ParsedQuery, leaves
from kb.urls import term_url

MAX_NAME = 80  # a longer query is a sentence, not a term's name
_QUESTION = re.compile(
    r"^(?:what(?:'s| is| are| does)|define|definition of|meaning of)\s+(?:an? |the )?", re.I
)
_ABBREVIATED = re.compile(r"(.+?)\s*\(([^()]+)\)")  # Identity Provider (IdP)


def _names_a_term(parsed: ParsedQuery) -> bool:
    """Tell whether a query could be a term's name: no field limits, no prefix search."""
    found = leaves(parsed.root, positive=False)
    return not any(leaf.field or leaf.kind == "prefix" for leaf in found)


def with_synonym(glossary: Glossary, parsed: ParsedQuery) -> Node:
    """Search an abbreviation's long form too, and the other way round (MFA, IdP, SSO)."""
    assert parsed.root is not None
    if not isinstance(parsed.root, Leaf | Group) or len(parsed.text) > MAX_NAME:
        return parsed.root
    if not _names_a_term(parsed):
        return parsed.root
    term = glossary.lookup(parsed.text.replace('"', " "))
    if term is None or not (m := _ABBREVIATED.fullmatch(term.term)):
        return parsed.root
    typed = parsed.text.replace('"', " ").strip().casefold()
    long_form, short_form = m.group(1), m.group(2)
    other = long_form if typed.startswith(short_form.casefold()) else short_form
    return Group("or", (parsed.root, Leaf("phrase", other)))


def glossary_card(
    glossary: Glossary, parsed: ParsedQuery, suggestion: str | None
) -> dict[str, str] | None:
    """Return the glossary entry the query names (term, alias, abbreviation, plural), if any."""
    if not glossary.terms or parsed.root is None or not _names_a_term(parsed):
        return None
    for text in (parsed.text, suggestion or ""):
        name = _QUESTION.sub("", text.replace('"', " ").strip(" ?!.")).strip()
        if name and len(name) <= MAX_NAME and (term := glossary.lookup(name)) is not None:
            return {"term": term.term, "definition": term.definition, "url": term_url(term.slug)}
    return None


def close_terms(glossary: Glossary, text: str, n: int = 3) -> tuple[str, ...]:
    """Return the names of glossary terms close to a query that found nothing."""
    if len(text) > MAX_NAME:
        return ()
    return tuple(t.term for t in glossary.close_matches(text, n=n))
