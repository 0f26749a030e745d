"""Spelling help: the index words close to a typo, and "Did you mean" in the reader's case."""

from __future__ import annotations

import re
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Any

from kb.search.lexicon import SPELL_FIELD, document_counts

MAX_PLAIN_WORD = 64  # longer "words" are pasted junk, not typos
MAX_CANDIDATES = 3
PLAIN_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")  # letters, maybe hyphenated


@dataclass(frozen=True)
class CloseTerm:
    """An index word close to a query word: its edit distance and how many documents hold it."""

    word: str
    distance: int
    doc_frequency: int


def max_distance(word: str) -> int:
    """Return the edit distance allowed for a word of this length (0: too short to correct)."""
    if len(word) < 4 or len(word) > MAX_PLAIN_WORD:
        return 0
    return 1 if len(word) <= 7 else 2


def correctable(word: str) -> bool:
    """Tell whether a query word is a plain word long enough to correct."""
    return bool(PLAIN_WORD.fullmatch(word)) and max_distance(word) > 0


class Vocabulary:
    """The index's plain words with their document counts, found again by shared letter pairs."""

    def __init__(self, words: dict[str, int]) -> None:
        """Index each word under the letter pairs it contains (with start and end marks)."""
        self.words = list(words)
        self.frequency = list(words.values())
        grams: dict[str, list[int]] = {}
        for number, word in enumerate(self.words):
            for gram in _bigrams(word):
                grams.setdefault(gram, []).append(number)
        self.grams = {gram: array("i", numbers) for gram, numbers in grams.items()}

    @classmethod
    def from_reader(cls, reader: Any) -> Vocabulary:
        """Read the words worth correcting to (letters and hyphens) from the spelling field."""
        words: dict[str, int] = {}
        # Segment by segment (kb.search.lexicon says why); an index from before the field
        # existed has no words, and no vocabulary.
        for leaf, _ in reader.leaf_readers():
            for raw, count in document_counts(leaf, SPELL_FIELD):
                word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                if PLAIN_WORD.fullmatch(word):
                    words[word] = words.get(word, 0) + count
        return cls(dict(sorted(words.items())))

    def close(self, word: str, limit: int) -> list[CloseTerm]:
        """Return the words within `limit` edits of a word (a swap of neighbours is one edit).

        Words one edit away are looked for first; two edits only when there are none, since
        the nearer words would rank first anyway and the wider search costs far more.
        """
        grams = _bigrams(word)
        counts: Counter[int] = Counter()
        for gram in grams:
            counts.update(self.grams.get(gram, ()))
        for allowed in range(1, limit + 1):
            # One edit changes at most three of the marked pairs, so a close word shares the rest.
            need = max(1, len(grams) - 3 * allowed)
            found = []
            for number, shared in counts.items():
                candidate = self.words[number]
                if shared < need or abs(len(candidate) - len(word)) > allowed:
                    continue
                distance = _distance(word, candidate, allowed)
                if 0 < distance <= allowed:
                    found.append(CloseTerm(candidate, distance, self.frequency[number]))
            if found:
                return found
        return []


def _bigrams(word: str) -> set[str]:
    """Return the letter pairs of a word with start and end marks."""
    marked = f"^{word}$"
    return {marked[i : i + 2] for i in range(len(marked) - 1)}


def close_terms(vocabulary: Vocabulary, word: str) -> list[CloseTerm]:
    """Return index words within the allowed distance of a word, nearest and most common first."""
    limit = max_distance(word)
    if not limit:
        return []
    scored = vocabulary.close(word, limit)
    scored.sort(key=lambda c: (c.distance, -c.doc_frequency, c.word))
    return scored[:MAX_CANDIDATES]


def _distance(a: str, b: str, limit: int) -> int:
    """Return the optimal-string-alignment distance (a swap is one edit), or limit + 1 if above."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:  # every alignment already costs more than allowed
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def corrected_query(text: str, replacements: dict[str, str]) -> str | None:
    """Rewrite a query with corrected words, keeping their case; None when nothing changed."""
    if not replacements:
        return None
    words = "|".join(re.escape(w) for w in sorted(replacements, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w:])({words})(?![\w*])", re.IGNORECASE)
    fixed = pattern.sub(lambda m: _same_case(m.group(1), replacements), text)
    return fixed if fixed.lower() != text.lower() else None


def _same_case(typed: str, replacements: dict[str, str]) -> str:
    """Return the correction of a typed word in the typed word's case (MFA, Token, token)."""
    fixed = replacements.get(typed.lower(), typed)
    if typed.isupper() and len(typed) > 1:
        return fixed.upper()
    return fixed[:1].upper() + fixed[1:] if typed[:1].isupper() else fixed
