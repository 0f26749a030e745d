"""View-time post-processing of a page's sanitized HTML: tooltips, links, images, tables, anchors.

The stored HTML was sanitized at index time. Every function here works on that form (nh3 output:
double-quoted attributes), escapes whatever text it inserts, and `process_page_html` runs the
result through an allowlist again, so a mistake in a rewrite can never make content live.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from kb.render.sanitize import ALLOWED_ATTRIBUTES, allowlist_cleaner
from kb.render.tags import classes, parse_attributes, plain_text, start_tag, with_class
from kb.urls import glossary_filter_url, resolve_link, term_from_href, term_url

# An attribute list of a start tag; quoted values may hold ">".
_ATTRS = r"(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)"
_A_OPEN = re.compile(r"<a\b" + _ATTRS + ">", re.IGNORECASE)
_TOOLTIP = re.compile(r"<a\b" + _ATTRS + r">(?P<inner>.*?)</a\s*>", re.IGNORECASE | re.DOTALL)
_IMG = re.compile(r"<img\b" + _ATTRS + r"/?>", re.IGNORECASE)
_HEADING = re.compile(
    r"<(?P<tag>h[2-4])\b" + _ATTRS + r">(?P<inner>.*?)</(?P=tag)\s*>", re.IGNORECASE | re.DOTALL
)
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)
_CLEANER = allowlist_cleaner(
    {
        **{tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        "a": {*ALLOWED_ATTRIBUTES.get("a", set()), "rel"},
        # Ids only on the tooltip spans and table regions this module adds: content lost its own.
        "span": {*ALLOWED_ATTRIBUTES.get("span", set()), "id"},
        "div": {"tabindex"},
    }
)


class GlossaryTerm(Protocol):
    """What a tooltip shows of a glossary term."""

    @property
    def term(self) -> str:
        """The term's name."""
        ...

    @property
    def slug(self) -> str:
        """The term's URL slug."""
        ...

    @property
    def definition(self) -> str:
        """The term's canonical definition."""
        ...


class TermLookup(Protocol):
    """Finds a glossary term by any name a link uses (kb.glossary.terms.Glossary is one)."""

    def lookup(self, name: str) -> GlossaryTerm | None:
        """Return the term a name refers to, or None."""
        ...


@dataclass(frozen=True)
class PageContext:
    """What the rewrites need to know about a page and the generation it belongs to."""

    page_url: str
    page_path: str
    glossary: TermLookup
    known_urls: Collection[str] = frozenset()
    broken: Mapping[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)
    redirects: Mapping[str, str] = field(default_factory=dict)


def glossary_href(glossary: TermLookup, name: str) -> tuple[str, bool]:
    """Return the kb URL for a glossary term name and whether the glossary knows the term."""
    term = glossary.lookup(name) if name.strip() else None
    if term is not None:
        return term_url(term.slug), True
    return glossary_filter_url(name.strip()), False


def rewrite_tooltips(source: str, glossary: TermLookup, id_prefix: str = "kb-tip-") -> str:
    """Give every a.kb-tooltip the glossary's canonical definition as an accessible tooltip."""
    counter = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal counter
        attributes = parse_attributes(match["attrs"])
        if "kb-tooltip" not in classes(attributes):
            return match.group(0)
        counter += 1
        inner = match["inner"]
        name = (
            attributes.get("data-term")
            or term_from_href(attributes.get("href", ""))
            or plain_text(inner)
        )
        tip_id = f"{id_prefix}{counter}"
        term = glossary.lookup(name) if name.strip() else None
        href, _ = glossary_href(glossary, name)
        if term is not None:
            tip = (
                f'<strong class="kb-tip-term">{html.escape(term.term)}</strong> '
                f"{html.escape(term.definition)}"
            )
        else:
            attributes = with_class(attributes, "kb-tooltip-unknown")
            tip = f"“{html.escape(name.strip())}” is not in the glossary."
        link = start_tag(
            "a",
            {
                "class": attributes.get("class"),
                "href": href,
                "data-term": name.strip() or None,
                "aria-describedby": tip_id,
            },
        )
        return (
            f'<span class="kb-term">{link}{inner}</a>'
            f'<span class="kb-tip" role="tooltip" id="{tip_id}">{tip}</span></span>'
        )

    return _TOOLTIP.sub(replace, source)


def _fragment(anchor: str) -> str:
    """Return the URL fragment for an anchor ("" for none), escaped where a URL needs it."""
    return f"#{quote(anchor, safe='-_.~!$&()*+,;=:@/?')}" if anchor else ""


def _link_target(href: str, context: PageContext) -> tuple[str, str | None]:
    """Return the kb href for a content link and, when it leads nowhere, the reason."""
    named = term_from_href(href) if not href.startswith("#") else None
    if named:
        # A link to a page that merely ends in a glossary word (legal/terms#x) stays a page link.
        target, known = glossary_href(context.glossary, named)
        if known or "term=" in urlsplit(href).query:
            return target, None
    resolved = resolve_link(context.page_path, href)
    if resolved is None:
        return href, None
    url, anchor = resolved
    finding = context.broken.get((url, anchor))
    if finding is not None:
        problem = (
            f"Broken link: {url} has no section “#{anchor}”."
            if finding.get("kind") == "missing-anchor"
            else f"Broken link: no page at {url}."
        )
        if finding.get("suggestion"):
            problem += f" Did you mean {finding['suggestion']}?"
        return url + _fragment(anchor), problem
    if url == context.page_url and href.startswith("#"):
        return href, None
    if url not in context.known_urls and url in context.redirects:
        destination = context.redirects[url]
        followed = resolve_link(context.page_path, destination)
        if followed is None:
            return destination, None
        url, anchor = followed[0], anchor or followed[1]
    # Only the index-time check knows every redirect, so only its findings mark a link broken.
    return url + _fragment(anchor), None


def rewrite_links(source: str, context: PageContext) -> str:
    """Point internal links at kb routes and mark the ones that lead nowhere."""

    def replace(match: re.Match[str]) -> str:
        attributes = parse_attributes(match["attrs"])
        href = attributes.get("href")
        names = classes(attributes)
        if not href or "kb-tooltip" in names or "kb-heading-anchor" in names:
            return match.group(0)
        if _EXTERNAL.match(href):
            return match.group(0)
        new_href, problem = _link_target(href, context)
        if problem is None and new_href == href:
            return match.group(0)
        changed: dict[str, str | None] = {**attributes, "href": new_href}
        if problem is not None:
            changed = {**with_class(attributes, "kb-link-broken"), "href": new_href}
            changed["title"] = problem
        return start_tag("a", changed)

    return _A_OPEN.sub(replace, source)


def serves_external_image(src: str) -> bool:
    """Say whether the browser may load an image: only https (or protocol-relative) URLs."""
    return src.lower().startswith(("https://", "//"))


def degrade_images(source: str, can_load: Callable[[str], bool] = serves_external_image) -> str:
    """Replace images kb cannot serve by their alt text, marked so readers see one is missing."""

    def replace(match: re.Match[str]) -> str:
        attributes = parse_attributes(match["attrs"])
        src = attributes.get("src", "").strip()
        if src and can_load(src):
            if src.startswith("//"):
                return start_tag("img", {**attributes, "src": "https:" + src})
            return match.group(0)
        alt = " ".join(attributes.get("alt", "").split())
        label = alt or PurePosixPath(urlsplit(src).path).name or "image"
        title = f"Image not available: {src}" if src else "Image not available"
        return (
            f'<span class="kb-img-missing" title="{html.escape(title)}">{html.escape(label)}</span>'
        )

    return _IMG.sub(replace, source)


def wrap_tables(source: str) -> str:
    """Wrap each table in a keyboard-scrollable region so wide tables never widen the page."""
    opened = re.sub(
        r"<table\b",
        '<div class="kb-table-wrap" role="region" aria-label="Table" tabindex="0"><table',
        source,
        flags=re.IGNORECASE,
    )
    return re.sub(r"</table\s*>", "</table></div>", opened, flags=re.IGNORECASE)


def add_heading_anchors(source: str) -> str:
    """Append a self-link to every h2–h4 that has an id."""

    def replace(match: re.Match[str]) -> str:
        anchor = parse_attributes(match["attrs"]).get("id")
        if not anchor:
            return match.group(0)
        link = start_tag(
            "a",
            {
                "class": "kb-heading-anchor",
                "href": f"#{anchor}",
                "aria-label": f"Link to “{plain_text(match['inner'])}”",
            },
        )
        return f"<{match['tag']}{match['attrs']}>{match['inner']}{link}#</a></{match['tag']}>"

    return _HEADING.sub(replace, source)


def clean(source: str) -> str:
    """Reduce HTML to the page allowlist plus the attributes these rewrites add."""
    return str(_CLEANER.clean(source))


def process_page_html(source: str, context: PageContext) -> str:
    """Apply every view-time rewrite to a page's stored HTML and sanitize the result again."""
    processed = add_heading_anchors(source)
    processed = rewrite_tooltips(processed, context.glossary)
    processed = rewrite_links(processed, context)
    processed = degrade_images(processed)
    processed = wrap_tables(processed)
    return clean(processed)


def drop_title_heading(html: str, title: str) -> str:
    """Remove a leading h1 that repeats the page title (the page header shows it already)."""
    match = re.match(r"\s*<h1\b[^>]*>(.*?)</h1>\s*", html, re.DOTALL)
    if match and " ".join(re.sub(r"<[^>]*>", " ", match[1]).split()) in (title, f"{title} #"):
        return html[match.end() :]
    return html


def broken_by_target(
    findings: Collection[Mapping[str, Any]], page_path: str
) -> dict[tuple[str, str], Mapping[str, Any]]:
    """Key one page's broken-link findings by the (page URL, anchor) their target resolves to."""
    keyed: dict[tuple[str, str], Mapping[str, Any]] = {}
    for finding in findings:
        resolved = resolve_link(page_path, str(finding.get("target", "")))
        if resolved is not None:
            keyed.setdefault(resolved, finding)
    return keyed
