"""Read a site's structure at index time: its nav and redirects from whichever config it has.

Mintlify (`docs.json`, `mint.json`) first, then MkDocs (`mkdocs.yml`), then the folder tree. The
result is plain JSON stored in the generation; the served side never reads the site's files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.structure.folders import folder_nav, nav_title
from kb.structure.jsonref import RefReader
from kb.structure.mintlify import page_source, read_navigation
from kb.structure.mkdocs import CONFIG_NAMES, MkDocsConfig, find_config_file, read_mkdocs_config
from kb.structure.mkdocs_nav import read_mkdocs_nav
from kb.structure.redirects import RedirectLoop, Redirects, is_external, is_pattern, normalize
from kb.urls import url_for_path

MINTLIFY_FILES = ("docs.json", "mint.json")
# Redirect lists some sites keep beside their config (read when docs.json does not name them).
REDIRECT_FILES = ("config/redirects.json", "redirects.json")


@dataclass
class SiteStructure:
    """A site's nav, redirect rules and the problems found reading them."""

    nav: dict[str, Any]
    rules: list[dict[str, Any]]
    problems: list[str] = field(default_factory=list)
    redirect_problems: list[dict[str, str]] = field(default_factory=list)
    # The site's files the structure was read from (and the config names looked for), relative
    # to the site root; None when not every one is known (an mkdocs.yml may INHERIT others).
    files: list[str] | None = None


class _Pages:
    """The pages of a generation by URL, and the nav entries that name no page."""

    def __init__(self, rows: Iterable[Mapping[str, Any]]) -> None:
        self.titles = {str(r["url"]): nav_title(str(r["title"]), r.get("meta")) for r in rows}
        self.missing: list[dict[str, str]] = []

    def resolver(self, to_url: Any) -> Any:
        """Return a resolve(ref, where) for readers, mapping refs with to_url."""

        def resolve(ref: str, where: str) -> tuple[str, str] | None:
            if ref.startswith(("http://", "https://")):
                return None
            url = to_url(ref)
            if url in self.titles:
                return url, self.titles[url]
            self.missing.append({"source": where, "entry": ref, "url": url})
            return None

        return resolve


def read_site_structure(
    site_root: Path, rows: Iterable[Mapping[str, Any]], table: Mapping[str, str] | None = None
) -> SiteStructure:
    """Read the nav and redirects of a site whose pages are rows (url, path, title, meta).

    table is the `redirects` setting (kb.toml): source URL → destination URL.
    """
    rows = list(rows)
    pages = _Pages(rows)
    reader = RefReader(site_root)
    problems: list[str] = []
    config_name, config = _mintlify(site_root, reader)
    mkdocs = None
    try:
        mkdocs = read_mkdocs_config(site_root) if config is None else None
    except ValueError as exc:
        problems.append(str(exc))
    navs: list[dict[str, Any]] = []
    source = "folders"
    if config is not None and config.get("navigation") is not None:
        navs = read_navigation(config["navigation"], pages.resolver(page_source), config_name)
        source = "mintlify"
    elif mkdocs is not None and mkdocs.nav:
        resolve = pages.resolver(lambda ref: url_for_path(ref.strip().lstrip("/")))
        title = mkdocs.site_name or "Docs"
        navs = [read_mkdocs_nav(mkdocs.nav, resolve, mkdocs.path.name, title)]
        source = "mkdocs"
    if not navs:
        site = (config or {}).get("name") or (mkdocs.site_name if mkdocs else None) or "Docs"
        navs, source = [folder_nav(rows, str(site))], "folders"
    rules = _rules(site_root, reader, config, mkdocs, table or {})
    problems += reader.problems
    nav = {"source": source, "navs": navs, "missing": pages.missing}
    files = None
    if find_config_file(site_root) is None:
        files = sorted({*MINTLIFY_FILES, *REDIRECT_FILES, *CONFIG_NAMES, *reader.read_files()})
    checked = redirect_problems(rules, set(pages.titles))
    return SiteStructure(nav, rules, problems, checked, files)


def _mintlify(site_root: Path, reader: RefReader) -> tuple[str, dict[str, Any] | None]:
    """Return the Mintlify config file's name and content (references resolved), if any."""
    for name in MINTLIFY_FILES:
        path = site_root / name
        if path.is_file():
            data = reader.load(path)
            return name, data if isinstance(data, dict) else None
    return "", None


def _rules(
    site_root: Path,
    reader: RefReader,
    config: Mapping[str, Any] | None,
    mkdocs: MkDocsConfig | None,
    table: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Gather redirect rules: kb.toml's table first, then the site config's, then side files."""
    rules = [_rule(s, d, True) for s, d in table.items()]
    listed = (config or {}).get("redirects")
    if not isinstance(listed, list):
        for name in REDIRECT_FILES:
            if (site_root / name).is_file():
                listed = reader.load(site_root / name)
                break
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, dict) and "source" in item and "destination" in item:
            rules.append(_rule(item["source"], item["destination"], item.get("permanent", True)))
    if mkdocs is not None:
        for old, new in mkdocs.redirect_maps.items():
            dest = new if is_external(new) else url_for_path(new)
            rules.append(_rule(url_for_path(old), dest, True))
    return [r for r in rules if r["source"] and r["destination"]]


def _rule(source: Any, destination: Any, permanent: Any) -> dict[str, Any]:
    """Return one rule with its paths normalized (a relative destination made absolute)."""
    dest = str(destination).strip()
    if dest and not is_external(dest) and not dest.startswith("/"):
        dest = "/" + dest
    return {
        "source": normalize(str(source)),
        "destination": dest,
        "permanent": permanent is not False,
    }


def redirect_problems(rules: list[dict[str, Any]], pages: set[str]) -> list[dict[str, str]]:
    """Report rules that never apply (their source is a page), loop, or lead to no page."""
    redirects = Redirects(rules)
    problems = []
    for rule in rules:
        source, dest = rule["source"], rule["destination"]
        if is_pattern(source):
            continue
        if source in pages:
            problems.append({"kind": "shadowed", "source": source, "destination": dest})
            continue
        try:
            hop = redirects.follow(source, pages.__contains__)
        except RedirectLoop as exc:
            problems.append(
                {"kind": "loop", "source": source, "destination": dest, "chain": str(exc)}
            )
            continue
        end = normalize(hop.target.split("#", 1)[0].split("?", 1)[0]) if hop else ""
        if hop is not None and not is_external(hop.target) and end not in pages:
            problems.append({"kind": "no-page", "source": source, "destination": hop.target})
    return problems
