"""Canonical glossary terms: read from a glossary page, found again by any name a link uses."""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote_plus

TIP_MATCH_THRESHOLD = 0.6
_STOPWORD_TEXT = (
    "the and for that with this from are can not its into which when what your you their they "
    "such than then also any all one has have was were been being use used using only other"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class Term:
    """One glossary entry with the names it goes by and where it is defined."""

    term: str
    slug: str
    definition: str
    aliases: tuple[str, ...]
    source: str
    line: int


def normalize_term(text: str) -> str:
    """Reduce a term name to a comparison key: casefolded, unpunctuated, last word singular."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("(s)", "")
    text = re.sub(r"['’‘`]", "", text)
    words = re.sub(r"[\W_]+", " ", text).split()
    if words:
        words[-1] = _singular(words[-1])
    return " ".join(words)


def _singular(word: str) -> str:
    """Strip a regular English plural ending from a word, keeping its case."""
    lower = word.lower()
    if len(word) < 3 or not lower.endswith("s") or lower.endswith(("ss", "us", "is")):
        return word
    if lower.endswith("ies") and len(word) > 4:
        return word[:-3] + ("Y" if word[-3:].isupper() else "y")
    return word[:-2] if lower.endswith("sses") else word[:-1]


def _other_number(name: str) -> str | None:
    """Return the plural of a singular name or the singular of a plural one."""
    last = name.split()[-1] if name.split() else ""
    if not last or not last[-1].isalpha():
        return None
    if _singular(last) != last:
        return name[: -len(last)] + _singular(last)
    if len(last) < 3 or last.lower().endswith(("ss", "us", "is", "ing", "ed")):
        return None
    if re.search(r"[^aeiou]y$", last):
        return name[:-1] + "ies"
    return name + ("es" if re.search(r"(s|x|z|ch|sh)$", last, re.IGNORECASE) else "s")


def slugify(text: str) -> str:
    """Turn a term name into its URL slug."""
    return re.sub(r"[\W_]+", "-", text.casefold().replace("'", "").replace("’", "")).strip("-")


def make_term(
    name: str,
    definition: str,
    source: str,
    line: int,
    extra: Iterable[str] = (),
    slug: str | None = None,
) -> Term:
    """Build a Term, deriving its abbreviation, version-less, also-known-as and plural aliases."""
    name = " ".join(name.split())
    bases: list[str] = []
    if m := re.fullmatch(r"(.+?)\s*\(([^()]+)\)", name):
        bases += [m.group(1), m.group(2)]
    base = bases[0] if bases else name
    if m := re.fullmatch(r"(.*[^\d\s.])\s+v?\d+(?:\.\d+)*", base):
        bases.append(m.group(1))
    aka = r"\b(?:also known as|also called|a\.k\.a\.?)\s+(?:an?\s+|the\s+)?([^.,;:()]{2,40})"
    bases += [a for a in re.findall(aka, definition, re.IGNORECASE) if len(a.split()) <= 5]
    bases += [" ".join(str(a).split()) for a in extra]
    names = [*bases, *(n for b in [name, *bases] if (n := _other_number(b)))]
    return Term(name, slug or slugify(base), definition.strip(), _unique(names, name), source, line)


def _unique(names: Iterable[str], exclude: str) -> tuple[str, ...]:
    """Drop empty and case-insensitive repeated names, and the term's own name."""
    seen = {exclude.casefold()}
    kept: list[str] = []
    for raw in names:
        name = raw.strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return tuple(kept)


def _tip_words(text: str) -> frozenset[str]:
    """Return the content words of a text, singular and casefolded, for overlap scoring."""
    words = re.findall(r"[^\W_]+", text.casefold())
    return frozenset(_singular(w) for w in words if len(w) > 2 and w not in _STOPWORDS)


def definition_overlap(tip: str, definition: str) -> float:
    """Share of a tip's content words found in a definition (0 when the tip has under 3)."""
    tip_words = _tip_words(tip)
    if len(tip_words) < 3:
        return 0.0
    return len(tip_words & _tip_words(definition)) / len(tip_words)


def tip_prefix(tip: str) -> tuple[str, str] | None:
    """Split "Name: definition" into its short name and definition, when the tip has that shape."""
    name, sep, rest = tip.partition(":")
    if not sep or not name.strip() or len(name.split()) > 8 or "://" in tip[: len(name) + 3]:
        return None
    return name.strip(), rest.strip()


class Glossary:
    """The canonical terms of a site, looked up by name, alias, abbreviation, slug or plural."""

    def __init__(self, terms: Iterable[Term]) -> None:
        unique: dict[str, Term] = {}
        for term in terms:
            unique.setdefault(term.slug, term)
        self.terms: list[Term] = sorted(
            _with_abbreviated_aliases(list(unique.values())),
            key=lambda t: (t.term.casefold(), t.term),
        )
        self._keys: dict[str, Term] = {}
        self._compact: dict[str, Term] = {}
        self._slugs = {t.slug.casefold(): t for t in self.terms}
        # A term's own name wins over any other term's alias.
        for own_names in (True, False):
            for term in self.terms:
                for name in [term.term] if own_names else term.aliases:
                    key = normalize_term(name)
                    self._keys.setdefault(key, term)
                    self._compact.setdefault(key.replace(" ", ""), term)

    def lookup(self, name: str) -> Term | None:
        """Find the term a name refers to, or None."""
        text = html.unescape(name or "")
        if "%" in text or "+" in text:
            text = unquote_plus(text)
        candidates = [text]
        if m := re.fullmatch(r"\s*(.+?)\s*\(([^()]+)\)\s*", text):
            candidates += [m.group(1), m.group(2)]
        for candidate in candidates:
            key = normalize_term(candidate)
            found = (
                self._keys.get(key)
                or self._slugs.get(candidate.strip().casefold())
                or self._compact.get(key.replace(" ", ""))
            )
            if key and found:
                return found
        return None

    def close_matches(self, name: str, n: int = 5) -> list[Term]:
        """Suggest up to n terms whose names or aliases resemble the given name."""
        key = normalize_term(unquote_plus(name or ""))
        if not key:
            return []
        starts = [k for k in self._keys if key.startswith(k + " ") or k.startswith(key + " ")]
        close = difflib.get_close_matches(key, list(self._keys), n=4 * n, cutoff=0.7)
        found: dict[str, Term] = {}
        for k in [*sorted(starts, key=len, reverse=True), *close]:
            found.setdefault(self._keys[k].slug, self._keys[k])
        return list(found.values())[:n]

    def find_in_tip(self, tip: str) -> Term | None:
        """Say which term a tooltip tip is about: its "Name:" prefix, else its best definition."""
        if (split := tip_prefix(tip)) and (named := self.lookup(split[0])):
            return named
        scored = [(definition_overlap(tip, t.definition), t.term, t) for t in self.terms]
        best = max(scored, default=None, key=lambda s: (s[0], s[1]))
        return best[2] if best and best[0] >= TIP_MATCH_THRESHOLD else None

    def to_json(self) -> list[dict[str, Any]]:
        """Return the terms as plain JSON-ready data."""
        return [
            {
                "term": t.term,
                "slug": t.slug,
                "definition": t.definition,
                "aliases": list(t.aliases),
                "source": t.source,
                "line": t.line,
            }
            for t in self.terms
        ]

    @classmethod
    def from_json(cls, data: Iterable[Mapping[str, Any]]) -> Glossary:
        """Rebuild a glossary from to_json() data, skipping malformed rows."""
        terms = []
        for row in data:
            if isinstance(row, Mapping) and row.get("term") and row.get("definition"):
                aliases = tuple(str(a) for a in row.get("aliases") or ())
                slug = str(row.get("slug") or slugify(str(row["term"])))
                line = row["line"] if isinstance(row.get("line"), int) else 0
                source = str(row.get("source") or "")
                terms.append(
                    Term(str(row["term"]), slug, str(row["definition"]), aliases, source, line)
                )
        return cls(terms)


def _with_abbreviated_aliases(terms: list[Term]) -> list[Term]:
    """Give "Adaptive Multi-factor Authentication" the alias "Adaptive MFA" when MFA is a term."""
    pairs = []
    for term in terms:
        if m := re.fullmatch(r"(.+?)\s*\(([^()]+)\)", term.term):
            pairs.append((re.compile(rf"\b{re.escape(m.group(1))}\b", re.IGNORECASE), m.group(2)))
    out = []
    for term in terms:
        extra = [
            pattern.sub(abbr, name)
            for pattern, abbr in pairs
            for name in (term.term, *term.aliases)
            if pattern.search(name) and not pattern.fullmatch(name) and abbr not in name
        ]
        aliases = _unique([*term.aliases, *extra], term.term)
        out.append(replace(term, aliases=aliases) if aliases != term.aliases else term)
    return out
