"""The Markdown extensions a site asks for (MkDocs `markdown_extensions`) and what kb does with each.

An extension is *honoured* when Python-Markdown or pymdown-extensions provides it and its output
can be shown safely (kb restyles it as its own components, kb/render/restyle.py); *covered* when
kb already does its job its own way (code fences, heading anchors, frontmatter); anything else is
left out. Every extension left out, and every config value that would run code, is reported once
per build with the reason; none of it is ever fatal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from markdown import Markdown

# Honoured: loaded with the site's config (what they print is restyled or passes the sanitizer).
HONOURED = frozenset(
    {
        "abbr",
        "admonition",
        "attr_list",
        "def_list",
        "footnotes",
        "md_in_html",
        "tables",
        "sane_lists",
        "smarty",
        "nl2br",
        "legacy_em",
        "pymdownx.details",
        "pymdownx.tabbed",
        "pymdownx.betterem",
        "pymdownx.caret",
        "pymdownx.mark",
        "pymdownx.tilde",
        "pymdownx.keys",
        "pymdownx.smartsymbols",
        "pymdownx.tasklist",
        "pymdownx.saneheaders",
        "pymdownx.magiclink",
        "pymdownx.blocks.admonition",
        "pymdownx.blocks.details",
        "pymdownx.blocks.tab",
        "pymdownx.blocks.definition",
    }
)
# Covered: kb does the same job for every page, so the site's extension is not loaded.
COVERED = {
    "fenced_code": "code fences are kb's own (highlighted, titled, copyable)",
    "codehilite": "code fences are kb's own (highlighted, titled, copyable)",
    "pymdownx.highlight": "code fences are kb's own (highlighted, titled, copyable)",
    "pymdownx.superfences": "code fences are kb's own, at any depth (custom fences are shown as code)",
    "toc": "kb gives every heading its own anchor and builds the page outline",
    "meta": "kb reads the page's YAML frontmatter",
    "extra": "kb loads its parts one by one (abbr, attr_list, def_list, footnotes, md_in_html, tables)",
}
# Left out on purpose, with the reason a reader of the build report needs.
REFUSED = {
    "pymdownx.snippets": "it reads other files into a page, which kb cannot track for rebuilds",
    "pymdownx.emoji": "its emoji index is Python code named in the config (or images from a CDN), "
    "which kb does not load",
    "pymdownx.arithmatex": "math needs a script in the browser, which kb's pages do not load",
    "pymdownx.inlinehilite": "inline code is shown as written, not highlighted",
}
_BUILTIN_PREFIX = "markdown.extensions."
# "extra" in a MkDocs config means these, each honoured one by one.
_EXTRA_PARTS = ("abbr", "attr_list", "def_list", "footnotes", "md_in_html", "tables")
_FORCED: dict[str, dict[str, Any]] = {
    # kb's sanitizer allows ids only on headings and on footnotes and their references.
    "footnotes": {"SEPARATOR": ":"},
    # Its custom checkbox is CSS around an <input>; kb shows a plain mark instead.
    "pymdownx.tasklist": {"custom_checkbox": False},
}
Extension = tuple[str, str]  # (name, config as sorted JSON): hashable and picklable


@dataclass(frozen=True)
class ExtensionPlan:
    """The extensions the renderer loads, and why the others asked for are not loaded."""

    extensions: tuple[Extension, ...] = ()
    problems: tuple[str, ...] = ()

    def names(self) -> list[str]:
        """Return the extension names in the order they load."""
        return [name for name, _ in self.extensions]

    def configs(self) -> dict[str, dict[str, Any]]:
        """Return each extension's config as Python-Markdown takes it."""
        return {name: json.loads(config) for name, config in self.extensions}

    def fingerprint(self) -> str:
        """Return text that changes whenever the rendering the plan asks for changes."""
        return json.dumps(self.extensions)


def canonical_name(name: str) -> str:
    """Return an extension's short name: `markdown.extensions.toc` → `toc`."""
    name = name.strip()
    return name[len(_BUILTIN_PREFIX) :] if name.startswith(_BUILTIN_PREFIX) else name


def plan_extensions(requested: Iterable[tuple[str, Mapping[str, Any]]]) -> ExtensionPlan:
    """Decide, once per build, which of a site's extensions to load and with what config."""
    chosen: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for raw_name, config in requested:
        name = canonical_name(raw_name)
        if name in COVERED:
            if name == "extra":
                for part in _EXTRA_PARTS:
                    chosen.setdefault(part, {})
            continue
        if name not in HONOURED:
            reason = REFUSED.get(
                name,
                "kb does not know it (only Python-Markdown's and "
                "pymdown-extensions' own extensions are honoured)",
            )
            problems.append(f"markdown extension {raw_name} not applied: {reason}")
            continue
        chosen[name] = _safe_config(raw_name, config, problems)
    extensions = tuple(_checked(name, config, problems) for name, config in chosen.items())
    return ExtensionPlan(tuple(e for e in extensions if e is not None), tuple(problems))


def _safe_config(raw_name: str, config: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    """Return the config without values that name code (tagged YAML), reporting each one."""
    kept: dict[str, Any] = {}
    for key, value in config.items():
        tag = _tagged(value)
        if tag is not None:
            problems.append(
                f"markdown extension {raw_name}: option {key} ignored: it names code "
                f"({tag}), which kb does not run"
            )
            continue
        kept[str(key)] = value
    return {**kept, **_FORCED.get(canonical_name(raw_name), {})}


def _tagged(value: Any) -> str | None:
    """Return how a tagged YAML value inside value is written, or None when there is none."""
    describe = getattr(value, "describe", None)
    if callable(describe):
        return str(describe())
    items = value.values() if isinstance(value, Mapping) else value
    if isinstance(items, list | tuple) or isinstance(value, Mapping):
        for item in items:
            found = _tagged(item)
            if found is not None:
                return found
    return None


def _checked(name: str, config: dict[str, Any], problems: list[str]) -> Extension | None:
    """Load the extension once with its config; fall back to no config, then to leaving it out."""
    for attempt in (config, _FORCED.get(name, {})):
        try:
            text = json.dumps(attempt, sort_keys=True)
            Markdown(extensions=[name], extension_configs={name: attempt})
        except Exception as exc:  # an extension's own check of its options: report, never fail
            own = sorted(set(config) - set(_FORCED.get(name, {})))
            if attempt is config and own:
                problems.append(
                    f"markdown extension {name}: options {own} not usable "
                    f"({type(exc).__name__}: {exc}); applied without them"
                )
            continue
        return name, text
    problems.append(f"markdown extension {name} not applied: it could not be loaded")
    return None
