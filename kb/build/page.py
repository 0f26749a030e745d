"""Turn one source file into a Page: frontmatter, MDX, rendering, title fallback, validation."""

from __future__ import annotations

import contextlib
import hashlib
import re
import signal
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath

from kb.reports.checks import deprecated_hits
from kb.config import Settings
from kb.build.discover import SourceFile
from kb.glossary.reader import looks_like_glossary, parse_glossary_page
from kb.mdx.document import mdx_to_markdown
from kb.pages import Page
from kb.render.markdown import MarkdownRenderer, render_markdown
from kb.build.sources import RejectedSource, decode, read_source
from kb.markup.frontmatter import strip_frontmatter
from kb.reports.validation import read_validation
from kb.urls import INDEX_STEMS

_OPENAPI = re.compile(r"\b(get|post|put|patch|delete|head|options)\s+(/\S*)", re.IGNORECASE)
ROOT_SECTION = "general"
RENDERER = MarkdownRenderer()


@dataclass(frozen=True)
class Rejection:
    """A source that could not be indexed, with the reason."""

    path: str
    reason: str


@dataclass(frozen=True)
class BuiltPage:
    """The outcome of building one source: a page or a rejection, the includes read, glossary terms."""

    url: str
    page: Page | None
    rejection: Rejection | None
    deps: dict[str, str]
    glossary_terms: list[dict[str, object]]
    deprecated: list[dict[str, object]] = field(default_factory=list)


def combined_digest(raw_digest: str, deps: dict[str, str]) -> str:
    """Hash a source's bytes with the digests of the includes it read."""
    lines = [raw_digest, *(f"{k}:{v}" for k, v in sorted(deps.items()))]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def include_digest(site_root: Path, key: str) -> str | None:
    """Return the digest of an include file now, or None when it is gone."""
    loaded = _load_include(site_root, key)
    return None if loaded is None else loaded[0]


@dataclass
class SnippetLoader:
    """Load `.mdx` includes for one page from inside the site root, remembering what was read."""

    site_root: Path
    page_dir: PurePosixPath
    cache: dict[str, tuple[str, str] | None]
    used: dict[str, str] = field(default_factory=dict)

    def __call__(self, import_path: str) -> str | None:
        """Return the body of an included file, or None when it is missing or outside the root."""
        cleaned = import_path.strip()
        rel = (
            PurePosixPath(cleaned.lstrip("/"))
            if cleaned.startswith("/")
            else self.page_dir / cleaned
        )
        key = _normalise(rel)
        if key is None:
            return None
        if key not in self.cache:
            self.cache[key] = _load_include(self.site_root, key)
        loaded = self.cache[key]
        if loaded is None:
            self.used[key] = "missing"
            return None
        digest, body = loaded
        self.used[key] = digest
        return body


def _normalise(rel: PurePosixPath) -> str | None:
    """Collapse `..` segments; None when the path climbs out of the root."""
    parts: list[str] = []
    for part in rel.parts:
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) or None


def _load_include(site_root: Path, key: str) -> tuple[str, str] | None:
    """Read an include file (digest, body) if it exists inside the root."""
    path = site_root / key
    try:
        resolved = path.resolve()
        resolved.relative_to(site_root.resolve())
        raw = resolved.read_bytes()
    except (OSError, ValueError):
        return None
    text, _ = decode(raw)
    return hashlib.sha256(raw).hexdigest(), strip_frontmatter(text)


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
    include_cache: dict[str, tuple[str, str] | None] | None = None,
) -> BuiltPage:
    """Build a Page from a source, or a Rejection with the reason; never raises for bad content."""
    try:
        text = read_source(source.path, settings.max_page_bytes)
    except RejectedSource as exc:
        return BuiltPage(source.url, None, Rejection(source.rel, str(exc)), {}, [])
    loader = SnippetLoader(
        settings.site_root,
        PurePosixPath(source.rel).parent,
        {} if include_cache is None else include_cache,
    )
    try:
        with time_budget(settings.max_parse_seconds):
            document = mdx_to_markdown(
                text.body, renderer=RENDERER, line_offset=text.body_line - 1, load_snippet=loader
            )
            rendered = render_markdown(document.markdown)
    except RecursionError:
        rejection = Rejection(source.rel, "content nested too deeply to parse")
        return BuiltPage(source.url, None, rejection, loader.used, [])
    except ParseTimeout:
        reason = (
            f"took longer than {settings.max_parse_seconds:g} s to parse "
            "(pathologically nested content?)"
        )
        return BuiltPage(source.url, None, Rejection(source.rel, reason), loader.used, [])
    title, title_source = page_title(text.meta, rendered.first_h1, source.rel)
    validation = read_validation(text.meta)
    broken = next((p for p in text.problems if p.startswith("malformed frontmatter")), None)
    if broken is not None:
        # Salvaged keys may be wrong or missing, so the page cannot count as validated.
        validation = replace(validation, problem=f"validation unreadable: {broken}")
    description = text.meta.get("description")
    digest = combined_digest(text.digest, loader.used)
    terms: list[dict[str, object]] = []
    if looks_like_glossary(source.rel, text.body):
        found, problems = parse_glossary_page(source.rel, text.body, text.body_line - 1)
        terms = [asdict(term) for term in found]
        document = replace(document, problems=(*document.problems, *problems))
    page = Page(
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
    hits = deprecated_hits(text.body, text.body_line - 1, settings.deprecated_terms)
    return BuiltPage(source.url, page, None, loader.used, terms, hits)
