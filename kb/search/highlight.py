"""Pick the section of a page that best matches a query and cut a highlighted snippet from it."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kb.search.analysis import CJK_RUN, analyze

SNIPPET_CHARS = 220
_MAX_SCAN_CHARS = 60_000  # a section longer than this is judged by its beginning
_CONTEXT_BEFORE = 60
_MAX_SPANS = 200


_HEAD_END = re.compile(r"[:/.\-@]")  # the separators \w does not hold (an underscore it does)


@lru_cache(maxsize=20_000)
def _word_terms(word: str, lang: str | None = None) -> frozenset[str]:
    """Return every term a text word can match: its stems, parts and unstemmed forms."""
    return frozenset(analyze(word, lang)) | frozenset(analyze(word, lang, stem=False))


def _candidate_prefix(term: str) -> str:
    """Return a prefix that every word analyzed to this term starts with (stems drop endings)."""
    if len(term) > 3 and term[-1] in "ie":
        return term[:-1]  # policy → polici, agree → agre
    return term


@dataclass(frozen=True)
class Highlighter:
    """Finds the words of a text that match a query's terms."""

    terms: frozenset[str]
    weights: Mapping[str, float]
    pattern: re.Pattern[str] | None
    lang: str | None = None

    @classmethod
    def for_terms(
        cls,
        terms: Iterable[str],
        weights: Mapping[str, float] | None = None,
        lang: str | None = None,
    ) -> Highlighter:
        """Build a highlighter for analyzed query terms (stems, exact words, CJK bigrams).

        A word may start right after a Han, Kana or Hangul character (APIを使う), and its end
        stops before one; a CJK term is matched anywhere in a run.
        """
        wanted = frozenset(t for t in terms if t)
        latin = {t for t in wanted if not CJK_RUN.search(t)}
        prefixes = sorted({_candidate_prefix(t) for t in latin}, key=len, reverse=True)
        alternatives = []
        if prefixes:
            alternation = "|".join(re.escape(p) for p in prefixes)
            # No Han/Kana/Hangul class in this per-query pattern: compiling one costs ~5 ms
            # a query (re builds a bitmap of its ranges); _words() applies those rules instead.
            alternatives.append(rf"(?P<latin>{alternation})\w*(?:[_:/.\-@]\w+)*")
        cjk = sorted((t for t in wanted - latin if CJK_RUN.fullmatch(t)), key=len, reverse=True)
        if cjk:
            alternatives.append("|".join(re.escape(t) for t in cjk))
        pattern = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None
        return cls(wanted, dict(weights or {}), pattern, lang)

    def spans(self, text: str) -> list[tuple[int, int, frozenset[str]]]:
        """Return (start, end, matched terms) for each matching word or CJK run of a text."""
        if self.pattern is None or not text:
            return []
        found: list[tuple[int, int, frozenset[str]]] = []
        end = min(len(text), _MAX_SCAN_CHARS)
        for begin, stop, word in self._words(text, end):
            if word in self.terms and CJK_RUN.fullmatch(word):
                hit: frozenset[str] = frozenset({word})
            else:
                hit = _word_terms(word, self.lang) & self.terms
            if hit and found and found[-1][1] >= begin and CJK_RUN.fullmatch(word):
                start, _, terms = found.pop()  # overlapping bigrams: one mark over the run
                found.append((start, stop, terms | hit))
            elif hit:
                found.append((begin, stop, hit))
        return found

    def _words(self, text: str, end: int) -> Iterator[tuple[int, int, str]]:
        """Yield (start, end, text) of each query word or CJK term found in text[:end].

        A Latin word starts after a non-letter, an underscore or a Han/Kana/Hangul character,
        and its first run of word characters stops before such a character (APIを使う).
        """
        if self.pattern is None:
            return
        pos = 0
        while pos < end and (m := self.pattern.search(text, pos, end)) is not None:
            start, stop, word = m.start(), m.end(), m.group(0)
            if CJK_RUN.fullmatch(word):
                yield start, stop, word
                pos = start + 1  # bigrams overlap: the next may start one character on
                continue
            before = text[start - 1] if start else ""
            if before.isalnum() and not CJK_RUN.match(before):  # inside a word: not a start
                pos = start + 1
                continue
            tail = m.end("latin")  # the word characters after the query's own text
            head = _HEAD_END.search(text, tail, stop)
            cjk = CJK_RUN.search(text, tail, head.start() if head else stop)
            if cjk is not None:
                word, stop = text[start : cjk.start()], cjk.start()
            yield start, stop, word
            pos = stop

    def _weight(self, terms: Iterable[str]) -> float:
        """Return the summed weight of distinct terms (rare terms count more)."""
        return sum(self.weights.get(t, 1.0) for t in set(terms))

    def best_section(self, sections: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Return the section whose heading and text match the most (and rarest) query terms."""
        best: tuple[float, int] | None = None
        chosen = None
        for order, section in enumerate(sections):
            heading_terms = {t for _, _, hit in self.spans(section.get("heading", "")) for t in hit}
            spans = self.spans(section.get("text", ""))
            text_terms = {t for _, _, hit in spans for t in hit}
            if not heading_terms and not text_terms:
                continue
            score = (
                2.0 * self._weight(heading_terms)
                + self._weight(text_terms | heading_terms)
                + 0.05 * min(len(spans), 20)
            )
            if best is None or (score, -order) > best:
                best, chosen = (score, -order), section
        return chosen

    def snippet(self, text: str, width: int = SNIPPET_CHARS) -> str:
        """Return escaped text around the densest run of matches, with <mark> around each match."""
        text = " ".join(text.split())
        spans = self.spans(text)[:_MAX_SPANS]
        if not spans:
            return _cut(text, 0, width, [])
        best_start, best_score = spans[0][0], -1.0
        for i, (start, _, _) in enumerate(spans):
            window = [s for s in spans[i:] if s[1] <= start + width]
            score = self._weight(t for _, _, hit in window for t in hit) + 0.01 * len(window)
            if score > best_score:
                best_start, best_score = start, score
        begin = max(0, best_start - _CONTEXT_BEFORE)
        if begin:
            space = text.rfind(" ", 0, begin + 1)
            begin = space + 1 if space >= 0 and best_start - space < _CONTEXT_BEFORE * 2 else begin
        return _cut(text, begin, width, spans)


def _cut(text: str, begin: int, width: int, spans: list[tuple[int, int, frozenset[str]]]) -> str:
    """Escape text[begin:begin+width] (snapped to a word end), marking the spans inside it."""
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin + width // 2, end)
        end = space if space > 0 else end
    parts = ["…" if begin > 0 else ""]
    pos = begin
    for start, stop, _ in spans:
        if start < begin or stop > end:
            continue
        parts.append(html.escape(text[pos:start]))
        parts.append(f"<mark>{html.escape(text[start:stop])}</mark>")
        pos = stop
    parts.append(html.escape(text[pos:end]))
    parts.append("…" if end < len(text) else "")
    return "".join(parts)
