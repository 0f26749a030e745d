"""Fenced code blocks: info-string parsing, Pygments highlighting and a Markdown preprocessor."""

from __future__ import annotations

import html
import re
import shlex
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markdown.preprocessors import Preprocessor
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")

# Flags of the Mintlify/Docusaurus info-string dialect that are not part of a title.
_FLAG_WORDS = frozenset(
    {"lines", "wrap", "expandable", "twoslash", "showlinenumbers", "nocopy", "copy", "live"}
)
_TITLE_KEYS = ("title", "filename", "file", "name")
_LANGUAGE_ALIASES = {
    "sh": "bash",
    "shell": "bash",
    "zsh": "bash",
    "curl": "bash",
    "env": "bash",
    "dotenv": "bash",
    "yml": "yaml",
    "cs": "csharp",
    "c#": "csharp",
    "objc": "objective-c",
    "kt": "kotlin",
    "ps": "powershell",
    "text": "",
    "txt": "",
    "plaintext": "",
    "plain": "",
    "none": "",
}
_LANGUAGE_CLASS = re.compile(r"[^A-Za-z0-9_+#.-]")
_FORMATTER = HtmlFormatter(nowrap=True)


@dataclass(frozen=True)
class FenceInfo:
    """What a fence's info string says: language, visible title and highlighting options."""

    language: str
    title: str
    options: tuple[tuple[str, str], ...] = ()


def parse_fence_info(info: str) -> FenceInfo:
    """Split an info string like 'js index.js {1,3} lines' into language, title and options."""
    try:
        tokens = shlex.split(info.strip(), posix=True)
    except ValueError:
        tokens = info.split()
    language = ""
    title_words: list[str] = []
    options: list[tuple[str, str]] = []
    for position, token in enumerate(tokens):
        key, sep, value = token.partition("=")
        if sep and key and re.fullmatch(r"[A-Za-z_][\w-]*", key):
            if key.lower() in _TITLE_KEYS and value:
                title_words = [value]
            else:
                options.append((key, value))
        elif token.startswith("{") and token.endswith("}"):
            options.append(("highlight", token.strip("{}")))
        elif position == 0:
            language = token
        elif token.lower() in _FLAG_WORDS:
            options.append((token, ""))
        else:
            title_words.append(token)
    return FenceInfo(language, " ".join(title_words), tuple(options))


@lru_cache(maxsize=256)
def _lexer_for(language: str) -> Any:
    """Return a cached Pygments lexer for a language name, or None when unknown."""
    name = _LANGUAGE_ALIASES.get(language.lower(), language.lower())
    if not name:
        return None
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


@lru_cache(maxsize=2048)
def highlight_code(code: str, language: str) -> str:
    """Return the code as HTML spans with Pygments CSS classes (escaped text if unknown)."""
    lexer = _lexer_for(language) if language else None
    if lexer is None:
        return html.escape(code, quote=False)
    return str(highlight(code, lexer, _FORMATTER))


def code_block_html(code: str, info: FenceInfo, *, show_title: bool = True) -> str:
    """Return the HTML of one code block, with its title shown above the code."""
    language = _LANGUAGE_CLASS.sub("", info.language)
    code_class = f' class="language-{language}"' if language else ""
    body = highlight_code(code, info.language).rstrip("\n")
    title = ""
    if show_title and info.title:
        title = f'<p class="kb-code-title">{html.escape(info.title)}</p>'
    return (
        f'<div class="kb-code">{title}<pre class="highlight"><code{code_class}>{body}'
        "</code></pre></div>"
    )


def find_fence_end(lines: list[str], start: int, fence: str) -> int:
    """Return the index of the closing fence line for the fence opened at start (or len)."""
    char = fence[0]
    closing = re.compile(r"^[ \t]*" + re.escape(char) + "{" + str(len(fence)) + r",}[ \t]*$")
    for index in range(start + 1, len(lines)):
        if closing.match(lines[index]):
            return index
    return len(lines)


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


# A line holding HTML that is already rendered (by kb.mdx.document); stashed as is, never re-parsed.
BLOCK_MARKER = "<!--kb-html-->"
_BLOCK_LINE = re.compile(r"^([ \t]*)" + re.escape(BLOCK_MARKER) + r"(.*)$")


class RenderedBlockPreprocessor(Preprocessor):
    """Stash lines of pre-rendered HTML so Markdown neither parses nor changes them."""

    def run(self, lines: list[str]) -> list[str]:
        """Return the lines with each marked HTML line swapped for a stash placeholder."""
        output = []
        for line in lines:
            match = _BLOCK_LINE.match(line) if BLOCK_MARKER in line else None
            if match:
                output.append(match[1] + self.md.htmlStash.store(match[2]))
            else:
                output.append(line)
        return output


class FencePreprocessor(Preprocessor):
    """Replace fenced code blocks (at any indentation) by highlighted HTML in the stash."""

    def run(self, lines: list[str]) -> list[str]:
        """Return the lines with every fenced block swapped for a stash placeholder."""
        output: list[str] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            match = FENCE_OPEN.match(line) if ("`" in line or "~" in line) else None
            if not match or ("`" in match["info"] and match["fence"][0] == "`"):
                output.append(line)
                index += 1
                continue
            end = find_fence_end(lines, index, match["fence"])
            code = dedent_fence_body(lines[index + 1 : end], match["indent"])
            block = code_block_html(code + "\n" if code else "", parse_fence_info(match["info"]))
            placeholder = self.md.htmlStash.store(block)
            indent = match["indent"]
            if indent:
                output.append(indent + placeholder)
            else:
                output.extend(["", placeholder, ""])
            index = end + 1
        return output
