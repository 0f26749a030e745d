"""Build a synthetic site root N times the size of a real docs corpus, with text derived from it.

The site keeps the real pages under docs/ and adds N-1 copies under docs/synthetic-<k>/. In a
copy every real page becomes a new page at the same relative path whose prose is recombined:
about half of the sentences are swapped for sentences of other pages of the same section, some
words are swapped for words of the section's vocabulary, headings are permuted, the title is
varied and validatedOn shifted. Frontmatter keys, imports, components, code fences, tables and
tooltips stay as they are; internal links point into the copy. Each copy also brings new words
(spliced from corpus words) so the vocabulary grows like Heaps' law (V ~ sqrt(text size))
instead of staying flat. The glossary page is not copied: a site has one glossary.
The output is deterministic for a seed.

Usage:
  .venv/bin/python bench/synth_corpus.py --factor 10 --out bench/out/synth-x10 [--seed 7]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from kb.index.generations import link_tree

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "auth0-docs"
SITE_FILES = ("snippets", "config", "docs.json")
GLOSSARY_PAGE = "glossary.mdx"
SENTENCE_SWAP = 0.5  # share of prose sentences replaced by one from another page of the section
WORD_SWAP = 0.04  # share of prose words replaced by a word of the section
NOVEL_USES = 2.0  # how often, on average, a copy uses each of its new words

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(\S.*)$")
LIST_MARK = re.compile(r"^(\s*(?:[*+-]|\d+[.)])\s+|\s*>\s?)")
# Spans that must move as a whole: tooltips, tags, links, inline code, expressions, URLs.
ATOM = re.compile(
    r"<Tooltip\b[^>]*>.*?</Tooltip>|<[^<>]*>|!?\[[^\]]*\]\([^)]*\)|`[^`]*`|\{[^{}]*\}|https?://\S+"
)
PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\x00])")
WORD = re.compile(r"(?<![\w/#.-])[A-Za-z]{3,}(?![\w/-])")
INTERNAL_LINK = re.compile(r"""(?<=[("'=\s])/docs(?=[/#?)"'\s])(?!/glossary\b)""")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class CorpusModel:
    """What copies are made from: the pages and, per section, prose sentences and words."""

    root: Path
    pages: tuple[str, ...]
    sentences: dict[str, tuple[str, ...]]
    words: dict[str, tuple[str, ...]]
    titles: dict[str, tuple[str, ...]]
    vocabulary: frozenset[str]
    prose_words: int


def section_of(rel: str) -> str:
    """Name a page's section: the first folder below docs/ (or the root)."""
    parts = rel.split("/")
    return parts[1] if len(parts) > 2 else ""


def split_frontmatter(text: str) -> tuple[list[str], str]:
    """Split a page into its frontmatter lines (without fences) and body."""
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            return text[4:end].split("\n"), text[end + 4 :].lstrip("\n")
    return [], text


def line_kinds(body: str) -> list[tuple[str, str]]:
    """Return the body's lines, each with its kind: "prose", "heading", "code" or "other".

    Only prose may be rewritten: code fences, tables, imports/exports, multi-line tags and
    braces, and lines whose tags or braces do not balance on the line are "other".
    """
    marked: list[tuple[str, str]] = []
    fence: str | None = None
    depth = 0
    in_tag = in_template = False
    for line in body.split("\n"):
        match = FENCE.match(line)
        if fence is not None:
            marked.append((line, "code"))
            if match and match.group(1) == fence:
                fence = None
            continue
        if match:
            fence = match.group(1)
            marked.append((line, "code"))
            continue
        # An odd number of backticks opens or closes a multi-line template literal (export const).
        was_template = in_template
        in_template ^= line.count("`") % 2 == 1
        rest = ATOM.sub("", line)
        balanced = not (depth or in_tag or was_template or in_template)
        balanced = balanced and not re.search(r"[<>{}|`]", rest)
        depth = max(0, depth + rest.count("{") - rest.count("}"))
        if in_tag:
            in_tag = ">" not in rest
        elif re.search(r"<[A-Za-z][^>]*$", rest):
            in_tag = True
        text = LIST_MARK.sub("", line, count=1)
        starts_prose = bool(text[:1].isalnum() or text[:2] in ("**", "__"))
        if balanced and HEADING.match(line):
            marked.append((line, "heading"))
        elif balanced and starts_prose and not line.startswith(("import ", "export ")):
            marked.append((line, "prose"))
        else:
            marked.append((line, "other"))
    return marked


def sentences_of(text: str) -> list[str]:
    """Split prose into sentences without cutting through a tag, link or code span."""
    atoms: list[str] = []

    def keep(match: re.Match[str]) -> str:
        """Stand in for one atom."""
        atoms.append(match.group(0))
        return f"\x00{len(atoms) - 1}\x00"

    masked = ATOM.sub(keep, text)
    parts = SENTENCE_END.split(masked)
    return [PLACEHOLDER.sub(lambda m: atoms[int(m.group(1))], p) for p in parts if p]


def read_model(corpus: Path) -> CorpusModel:
    """Read the corpus once: pages, and each section's prose sentences, words and titles."""
    pages = sorted(
        str(p.relative_to(corpus)).replace(os.sep, "/") for p in (corpus / "docs").rglob("*.mdx")
    )
    sentences: dict[str, list[str]] = {}
    words: dict[str, list[str]] = {}
    titles: dict[str, list[str]] = {}
    vocabulary: set[str] = set()
    prose_words = 0
    for rel in pages:
        section = section_of(rel)
        front, body = split_frontmatter((corpus / rel).read_text("utf-8", errors="replace"))
        for line in front:
            if line.startswith("title:"):
                titles.setdefault(section, []).append(line[6:].strip().strip("'\""))
        for line, kind in line_kinds(body):
            if kind != "prose":
                continue
            text = LIST_MARK.sub("", line, count=1)
            sentences.setdefault(section, []).extend(sentences_of(text))
            found = WORD.findall(ATOM.sub(" ", text))
            words.setdefault(section, []).extend(found)
            vocabulary.update(w.lower() for w in found)
            prose_words += len(found)
    return CorpusModel(
        root=corpus,
        pages=tuple(pages),
        sentences={k: tuple(v) for k, v in sentences.items()},
        words={k: tuple(v) for k, v in words.items()},
        titles={k: tuple(v) for k, v in titles.items()},
        vocabulary=frozenset(vocabulary),
        prose_words=prose_words,
    )


def novel_words(model: CorpusModel, copy: int, seed: int) -> list[str]:
    """Make the words copy `copy` adds, so the vocabulary after k+1 corpora is ~ V*sqrt(k+1)."""
    size = len(model.vocabulary)
    count = round(size * (math.sqrt(copy + 1) - math.sqrt(copy)))
    rng = random.Random(f"novel:{seed}:{copy}")
    pool = sorted(w for w in model.vocabulary if len(w) >= 5)
    made: set[str] = set()
    while len(made) < count:
        head, tail = rng.choice(pool), rng.choice(pool)
        word = head[: rng.randint(3, len(head) - 1)] + tail[rng.randint(1, len(tail) - 2) :]
        if word not in model.vocabulary and len(word) >= 5:
            made.add(word)
    ordered = sorted(made)
    rng.shuffle(ordered)
    return ordered


class CopyWriter:
    """Turn real pages into the pages of one synthetic copy."""

    def __init__(self, model: CorpusModel, copy: int, seed: int) -> None:
        """Prepare the copy's new words and the rate at which they are used."""
        self.model = model
        self.copy = copy
        self.seed = seed
        self.prefix = f"/docs/synthetic-{copy}"
        self.novel = novel_words(model, copy, seed)
        self.novel_rate = min(0.2, NOVEL_USES * len(self.novel) / max(1, model.prose_words))
        self.next_novel = 0

    def page(self, rel: str) -> str:
        """Return the copy of one page."""
        rng = random.Random(f"page:{self.seed}:{self.copy}:{rel}")
        section = section_of(rel)
        text = (self.model.root / rel).read_text("utf-8", errors="replace")
        front, body = split_frontmatter(text)
        lines = line_kinds(body)
        headings = [HEADING.match(line) for line, kind in lines if kind == "heading"]
        texts = [m.group(2) for m in headings if m]
        rng.shuffle(texts)
        out: list[str] = []
        for line, kind in lines:
            if kind == "heading" and (m := HEADING.match(line)):
                out.append(f"{m.group(1)} {texts.pop()}")
            elif kind == "prose":
                out.append(self._prose(line, section, rng))
            else:
                out.append(line)
        body_out = "\n".join(
            line if kind == "code" else self._links(line)
            for line, (_, kind) in zip(out, lines, strict=True)
        )
        if not front:
            return body_out
        return "---\n" + "\n".join(self._front(front, section, rng)) + "\n---\n\n" + body_out

    def _links(self, text: str) -> str:
        """Rewrite /docs links (but not the glossary) to the copy's URLs."""
        return INTERNAL_LINK.sub(self.prefix, text)

    def _prose(self, line: str, section: str, rng: random.Random) -> str:
        """Recombine one prose line: swap sentences and words, keep its list marker."""
        mark = LIST_MARK.match(line)
        head = mark.group(0) if mark else ""
        pool = self.model.sentences.get(section, ())
        parts = []
        for sentence in sentences_of(line[len(head) :]):
            if pool and rng.random() < SENTENCE_SWAP:
                sentence = rng.choice(pool)
            parts.append(self._words(sentence, section, rng))
        return head + " ".join(parts)

    def _words(self, text: str, section: str, rng: random.Random) -> str:
        """Swap some words (outside tags, links and code) for section words or new words."""
        vocabulary = self.model.words.get(section, ())

        def swap(match: re.Match[str]) -> str:
            """Return a replacement word with the original's capitalization, or the word."""
            word = match.group(0)
            roll = rng.random()
            if roll < self.novel_rate and self.novel:
                if self.next_novel < len(self.novel):
                    new = self.novel[self.next_novel]
                    self.next_novel += 1
                else:
                    new = rng.choice(self.novel)
            elif roll < self.novel_rate + WORD_SWAP and vocabulary:
                new = rng.choice(vocabulary).lower()
            else:
                return word
            return new.capitalize() if word[0].isupper() else new

        pieces = []
        last = 0
        for atom in ATOM.finditer(text):
            pieces.append(WORD.sub(swap, text[last : atom.start()]))
            pieces.append(atom.group(0))
            last = atom.end()
        pieces.append(WORD.sub(swap, text[last:]))
        return "".join(pieces)

    def _front(self, front: list[str], section: str, rng: random.Random) -> list[str]:
        """Vary the title and description and shift validatedOn; keep every other key."""
        out = []
        for line in front:
            key, _, value = line.partition(":")
            if key == "title" and value.strip():
                out.append(f"title: {self._title(value.strip(), section, rng)}")
            elif key == "description" and value.strip():
                out.append("description: " + self._words(value.strip(), section, rng))
            elif key == "validatedOn" and ISO_DATE.fullmatch(value.strip().strip("'\"")):
                when = date.fromisoformat(value.strip().strip("'\""))
                out.append(f"validatedOn: {when + timedelta(days=rng.randint(-200, 60))}")
            else:
                out.append(line)
        return out

    def _title(self, title: str, section: str, rng: random.Random) -> str:
        """Swap one word of a title for a word of another title of the section."""
        quote = title[0] if title[0] in "'\"" and title.endswith(title[0]) else ""
        bare = title[1:-1] if quote else title
        words = bare.split(" ")
        others = [w for t in self.model.titles.get(section, ()) for w in t.split(" ")]
        candidates = [i for i, w in enumerate(words) if w.isalpha()]
        clean = [w for w in others if w.isalpha()]
        if candidates and clean:
            words[rng.choice(candidates)] = rng.choice(clean)
        return f"{quote}{' '.join(words)}{quote}"


_model: CorpusModel | None = None


def write_copy(model: CorpusModel, copy: int, seed: int, dest: Path) -> int:
    """Write copy `copy` into dest (docs/synthetic-<copy> of a site); return its page count."""
    writer = CopyWriter(model, copy, seed)
    written = 0
    for rel in model.pages:
        if rel == f"docs/{GLOSSARY_PAGE}":
            continue
        target = dest / rel.removeprefix("docs/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(writer.page(rel), "utf-8")
        written += 1
    return written


def _copy_in_worker(job: tuple[int, int, str]) -> int:
    """Write one copy inside a pool worker, into a temporary folder renamed when complete."""
    copy, seed, dest = job
    assert _model is not None
    final = Path(dest)
    building = final.with_name(final.name + ".part")
    shutil.rmtree(building, ignore_errors=True)
    count = write_copy(_model, copy, seed, building)
    building.rename(final)
    return count


def build_site(corpus: Path, factor: int, out: Path, seed: int, cache: Path | None = None) -> int:
    """Build (or reuse) the site root of `factor` corpora at out; return the page count.

    With a cache folder, copies are made once there and hard-linked into each site.
    """
    global _model
    marker = out / ".synth-done"
    if marker.exists() and marker.read_text() == f"{factor}:{seed}":
        return sum(1 for _ in (out / "docs").rglob("*.mdx"))
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    link_tree(corpus / "docs", out / "docs")
    for name in SITE_FILES:
        if (corpus / name).is_dir():
            link_tree(corpus / name, out / name)
        elif (corpus / name).is_file():
            shutil.copy2(corpus / name, out / name)
    store = cache / f"seed-{seed}" if cache is not None else out / "docs"
    missing = [k for k in range(1, factor) if not (store / f"synthetic-{k}").is_dir()]
    if missing:
        _model = read_model(corpus)
        jobs = [(k, seed, str(store / f"synthetic-{k}")) for k in missing]
        store.mkdir(parents=True, exist_ok=True)
        with multiprocessing.get_context("fork").Pool(min(2, os.cpu_count() or 1)) as pool:
            for done, count in enumerate(pool.imap_unordered(_copy_in_worker, jobs), 1):
                print(f"  copy {done}/{len(jobs)}: {count} pages", file=sys.stderr, flush=True)
    if cache is not None:
        for k in range(1, factor):
            link_tree(store / f"synthetic-{k}", out / "docs" / f"synthetic-{k}")
    marker.write_text(f"{factor}:{seed}")
    return sum(1 for _ in (out / "docs").rglob("*.mdx"))


def main() -> int:
    """Parse arguments and build the site."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--factor", type=int, required=True, help="corpora in the site (>= 1)")
    parser.add_argument("--out", type=Path, required=True, help="site root to write")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--cache", type=Path, help="folder to keep copies in, reused by sites")
    args = parser.parse_args()
    if args.factor < 1 or not (args.corpus / "docs").is_dir():
        print("need --factor >= 1 and a corpus with a docs/ folder", file=sys.stderr)
        return 2
    started = time.perf_counter()
    pages = build_site(args.corpus, args.factor, args.out, args.seed, args.cache)
    print(f"{pages} pages at {args.out} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
