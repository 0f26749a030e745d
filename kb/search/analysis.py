"""Text analysis shared by indexing and querying: identifier-aware tokens, folding, stemming.

Per language: Snowball stemming and stop words where Whoosh has them, elisions (French,
Italian) dropped, accents folded after stemming. Han, Kana and Hangul runs become overlapping
character bigrams in every language, so a word typed without spaces finds its run; Latin words
in Japanese, Chinese and Korean text are analyzed as English, the language docs borrow them from.
A value's language travels with it (LangText), so one schema serves every language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import languages
from whoosh.support.charset import accent_map

# A token is a word, or an identifier joined by _ : / . - @ (app_metadata, read:users, v2.1).
TOKEN_PATTERN = r"\w+(?:[_:/.\-@]\w+)*"
TOKEN_RE = re.compile(TOKEN_PATTERN)
# Split on separators and camelCase humps: "HTTPServer" splits, while "OAuth", "IdP" and "JWTs"
# stay whole because a one-letter part would only add noise.
_SPLIT = re.compile(r"[_:/.\-@]+|(?<=[a-z0-9]{2})(?=[A-Z][a-z0-9])|(?<=[A-Z]{2})(?=[A-Z][a-z]{2})")
# An acronym plural the stemmer keeps as is (JWTs, APIs, SDKs, URLs).
_ACRONYM_PLURAL = re.compile(r"[A-Z][A-Z0-9]+s")


# Han, Kana and Hangul letters: each becomes its own token, as whoosh's CJKFilter does.
_CJK = re.compile(
    "[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9d"
    "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff"
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U0002f800-\U0002fa1f]"
)
CJK_RUN = re.compile(_CJK.pattern + "+")
_CJK_SEGMENTS = re.compile(CJK_RUN.pattern + "|(?:(?!" + _CJK.pattern + ").)+", re.DOTALL)
# Articles and pronouns elided before a vowel (l’identité, d’accès, dell’utente): not words.
_ELISIONS = {
    "fr": r"(?i:(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’](?=\w))",
    "it": r"(?i:(?:[cdlmnstv]|dell|all|dall|nell|sull|coll|quest|quell|un|anch)['’](?=\w))",
}
DEFAULT_ANALYSIS = "en"


class LangText(str):
    """A field value that knows its page's language, for the language-dispatching analyzers."""

    lang: str = DEFAULT_ANALYSIS

    def __new__(cls, text: str, lang: str) -> LangText:
        """Make the text, remembering its language code."""
        value = super().__new__(cls, text)
        value.lang = lang
        return value

    def __reduce__(self) -> tuple[type[LangText], tuple[str, str]]:
        """Pickle with the language (the multi-process writer sends documents to workers)."""
        return (LangText, (str(self), self.lang))


def analysis_language(code: str | None) -> str:
    """Return the language whose rules analyze a site language's Latin words (fr-ca → fr)."""
    base = (code or DEFAULT_ANALYSIS).split("-", 1)[0].lower()
    return base if base in languages else DEFAULT_ANALYSIS


def token_pattern(code: str | None = None) -> str:
    """Return the token pattern of a language: identifiers, elisions left out where it has them."""
    elision = _ELISIONS.get((code or "").split("-", 1)[0].lower())
    return f"(?!{elision})" + TOKEN_PATTERN if elision else TOKEN_PATTERN


@lru_cache(maxsize=32)
def token_re(code: str | None = None) -> re.Pattern[str]:
    """Return the compiled token pattern of a language."""
    return re.compile(token_pattern(code))


class WordFilter(Filter):
    """CJK splitting, identifier parts, lowercasing and accent folding in one pass.

    The same as CJKFilter | IdentifierFilter | LowercaseFilter | CharsetFilter(accent_map),
    but plain ASCII words take a fast path: indexing spends most of its time here.
    """

    def __init__(self, fold: bool = True) -> None:
        """Fold accents here, or leave that to a filter after a stemmer that needs them."""
        self.fold = fold

    def __call__(self, tokens: Iterable[Any]) -> Iterator[Any]:  # type: ignore[override]
        """Yield lowercased, folded tokens, compounds followed by their parts at the same position."""
        pos = None
        fold = _fold if self.fold else str.lower
        for token in tokens:
            text = token.text
            if text.isascii() and _ascii_whole_word(text):
                # Most tokens: nothing to split, no acronym plural, and lowercasing is folding.
                if token.positions:
                    pos = token.pos if pos is None else pos + 1
                    token.pos = pos
                token.text = text.lower()
                yield token
                continue
            segments: tuple[tuple[int, str], ...]
            if text.isascii():
                segments = ((0, text),)
            elif _CJK.search(text):
                segments = cjk_segments(text)
            else:
                segments = ((0, text),)
            start = token.startchar if token.chars else 0
            for offset, segment in segments:
                if token.positions:
                    pos = token.pos if pos is None else pos + 1
                    token.pos = pos
                if token.chars and len(segments) > 1:
                    token.startchar = start + offset
                    token.endchar = start + offset + len(segment)
                if _ACRONYM_PLURAL.fullmatch(segment):
                    segment = segment[:-1]
                if _plain_word(segment):
                    parts: list[str] = []
                else:
                    parts = [p for p in _SPLIT.split(segment) if p]
                token.text = fold(segment)
                yield token
                if len(parts) > 1:
                    for part in parts:
                        token.text = fold(part)
                        yield token


def cjk_segments(text: str) -> tuple[tuple[int, str], ...]:
    """Split a token into its other-script parts and the bigrams of its Han/Kana/Hangul runs."""
    found: list[tuple[int, str]] = []
    for m in _CJK_SEGMENTS.finditer(text):
        run = m.group()
        if not _CJK.match(run) or len(run) == 1:
            found.append((m.start(), run))
        else:
            found.extend((m.start() + i, run[i : i + 2]) for i in range(len(run) - 1))
    return tuple(found)


def _ascii_whole_word(text: str) -> bool:
    """Tell that an ASCII word is kept whole and only lowercased: no humps, separators or
    acronym plural (JWTs needs an upper-case letter followed by a lower-case s)."""
    if not text.isalnum():
        return False
    return text.islower() or text.isupper() or (text.istitle() and text.isalpha())


def _plain_word(text: str) -> bool:
    """Tell, at C speed, that a word has no separators or camelCase humps to split on."""
    if not text.isalnum():
        return False
    # istitle() treats a digit as a word break, so "Auth0Client" would pass it.
    return text.islower() or text.isupper() or (text.istitle() and text.isalpha())


# whoosh types accent_map by str keys, but str.translate looks it up by code point (as it is keyed).
_ACCENTS: dict[int, str] = accent_map  # type: ignore[assignment]


def _fold(text: str) -> str:
    """Lowercase a word and fold its accents."""
    lowered = text.lower()
    return lowered if lowered.isascii() else lowered.translate(_ACCENTS)


@lru_cache(maxsize=32)
def text_analyzer(language: str | None = "en", stem: bool = True) -> Any:
    """Return the analyzer for prose fields: identifiers, CJK, lowercase, accents folded, stems.

    `language` is a site language code; its primary subtag picks the rules (English for
    languages Whoosh has no stemmer for).
    """
    rules = analysis_language(language)
    tokenizer = RegexTokenizer(token_pattern(language))
    if rules == DEFAULT_ANALYSIS:
        chain = tokenizer | WordFilter() | StopFilter(lang=rules, minsize=1, renumber=False)
        return chain | StemFilter(lang=rules, cachesize=50000) if stem else chain
    # Snowball stems and stop lists are written with accents: fold after them.
    chain = tokenizer | WordFilter(fold=False) | StopFilter(lang=rules, minsize=1, renumber=False)
    if stem:
        chain = chain | StemFilter(lang=rules, cachesize=50000)
    return chain | CharsetFilter(accent_map)


@lru_cache(maxsize=32)
def exact_analyzer(language: str | None = None) -> Any:
    """Return the analyzer for fields matched without stemming (titles as typed, code, spelling)."""
    return RegexTokenizer(token_pattern(language)) | WordFilter()


def analyze(text: str, language: str | None = "en", stem: bool = True) -> list[str]:
    """Return the terms a text becomes in a prose field (or unstemmed with stem=False)."""
    analyzer = text_analyzer(language) if stem else exact_analyzer(language)
    return [t.text for t in analyzer(text)]


class LanguageAnalyzer(Analyzer):
    """Analyze each value by its language (LangText), English rules for a plain str.

    Stored in the schema: it names no language, so the index holds every language at once.
    """

    def __init__(self, stem: bool = True) -> None:
        """Stem (prose fields) or not (exact fields)."""
        self.stem = stem

    def __call__(self, value: str, **kwargs: Any) -> Any:
        """Run the chain of the value's language."""
        lang = getattr(value, "lang", None)
        chain = text_analyzer(lang) if self.stem else exact_analyzer(lang)
        return chain(value, **kwargs)


def script_runs(token: str) -> list[str]:
    """Split a token into its Han/Kana/Hangul runs and the runs of other letters between them."""
    if token.isascii() or not CJK_RUN.search(token):
        return [token]
    runs, pos = [], 0
    for m in CJK_RUN.finditer(token):
        if m.start() > pos:
            runs.append(token[pos : m.start()])
        runs.append(m.group())
        pos = m.end()
    if pos < len(token):
        runs.append(token[pos:])
    return [r for r in runs if r.strip("_:/.-@")]


def first_per_position(tokens: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Keep the first term at each position (an identifier's whole form, not its parts)."""
    seen: set[int] = set()
    kept = []
    for pos, text in tokens:
        if pos not in seen:
            seen.add(pos)
            kept.append((pos, text))
    return kept
