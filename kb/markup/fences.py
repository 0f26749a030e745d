"""Fenced code blocks: where one opens and closes, and what its info string says.

The rule is CommonMark's, at any indentation (MDX indents fences inside components): a fence is
three or more backticks or tildes; a backtick fence's info string holds no backtick; it closes at
a line of the same character, at least as long, with nothing else on it; an unclosed fence runs to
the end of the text.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# Flags of the Mintlify/Docusaurus info-string dialect that are not part of a title.
_FLAG_WORDS = frozenset(
    {"lines", "wrap", "expandable", "twoslash", "showlinenumbers", "nocopy", "copy", "live"}
)
_TITLE_KEYS = ("title", "filename", "file", "name")
_OPTION_KEY = re.compile(r"[A-Za-z_][\w-]*")
# A flag with a braced value, like rehype-pretty-code's showLineNumbers{10}, or a language with
# its highlights attached, like gatsby's js{1,3}.
_BRACED_SUFFIX = re.compile(r"^(?P<word>[\w+#.-]*)(?P<braces>\{[^{}]*\})$")
_BRACES = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class FenceInfo:
    """What a fence's info string says: language, visible title and highlighting options."""

    language: str
    title: str
    options: tuple[tuple[str, str], ...] = ()


def opening_fence(line: str) -> re.Match[str] | None:
    """Return the match of a line that opens a fence (indent, fence, info), or None."""
    if "`" not in line and "~" not in line:
        return None
    match = FENCE_OPEN.match(line)
    if match is None or (match["fence"][0] == "`" and "`" in match["info"]):
        return None
    return match


def fence_end(lines: list[str], start: int, fence: str) -> int:
    """Return the index of the line closing the fence opened at start (len(lines) if none)."""
    closing = re.compile(r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
    for index in range(start + 1, len(lines)):
        if closing.match(lines[index]):
            return index
    return len(lines)


def fence_ranges(lines: list[str]) -> list[tuple[int, int]]:
    """Return (opening, closing) line indexes of the fenced blocks; an unclosed one ends the text."""
    ranges, index = [], 0
    while index < len(lines):
        match = opening_fence(lines[index])
        if match:
            end = min(fence_end(lines, index, match["fence"]), len(lines) - 1)
            ranges.append((index, end))
            index = end + 1
        else:
            index += 1
    return ranges


def fenced_lines(lines: list[str]) -> set[int]:
    """Return the indexes of every line that belongs to a fenced block, fences included."""
    return {number for start, end in fence_ranges(lines) for number in range(start, end + 1)}


def parse_fence_info(info: str) -> FenceInfo:
    """Split an info string like 'js index.js {1,3} lines' into language, title and options."""
    # "{1, 3-5}" is one range list, however it is spaced.
    info = _BRACES.sub(lambda m: re.sub(r"\s+", "", m[0]), info.strip())
    try:
        tokens = shlex.split(info, posix=True)
    except ValueError:
        tokens = info.split()
    language = ""
    title_words: list[str] = []
    options: list[tuple[str, str]] = []
    for position, token in enumerate(tokens):
        key, sep, value = token.partition("=")
        if sep and key and _OPTION_KEY.fullmatch(key):
            if key.lower() in _TITLE_KEYS and value:
                title_words = [value]
            else:
                options.append((key, value))
        elif braced := _BRACED_SUFFIX.match(token):
            _braced_option(braced["word"], braced["braces"], position, options)
            if position == 0 and braced["word"].lower() not in _FLAG_WORDS:
                language = braced["word"]
        elif position == 0:
            language = token
        elif token.lower() in _FLAG_WORDS:
            options.append((token, ""))
        else:
            title_words.append(token)
    return FenceInfo(language, " ".join(title_words), tuple(options))


def _braced_option(word: str, braces: str, position: int, options: list[tuple[str, str]]) -> None:
    """Record '{1,3}' or 'js{1,3}' as line highlights and 'flag{10}' as that flag's value."""
    if not word or (position == 0 and word.lower() not in _FLAG_WORDS):
        options.append(("highlight", braces.strip("{}")))
    else:
        options.append((word, braces.strip("{}")))


def dedent_fence_body(body: list[str], indent: str) -> str:
    """Remove up to the opening fence's indentation from each code line, as CommonMark does."""
    width = len(indent.expandtabs(4))
    if not width:
        return "\n".join(body)
    trimmed = []
    for line in body:
        expanded = line.expandtabs(4)
        strip = min(width, len(expanded) - len(expanded.lstrip(" ")))
        trimmed.append(expanded[strip:])
    return "\n".join(trimmed)
