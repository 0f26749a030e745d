"""The reader's language in a search: how the query is analyzed and whose pages come first."""

from __future__ import annotations

from kb.languages import SiteLanguages
from kb.search.columns import Docnums
from kb.search.searcher import Searcher

# The reader's language "has too few" below this many matches: other languages then follow.
ENOUGH_IN_LANGUAGE = 10


def reader_language(languages: SiteLanguages, raw: str | None) -> tuple[str, list[str]]:
    """Return the site language a search is for (the default when none or unknown), with notes."""
    if raw is None or not raw.strip():
        return languages.default, []
    found = languages.known(raw)
    if found is not None:
        return found, []
    codes = ", ".join(languages.codes)
    note = f"There is no language '{raw.strip()[:40]}'; the site's languages are {codes}."
    return languages.default, [note]


def count_languages(searcher: Searcher, allowed: Docnums) -> dict[str, int]:
    """Count the allowed matches per language, most first (the language facet)."""
    counts = searcher.lang_column.count(allowed)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def keep_language(searcher: Searcher, allowed: Docnums, lang: str) -> tuple[Docnums, Docnums]:
    """Return the matches to show and those in the reader's language.

    Only the reader's language when it has enough; otherwise every match, the reader's
    language to be ranked first.
    """
    column = searcher.lang_column
    own = allowed[column.codes[allowed] == column.code_of(lang)]
    if len(own) >= ENOUGH_IN_LANGUAGE:
        return own, own
    return allowed, own
