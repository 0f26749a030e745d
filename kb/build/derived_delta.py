"""Generation-wide derived data updated by delta: an incremental run reads the pages it touched.

The previous generation's derived data is carried over in the page store's meta; the touched
pages (changed, added, removed, rejected) are read twice: their old rows from the previous
generation's store, their new ones from this one's. Results that are a sum of per-page parts
(term pages, unused terms, deprecated terms, a page's own broken links, mentions) lose the touched
pages' old parts and gain their new ones, by URL. What hangs on many pages at once is kept while
what it rests on stands, and computed again over every page (only the columns it needs) when not:

- everything (False is returned: kb.build.derived runs in full) when a glossary page was touched
  (its terms change mentions, drift and usage everywhere) or no delta state was carried over;
- tooltip drift when a touched page's tooltips are not the ones it had (a term's usual wording
  is judged over all its tooltips); else its verdicts move with its tooltips;
- nav and redirects when a page was added or removed, a touched page's title or frontmatter
  changed, or the site files they were read from or the redirects setting did (structure_inputs);
- languages and twins when a page was added or removed or changed its language or path;
- the link check when a page was added or removed, a touched page's anchors changed or the
  redirects did (a reverse index of links would narrow this; there is none yet).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from kb.build.derived import (
    STATE_KEY,
    STRUCTURE_KEY,
    Problems,
    Row,
    contained,
    drift_of,
    hits_of,
    refresh_mentions,
    store_structure,
    structure_inputs,
    term_pages,
    terms_by_language,
    with_lang,
)
from kb.build.languages import language_rules, store_languages
from kb.config import Settings
from kb.glossary.drift import tooltip_name
from kb.glossary.terms import Glossary, Term
from kb.glossary.usage import unused_terms
from kb.index.store import PageStore
from kb.pages import TooltipUse
from kb.reports.links import broken_links

_NEW_COLUMNS = ("url", "path", "title", "headings", "links", "tooltips", "facts", "meta", "lang")
_OLD_COLUMNS = ("url", "path", "title", "meta", "headings", "tooltips", "facts", "lang")
TermPages = dict[str, list[dict[str, Any]]]
Findings = list[dict[str, Any]]


def derive_by_delta(
    store: PageStore,
    previous: PageStore,
    touched: Collection[str],
    settings: Settings,
    problems: Problems,
) -> bool:
    """Update the carried-over derived data for the touched URLs (the glossary stays as it is).

    False, having stored nothing, when the change reaches every page: derive everything then.
    """
    state = store.get_meta(STATE_KEY)
    if not isinstance(state, dict) or not isinstance(state.get("glossary_sources"), list):
        return False
    sources = set(state["glossary_sources"])
    rules = language_rules(settings)
    new = with_lang(store.rows_of(touched, _NEW_COLUMNS), rules.default)
    if sources & set(touched) or any((r["facts"] or {}).get("glossary_terms") for r in new):
        return False
    old = with_lang(previous.rows_of(touched, _OLD_COLUMNS), rules.default)
    glossary_rows = with_lang(store.rows_of(sources, _NEW_COLUMNS), rules.default)
    no_terms: dict[str, list[Term]] = {rules.default: []}
    own = contained("glossary", terms_by_language(rules.default), glossary_rows, no_terms, problems)
    glossary = Glossary(own.get(rules.default, []))
    moved = {r["url"] for r in new} != {r["url"] for r in old}
    if moved or {_place(r) for r in new} != {_place(r) for r in old}:
        store_languages(
            store, with_lang(list(store.rows(("url", "path", "lang"))), rules.default), rules
        )
    refresh_mentions(store, new, glossary, problems)
    _update_glossary_usage(store, old, new, touched, glossary, own, rules.default, problems)
    _update_links(store, previous, new, old, touched, moved, settings, problems)
    for key in ("deprecated", "deprecated_suppressed"):
        fresh = contained("deprecated terms", hits_of(key), new, _none(), problems)
        store.put_meta(key, _merged(store.get_meta(key, []), fresh, touched))
    return True


def _none() -> Findings:
    """Return an empty list of findings: what a step that cannot run at all stores."""
    return []


def _place(row: Row) -> tuple[str, str, str]:
    """Return what a page's languages and twins hang on: its URL, path and language."""
    return row["url"], row["path"], row["lang"]


def _merged(
    kept: list[dict[str, Any]], fresh: list[dict[str, Any]], touched: Collection[str]
) -> list[dict[str, Any]]:
    """Replace the touched pages' findings (by "url") with fresh ones, in page (URL) order.

    A page's findings stay together and in their order: the sort is stable and by URL alone.
    """
    gone = set(touched)
    return sorted([f for f in kept if f["url"] not in gone] + fresh, key=lambda f: f["url"])


def _update_glossary_usage(
    store: PageStore,
    old: list[Row],
    new: list[Row],
    touched: Collection[str],
    glossary: Glossary,
    own: dict[str, list[Term]],
    default: str,
    problems: Problems,
) -> None:
    """Store drift (judged over every page's tooltips), term pages and unused terms by delta."""
    drift = _drift_by_delta(store.get_meta("drift", []), old, new, touched)
    if drift is None:
        rows = with_lang(list(store.rows(("url", "lang", "tooltips"))), default)
        drift = contained("tooltip drift check", drift_of(glossary, own), rows, _none(), problems)
    store.put_meta("drift", drift)
    lookup = functools.lru_cache(maxsize=None)(glossary.lookup)
    no_pages: TermPages = {}
    fresh = contained("term usage", lambda r: term_pages(r, lookup), new, no_pages, problems)
    # The terms the touched pages used before: the glossary is the same, so are their slugs.
    before = set(contained("term usage", lambda r: term_pages(r, lookup), old, no_pages, []))
    slugs = before | set(fresh)
    previous = {slug: store.term_pages(slug) for slug in slugs}
    store.update_term_pages(_merged_term_pages(previous, slugs, fresh, touched))
    store.put_meta(
        "unused_terms", [t.slug for t in unused_terms(glossary, set(store.term_counts()))]
    )


def _drift_by_delta(
    carried: Findings, old: list[Row], new: list[Row], touched: Collection[str]
) -> Findings | None:
    """Return the drift findings when the touched pages' tooltips are the ones they had (moved
    or not); None when one was added, removed or changed (drift is then judged over all).

    A tooltip's verdict hangs on its language, term and tip and on every tooltip of the site:
    with the same tooltips the verdicts stand, and a touched page's tooltips get the ones its
    tooltips of the same language, name and tip had, at their new lines.
    """
    if _tooltip_keys(old) != _tooltip_keys(new):
        return None
    verdicts = {(f["lang"], f["term"], f["tip"]): f for f in carried if f["url"] in touched}
    fresh = []
    for row in new:
        for tooltip in row["tooltips"]:
            use = TooltipUse(**tooltip)
            verdict = verdicts.get((row["lang"], tooltip_name(use), use.tip))
            if verdict is not None:
                fresh.append({**verdict, "url": row["url"], "line": use.line, "text": use.text})
    gone = set(touched)
    kept = [f for f in carried if f["url"] not in gone]
    return sorted(kept + fresh, key=lambda f: (f["url"], f["line"], f["term"], f["text"]))


def _tooltip_keys(rows: list[Row]) -> Counter[tuple[str, str, str, str]]:
    """Count the pages' tooltips by what their verdicts hang on: language, term, link and tip."""
    return Counter(
        (row["lang"], t["term"], t["href"], t["tip"]) for row in rows for t in row["tooltips"]
    )


def _merged_term_pages(
    previous: TermPages, slugs: set[str], fresh: TermPages, touched: Collection[str]
) -> TermPages:
    """Return the page lists of the terms the touched pages used before or use now: the
    touched pages' old entries replaced by their fresh ones (an empty list: no page left)."""
    gone = set(touched)
    return {
        slug: sorted(
            [*(p for p in previous.get(slug, []) if p["url"] not in gone), *fresh.get(slug, [])],
            key=lambda p: (-(p["tooltips"] + p["mentions"]), p["url"]),
        )
        for slug in sorted(slugs)
    }


def _update_links(
    store: PageStore,
    previous: PageStore,
    new: list[Row],
    old: list[Row],
    touched: Collection[str],
    moved: bool,
    settings: Settings,
    problems: Problems,
) -> None:
    """Store the link findings: the touched pages' own links checked again, unless a change of
    pages, anchors or redirects may break or mend links elsewhere (then every page's)."""
    stored = store.get_meta("links", [])
    carried = [f for f in stored if f["kind"] != "nav-missing"]
    if not moved and _same_structure(store, settings, old, new):
        redirects = store.get_meta("redirects", {})
        missing_in_nav = [f for f in stored if f["kind"] == "nav-missing"]
    else:
        every = store.rows(("url", "path", "title", "meta"))
        redirects, missing_in_nav = store_structure(store, list(every), settings, problems)
    before = {r["url"]: _anchors(r) for r in old}
    anchors_moved = any(before.get(r["url"]) != _anchors(r) for r in new)
    if moved or anchors_moved or previous.get_meta("redirects") != redirects:
        rows = list(store.rows(("url", "path", "headings", "links")))
        links = contained(
            "link check", lambda r: broken_links(r, redirects), rows, _none(), problems
        )
    else:
        known = _Anchors(store)
        check = contained(
            "link check", lambda r: broken_links(r, redirects, known), new, _none(), problems
        )
        links = _merged(carried, check, touched)
    store.put_meta("links", links + missing_in_nav)


def _same_structure(store: PageStore, settings: Settings, old: list[Row], new: list[Row]) -> bool:
    """Tell whether the nav and redirects stand: the files and setting they were read from are
    the same, and no touched page changed its title or frontmatter (its nav entry)."""
    inputs = store.get_meta(STRUCTURE_KEY)
    if not isinstance(inputs, dict) or structure_inputs(settings, list(inputs["files"])) != inputs:
        return False
    before = {r["url"]: (r["title"], r["meta"]) for r in old}
    return all(before.get(r["url"]) == (r["title"], r["meta"]) for r in new)


def _anchors(row: Row) -> set[str]:
    """Return the anchors of a page's headings."""
    return {h["anchor"] for h in row["headings"]}


class _Anchors(Mapping[str, set[str]]):
    """Every page URL of a store, each page's anchors read only when a link asks for them."""

    def __init__(self, store: PageStore) -> None:
        """Read the store's URLs (one column); anchors wait until asked for."""
        self.store = store
        self.urls = store.urls()
        self.known = set(self.urls)
        self.read: dict[str, set[str]] = {}

    def __getitem__(self, url: str) -> set[str]:
        """Return one page's anchors (KeyError for a URL that is no page)."""
        if url not in self.known:
            raise KeyError(url)
        if url not in self.read:
            headings = self.store.column_of([url], "headings").get(url) or []
            self.read[url] = _anchors({"headings": headings})
        return self.read[url]

    def __contains__(self, url: object) -> bool:
        """Tell whether a URL is a page, without reading its anchors."""
        return url in self.known

    def __iter__(self) -> Iterator[str]:
        """Iterate over every page URL."""
        return iter(self.urls)

    def __len__(self) -> int:
        """Return how many pages there are."""
        return len(self.urls)
