"""The search query language, parsed into a small tree without raising: words, phrases, operators.

Syntax: `"exact phrase"`, `AND` / `OR` / `NOT` (upper case; `&&`, `||` too), `-word` and `+word`,
`prefix*`, `title:word`, `heading:word`, `section:name` and `status:name` (filters), parentheses.
Words next to each other are joined by an implicit AND that search may relax to OR. Anything that
does not parse is read as plain words or dropped, with a note saying so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from kb.words import said

MAX_QUERY_CHARS = 512
MAX_LEAVES = 24
MAX_DEPTH = 8
MIN_PREFIX = 2
TEXT_FIELDS = {"title": "title", "heading": "headings", "headings": "headings"}
FILTER_FIELDS = ("section", "status")
_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»＂"})
_OPERATORS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT"}
_TOKEN = re.compile(r'\s*(?:(")|([()])|([^\s()"]+))')
_WORDISH = re.compile(r"\w")


@dataclass(frozen=True)
class Leaf:
    """A word, quoted phrase or prefix, optionally limited to one text field."""

    kind: str  # "word" | "phrase" | "prefix"
    text: str
    field: str | None = None


@dataclass(frozen=True)
class Group:
    """Children joined by AND or OR; an implicit AND (plain adjacency) may be relaxed."""

    op: str  # "and" | "or"
    children: tuple[Node, ...]
    implicit: bool = False


@dataclass(frozen=True)
class Negated:
    """A clause a result must not match (`NOT x`, `-x`)."""

    child: Node


@dataclass(frozen=True)
class Required:
    """A clause a result must match even when the rest is relaxed (`+x`)."""

    child: Node


Node = Leaf | Group | Negated | Required


@dataclass(frozen=True)
class ParsedQuery:
    """The parsed query: its tree (None when nothing searchable is left), filters and notes."""

    text: str
    root: Node | None
    filters: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Token:
    """One lexical token: an operator, a parenthesis, or a term leaf with its modifier."""

    kind: str  # "op" | "open" | "close" | "leaf"
    value: str = ""
    leaf: Leaf | None = None
    modifier: str = ""  # "-" | "+" | ""


def clean_query(raw: object) -> tuple[str, list[str]]:
    """Normalize a raw query: text only, NFKC, no control characters, bounded length."""
    notes: list[str] = []
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    if len(text) > 4 * MAX_QUERY_CHARS:
        text = text[: 4 * MAX_QUERY_CHARS]
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        cut = text.rfind(" ", 0, MAX_QUERY_CHARS)
        text = text[: cut if cut > MAX_QUERY_CHARS // 2 else MAX_QUERY_CHARS]
        notes.append(
            said("The query was shortened to its first %(count)s characters.", count=len(text))
        )
    return text, notes


def _leaf_for(word: str, field_name: str | None, notes: list[str]) -> Leaf | None:
    """Turn a bare word into a word or prefix leaf; None when nothing searchable is in it."""
    prefix = word.endswith("*")
    core = word.rstrip("*")
    if "*" in core:
        notes.append(
            said("Wildcards work only at the end of a word (prefix*); others were ignored.")
        )
    # A "?" is read as punctuation (questions, URLs), not as a one-letter wildcard.
    core = " ".join(core.replace("*", " ").replace("?", " ").split())
    if not _WORDISH.search(core):
        return None
    if prefix:
        if len(core) < MIN_PREFIX:
            notes.append(
                said(
                    "'%(word)s' is too short for a prefix search; searched for '%(core)s'.",
                    word=word,
                    core=core,
                )
            )
            return Leaf("word", core, field_name)
        return Leaf("prefix", core, field_name)
    return Leaf("word", core, field_name)


def tokenize(text: str, notes: list[str]) -> list[_Token]:
    """Split a cleaned query into tokens; an unclosed quote is read as plain words."""
    tokens: list[_Token] = []
    pos, pending_field, modifier = 0, None, ""
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            break
        pos = m.end()
        if m.group(1):
            close = text.find('"', pos)
            if close < 0:
                notes.append(said("An unclosed quote was ignored."))
                continue
            phrase = " ".join(text[pos:close].split())
            pos = close + 1
            if _WORDISH.search(phrase):
                leaf = Leaf("phrase", phrase, pending_field)
                tokens.append(_Token("leaf", leaf=leaf, modifier=modifier))
            pending_field, modifier = None, ""
        elif m.group(2):
            tokens.append(_Token("open" if m.group(2) == "(" else "close"))
            pending_field, modifier = None, ""
        else:
            word = m.group(3)
            if word in _OPERATORS and not modifier and pending_field is None:
                tokens.append(_Token("op", _OPERATORS[word]))
                continue
            if not modifier and pending_field is None and word[0] in "-+" and len(word) > 1:
                modifier, word = word[0], word[1:]
                if word.startswith('"') or not word:
                    continue
            name, colon, rest = word.partition(":")
            key = name.lower()
            if colon and pending_field is None and (key in TEXT_FIELDS or key in FILTER_FIELDS):
                if key in FILTER_FIELDS:
                    tokens.append(_Token("op", f"filter:{key}", leaf=Leaf("word", rest)))
                    modifier = ""
                    continue
                pending_field = TEXT_FIELDS[key]
                if not rest:
                    continue  # title:"a phrase" — the quote follows
                word = rest
            term = _leaf_for(word, pending_field, notes)
            if term is not None:
                tokens.append(_Token("leaf", leaf=term, modifier=modifier))
            pending_field, modifier = None, ""
    return tokens


class _Parser:
    """Recursive descent over tokens: OR binds looser than AND; NOT and -/+ bind tightest."""

    def __init__(self, tokens: list[_Token], notes: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.notes = notes
        self.leaves = 0
        self.filters: dict[str, str] = {}

    def peek(self) -> _Token | None:
        """Return the next token without taking it."""
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def parse_or(self, depth: int) -> Node | None:
        """Parse alternatives joined by OR."""
        children = [c for c in [self.parse_and(depth)] if c is not None]
        while (token := self.peek()) is not None and token.kind == "op" and token.value == "OR":
            self.pos += 1
            child = self.parse_and(depth)
            if child is not None:
                children.append(child)
        if not children:
            return None
        return children[0] if len(children) == 1 else Group("or", tuple(children))

    def parse_and(self, depth: int) -> Node | None:
        """Parse clauses joined by AND or by plain adjacency (implicit AND)."""
        children: list[Node] = []
        explicit = False
        while (token := self.peek()) is not None:
            if token.kind == "close" or (token.kind == "op" and token.value == "OR"):
                break
            if token.kind == "op" and token.value == "AND":
                self.pos += 1
                explicit = explicit or bool(children)
                continue
            child = self.parse_unary(depth)
            if child is not None:
                children.append(child)
        if not children:
            return None
        if len(children) == 1:
            return children[0]
        return Group("and", tuple(children), implicit=not explicit)

    def parse_unary(self, depth: int) -> Node | None:
        """Parse NOT, a filter, a parenthesized group or a leaf."""
        token = self.tokens[self.pos]
        self.pos += 1
        if token.kind == "op" and token.value == "NOT":
            nxt = self.peek()
            if nxt is None or (nxt.kind in {"close", "op"} and nxt.value in {"", "AND", "OR"}):
                return None
            inner = self.parse_unary(depth)
            return Negated(inner) if inner is not None else None
        if token.kind == "op" and token.value.startswith("filter:") and token.leaf is not None:
            value = token.leaf.text.strip()
            if value:
                self.filters[token.value.split(":", 1)[1]] = value
            return None
        if token.kind == "open":
            if depth >= MAX_DEPTH:
                self.notes.append(said("Parentheses nested too deep were flattened."))
                return None
            inner = self.parse_or(depth + 1)
            if (nxt := self.peek()) is not None and nxt.kind == "close":
                self.pos += 1
            elif "unbalanced" not in " ".join(self.notes):
                self.notes.append(said("An unbalanced parenthesis was ignored."))
            return inner
        if token.kind == "close":
            self.notes.append(said("An unbalanced parenthesis was ignored."))
            return None
        if token.kind != "leaf" or token.leaf is None:
            return None  # a lone operator
        if self.leaves >= MAX_LEAVES:
            if self.leaves == MAX_LEAVES:
                self.notes.append(f"Only the first {MAX_LEAVES} words were searched.")
                self.leaves += 1
            return None
        self.leaves += 1
        node: Node = token.leaf
        if token.modifier == "-":
            return Negated(node)
        return Required(node) if token.modifier == "+" else node


def parse_query(raw: object) -> ParsedQuery:
    """Parse a raw query string into a tree, filters and notes; never raises."""
    text, notes = clean_query(raw)
    tokens = tokenize(text, notes)
    parser = _Parser(tokens, notes)
    root: Node | None = None
    while parser.pos < len(tokens):
        part = parser.parse_or(0)
        if part is not None:
            root = part if root is None else _join(root, part)
        if (token := parser.peek()) is not None and token.kind == "close":
            parser.pos += 1
            if "unbalanced" not in " ".join(notes):
                notes.append("An unbalanced parenthesis was ignored.")
    return ParsedQuery(text, root, parser.filters, tuple(dict.fromkeys(notes)))


def _join(left: Node, right: Node) -> Node:
    """Join two top-level parts split by a stray parenthesis with an implicit AND."""
    if isinstance(left, Group) and left.op == "and" and left.implicit:
        return Group("and", (*left.children, right), implicit=True)
    return Group("and", (left, right), implicit=True)


def leaves(node: Node | None, *, positive: bool = True) -> list[Leaf]:
    """Return the leaves of a tree, skipping negated ones when positive is set."""
    if node is None:
        return []
    if isinstance(node, Leaf):
        return [node]
    if isinstance(node, Negated):
        return [] if positive else leaves(node.child, positive=False)
    if isinstance(node, Required):
        return leaves(node.child, positive=positive)
    return [leaf for child in node.children for leaf in leaves(child, positive=positive)]
