"""How a site's pages are read: which are MDX, which plain Markdown, and with what extensions.

Decided once per build from the md_dialect setting and the site's mkdocs.yml, and handed to
every page's build (the renderer runs at index time, so nothing served needs any of it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath

from kb.config import Settings
from kb.render.extensions import ExtensionPlan, plan_extensions
from kb.structure.mkdocs import MkDocsConfigError, find_config_file, read_mkdocs_config

MARKDOWN_SUFFIXES = (".md", ".markdown")


@dataclass(frozen=True)
class SiteMarkup:
    """What decides how a page's body is read and rendered, for one build."""

    md_is_markdown: bool = False
    plan: ExtensionPlan = field(default_factory=ExtensionPlan)
    problems: tuple[tuple[str, str], ...] = ()  # (path, reason), reported once per build

    def plan_for(self, rel: str) -> ExtensionPlan | None:
        """Return the extension plan of a plain Markdown page, or None for an MDX page."""
        is_md = PurePosixPath(rel).suffix.lower() in MARKDOWN_SUFFIXES
        return self.plan if is_md and self.md_is_markdown else None

    def fingerprint(self) -> str:
        """Return text that changes whenever pages would be read or rendered differently."""
        return f"md={'markdown' if self.md_is_markdown else 'mdx'} {self.plan.fingerprint()}"


def site_markup(settings: Settings) -> SiteMarkup:
    """Decide how this site's pages are read; a broken mkdocs.yml is reported, never fatal."""
    config_file = find_config_file(settings.site_root)
    is_mkdocs = config_file is not None
    if settings.md_dialect != "auto":
        md_is_markdown = settings.md_dialect == "markdown"
    else:
        md_is_markdown = is_mkdocs
    if not md_is_markdown or config_file is None:
        return SiteMarkup(md_is_markdown)
    label = config_file.name
    try:
        config = read_mkdocs_config(settings.site_root)
    except MkDocsConfigError as exc:
        reason = str(exc).removeprefix(f"{config_file}: ")
        return SiteMarkup(
            True, problems=((label, f"{reason}; its markdown_extensions not applied"),)
        )
    plan = plan_extensions(config.markdown_extensions if config else [])
    return SiteMarkup(True, plan, tuple((label, problem) for problem in plan.problems))
