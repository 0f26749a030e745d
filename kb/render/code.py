"""Code blocks as HTML: Pygments highlighting, the block's title, and the stylesheet for both."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pygments import highlight
from pygments.filter import Filter
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import Error, Text
from pygments.util import ClassNotFound

from kb.markup.fences import FenceInfo
from kb.render.code_lines import line_options, number_lines

PYGMENTS_STYLE = "default"
PYGMENTS_DARK_STYLE = "github-dark"
_DARK_PREFIXES = (
    ':root[data-theme="dark"] .highlight',
    # Without a choice on <html> (no JavaScript, or "system"), the system's setting decides.
    ':root:not([data-theme="light"]) .highlight',
)
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
    "jsonc": "json5",
}
# Docs put JavaScript objects (comments, unquoted keys, trailing commas) in json fences: when the
# strict lexer stumbles, the lenient one reads them as the author meant.
_LENIENT = {"json": "json5"}
_LANGUAGE_CLASS = re.compile(r"[^A-Za-z0-9_+#.-]")
_FORMATTER = HtmlFormatter(nowrap=True)


class _PlainErrors(Filter):
    """Show what the lexer could not read as plain text.

    Real docs put JavaScript objects in json fences and templates in yaml ones; Pygments marks
    each surprise as an error token, which styles draw boxed in red.
    """

    def filter(self, lexer: Any, stream: Iterator[tuple[Any, str]]) -> Iterator[Any]:
        for token_type, value in stream:
            yield (Text if token_type in Error else token_type), value


def _lexer_name(language: str) -> str:
    """Return the Pygments name of a fence's language ("" for plain text)."""
    return _LANGUAGE_ALIASES.get(language.lower(), language.lower())


@lru_cache(maxsize=256)
def _lexer_for(language: str) -> Any:
    """Return a cached Pygments lexer for a language name, or None when unknown."""
    name = _lexer_name(language)
    if not name:
        return None
    try:
        lexer = get_lexer_by_name(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None
    lexer.add_filter(_PlainErrors())
    return lexer


@lru_cache(maxsize=2048)
def highlight_code(code: str, language: str) -> str:
    """Return the code as HTML spans with Pygments CSS classes (escaped text if unknown)."""
    lexer = _lexer_for(language) if language else None
    if lexer is None:
        return html.escape(code, quote=False)
    lenient = _LENIENT.get(_lexer_name(language))
    # Unprocessed tokens: the filter that hides errors has not run on them yet.
    if lenient and any(kind in Error for _, kind, _ in lexer.get_tokens_unprocessed(code)):
        lexer = _lexer_for(lenient)
    return str(highlight(code, lexer, _FORMATTER))


def code_block_html(code: str, info: FenceInfo, *, show_title: bool = True) -> str:
    """Return the HTML of one code block, with its title shown above the code."""
    language = _LANGUAGE_CLASS.sub("", info.language)
    code_class = f' class="language-{language}"' if language else ""
    body, numbered = number_lines(
        highlight_code(code, info.language).rstrip("\n"), line_options(info)
    )
    pre_class = f"highlight {numbered}" if numbered else "highlight"
    title = ""
    if show_title and info.title:
        title = f'<p class="kb-code-title">{html.escape(info.title)}</p>'
    return (
        f'<div class="kb-code">{title}<pre class="{pre_class}"><code{code_class}>{body}'
        "</code></pre></div>"
    )


def _token_rules(style: str, prefix: str) -> list[str]:
    """Return a style's token colours under a selector prefix, without the red error box.

    Token rules only: the page's stylesheet paints the block itself in either theme.
    """
    rules = HtmlFormatter(style=style).get_token_style_defs(prefix)
    return [rule for rule in rules if not rule.endswith("/* Error */")]


@lru_cache(maxsize=1)
def stylesheet() -> tuple[str, str]:
    """Return the highlighting stylesheet for the .highlight blocks, and its ETag."""
    css = "\n".join(
        [
            "/* Light code colours; dark ones on screens where the reader or the system chose dark",
            "   (paper stays light). */",
            *_token_rules(PYGMENTS_STYLE, ".highlight"),
            "@media screen {",
            *_token_rules(PYGMENTS_DARK_STYLE, _DARK_PREFIXES[0]),
            "}",
            "@media screen and (prefers-color-scheme: dark) {",
            *_token_rules(PYGMENTS_DARK_STYLE, _DARK_PREFIXES[1]),
            "}",
        ]
    )
    return css, hashlib.sha256(css.encode()).hexdigest()[:16]
