"""Full-text search over a generation: the one door to the search engine.

Everything outside kb.search goes through this package: `search` and `suggest` to read,
`SearchUnavailable` when a generation's index cannot be read, `warm` to open it before a
reader needs it, and kb.search.writer for the index build. The modules below hold the query
language, scoring, ranking, facets and snippets.
"""

from kb.search.engine import search, suggest
from kb.search.results import SYNTAX_HINT, NothingFound, SearchHit, SearchResults
from kb.search.searcher import SearchUnavailable, warm

__all__ = [
    "SYNTAX_HINT",
    "NothingFound",
    "SearchHit",
    "SearchResults",
    "SearchUnavailable",
    "search",
    "suggest",
    "warm",
]
