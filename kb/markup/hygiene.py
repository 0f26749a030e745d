"""Text hygiene where characters enter kb: a source's decoded bytes, its YAML values, the escapes
of its JavaScript strings and its file names.

Every later stage (python-markdown, nh3, SQLite, Whoosh, the browser) can then take text as it
is. Three kinds of character are dealt with here and nowhere else:

- lone surrogates (U+D800–U+DFFF on their own, e.g. from a `"\\uD83D"` escape) cannot be encoded
  as UTF-8 at all, so nh3 and SQLite raise on them: each becomes U+FFFD;
- non-characters (U+FDD0–U+FDEF and the last two code points of every plane) are reserved for a
  program's private use and never meaningful in a document: each becomes U+FFFD;
- bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) reorder the text that
  follows them up to the end of a paragraph, so one stray control can make code or a URL read
  differently than it is ("Trojan Source"): they are removed. The marks LRM, RLM and ALM have no
  reach beyond themselves and stay, as right-to-left pages use them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REPLACEMENT = "\ufffd"
_SURROGATES = "\ud800-\udfff"
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(1, 17)
)
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_REPLACED = re.compile(f"[{_SURROGATES}{_NONCHARACTERS}]")
_REMOVED = re.compile(f"[{_BIDI_CONTROLS}]")
_ANY = re.compile(f"[{_SURROGATES}{_NONCHARACTERS}{_BIDI_CONTROLS}]")
# The lone surrogates a file name's undecodable bytes become (os.fsdecode's surrogateescape).
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class Cleaned:
    """Text made safe to store and render, and what was changed (empty when nothing was)."""

    text: str
    problems: tuple[str, ...]


def clean_text(text: str) -> Cleaned:
    """Replace lone surrogates and non-characters with U+FFFD and drop bidi controls."""
    if _ANY.search(text) is None:
        return Cleaned(text, ())
    problems = []
    surrogates = sum(1 for c in text if "\ud800" <= c <= "\udfff")
    replaced = len(_REPLACED.findall(text))
    if surrogates:
        problems.append(_count(surrogates, "lone surrogate") + " replaced with U+FFFD")
    if replaced - surrogates:
        problems.append(_count(replaced - surrogates, "non-character") + " replaced with U+FFFD")
    cleaned, removed = _REMOVED.subn("", _REPLACED.sub(REPLACEMENT, text))
    if removed:
        problems.append(_count(removed, "bidi control character") + " removed")
    return Cleaned(cleaned, tuple(problems))


def scrub(text: str) -> str:
    """Return the text cleaned, for places that report nothing (decoded JavaScript escapes)."""
    return clean_text(text).text if _ANY.search(text) else text


def clean_value(value: object) -> object:
    """Clean every string in JSON-like data (YAML frontmatter values and keys)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {scrub(str(k)): clean_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    return value


def name_problem(name: str) -> str | None:
    """Say why a file name cannot become a URL, or None when it can.

    A name that is not valid UTF-8 reaches Python with lone surrogates standing for its bytes;
    one with bidi controls or non-characters would make a URL that reads differently than it is.
    """
    if _ESCAPED_BYTE.search(name):
        return "file name is not valid UTF-8"
    if _ANY.search(name):
        return "file name holds bidi control characters or non-characters"
    return None


def printable_name(name: str) -> str:
    """Show a file name whatever it holds: undecodable bytes as \\xNN, controls escaped."""
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        raw = name.encode("utf-8", "backslashreplace")
    shown = raw.decode("utf-8", "backslashreplace")
    return _ANY.sub(lambda m: f"\\u{ord(m.group(0)):04x}", shown)


def _count(number: int, noun: str) -> str:
    """Say "1 thing" or "3 things"."""
    return f"{number} {noun}" + ("" if number == 1 else "s")
