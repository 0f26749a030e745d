"""What drawing code as its fence states it costs: render time and bytes, with and without meta.

Every fenced block of a site's Markdown/MDX pages is rendered twice by kb's code renderer: once
with its info string as written (line highlights, numbers, wrap) and once with only its language
and title, so the difference is the cost of the line markup. The site is read in place.

    .venv/bin/python bench/code_blocks.py /work/shared/corpora/auth0-docs [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kb.markup.fences import (
    FenceInfo,
    dedent_fence_body,
    fence_end,
    opening_fence,
    parse_fence_info,
)
from kb.render.code import code_block_html, highlight_code
from kb.render.code_lines import line_options


def site_fences(root: Path) -> list[tuple[str, FenceInfo]]:
    """Return (code, info) of every fenced block in the site's pages."""
    fences = []
    for path in sorted([*root.rglob("*.mdx"), *root.rglob("*.md")]):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        index = 0
        while index < len(lines):
            match = opening_fence(lines[index])
            if not match:
                index += 1
                continue
            end = fence_end(lines, index, match["fence"])
            code = dedent_fence_body(lines[index + 1 : end], match["indent"])
            fences.append((code + "\n" if code else "", parse_fence_info(match["info"])))
            index = end + 1
    return fences


def timed(fences: list[tuple[str, FenceInfo]]) -> tuple[float, int]:
    """Render every block; return the seconds taken and the bytes produced."""
    started = time.perf_counter()
    size = sum(len(code_block_html(code, info)) for code, info in fences)
    return time.perf_counter() - started, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    fences = site_fences(args.site)
    bare = [(code, FenceInfo(info.language, info.title)) for code, info in fences]
    with_meta = [f for f in fences if not line_options(f[1]).plain]
    for code, info in fences:  # warm Pygments' lexers and the highlight cache alike for both
        highlight_code(code, info.language)
    runs: dict[str, list[float]] = {"as written": [], "language and title only": []}
    sizes: dict[str, int] = {}
    for _ in range(args.rounds):
        for name, blocks in (("as written", fences), ("language and title only", bare)):
            seconds, size = timed(blocks)
            runs[name].append(seconds * 1000)
            sizes[name] = size
    result = {
        "fences": len(fences),
        "fences with line markup": len(with_meta),
        "ms (median of rounds)": {k: round(statistics.median(v), 1) for k, v in runs.items()},
        "bytes": sizes,
        "extra bytes per marked-up fence": round(
            (sizes["as written"] - sizes["language and title only"]) / max(1, len(with_meta))
        ),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
