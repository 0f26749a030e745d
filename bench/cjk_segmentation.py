"""Japanese segmentation: character bigrams (what kb uses) against a morphological analyzer.

Both segmenters index the same pages of one language from a kb index (title, headings, body)
into plain Whoosh BM25F indexes that differ only in how Han/Kana runs become terms; Latin words
go through the same identifier-aware, lowercased, English-stemmed chain in both. The queries are
the ja-jp known-item classes of bench/search_eval.py (titles, 4-8 character runs cut from titles,
headings, descriptions), each an AND of the query's terms. Reported per segmenter: MRR and
success@1 per class, build seconds, index size, mean query milliseconds.

The morphological analyzer is SudachiPy with its core dictionary (SplitMode.B, normalized forms):
a maintained package that ships its dictionary. It is not a kb dependency; install it beside
the bench only:

  .venv/bin/python -m pip install --target /tmp/morphlib sudachipy sudachidict-core
  PYTHONPATH=/tmp/morphlib .venv/bin/python bench/cjk_segmentation.py --index-dir IX [--lang ja-jp]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from whoosh import fields, index, qparser, scoring
from whoosh.analysis import Token, Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from search_eval import language_queries, score

from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.search.analysis import CJK_RUN, WordFilter, text_analyzer

_LATIN = re.compile(r"\w+(?:[_:/.\-@]\w+)*")


class SudachiTokenizer(Tokenizer):  # type: ignore[misc]
    """Han/Kana/Hangul runs cut into words by Sudachi; other text into identifier tokens."""

    def __init__(self) -> None:
        self._tokenizer: Any = None

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the native tokenizer (Whoosh pickles the schema)."""
        return {"_tokenizer": None}

    def _open(self) -> tuple[Any, Any]:
        """Load Sudachi's dictionary on first use."""
        from sudachipy import Dictionary, SplitMode

        if self._tokenizer is None:
            self._tokenizer = Dictionary().create()
        return self._tokenizer, SplitMode.B

    def __call__(
        self, value: str, positions: bool = False, chars: bool = False, **kw: Any
    ) -> Iterator[Token]:  # type: ignore[override]
        token = Token(positions, chars, **kw)
        pos = 0
        for m in _LATIN.finditer(value):
            word = m.group()
            pieces = self._split(word) if CJK_RUN.search(word) else [word]
            for piece in pieces:
                token.text = piece
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = pos
                pos += 1
                yield token

    def _split(self, word: str) -> list[str]:
        """Split a token holding CJK runs: the runs by Sudachi, the rest as it is."""
        out: list[str] = []
        last = 0
        tokenizer, mode = self._open()
        for run in CJK_RUN.finditer(word):
            if run.start() > last:
                out.append(word[last : run.start()])
            out += [
                m.normalized_form()
                for m in tokenizer.tokenize(run.group(), mode)
                if m.surface().strip()
            ]
            last = run.end()
        if last < len(word):
            out.append(word[last:])
        return out


def sudachi_analyzer() -> Any:
    """Return a Whoosh analyzer segmenting CJK with Sudachi, Latin words as kb does."""
    tokenizer = SudachiTokenizer()
    # WordFilter would re-cut CJK tokens into bigrams: keep the analyzer's words whole.
    return tokenizer | _KeepCjk()


class _KeepCjk(WordFilter):
    """kb's word filter for Latin tokens; CJK words pass through lowercased."""

    def __call__(self, tokens: Any) -> Any:  # type: ignore[override]
        for token in tokens:
            if CJK_RUN.search(token.text):
                token.text = token.text.lower()
                yield token
            else:
                yield from super().__call__([token])


def build(
    generation: Generation, lang: str, analyzer: Any, folder: Path
) -> tuple[Callable[[str], list[str]], float, int]:
    """Index a language's pages with an analyzer; return a top-10 runner, seconds and bytes."""
    schema = fields.Schema(
        url=fields.ID(stored=True),
        title=fields.TEXT(analyzer=analyzer),
        headings=fields.TEXT(analyzer=analyzer),
        body=fields.TEXT(analyzer=analyzer),
    )
    started = time.perf_counter()
    ix = index.create_in(str(folder), schema)
    writer = ix.writer(limitmb=256)
    for row in generation.store.rows(("url", "title", "headings", "text", "description", "lang")):
        if row["lang"] != lang:
            continue
        headings = "\n".join(h["text"] for h in row["headings"])
        body = "\n".join((row["description"] or "", row["text"] or ""))
        writer.add_document(url=row["url"], title=row["title"] or "", headings=headings, body=body)
    writer.commit()
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    weighting = scoring.BM25F(title_B=0.75, title=6.0, headings=3.0)
    searcher = ix.searcher(weighting=weighting)
    parser = qparser.MultifieldParser(
        ["title", "headings", "body"], schema, fieldboosts={"title": 6.0, "headings": 3.0}
    )

    def run(text: str) -> list[str]:
        """Return the URLs of the top 10 (none when the query cannot be parsed)."""
        try:
            return [hit["url"] for hit in searcher.search(parser.parse(text), limit=10)]
        except Exception:
            return []

    return run, seconds, size


def main() -> None:
    """Build both indexes, run the language's known-item queries, print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index-dir", type=Path, required=True)
    parser.add_argument("--lang", default="ja-jp")
    parser.add_argument("--per-class", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    generation = Generation(current_generation(args.index_dir))
    queries = language_queries(generation, args.lang, args.per_class, args.seed)
    random.Random(args.seed).shuffle(queries)
    bigrams = text_analyzer(args.lang, stem=True)
    segmenters = {"bigrams": bigrams, "sudachi": sudachi_analyzer()}
    print(f"{len(queries)} {args.lang} queries")
    print("| segmenter | class | n | s@1 | MRR |")
    print("| --- | --- | ---: | ---: | ---: |")
    summary = []
    for name, analyzer in segmenters.items():
        with tempfile.TemporaryDirectory(prefix=f"kb-cjk-{name}-") as tmp:
            run, seconds, size = build(generation, args.lang, analyzer, Path(tmp))
            totals: dict[str, list[float]] = {}
            started = time.perf_counter()
            for cls, text, relevant, _anchor, _lang in queries:
                s1, _s5, rr = score(run(text), relevant)
                row = totals.setdefault(cls, [0.0, 0.0, 0.0])
                row[0] += s1
                row[1] += rr
                row[2] += 1
            query_ms = (time.perf_counter() - started) * 1000 / max(1, len(queries))
        for cls, (s1, rr, n) in sorted(totals.items()):
            print(f"| {name} | {cls} | {int(n)} | {s1 / n:.3f} | {rr / n:.3f} |")
        summary.append((name, seconds, size, query_ms))
    for name, seconds, size, query_ms in summary:
        print(f"{name}: build {seconds:.1f} s, index {size / 1e6:.1f} MB, {query_ms:.2f} ms/query")


if __name__ == "__main__":
    main()
