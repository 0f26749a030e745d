"""Turn one source file into a Page: frontmatter, MDX, rendering, title, validation, checks.

Bad content never raises here: a page that cannot be read or parsed becomes a Rejection with the
reason, and problems found in a page that is still indexed travel with it. Any other exception
while building one page (a bug a hostile page found) rejects that page alone, naming the
exception, so one page can never take the run down.
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import PurePosixPath

from kb.build.dialect import SiteMarkup
from kb.build.discover import SourceFile
from kb.build.snippets import SnippetLoader, combined_digest
from kb.build.sources import RejectedSource, SourceText, read_source
from kb.config import Settings
from kb.globs import matches_any
from kb.glossary.reader import (
    imported_components,
    looks_like_glossary,
    parse_glossary_component,
    parse_glossary_page,
)
from kb.glossary.terms import Term
from kb.mdx.document import MdxDocument, mdx_to_markdown
from kb.mdx.plain import plain_document, shown_hrefs, with_links
from kb.pages import Page
from kb.render.extensions import ExtensionPlan
from kb.render.markdown import MarkdownRenderer, RenderedPage, render_markdown
from kb.reports.terms import scan_terms
from kb.reports.validation import Validation, read_validation
from kb.urls import INDEX_STEMS

_OPENAPI = re.compile(r"\b(get|post|put|patch|delete|head|options)\s+(/\S*)", re.IGNORECASE)
ROOT_SECTION = "general"
RENDERER = MarkdownRenderer()
IncludeCache = dict[str, tuple[str, str] | None]


@dataclass(frozen=True)
class Rejection:
    """A source that could not be indexed, with the reason."""

    path: str
    reason: str
    traceback: str = ""  # the stack of an unexpected exception, shown with `kb index --debug`


def describe(exc: BaseException) -> str:
    """Name an exception by its class and message, on one line."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def unexpected(path: str, exc: BaseException, doing: str = "building") -> Rejection:
    """Reject a page for an exception no stage expected, keeping the stack for --debug."""
    stack = "".join(traceback.format_exception(exc))
    return Rejection(path, f"failed while {doing}: {describe(exc)}", stack)


@dataclass(frozen=True)
class BuiltPage:
    """The outcome of building one source: a page or a rejection, the includes read, glossary terms."""

    url: str
    page: Page | None
    rejection: Rejection | None
    deps: dict[str, str]
    glossary_terms: list[dict[str, object]]
    deprecated: list[dict[str, object]] = field(default_factory=list)
    deprecated_suppressed: list[dict[str, object]] = field(default_factory=list)


def page_title(meta: dict[str, object], first_h1: str | None, rel: str) -> tuple[str, str]:
    """Pick the title and say where it came from: title, sidebarTitle, h1, openapi or filename."""
    for key in ("title", "sidebarTitle"):
        value = meta.get(key)
        if isinstance(value, str | int | float) and str(value).strip():
            return str(value).strip(), key
    if first_h1:
        return first_h1, "h1"
    openapi = meta.get("openapi")
    if isinstance(openapi, str):
        match = _OPENAPI.search(openapi)
        if match:
            return f"{match.group(1).upper()} {match.group(2)}", "openapi"
    posix = PurePosixPath(rel)
    stem = posix.stem
    if stem.lower() in INDEX_STEMS and posix.parent.name:
        stem = posix.parent.name
    words = re.sub(r"[-_]+", " ", stem).strip()
    return (words[:1].upper() + words[1:]) or rel, "filename"


def section_of(url: str) -> str:
    """Name the section a page belongs to: the first folder of its URL below /docs."""
    parts = url.strip("/").split("/")[1:]
    return parts[0] if len(parts) > 1 else ROOT_SECTION


class ParseTimeout(Exception):
    """A page's parse ran out of its time budget."""


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Interrupt the block with ParseTimeout after some seconds (main thread only, else no limit)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ParseTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def build_page(
    source: SourceFile,
    settings: Settings,
    include_cache: IncludeCache | None = None,
    markup: SiteMarkup | None = None,
) -> BuiltPage:
    """Build a Page from a source, or a Rejection with the reason; never raises for bad content.

    markup says whether the page is MDX or plain Markdown (and its extensions); MDX by default.
    """
    try:
        return _build(source, settings, include_cache, markup)
    except Exception as exc:
        return BuiltPage(source.url, None, unexpected(source.rel, exc), {}, [])


def _build(
    source: SourceFile,
    settings: Settings,
    include_cache: IncludeCache | None,
    markup: SiteMarkup | None,
) -> BuiltPage:
    """Read, convert and assemble one page (build_page contains what this raises)."""
    try:
        text = read_source(source.path, settings.max_page_bytes)
    except RejectedSource as exc:
        return BuiltPage(source.url, None, Rejection(source.rel, str(exc)), {}, [])
    loader = SnippetLoader(
        settings.site_root,
        PurePosixPath(source.rel).parent,
        {} if include_cache is None else include_cache,
    )
    plan = markup.plan_for(source.rel) if markup is not None else None
    converted = _convert(text, loader, settings, plan)
    if isinstance(converted, str):
        return BuiltPage(source.url, None, Rejection(source.rel, converted), loader.used, [])
    document, rendered = converted
    terms, glossary_problems = _glossary_terms(source, text, settings, loader)
    document = replace(document, problems=(*document.problems, *glossary_problems))
    page = _page(source, text, document, rendered, combined_digest(text.digest, loader.used))
    scan = scan_terms(
        text.body,
        text.body_line - 1,
        settings.deprecated_terms,
        head=text.head,
        path=source.rel,
        allow=settings.deprecated_allow,
    )
    return BuiltPage(source.url, page, None, loader.used, terms, scan.hits, scan.suppressed)


def _convert(
    text: SourceText, loader: SnippetLoader, settings: Settings, plan: ExtensionPlan | None
) -> tuple[MdxDocument, RenderedPage] | str:
    """Read the body (MDX, or plain Markdown when there is a plan) and render it, within the
    time budget; a string says why it failed."""
    try:
        with time_budget(settings.max_parse_seconds):
            if plan is not None:
                document = plain_document(text.body, line_offset=text.body_line - 1)
                rendered = render_markdown(document.markdown, plan)
                shown = shown_hrefs(rendered.html)
                return with_links(document, text.body, text.body_line - 1, shown), rendered
            document = mdx_to_markdown(
                text.body, renderer=RENDERER, line_offset=text.body_line - 1, load_snippet=loader
            )
            return document, render_markdown(document.markdown)
    except RecursionError:
        return "content nested too deeply to parse"
    except ParseTimeout:
        return (
            f"took longer than {settings.max_parse_seconds:g} s to parse "
            "(pathologically nested content?)"
        )


def _validation(text: SourceText) -> Validation:
    """Read validatedOn; a page whose frontmatter is malformed cannot count as validated."""
    validation = read_validation(text.meta)
    broken = next((p for p in text.problems if p.startswith("malformed frontmatter")), None)
    if broken is not None:
        # Salvaged keys may be wrong or missing.
        validation = replace(validation, problem=f"validation unreadable: {broken}")
    return validation


def _glossary_terms(
    source: SourceFile, text: SourceText, settings: Settings, loader: SnippetLoader
) -> tuple[list[dict[str, object]], list[str]]:
    """Read the glossary terms a page defines, if it is a glossary page.

    With the glossary_pages setting, the pages it names are the glossary; without it, a page
    named like one or holding a terms={[...]} component is.
    """
    if settings.glossary_pages:
        is_glossary = matches_any(source.rel, settings.glossary_pages)
    else:
        is_glossary = looks_like_glossary(source.rel, text.body)
    if not is_glossary:
        return [], []
    found, problems = parse_glossary_page(source.rel, text.body, text.body_line - 1)
    if not found:
        from_components = _component_terms(text.body, loader)
        if from_components is not None:
            found, problems = from_components
    return [asdict(term) for term in found], problems


def _component_terms(body: str, loader: SnippetLoader) -> tuple[list[Term], list[str]] | None:
    """Read the terms of a glossary the page renders from an imported JSX component, if any.

    `import {GlossaryFR} from "/snippets/Glossary.jsx"` then `<GlossaryFR />`: the terms array
    inside the exported component is read as a literal, never run.
    """
    for name, module in imported_components(body):
        source = loader(module)
        if source is None:
            continue
        found = parse_glossary_component(module.lstrip("/"), source, name)
        if found is not None and found[0]:
            return found
    return None


def _page(
    source: SourceFile,
    text: SourceText,
    document: MdxDocument,
    rendered: RenderedPage,
    digest: str,
) -> Page:
    """Assemble the Page record of a source that was read and rendered."""
    title, title_source = page_title(text.meta, rendered.first_h1, source.rel)
    validation = _validation(text)
    description = text.meta.get("description")
    return Page(
        url=source.url,
        path=source.rel,
        title=title,
        title_source=title_source,
        description=str(description).strip() if description else "",
        section=section_of(source.url),
        validated_on=validation.validated_on.isoformat() if validation.validated_on else None,
        validated_raw=validation.raw,
        validation_problem=validation.problem,
        headings=rendered.headings,
        sections=rendered.sections,
        html=rendered.html,
        text=rendered.text,
        code=rendered.code,
        links=document.links,
        tooltips=document.tooltips,
        problems=(*text.problems, *document.problems),
        meta=text.meta,
        content_hash=digest,
        body_line=text.body_line,
    )
