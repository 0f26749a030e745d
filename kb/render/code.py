"""Code blocks as HTML: Pygments highlighting, the block's title, and the stylesheet for both."""

from __future__ import annotations

import hashlib
import html
import re
from functools import lru_cache
from typing import Any

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from kb.markup.fences import FenceInfo

PYGMENTS_STYLE = "default"
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


@lru_cache(maxsize=1)
def stylesheet() -> tuple[str, str]:
    """Return the highlighting stylesheet for the .highlight blocks, and its ETag."""
    css = HtmlFormatter(style=PYGMENTS_STYLE).get_style_defs(".highlight")
    return css, hashlib.sha256(css.encode()).hexdigest()[:16]
