"""What the reports read from a served generation, read once per generation: page facts, and
every page judged as of a date (kept for the next request on the same date)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kb.index.generation import Generation
from kb.reports.campaign import campaign_facts
from kb.reports.queries import StaleQuery
from kb.reports.stale import (
    PageFacts,
    StalePageRow,
    StaleReport,
    iter_judged,
    judge_pages,
    report_from_rows,
)
from kb.reports.validation import validation_from_fields

JUDGED_DATES = 8  # report dates whose judged rows a generation keeps
_FACT_COLUMNS = (
    "url",
    "path",
    "title",
    "section",
    "validated_on",
    "validated_raw",
    "validation_problem",
    "lang",
)


@dataclass(frozen=True)
class GenerationFacts:
    """What the reports read from one generation's pages: facts, titles, sections, paths."""

    pages: tuple[PageFacts, ...]
    titles: dict[str, str]
    sections: dict[str, str]
    paths: dict[str, str]
    deprecated_counts: dict[str, int]
    langs: dict[str, str] = field(default_factory=dict)


def generation_facts(gen: Generation) -> GenerationFacts:
    """Return the report facts of a generation, read once per generation object."""
    return gen.remember("report_facts", lambda: _read_facts(gen))


def _read_facts(gen: Generation) -> GenerationFacts:
    """Read the light page columns the reports need from a generation."""
    deprecated = _deprecated_counts(gen)
    pages = list(_page_facts(gen, deprecated))
    return GenerationFacts(
        pages=tuple(pages),
        titles={p.url: p.title for p in pages},
        sections={p.url: p.section for p in pages},
        paths={p.url: p.path for p in pages},
        deprecated_counts=dict(deprecated),
        langs={p.url: p.lang for p in pages},
    )


def _deprecated_counts(gen: Generation) -> Counter[str]:
    """Count each page's deprecated-term findings (the findings themselves are not kept)."""
    return Counter(str(hit["url"]) for hit in gen.read_meta("deprecated", []) or [])


def _page_facts(gen: Generation, deprecated: Mapping[str, int]) -> Iterator[PageFacts]:
    """Read each page's facts from the store, one row at a time."""
    campaign = campaign_facts(gen)
    for row in gen.store.rows(_FACT_COLUMNS):
        url = str(row["url"])
        validation = validation_from_fields(
            row["validated_on"], row["validated_raw"], row["validation_problem"]
        )
        yield PageFacts(
            url=url,
            title=str(row["title"] or ""),
            section=str(row["section"] or ""),
            path=str(row["path"] or ""),
            validation=validation,
            deprecated_term_count=deprecated.get(url, 0),
            last_changed=campaign.last_changed.get(url),
            owners=campaign.owners.get(url, ()),
            lang=str(row["lang"] or gen.languages.default),
        )


def page_statuses(gen: Generation, as_of: date) -> dict[str, str]:
    """Return each page's review status as of a date, by URL, judging the pages one at a time.

    For search, which needs a status per page: neither the reports' facts nor their judged rows
    (tens of MiB at 30x) are read into memory for it.
    """
    pages = _page_facts(gen, _deprecated_counts(gen))
    return {row.url: row.status for row in iter_judged(pages, as_of, gen.settings)}


def section_names(gen: Generation) -> list[str]:
    """Return the sections of a generation's pages, sorted, for the report filters."""
    return sorted(set(generation_facts(gen).sections.values()))


@dataclass(frozen=True)
class StaleView:
    """The stale report for one request: the whole site, the section, and the filtered rows."""

    site: StaleReport
    section: StaleReport
    filtered: StaleReport


def judged_rows(gen: Generation, as_of: date) -> tuple[StalePageRow, ...]:
    """Return every page of a generation judged as of a date, kept for the next request."""

    def judge() -> tuple[StalePageRow, ...]:
        """Judge every page of the generation as of the date."""
        facts = generation_facts(gen)
        return tuple(judge_pages(facts.pages, as_of, gen.settings))

    return gen.cache("judged_rows", JUDGED_DATES).get(as_of, judge)


def stale_view(
    gen: Generation, query: StaleQuery, demand: Mapping[str, int] | None = None
) -> StaleView:
    """Judge every page once and report it three ways: site-wide, for the section, filtered.

    `demand` (page URL → top-5 search appearances) fills the demand column.
    """
    rows = judged_rows(gen, query.as_of)
    site = report_from_rows(rows, query.as_of, gen.settings, lang=query.lang or None)
    in_section = (
        report_from_rows(site.pages, query.as_of, gen.settings, section=query.section)
        if query.section
        else site
    )
    filtered = report_from_rows(
        in_section.pages, query.as_of, gen.settings, **_narrowing(query, demand)
    )
    return StaleView(site, in_section, filtered)


def stale_report(
    gen: Generation, query: StaleQuery, demand: Mapping[str, int] | None = None
) -> StaleReport:
    """Return the filtered, sorted stale report of a generation (demand fills its column)."""
    rows = judged_rows(gen, query.as_of)
    return report_from_rows(
        rows,
        query.as_of,
        gen.settings,
        section=query.section or None,
        lang=query.lang or None,
        **_narrowing(query, demand),
    )


def _narrowing(query: StaleQuery, demand: Mapping[str, int] | None) -> dict[str, Any]:
    """Return the filters and order a stale query puts on rows already in its section."""
    return {
        "status": query.status or None,
        "sort": query.sort,
        "descending": query.descending,
        "changed": query.changed,
        "owner": query.owner,
        "demand": demand,
    }
