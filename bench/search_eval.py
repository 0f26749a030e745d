"""Known-item search evaluation: kb's search against a plain Whoosh BM25 baseline on the same pages.

Queries are derived from an index's own pages, deterministically from a seed:
  title              a page title (titles shared by more than two pages are skipped)
  title-typo-one     the same with one typo in one long word (5+ letters)
  title-typo-all     the same with one typo in every long word
  heading            a heading that occurs on exactly one page (2+ words or 8+ characters)
  heading-typo-one   the same with one typo in one long word
  description        a page description (4+ words, unique)
A typo is a deletion, insertion, substitution or swap of neighbours, never on the first letter.
These classes use the pages of the site's default language, searched with no language given.
For each other language of the site (--languages, default fr-ca and ja-jp when the site has
them), searched with lang=<code>, classes prefixed with the code:
  <lang>:title        a title of a page in that language
  <lang>:title-part   a part of such a title: 2-4 consecutive words, two of them at least not
                      stop words of the language ("de la" is no part a reader types), or for
                      Japanese, Chinese and Korean a 4-8 character run cut from it; found in at
                      most two titles (compared with whitespace collapsed)
  <lang>:heading      a heading unique within the language
  <lang>:description  a description (4+ words, or 12+ characters for CJK, unique)
  <lang>:title-typo   a title with one typo in one long Latin word (not for CJK languages)
"language share" is the mean share of kb's top 10 in the query's language.
A query succeeds at k when a page with that title / that heading / that description is among the
first k results. The baseline indexes title + body of the same page records with Whoosh's default
analyzer, BM25F and the default MultifieldParser (AND of words), as a site would out of the box;
"baseline-or" is the same index queried with OR-grouped words (OrGroup.factory(0.9)), a fairer
opponent for long queries.

Usage:
  .venv/bin/python -m kb.cli index ../shared/corpora/auth0-docs --index-dir /tmp/ix-corpus
  .venv/bin/python bench/search_eval.py --index-dir /tmp/ix-corpus [--per-class 300] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

from whoosh import fields, index, qparser, scoring
from whoosh.lang import has_stopwords, stopwords_for_language

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.search import search

LONG_WORD = re.compile(r"[A-Za-z]{5,}")
AS_OF = date(2026, 11, 26)
# class, text, relevant urls, expected anchor, the reader's language (None: not given)
Query = tuple[str, str, frozenset[str], str | None, str | None]
CJK_RUN = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]{4,}")
CJK_BASES = ("ja", "zh", "ko")


def typo(word: str, rng: random.Random) -> str:
    """Return a word with one typo that keeps its first letter."""
    i = rng.randrange(1, len(word))
    kind = rng.choice(["delete", "insert", "substitute", "swap"])
    letter = rng.choice(string.ascii_lowercase)
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "insert":
        return word[:i] + letter + word[i:]
    if kind == "swap" and i < len(word) - 1 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    options = [c for c in string.ascii_lowercase if c != word[i].lower()]
    return word[:i] + rng.choice(options) + word[i + 1 :]


def with_typos(text: str, rng: random.Random, every: bool) -> str | None:
    """Put a typo in one (or every) long word of a text; None when it has no long word."""
    spans = [m.span() for m in LONG_WORD.finditer(text)]
    if not spans:
        return None
    chosen = spans if every else [rng.choice(spans)]
    out = text
    for start, end in reversed(chosen):
        out = out[:start] + typo(out[start:end], rng) + out[end:]
    return out


def build_queries(generation: Generation, per_class: int, seed: int) -> list[Query]:
    """Derive the known-item queries of every class from the generation's pages."""
    rng = random.Random(seed)
    default = generation.languages.default
    rows = [
        r
        for r in generation.store.rows(("url", "title", "description", "headings", "lang"))
        if (r["lang"] or default) == default
    ]
    titles = Counter(r["title"].casefold() for r in rows if r["title"])
    by_title: dict[str, set[str]] = {}
    for r in rows:
        by_title.setdefault(r["title"].casefold(), set()).add(r["url"])
    heading_pages: dict[str, set[str]] = {}
    for r in rows:
        for h in r["headings"]:
            heading_pages.setdefault(h["text"].casefold(), set()).add(r["url"])
    descriptions = Counter(" ".join((r["description"] or "").split()).casefold() for r in rows)

    title_rows = [r for r in rows if r["title"] and titles[r["title"].casefold()] <= 2]
    title_rows = rng.sample(title_rows, min(per_class, len(title_rows)))
    queries: list[Query] = []
    for r in title_rows:
        relevant = frozenset(by_title[r["title"].casefold()])
        queries.append(("title", r["title"], relevant, None, None))
        if (one := with_typos(r["title"], rng, every=False)) is not None:
            queries.append(("title-typo-one", one, relevant, None, None))
        if (every := with_typos(r["title"], rng, every=True)) is not None:
            queries.append(("title-typo-all", every, relevant, None, None))
    headings = [
        (r["url"], h)
        for r in rows
        for h in r["headings"]
        if len(heading_pages[h["text"].casefold()]) == 1
        and (len(h["text"].split()) >= 2 or len(h["text"]) >= 8)
        and h["text"].casefold() != r["title"].casefold()
    ]
    for url, h in rng.sample(headings, min(per_class, len(headings))):
        queries.append(("heading", h["text"], frozenset({url}), h["anchor"], None))
        if (one := with_typos(h["text"], rng, every=False)) is not None:
            queries.append(("heading-typo-one", one, frozenset({url}), h["anchor"], None))
    described = [
        r
        for r in rows
        if len((r["description"] or "").split()) >= 4
        and descriptions[" ".join(r["description"].split()).casefold()] == 1
    ]
    for r in rng.sample(described, min(per_class, len(described))):
        queries.append(
            ("description", " ".join(r["description"].split()), frozenset({r["url"]}), None, None)
        )
    return queries


def _title_part(
    title: str, cjk: bool, rng: random.Random, stop: frozenset[str] = frozenset()
) -> str | None:
    """Cut a part from a title: a 4-8 character CJK run, or 2-4 consecutive words of which
    two at least are not stop words."""
    if cjk:
        runs = [m.group() for m in CJK_RUN.finditer(title)]
        if not runs:
            return None
        run = rng.choice(runs)
        size = rng.randint(4, min(8, len(run)))
        start = rng.randrange(0, len(run) - size + 1)
        return run[start : start + size]
    words = title.split()
    if len(words) < 3:
        return None
    size = rng.randint(2, min(4, len(words) - 1))
    start = rng.randrange(0, len(words) - size + 1)
    part = words[start : start + size]
    content = [w for w in part if re.sub(r"\W", "", w.casefold()) not in stop and len(w) > 1]
    return " ".join(part) if len(content) >= 2 else None


def _long_enough(text: str, cjk: bool) -> bool:
    """Tell whether a description makes a query: 4+ words, or 12+ characters for CJK."""
    return len(text) >= 12 if cjk else len(text.split()) >= 4


def language_queries(generation: Generation, lang: str, per_class: int, seed: int) -> list[Query]:
    """Derive the known-item queries of one language's pages, searched with lang=<code>."""
    rng = random.Random(f"{seed}:{lang}")
    cjk = lang.split("-")[0] in CJK_BASES
    base = lang.split("-")[0]
    stop = frozenset(stopwords_for_language(base)) if has_stopwords(base) else frozenset()
    rows = [
        r
        for r in generation.store.rows(("url", "title", "description", "headings", "lang"))
        if r["lang"] == lang
    ]
    by_title: dict[str, set[str]] = {}
    for r in rows:
        by_title.setdefault(r["title"].casefold(), set()).add(r["url"])
    queries: list[Query] = []
    titled = [r for r in rows if r["title"] and len(by_title[r["title"].casefold()]) <= 2]
    for r in rng.sample(titled, min(per_class, len(titled))):
        relevant = frozenset(by_title[r["title"].casefold()])
        queries.append((f"{lang}:title", r["title"], relevant, None, lang))
        part = _title_part(r["title"], cjk, rng, stop)
        if part is not None:
            key = part.casefold()
            holders = frozenset(
                u for t, us in by_title.items() if key in " ".join(t.split()) for u in us
            )
            if len(holders) <= 2:
                queries.append((f"{lang}:title-part", part, holders, None, lang))
        if not cjk and (one := with_typos(r["title"], rng, every=False)) is not None:
            queries.append((f"{lang}:title-typo", one, relevant, None, lang))
    heading_pages: dict[str, set[str]] = {}
    for r in rows:
        for h in r["headings"]:
            heading_pages.setdefault(h["text"].casefold(), set()).add(r["url"])
    headings = [
        (r["url"], h)
        for r in rows
        for h in r["headings"]
        if len(heading_pages[h["text"].casefold()]) == 1
        and (len(h["text"].split()) >= 2 or len(h["text"]) >= (4 if cjk else 8))
        and h["text"].casefold() != r["title"].casefold()
    ]
    for url, h in rng.sample(headings, min(per_class, len(headings))):
        queries.append((f"{lang}:heading", h["text"], frozenset({url}), h["anchor"], lang))
    descriptions = Counter(" ".join((r["description"] or "").split()).casefold() for r in rows)
    described = [
        r
        for r in rows
        if _long_enough(d := " ".join((r["description"] or "").split()), cjk)
        and descriptions[d.casefold()] == 1
    ]
    for r in rng.sample(described, min(per_class, len(described))):
        text = " ".join(r["description"].split())
        queries.append((f"{lang}:description", text, frozenset({r["url"]}), None, lang))
    return queries


def build_baseline(generation: Generation, folder: Path) -> dict[str, Callable[[str], list[str]]]:
    """Index title + body of every page with Whoosh defaults; return AND and OR query runners."""
    schema = fields.Schema(url=fields.ID(stored=True), title=fields.TEXT(), body=fields.TEXT())
    ix = index.create_in(str(folder), schema)
    writer = ix.writer(limitmb=256)
    for row in generation.store.rows(("url", "title", "text")):
        writer.add_document(url=row["url"], title=row["title"] or "", body=row["text"] or "")
    writer.commit()
    searcher = ix.searcher(weighting=scoring.BM25F())
    parsers = {
        "baseline": qparser.MultifieldParser(["title", "body"], schema),
        "baseline-or": qparser.MultifieldParser(
            ["title", "body"], schema, group=qparser.OrGroup.factory(0.9)
        ),
    }

    def runner(parser: qparser.QueryParser) -> Callable[[str], list[str]]:
        """Return a function giving the URLs of a parser's top 10 for a query."""

        def run(text: str) -> list[str]:
            """Return the URLs of the top 10 for a query (none when Whoosh cannot parse it)."""
            try:
                return [hit["url"] for hit in searcher.search(parser.parse(text), limit=10)]
            except Exception:
                return []

        return run

    return {name: runner(parser) for name, parser in parsers.items()}


def score(ranked: list[str], relevant: frozenset[str]) -> tuple[int, int, float]:
    """Return success@1, success@5 and the reciprocal rank (within 10) of one query."""
    rank = next((i for i, url in enumerate(ranked[:10], 1) if url in relevant), None)
    if rank is None:
        return 0, 0, 0.0
    return int(rank == 1), int(rank <= 5), 1.0 / rank


def evaluate(
    index_dir: Path,
    per_class: int,
    seed: int,
    languages: tuple[str, ...] = (),
    skip_default: bool = False,
) -> dict[str, object]:
    """Run every query against kb and the baseline; return per-class figures."""
    generation = Generation(current_generation(index_dir))
    queries = [] if skip_default else build_queries(generation, per_class, seed)
    for lang in languages:
        if lang in generation.languages.codes and lang != generation.languages.default:
            queries += language_queries(generation, lang, per_class, seed)
    classes = list(dict.fromkeys(q[0] for q in queries))
    engines = ("kb", "baseline", "baseline-or")
    totals = {name: {c: [0, 0, 0.0, 0] for c in classes} for name in engines}
    anchors = Counter[str]()
    seconds = dict.fromkeys(engines, 0.0)
    misses: list[dict[str, object]] = []
    shares: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="kb-eval-baseline-") as tmp:
        baselines = build_baseline(generation, Path(tmp))
        for cls, text, relevant, anchor, lang in queries:
            started = time.perf_counter()
            results = search(generation, text, limit=10, as_of=AS_OF, lang=lang)
            seconds["kb"] += time.perf_counter() - started
            kb_urls = [hit.url for hit in results.hits]
            if lang is not None and results.hits:
                share = sum(h.lang == lang for h in results.hits) / len(results.hits)
                shares.setdefault(lang, []).append(share)
            ranked_by = {"kb": kb_urls}
            for name, run in baselines.items():
                started = time.perf_counter()
                ranked_by[name] = run(text)
                seconds[name] += time.perf_counter() - started
            for name, ranked in ranked_by.items():
                s1, s5, rr = score(ranked, relevant)
                row = totals[name][cls]
                row[0] += s1
                row[1] += s5
                row[2] += rr
                row[3] += 1
            if anchor is not None:
                hit = next((h for h in results.hits[:5] if h.url in relevant), None)
                if hit is not None:
                    anchors[cls + ":found"] += 1
                    anchors[cls + ":anchor"] += int(hit.anchor == anchor)
            if not score(kb_urls, relevant)[1]:
                misses.append(
                    {"class": cls, "query": text, "want": sorted(relevant)[:2], "got": kb_urls[:3]}
                )
    table = {
        name: {
            cls: {
                "n": row[3],
                "success@1": round(row[0] / row[3], 3),
                "success@5": round(row[1] / row[3], 3),
                "mrr": round(row[2] / row[3], 3),
            }
            for cls, row in per.items()
            if row[3]
        }
        for name, per in totals.items()
    }
    anchor_share = {
        cls: round(anchors[cls + ":anchor"] / anchors[cls + ":found"], 3)
        for cls in classes
        if anchors[cls + ":found"]
    }
    return {
        "index": str(generation.folder),
        "pages": generation.page_count,
        "seed": seed,
        "queries": len(queries),
        "table": table,
        "anchor_accuracy": anchor_share,
        "mean_ms": {k: round(v * 1000 / max(1, len(queries)), 2) for k, v in seconds.items()},
        "misses": misses,
        "language_share": {k: round(sum(v) / len(v), 3) for k, v in shares.items()},
        "english_query_share": {
            lang: _share(generation, "Refresh Token Rotation", lang) for lang in shares
        },
    }


def _share(generation: Generation, text: str, lang: str) -> float:
    """Return the share of the top 10 in a language for a query searched in that language."""
    hits = search(generation, text, limit=10, as_of=AS_OF, lang=lang).hits
    return round(sum(h.lang == lang for h in hits) / max(1, len(hits)), 3)


def markdown(report: dict[str, object]) -> str:
    """Render the per-class table as Markdown."""
    table = report["table"]
    assert isinstance(table, dict)
    lines = [
        "| Class | n | kb s@1 | kb s@5 | kb MRR | baseline s@1 | baseline s@5 | baseline MRR "
        "| baseline-or s@1 | baseline-or s@5 | baseline-or MRR |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for cls, kb in table["kb"].items():
        rows = (kb, table["baseline"][cls], table["baseline-or"][cls])
        figures = [f"{row[k]:.3f}" for row in rows for k in ("success@1", "success@5", "mrr")]
        lines.append(f"| {cls} | {kb['n']} | " + " | ".join(figures) + " |")
    return "\n".join(lines)


def beats(report: dict[str, object], other: str) -> bool:
    """Tell whether kb's MRR is above another engine's in every class."""
    table = report["table"]
    assert isinstance(table, dict)
    return all(row["mrr"] > table[other][cls]["mrr"] for cls, row in table["kb"].items())


def main() -> None:
    """Parse arguments, evaluate, print the table and optionally write JSON."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index-dir", type=Path, required=True, help="a kb index of the corpus")
    parser.add_argument("--per-class", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the full report (with misses) here")
    parser.add_argument("--show-misses", type=int, default=0, help="print this many kb misses")
    parser.add_argument(
        "--languages",
        default="fr-ca,ja-jp",
        help="other site languages to evaluate (comma-separated)",
    )
    parser.add_argument(
        "--only-languages", action="store_true", help="skip the default language's classes"
    )
    args = parser.parse_args()
    languages = tuple(c.strip() for c in args.languages.split(",") if c.strip())
    report = evaluate(
        args.index_dir, args.per_class, args.seed, languages, skip_default=args.only_languages
    )
    print(f"{report['pages']} pages, {report['queries']} queries, seed {report['seed']}")
    print(markdown(report))
    print(f"kb beats the baseline in every class (MRR): {beats(report, 'baseline')}")
    print(f"kb beats baseline-or in every class (MRR): {beats(report, 'baseline-or')}")
    print(f"Heading anchor accuracy (target found in top 5): {report['anchor_accuracy']}")
    print(f"Mean query time (ms): {report['mean_ms']}")
    print(f"Language share of the top 10 (language classes): {report['language_share']}")
    print(f"'Refresh Token Rotation' top-10 share in the language: {report['english_query_share']}")
    misses = report["misses"]
    assert isinstance(misses, list)
    for miss in misses[: args.show_misses]:
        print(json.dumps(miss))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
