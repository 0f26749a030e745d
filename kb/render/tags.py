"""Start tags of sanitized HTML, read and written: attributes unescaped in, escaped out."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_ANY_TAG = re.compile(r"<[^>]*>")


def parse_attributes(text: str) -> dict[str, str]:
    """Read a start tag's attributes into a dict of unescaped values (first one wins)."""
    found: dict[str, str] = {}
    for match in _ATTR.finditer(text):
        name = match.group(1).lower()
        value = next((g for g in match.groups()[1:] if g is not None), "")
        found.setdefault(name, html.unescape(value))
    return found


def start_tag(name: str, attributes: Mapping[str, str | None]) -> str:
    """Write a start tag with every value escaped (None drops the attribute)."""
    parts = [
        f' {key}="{html.escape(value, quote=True)}"'
        for key, value in attributes.items()
        if value is not None
    ]
    return f"<{name}{''.join(parts)}>"


def classes(attributes: Mapping[str, str]) -> list[str]:
    """Return the class names of a tag."""
    return attributes.get("class", "").split()


def with_class(attributes: Mapping[str, str], extra: str) -> dict[str, str]:
    """Return the attributes with one more class name."""
    names = classes(attributes)
    return {**attributes, "class": " ".join([*names, extra] if extra not in names else names)}


def plain_text(fragment: str) -> str:
    """Return the text of an HTML fragment with tags dropped and whitespace collapsed."""
    return " ".join(html.unescape(_ANY_TAG.sub(" ", fragment)).split())
