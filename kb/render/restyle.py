"""What Python-Markdown's extensions print, restyled as the components kb renders for MDX.

A MkDocs page and an MDX page should look alike: `!!! tip` becomes the callout `<Tip>` does,
`??? note` the disclosure `<Accordion>` does, `=== "Tab"` sets the tabs `<Tabs>` do, and an
indented code block the code block a fence makes. Their markup (radio inputs, labels) would not
pass the sanitizer anyway; this rewrites it before it gets there.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Markdown
from markdown.postprocessors import Postprocessor
from markdown.treeprocessors import Treeprocessor

from kb.markup.fences import FenceInfo
from kb.render.code import code_block_html

# MkDocs admonition types (Material's list and aliases) → kb callout kinds.
ADMONITION_KINDS = {
    "note": "note",
    "abstract": "info",
    "summary": "info",
    "tldr": "info",
    "info": "info",
    "todo": "info",
    "question": "info",
    "help": "info",
    "faq": "info",
    "tip": "tip",
    "hint": "tip",
    "important": "tip",
    "success": "check",
    "check": "check",
    "done": "check",
    "warning": "warning",
    "caution": "warning",
    "attention": "warning",
    "failure": "danger",
    "fail": "danger",
    "missing": "danger",
    "danger": "danger",
    "error": "danger",
    "bug": "danger",
    "example": "note",
    "quote": "note",
    "cite": "note",
}
_TASK_BOX = re.compile(r"<input\b[^>]*\btype=\"checkbox\"[^>]*>")
_NO_PLAIN_CODE = FenceInfo(language="", title="")


def callout_kind(classes: list[str]) -> str:
    """Return the kb callout kind of an admonition's classes (note when none is known)."""
    return next((ADMONITION_KINDS[c] for c in classes if c in ADMONITION_KINDS), "note")


class RestyleTreeprocessor(Treeprocessor):
    """Rewrite admonitions, details, tabbed sets and indented code into kb's component markup."""

    def run(self, root: etree.Element) -> None:
        """Restyle every element the extensions made, innermost last (parents first)."""
        for element in list(root.iter()):
            classes = _classes(element)
            if element.tag == "div" and "admonition" in classes:
                _callout(element, classes)
            elif element.tag == "details":
                _details(element, classes)
            elif element.tag == "div" and "tabbed-set" in classes:
                _tabs(element)
            elif element.tag == "pre" and _is_plain_code(element):
                self._code(element)

    def _code(self, element: etree.Element) -> None:
        """Turn an indented code block into kb's code block (kept whole in the HTML stash)."""
        # Markdown escaped the code already; kb's code block escapes it (once) itself.
        code = (element[0].text or "").replace("&lt;", "<").replace("&gt;", ">")
        code = code.replace("&amp;", "&")
        html = code_block_html(code, _NO_PLAIN_CODE)
        tail = element.tail
        element.clear()
        element.tag, element.text, element.tail = "p", self.md.htmlStash.store(html), tail


def _is_plain_code(element: etree.Element) -> bool:
    """Tell whether a <pre> is Markdown's own indented code block (<pre><code>text</code>)."""
    return len(element) == 1 and element[0].tag == "code" and not element.attrib


def _callout(element: etree.Element, classes: list[str]) -> None:
    """<div class="admonition tip"> → kb's callout, its title kept (an empty title dropped)."""
    kind = callout_kind(classes)
    element.attrib.clear()
    element.set("class", f"kb-callout kb-callout-{kind}")
    element.set("role", "note")
    element.set("aria-label", kind.capitalize())
    if len(element) and element[0].tag == "p" and element[0].get("class") == "admonition-title":
        element[0].set("class", "kb-callout-title")


def _details(element: etree.Element, classes: list[str]) -> None:
    """<details class="note"> (??? / ???+) → kb's accordion, open when it was.

    The kb-callout-KIND class carries only the kind's colours (no callout layout), so a
    collapsible warning is edged in the warning colour.
    """
    kind = callout_kind(classes)
    opened = element.get("open") is not None
    element.attrib.clear()
    element.set("class", f"kb-accordion kb-callout-{kind}")
    if opened:
        element.set("open", "open")


def _classes(element: etree.Element) -> list[str]:
    """Return an element's classes."""
    return (element.get("class") or "").split()


def _tab_parts(element: etree.Element) -> tuple[list[etree.Element], list[etree.Element]]:
    """Return a tabbed set's own labels and bodies (not those of a set nested in a tab).

    Classic style alternates label, div.tabbed-content; the alternate style groups the labels
    in div.tabbed-labels and the bodies as div.tabbed-block in one div.tabbed-content.
    """
    labels: list[etree.Element] = []
    bodies: list[etree.Element] = []
    for child in element:
        classes = _classes(child)
        if child.tag == "label":
            labels.append(child)
        elif "tabbed-labels" in classes:
            labels.extend(label for label in child if label.tag == "label")
        elif "tabbed-content" in classes:
            blocks = [block for block in child if "tabbed-block" in _classes(block)]
            bodies.extend(blocks or [child])
    return labels, bodies


def _tabs(element: etree.Element) -> None:
    """A tabbed set (classic or alternate style) → kb's tabs, one titled panel per tab."""
    labels, bodies = _tab_parts(element)
    tail = element.tail
    element.clear()
    element.set("class", "kb-tabs")
    element.text, element.tail = "\n", tail
    for label, body in zip(labels, bodies, strict=False):
        panel = etree.SubElement(element, "section", {"class": "kb-tab-panel"})
        title = etree.SubElement(
            panel, "p", {"class": "kb-tab-title", "role": "heading", "aria-level": "4"}
        )
        title.text = label.text
        title.extend(list(label))
        title.tail = "\n"
        panel.extend(list(body))
        if body.text and body.text.strip():
            title.tail = body.text


class TaskListPostprocessor(Postprocessor):
    """A task list's checkbox (an <input> the sanitizer drops) → a visible, labelled mark."""

    def run(self, text: str) -> str:
        """Return the HTML with each checkbox swapped for ☑ or ☐."""
        if "<input" not in text:
            return text
        return _TASK_BOX.sub(_task_mark, text)


def _task_mark(match: re.Match[str]) -> str:
    """Return the mark of one checkbox."""
    if re.search(r"\bchecked\b", match.group(0)):
        return '<span class="kb-task kb-task-done" role="img" aria-label="done">☑</span>'
    return '<span class="kb-task" role="img" aria-label="to do">☐</span>'


def install(converter: Markdown) -> None:
    """Register the restyling on a converter (after every extension has done its work)."""
    converter.treeprocessors.register(RestyleTreeprocessor(converter), "kb_restyle", 4)
    converter.postprocessors.register(TaskListPostprocessor(converter), "kb_tasks", 5)
