"""Findings reports from a served generation: deprecated terms, broken links, glossary drift."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kb.index.generation import Generation
from kb.params import paginate
from kb.reports.facts import GenerationFacts, generation_facts
from kb.reports.queries import PER_PAGE, ReportQueryError
from kb.reports.terms import CONTEXT_REACH, SUPPRESSED_BY
from kb.words import N_

LINK_KINDS = ("missing-page", "missing-anchor", "nav-missing")
LINK_KIND_LABELS = {
    "missing-page": N_("missing page"),
    "missing-anchor": N_("missing anchor"),
    "nav-missing": N_("missing from the nav"),
}


@dataclass(frozen=True)
class FindingsPage:
    """One page of a findings list, with the total and the grouping counts of the filtered set."""

    findings: list[dict[str, Any]]
    total: int
    matched: int
    page: int
    pages: int
    groups: list[dict[str, Any]] = field(default_factory=list)
    # Legitimate uses left out, by reason (deprecated terms only): total, marker, allowlist.
    suppressed: dict[str, int] | None = None


def term_findings(gen: Generation) -> list[dict[str, Any]]:
    """Return every deprecated-term finding with the page's title and section, in page order.

    The list is shared by every request on the generation: callers must not change it.
    """
    return gen.remember("term_findings", lambda: _term_findings(gen))


def _placed(hit: Mapping[str, Any], facts: GenerationFacts) -> dict[str, Any]:
    """Return where a finding is: its page's URL, path, title and section, and the line."""
    url = hit["url"]
    return {
        "url": url,
        "path": facts.paths.get(url, ""),
        "title": facts.titles.get(url, hit.get("title", "")),
        "section": facts.sections.get(url, ""),
        "lang": facts.langs.get(url, ""),
        "line": hit["line"],
    }


def suppressed_term_findings(gen: Generation) -> list[dict[str, Any]]:
    """Return the deprecated-term uses a marker or the allowlist made legitimate (shared)."""
    return gen.remember(
        "suppressed_term_findings", lambda: _term_findings(gen, "deprecated_suppressed")
    )


def suppressed_counts(
    gen: Generation, *, term: str = "", section: str = "", url: str = ""
) -> dict[str, int]:
    """Count the suppressed uses that pass the filters: in total and per reason."""
    kept = _filter(
        suppressed_term_findings(gen),
        {"term": term, "section": section, "url": url},
        fold=("term",),
    )
    counts = Counter(str(f["suppressed"]) for f in kept)
    return {"total": len(kept), **{reason: counts.get(reason, 0) for reason in SUPPRESSED_BY}}


def _term_findings(gen: Generation, key: str = "deprecated") -> list[dict[str, Any]]:
    """Read the deprecated-term findings of a generation and add page title, section and path."""
    facts = generation_facts(gen)
    return [
        {
            **_placed(hit, facts),
            "term": hit["term"],
            "found": hit.get("found", hit["term"]),
            "replacement": hit["replacement"],
            "context": hit.get("context", ""),
            "marked": mark_context(hit.get("context", ""), hit.get("found", hit["term"])),
            **({"suppressed": hit["suppressed"]} if "suppressed" in hit else {}),
        }
        for hit in gen.meta(key, []) or []
    ]


def nav_findings(gen: Generation) -> list[dict[str, Any]]:
    """Return the site nav's entries that name no page and the redirects that cannot work."""
    return gen.remember("nav_findings", lambda: _nav_findings(gen))


def _nav_findings(gen: Generation) -> list[dict[str, Any]]:
    """Read the nav and redirect problems stored at index time (kb.structure)."""
    nav = gen.meta("nav") or {}
    found = [
        {
            "path": m["source"],
            "line": 0,
            "kind": "nav-missing",
            "target": m["entry"],
            "url": m["url"],
        }
        for m in nav.get("missing", [])
    ]
    kinds = {
        "loop": "redirect-loop",
        "shadowed": "redirect-shadowed",
        "no-page": "redirect-to-nowhere",
    }
    found += [
        {
            "path": "redirects",
            "line": 0,
            "kind": kinds.get(p["kind"], p["kind"]),
            "target": p.get("chain") or f"{p['source']} → {p['destination']}",
            "url": p["source"],
        }
        for p in gen.meta("redirect_problems") or []
    ]
    found += [
        {"path": "config", "line": 0, "kind": "config", "target": problem, "url": ""}
        for problem in gen.meta("structure_problems") or []
    ]
    return found


def link_findings(gen: Generation) -> list[dict[str, Any]]:
    """Return every broken internal link or anchor with the page's title and section (shared)."""
    return gen.remember("link_findings", lambda: _link_findings(gen))


def _link_findings(gen: Generation) -> list[dict[str, Any]]:
    """Read the broken-link findings of a generation and add page title, section and path."""
    facts = generation_facts(gen)
    return [
        {
            **_placed(hit, facts),
            "target": hit["target"],
            "kind": hit["kind"],
            "suggestion": hit.get("suggestion"),
        }
        for hit in gen.meta("links", []) or []
    ]


def drift_findings(gen: Generation) -> list[dict[str, Any]]:
    """Return the glossary drift findings (tooltips at odds with the glossary) with page paths."""
    paths = generation_facts(gen).paths
    return [{**hit, "path": paths.get(hit["url"], "")} for hit in gen.meta("drift", []) or []]


def _filter(
    findings: list[dict[str, Any]], filters: Mapping[str, str], fold: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Keep findings whose fields equal every non-empty filter (case-blind for `fold` fields)."""
    kept = findings
    for name, wanted in filters.items():
        if not wanted:
            continue
        if name in fold:
            kept = [f for f in kept if str(f[name]).casefold() == wanted.casefold()]
        else:
            kept = [f for f in kept if str(f[name]) == wanted]
    return kept


def _cut(
    kept: list[dict[str, Any]], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int, int]:
    """Return one page of findings (all of them when per_page is 0), the page and page count."""
    if per_page <= 0:
        return kept, 1, 1
    shown, pages = paginate(kept, page, per_page)
    return shown, min(max(1, page), pages), pages


def terms_page(
    gen: Generation,
    *,
    term: str = "",
    section: str = "",
    url: str = "",
    lang: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> FindingsPage:
    """Filter the deprecated-term findings, group them by term, and cut one page."""
    every = term_findings(gen)
    wanted = {"term": term, "section": section, "url": url, "lang": lang}
    kept = _filter(every, wanted, fold=("term", "lang"))
    groups: dict[str, dict[str, Any]] = {}
    pages_per_term: dict[str, set[str]] = {}
    for f in kept:
        group = groups.setdefault(
            f["term"], {"term": f["term"], "replacement": f["replacement"], "count": 0, "pages": 0}
        )
        group["count"] += 1
        pages_per_term.setdefault(f["term"], set()).add(f["url"])
    for name, group in groups.items():
        group["pages"] = len(pages_per_term[name])
    grouped = sorted(groups.values(), key=lambda g: (-g["count"], g["term"]))
    shown, page, pages = _cut(kept, page, per_page)
    suppressed = suppressed_counts(gen, term=term, section=section, url=url)
    return FindingsPage(shown, len(every), len(kept), page, pages, grouped, suppressed)


def found_terms(gen: Generation) -> list[str]:
    """Return every deprecated term found on some page, sorted case-blind (the term filter)."""
    return sorted({f["term"] for f in term_findings(gen)}, key=str.casefold)


def links_page(
    gen: Generation,
    *,
    kind: str = "",
    section: str = "",
    url: str = "",
    lang: str = "",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> FindingsPage:
    """Filter the broken-link findings, count them by kind, and cut one page."""
    if kind and kind not in LINK_KINDS:
        raise ReportQueryError(f"unknown kind {kind[:40]!r}; use one of {', '.join(LINK_KINDS)}")
    every = link_findings(gen)
    kept = _filter(
        every, {"kind": kind, "section": section, "url": url, "lang": lang}, fold=("lang",)
    )
    counts = Counter(f["kind"] for f in kept)
    groups = [{"kind": k, "count": counts.get(k, 0)} for k in LINK_KINDS]
    shown, page, pages = _cut(kept, page, per_page)
    return FindingsPage(shown, len(every), len(kept), page, pages, groups)


def findings_to_json(result: FindingsPage, groups_key: str) -> dict[str, Any]:
    """Return a findings report as the JSON data of its API twin, its groups under `groups_key`."""
    data = {
        "total": result.total,
        "matched": result.matched,
        groups_key: result.groups,
        "findings": result.findings,
    }
    if result.suppressed is not None:
        data["suppressed"] = result.suppressed
    return data


def mark_context(context: str, found: str) -> tuple[str, str, str]:
    """Split a finding's context around the occurrence of what was found that the finding is about.

    The check cuts a context CONTEXT_REACH characters either side of the hit, so the hit is the
    last whole-word occurrence starting within the first CONTEXT_REACH characters.
    """
    if not found:
        return context, "", ""
    pattern = re.compile(rf"(?<![\w/.-]){re.escape(found)}(?![\w/-])")
    matches = list(pattern.finditer(context))
    if not matches:
        return context, "", ""
    near = [m for m in matches if m.start() <= CONTEXT_REACH]
    match = near[-1] if near else matches[0]
    return context[: match.start()], match.group(), context[match.end() :]
