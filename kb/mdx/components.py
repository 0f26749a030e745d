"""MDX components as plain, readable HTML (no JavaScript needed to see any of their content)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kb.urls import term_lookup_url

# Callout components and the kind (CSS modifier and accessible label) each one gets.
CALLOUTS = {
    "info": "info",
    "note": "note",
    "tip": "tip",
    "check": "check",
    "success": "check",
    "warning": "warning",
    "caution": "warning",
    "danger": "danger",
    "error": "danger",
    "important": "warning",
    "callout": "note",
}
_CALLOUT_ICONS = {"triangle-exclamation": "warning", "lightbulb": "tip", "circle-check": "check"}
CODE_GROUPS = frozenset({"codegroup", "authcodegroup", "requestexample", "responseexample"})
CONTAINERS = {
    "tabs": "kb-tabs",
    "cardgroup": "kb-card-group",
    "columns": "kb-columns",
    "column": "kb-column",
    "accordiongroup": "kb-accordion-group",
}
KNOWN = frozenset(
    {*CALLOUTS, *CONTAINERS, "tab", "steps", "step", "accordion", "expandable", "card", "frame"}
    | {"paramfield", "responsefield", "tooltip"}
)
FIELD_NAME_ATTRS = ("body", "query", "path", "header", "param", "cookie", "name", "field")
_P_WRAPPED = re.compile(r"<p>((?:(?!<p[\s>]).)*)</p>", re.S)


@dataclass(frozen=True)
class View:
    """What a component renderer may read: attributes, the children's HTML, the parent."""

    name: str
    text: Callable[[str], str | None]
    html: Callable[[str], str | None]
    value: Callable[[str], Any]
    body: str
    parent_text: Callable[[str], str | None]

    def flag(self, attr: str) -> bool:
        """Tell whether a boolean attribute is set (present and not false)."""
        value = self.value(attr)
        return value is not None and value is not False and value != "false"


def escape(text: str) -> str:
    """Escape text for an HTML text node or double-quoted attribute."""
    return html.escape(text, quote=True)


def unwrap_paragraph(fragment: str) -> str:
    """Return a lone <p>…</p> fragment without its paragraph tags (phrasing content)."""
    stripped = fragment.strip()
    match = _P_WRAPPED.fullmatch(stripped)
    return match.group(1) if match else stripped


def tooltip_term(href: str, tip: str, text: str) -> str:
    """Return a tooltip's glossary term: its link's ?term=, else the tip's prefix, else its text."""
    if href:
        terms = parse_qs(urlsplit(href).query).get("term")
        if terms and terms[0].strip():
            return " ".join(terms[0].split())
    if ":" in tip:
        prefix = tip.split(":", 1)[0].strip()
        if prefix and len(prefix) <= 80:
            return prefix
    return " ".join(text.split())


def tooltip_open_tag(term: str) -> str:
    """Return the opening <a> of a tooltip linking to the term's glossary entry."""
    return (
        f'<a class="kb-tooltip" href="{escape(term_lookup_url(term))}" data-term="{escape(term)}">'
    )


def _callout(view: View, kind: str) -> str:
    """Render an admonition with an optional visible title."""
    if view.name.lower() == "callout":
        kind = _CALLOUT_ICONS.get(view.text("icon") or "", kind)
    title = view.html("title")
    heading = f'<p class="kb-callout-title">{title}</p>' if title else ""
    label = escape(kind.capitalize())
    return (
        f'<div class="kb-callout kb-callout-{kind}" role="note" aria-label="{label}">'
        f"{heading}{view.body}</div>"
    )


def _titled(view: View, css: str, tag: str = "p") -> str:
    """Return the title element of a panel, step or card ("" when untitled)."""
    title = view.html("title")
    if not title:
        return ""
    if tag == "p":
        return f'<p class="{css}" role="heading" aria-level="4">{title}</p>'
    return f'<{tag} class="{css}">{title}</{tag}>'


def _step(view: View) -> str:
    """Render one step; titleSize="h2"/"h3" on <Steps> makes step titles real headings."""
    size = (view.parent_text("titleSize") or "").lower()
    tag = size if size in ("h2", "h3", "h4") else "p"
    title = _titled(view, "kb-step-title", tag)
    return f'<li class="kb-step">{title}<div class="kb-step-body">{view.body}</div></li>'


def _details(view: View, css: str, default_title: str) -> str:
    """Render an accordion or expandable as a native <details> element."""
    opened = " open" if view.flag("defaultOpen") else ""
    title = view.html("title") or escape(default_title)
    return f'<details class="{css}"{opened}><summary>{title}</summary>{view.body}</details>'


def _card(view: View) -> str:
    """Render a link card: the whole card links when it holds no link of its own."""
    title = view.html("title") or ""
    href = view.text("href")
    body = f'<div class="kb-card-text">{view.body}</div>' if view.body.strip() else ""
    if href and "<a " not in body and "<a " not in title:
        return (
            f'<div class="kb-card-wrap"><a class="kb-card" href="{escape(href)}">'
            f'<span class="kb-card-title">{title}</span>{body}</a></div>'
        )
    if href:
        title = f'<a href="{escape(href)}">{title}</a>'
    head = f'<p class="kb-card-title">{title}</p>' if title else ""
    return f'<div class="kb-card">{head}{body}</div>'


def _frame(view: View) -> str:
    """Render a framed image or block as a figure with its caption."""
    caption = view.html("caption")
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure class="kb-frame">{view.body}{figcaption}</figure>'


def _field(view: View) -> str:
    """Render a ParamField/ResponseField as a definition row: name, type, flags, description."""
    name_html, location = "", ""
    for attr in FIELD_NAME_ATTRS:
        found = view.html(attr)
        if found:
            name_html = found
            location = attr if attr in ("query", "path", "header", "cookie") else ""
            break
    parts = [f'<code class="kb-field-name">{name_html}</code>'] if name_html else []
    if location:
        parts.append(f'<span class="kb-field-in">{escape(location)}</span>')
    type_html = view.html("type")
    if type_html:
        parts.append(f'<span class="kb-field-type">{type_html}</span>')
    if view.flag("required"):
        parts.append('<span class="kb-field-required">required</span>')
    if view.flag("deprecated"):
        parts.append('<span class="kb-field-deprecated">deprecated</span>')
    labels = view.value("post")
    if isinstance(labels, list):
        parts.extend(
            f'<span class="kb-field-label">{escape(str(label))}</span>'
            for label in labels
            if isinstance(label, str | int | float)
        )
    default = view.html("default")
    if default:
        parts.append(f'<span class="kb-field-default">default: <code>{default}</code></span>')
    kind = "kb-response-field" if view.name.lower() == "responsefield" else "kb-param-field"
    return f'<dl class="kb-field {kind}"><dt>{" ".join(parts)}</dt><dd>{view.body}</dd></dl>'


def render_component(view: View) -> str | None:
    """Return the HTML of a known component, or None when the name is not one we map."""
    key = view.name.lower()
    if key in CALLOUTS:
        return _callout(view, CALLOUTS[key])
    if key in CONTAINERS:
        return f'<div class="{CONTAINERS[key]}">{view.body}</div>' if view.body.strip() else ""
    if key == "tab":
        return f'<section class="kb-tab-panel">{_titled(view, "kb-tab-title")}{view.body}</section>'
    if key == "steps":
        return f'<ol class="kb-steps">{view.body}</ol>'
    if key == "step":
        return _step(view)
    if key == "accordion":
        return _details(view, "kb-accordion", "Details")
    if key == "expandable":
        return _details(view, "kb-expandable", "Properties")
    if key == "card":
        return _card(view)
    if key == "frame":
        return _frame(view)
    if key in ("paramfield", "responsefield"):
        return _field(view)
    return None


def unknown_component(view: View) -> str:
    """Render a component we cannot run: its title (if any) and children, in a marked <div>."""
    title = view.html("title")
    heading = f'<p class="kb-component-title">{title}</p>' if title else ""
    return (
        f'<div class="kb-component" data-component="{escape(view.name)}">{heading}{view.body}</div>'
    )


def code_group_open() -> str:
    """Return the opening tag of a group of labelled code panels."""
    return '<div class="kb-tabs kb-code-group">'


def code_panel(title: str, code_html: str) -> str:
    """Return one labelled code panel of a code group."""
    label = f'<p class="kb-tab-title" role="heading" aria-level="4">{escape(title)}</p>'
    return f'<section class="kb-tab-panel">{label}{code_html}</section>'
