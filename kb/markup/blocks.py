"""Blocks of HTML rendered before the Markdown around them (MDX components, code groups).

The MDX reader writes each such block on one line that starts with BLOCK_MARKER; the Markdown
renderer stashes those lines as they are, so Markdown neither parses nor changes them.
"""

from __future__ import annotations

import re

BLOCK_MARKER = "<!--kb-html-->"
BLOCK_LINE = re.compile(r"^([ \t]*)" + re.escape(BLOCK_MARKER) + r"(.*)$")
