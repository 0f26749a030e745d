"""Every URL rule in one place: a source file's page URL, where a link in a page leads, and the
URLs of kb's own views (pages, glossary terms, their JSON twins).

Flask's `url_for` builds the routes of the app itself; these rules are the ones that tie the
content to its URLs, so the indexer, the checks, the HTML rewrites and the views agree.
"""

from __future__ import annotations

import html
import re
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit

PAGE_SUFFIXES = (".md", ".mdx", ".markdown")
# A folder's index page is served at the folder's URL.
INDEX_STEMS = ("index", "readme")
# A site with a docs/ folder keeps its pages there; files beside it describe the repository.
CONTENT_DIR = "docs"
DOCS_ROOT = "/docs"
# Page stems that hold a glossary, in the languages docs sites commonly ship.
GLOSSARY_STEMS = frozenset(
    {"glossary", "terms", "terminology", "glossaire", "glosario", "glossar", "glossario"}
    | {"glossarium", "woordenlijst", "用語集", "术语表", "용어집"}
)
_NEEDS_PARSING = re.compile(r"[#?%:\\]|/\.")


def url_for_path(rel: str) -> str:
    """Map a source path relative to the site root to its page URL (always under /docs)."""
    stem, dot, suffix = rel.rpartition(".")
    path = stem if dot and "/" not in suffix else rel
    parts = [p for p in path.split("/") if p]
    if parts and parts[-1].lower() in INDEX_STEMS:
        parts.pop()
    if parts and parts[0] == CONTENT_DIR:
        parts.pop(0)
    return "/".join([DOCS_ROOT, *parts]) if parts else DOCS_ROOT


def page_url(path: str) -> str:
    """Return the URL of the page a request path below /docs/ (or /api/pages/) names."""
    path = path.strip("/")
    return f"{DOCS_ROOT}/{path}" if path else DOCS_ROOT


def page_api_url(url: str) -> str:
    """Return the JSON twin of a page URL: /docs/a/b → /api/pages/a/b."""
    return ("/api/pages/" + url.removeprefix(DOCS_ROOT).lstrip("/")).rstrip("/")


def term_url(slug: str, lang: str | None = None, default: str = "en") -> str:
    """Return the URL of a glossary term's page (in a language's glossary other than the default)."""
    url = f"/glossary/{quote(slug)}"
    return f"{url}?lang={quote(lang)}" if lang and lang != default else url


def term_lookup_url(name: str) -> str:
    """Return the URL that finds a glossary term by any of its names (the tooltips' link)."""
    return f"/glossary?term={quote_plus(name)}"


def glossary_filter_url(name: str) -> str:
    """Return the glossary listing filtered by a name (for a term the glossary does not know)."""
    return f"/glossary?q={quote_plus(name)}" if name else "/glossary"


def term_from_href(href: str) -> str | None:
    """Return the term a glossary link names (?term=..., /glossary/<slug>, glossary#term)."""
    parts = urlsplit(html.unescape(href or "").strip())
    segments = [unquote(s) for s in parts.path.split("/") if s]
    stems = [PurePosixPath(s).stem.casefold() for s in segments]
    if not segments or stems[-1] in GLOSSARY_STEMS:
        for key, value in parse_qsl(parts.query):
            if key == "term" and value.strip():
                return value.strip()
        if stems and parts.fragment:
            return unquote(parts.fragment).strip() or None
    if len(stems) >= 2 and stems[-2] in GLOSSARY_STEMS:
        return segments[-1]
    return None


def is_glossary_path(path: str) -> bool:
    """Tell whether a page path or URL names a glossary page (glossary.mdx, docs/glossaire …)."""
    posix = PurePosixPath(path.replace("\\", "/"))
    stem = posix.stem.casefold()
    if stem in INDEX_STEMS and posix.parent.name:
        stem = posix.parent.name.casefold()
    return stem in GLOSSARY_STEMS


def strip_page_suffix(path: str) -> str:
    """Drop a .md/.mdx ending from a link path."""
    return path.rsplit(".", 1)[0] if path.lower().endswith(PAGE_SUFFIXES) else path


def resolve_link(page_path: str, target: str) -> tuple[str, str] | None:
    """Resolve a link in the page at page_path to (page URL, anchor).

    None for external, mail and other links that lead to no page of the site.
    """
    target = target.strip()
    if target.startswith(DOCS_ROOT) and not _NEEDS_PARSING.search(target):
        return url_for_path(strip_page_suffix(target.rstrip("/")).lstrip("/")), ""
    if not target or target.startswith(("mailto:", "tel:", "{", "data:", "javascript:")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    path, anchor = unquote(parts.path), unquote(parts.fragment)
    if not path:
        return url_for_path(page_path), anchor
    if not path.startswith("/"):
        return url_for_path(_join_relative(page_path, path)), anchor
    path = strip_page_suffix(path.rstrip("/") or "/")
    if path.startswith(DOCS_ROOT):
        return url_for_path(path.lstrip("/")), anchor
    return None


def _join_relative(page_path: str, path: str) -> str:
    """Join a relative link path to the folder of the page holding it, `..` never above the root."""
    joined: list[str] = []
    for part in (PurePosixPath(page_path).parent / path).parts:
        if part == "..":
            if joined:
                joined.pop()
        elif part not in (".", ""):
            joined.append(part)
    return "/".join(joined)


def edit_link(template: str | None, path: str) -> str | None:
    """Return the link that edits a page's source: the edit_url setting with {path} filled in."""
    if not template:
        return None
    return template.replace("{path}", quote(path.replace("\\", "/")))
