"""Plain Whoosh baseline: naive page reading, one-commit index build and timed queries.

Uses only the standard library and whichever Whoosh fork the running interpreter has, so it
runs unchanged in throwaway venvs. Run as a script it is the child process of
bench/whoosh_forks.py and writes one JSON result.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import re
import resource
import sys
import time
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

PAGE_SUFFIXES = frozenset({".md", ".mdx"})
SKIPPED_DIR_NAMES = frozenset({"snippets", "node_modules"})
FRONTMATTER_FENCE = "---"
WORD_RE = re.compile(r"[A-Za-z][a-z]{3,13}")
PLAIN_TOKEN_RE = re.compile(r"[A-Za-z]{2,}")
SINGLE_QUOTED_RE = re.compile(r"'((?:[^']|'')*)'")
DOUBLE_QUOTED_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
_STOPWORD_TEXT = (
    "this that with from have your will when then than they them their there what which "
    "into only also more must should would could each such these those been were does "
    "about import export const return true false null none"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

Pages = list[tuple[str, str, str]]


def _page_files(site_root: Path) -> list[Path]:
    """Return the page files, preferring a docs/ folder when the site has one."""
    base = site_root / "docs" if (site_root / "docs").is_dir() else site_root
    found: list[Path] = []
    for path in sorted(base.rglob("*")):
        relative_dirs = path.relative_to(site_root).parts[:-1]
        if any(part in SKIPPED_DIR_NAMES or part.startswith(".") for part in relative_dirs):
            continue
        if path.suffix.lower() in PAGE_SUFFIXES and path.is_file():
            found.append(path)
    return found


def _unquote_scalar(raw: str) -> str:
    """Return a one-line YAML scalar without its quotes, escapes or trailing comment."""
    value = raw.strip()
    single = SINGLE_QUOTED_RE.match(value)
    if single:
        return single.group(1).replace("''", "'")
    double = DOUBLE_QUOTED_RE.match(value)
    if double:
        return double.group(1).replace('\\"', '"').replace("\\\\", "\\")
    return value.split(" #", 1)[0].strip()


def _frontmatter_title(lines: list[str]) -> str:
    """Return the top-level `title:` of frontmatter lines, or "" when absent."""
    for index, line in enumerate(lines):
        if not line.startswith("title:"):
            continue
        value = line[len("title:") :].strip()
        if value[:1] in ("|", ">"):
            # Block scalars continue on the indented lines that follow.
            block: list[str] = []
            for follower in lines[index + 1 :]:
                if follower and not follower[0].isspace():
                    break
                block.append(follower.strip())
            return " ".join(part for part in block if part)
        return _unquote_scalar(value)
    return ""


def split_frontmatter(text: str) -> tuple[str, str]:
    """Return (title, body) of a page's raw text; body is everything after the frontmatter."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONTMATTER_FENCE:
        return "", text
    for end, line in enumerate(lines[1:], start=1):
        if line.strip() in (FRONTMATTER_FENCE, "..."):
            header = [raw.rstrip("\r\n") for raw in lines[1:end]]
            return _frontmatter_title(header), "".join(lines[end + 1 :])
    return "", text


def read_plain_pages(site_root: Path) -> Pages:
    """Return (url, title, body) for every page under site_root; unreadable files are skipped."""
    pages: Pages = []
    for path in _page_files(site_root):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            print(f"skipped {path}: {error}", file=sys.stderr)
            continue
        title, body = split_frontmatter(text)
        url = "/" + path.relative_to(site_root).with_suffix("").as_posix()
        pages.append((url, title or path.stem, body))
    return pages


def _directory_bytes(directory: Path) -> int:
    """Return the total size of the files in a directory tree."""
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def build_plain_index(pages: Pages, index_dir: Path) -> dict[str, float]:
    """Build a plain Whoosh index of pages in an empty index_dir; return seconds and bytes."""
    from whoosh import fields, index
    from whoosh.analysis import StemmingAnalyzer

    index_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    schema = fields.Schema(
        url=fields.ID(stored=True, unique=True),
        title=fields.TEXT(stored=True, analyzer=StemmingAnalyzer()),
        body=fields.TEXT(analyzer=StemmingAnalyzer()),
    )
    ix = index.create_in(str(index_dir), schema)
    writer = ix.writer()
    for url, title, body in pages:
        writer.add_document(url=url, title=title, body=body)
    writer.commit()
    ix.close()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "index_bytes": float(_directory_bytes(index_dir))}


def search_all(index_dir: Path, queries: list[str]) -> tuple[list[float], list[list[str]]]:
    """Return per-query latencies (ms) and top-10 urls, parsing with MultifieldParser."""
    from whoosh import index
    from whoosh.qparser import FuzzyTermPlugin, MultifieldParser

    latencies: list[float] = []
    top_urls: list[list[str]] = []
    ix = index.open_dir(str(index_dir))
    parser = MultifieldParser(["title", "body"], schema=ix.schema)
    parser.add_plugin(FuzzyTermPlugin())
    with ix.searcher() as searcher:
        for text in queries:
            started = time.perf_counter()
            results = searcher.search(parser.parse(text), limit=10)
            urls = [hit["url"] for hit in results]
            latencies.append((time.perf_counter() - started) * 1000.0)
            top_urls.append(urls)
    ix.close()
    return latencies, top_urls


def run_queries(index_dir: Path, queries: list[str]) -> list[float]:
    """Return the latency in ms of parsing and searching each query (limit 10, no highlights)."""
    return search_all(index_dir, queries)[0]


def _phrase_from(body: str, rng: random.Random) -> str:
    """Return 2-3 consecutive plain words from a random line of body, or ""."""
    lines = [line for line in body.splitlines() if len(line.split()) >= 3]
    if not lines:
        return ""
    tokens = rng.choice(lines).split()
    length = rng.choice((2, 3))
    starts = list(range(len(tokens) - length + 1))
    rng.shuffle(starts)
    for start in starts:
        window = tokens[start : start + length]
        if all(PLAIN_TOKEN_RE.fullmatch(token) for token in window):
            return " ".join(window).lower()
    return ""


def make_query_mix(pages: Pages, count: int = 200, seed: int = 20260826) -> list[str]:
    """Return a fixed mix of titles, words, phrases, wildcards and fuzzy terms from pages."""
    rng = random.Random(seed)
    ordered = sorted(pages)
    if not ordered:
        return []
    wildcard_count = fuzzy_count = max(1, count * 15 // 200)
    title_count, word_count = count * 70 // 200, count * 50 // 200
    phrase_count = count - title_count - word_count - wildcard_count - fuzzy_count
    titles = sorted({title.strip() for _, title, _ in ordered if title.strip()})
    queries = rng.sample(titles, min(title_count, len(titles)))
    words: list[str] = []
    for _attempt in range(word_count * 20):
        if len(words) >= word_count + wildcard_count + fuzzy_count:
            break
        found = [w.lower() for w in WORD_RE.findall(rng.choice(ordered)[2])]
        candidates = [w for w in found if w not in STOPWORDS and w not in words]
        if candidates:
            words.append(rng.choice(candidates))
    queries += words[:word_count]
    phrases: list[str] = []
    for attempt in range(phrase_count * 20):
        if len(phrases) >= phrase_count:
            break
        phrase = _phrase_from(rng.choice(ordered)[2], rng)
        if phrase:
            # Half quoted (positional phrase search), half plain (AND of terms).
            phrases.append(f'"{phrase}"' if attempt % 2 else phrase)
    queries += phrases
    spare = words[word_count:] or words
    queries += ["auth*"] + [f"{w[:4]}*" for w in spare[: wildcard_count - 1]]
    swapped = [w[:2] + w[3] + w[2] + w[4:] for w in spare if len(w) >= 5]
    queries += ["tokne~"] + [f"{w}~" for w in swapped[: fuzzy_count - 1]]
    return queries


def _percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of values (0.0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def _distribution_facts() -> dict[str, Any]:
    """Return the installed distribution that provides `whoosh`, with its Python support."""
    names = metadata.packages_distributions().get("whoosh", [])
    if not names:
        return {"dist": "?", "dist_version": "?", "requires_python": "", "classifiers": []}
    meta = metadata.metadata(names[0]).json
    prefix = "Programming Language :: Python :: "
    classifiers = meta.get("classifier", [])
    versions = [c[len(prefix) :] for c in classifiers if c.startswith(prefix)]
    return {
        "dist": names[0],
        "dist_version": meta.get("version", "?"),
        "requires_python": meta.get("requires_python", ""),
        "classifiers": [v for v in versions if re.fullmatch(r"\d+\.\d+", v)],
    }


def main(argv: list[str] | None = None) -> int:
    """Read, build and query once with the current interpreter's Whoosh; write a JSON result."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--site-root", type=Path, required=True)
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True, help="JSON list of query strings")
    parser.add_argument("--out", type=Path, required=True, help="where to write the JSON result")
    parser.add_argument("--max-pages", type=int, default=0, help="0 = every page")
    args = parser.parse_args(argv)

    seen: list[str] = []
    if not sys.warnoptions:
        # Without -W, show each warning once and keep the first text for the report.
        warnings.simplefilter("default")
        original_show = warnings.showwarning

        def remember(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            """Keep the warning's text, then show it as usual."""
            seen.append(f"{category.__name__}: {message} ({filename}:{lineno})")
            original_show(message, category, filename, lineno, file, line)

        warnings.showwarning = remember

    started = time.perf_counter()
    import whoosh
    import whoosh.analysis
    import whoosh.fields
    import whoosh.index
    import whoosh.qparser

    import_seconds = time.perf_counter() - started
    pages = read_plain_pages(args.site_root)
    if args.max_pages:
        pages = pages[: args.max_pages]
    built = build_plain_index(pages, args.index_dir)
    latencies, top_urls = search_all(args.index_dir, json.loads(args.queries.read_text()))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "python": platform.python_version(),
        "whoosh_version": ".".join(str(part) for part in whoosh.__version__),
        **_distribution_facts(),
        "import_seconds": import_seconds,
        "pages": len(pages),
        "build_seconds": built["seconds"],
        "pages_per_second": len(pages) / built["seconds"] if built["seconds"] else 0.0,
        "index_bytes": built["index_bytes"],
        "peak_rss_bytes": peak_kib * 1024,
        "query_count": len(latencies),
        "query_p50_ms": _percentile(latencies, 0.50),
        "query_p95_ms": _percentile(latencies, 0.95),
        "latencies_ms": latencies,
        "top_urls": top_urls,
        "warning_count": len(seen),
        "first_warning": seen[0] if seen else "",
    }
    args.out.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
