"""How fast kb answers hostile input: the wall-clock budgets the unit tests used to assert.

Unit tests check that hostile input is handled; this checks how long it takes, each against a
budget (exit 1 when one is over):

- frontmatter: the worst YAML the fuzzers know (alias bombs, 1,500 nested brackets), split;
- search: every hostile query of tests/test_search.py over the example index;
- a page nested past the parse budget (`max_parse_seconds` 0.5) beside three others, indexed;
- the hostile test site (tests/fixtures/hostile-site), indexed with `kb index`;
- generated sites through the whole pipeline (tests/test_pipeline_fuzz.py), per site;
- glossary mentions over the real corpus, when it is beside the repo.

Usage:
  .venv/bin/python bench/hostile_inputs.py [--sites 50]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis.errors import NonInteractiveExampleWarning

from kb.build.indexer import build_index
from kb.config import EXAMPLE_SITE, load_settings
from kb.index.generation import Generation
from kb.index.generations import current_generation
from kb.markup.frontmatter import split_frontmatter
from kb.search import search
from kb.web import create_app
from kb.web.context import WATCHER
from tests.test_fuzz import NESTED_ALIASES
from tests.test_index import make_site
from tests.test_pipeline_fuzz import SITES, Served, index_and_serve
from tests.test_search import HOSTILE

FRONTMATTER = [
    "---\na: &a [*a]\n---\nbody",
    "---\na: &a {b: *a}\ntitle: T\n---\nbody",
    "---\nx: " + "[" * 1500 + "]" * 1500 + "\n---\nbody",
    NESTED_ALIASES + "\n---\nbody",
]


def timed(run: Callable[[], object]) -> float:
    """Return how long one call takes, in seconds."""
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def measure(root: Path, sites: int) -> list[tuple[str, float, float]]:
    """Return (what, seconds, budget) for every measurement."""
    rows = [
        (
            "frontmatter: worst of 4 hostile blocks",
            max(timed(lambda t=t: split_frontmatter(t)) for t in FRONTMATTER),
            2.0,
        )
    ]
    example = root / "example-index"
    build_index(load_settings(EXAMPLE_SITE, {"index_dir": example}))
    generation = Generation(current_generation(example))
    search(generation, "warm up")
    worst = max(timed(lambda q=q: search(generation, q, page=-3, limit=10_000)) for q in HOSTILE)
    rows.append((f"search: worst of {len(HOSTILE)} hostile queries", worst, 1.0))
    site = make_site(root / "nested-site", 3)
    (site / "docs" / "nested.md").write_text("[" * 20000 + "x" + "]" * 20000 + "\n")
    nested = load_settings(site, {"index_dir": root / "nested-index", "max_parse_seconds": 0.5})
    rows.append(
        ("index: 4 pages, 1 past the 0.5 s parse budget", timed(lambda: build_index(nested)), 30.0)
    )
    hostile = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "hostile-site"
    settings = load_settings(hostile, {"index_dir": root / "hostile-index"})
    rows.append(
        ("index: the hostile test site (21 pages)", timed(lambda: build_index(settings)), 30.0)
    )
    rows.append((f"pipeline fuzz: per generated site ({sites} sites)", _per_site(root, sites), 5.0))
    corpus = Path(
        os.environ.get("KB_CORPUS")
        or Path(__file__).resolve().parents[2] / "shared" / "corpora" / "auth0-docs"
    )
    if (corpus / "docs" / "glossary.mdx").is_file():
        rows.append(("glossary mentions over the real corpus", _corpus_mentions(corpus), 30.0))
    return rows


def _per_site(root: Path, sites: int) -> float:
    """Index and serve generated sites the way the fuzz test does; return seconds per site."""
    import warnings

    index_dir = root / "fuzz-index"
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})
    served = Served(index_dir, app.test_client(), app.extensions[WATCHER])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        drawn = [SITES.example() for _ in range(sites)]
    return timed(lambda: [index_and_serve(served, *site) for site in drawn]) / sites


def _corpus_mentions(corpus: Path) -> float:
    """Count glossary mentions in every corpus page; return the seconds it took."""
    from kb.glossary.reader import parse_glossary_page
    from kb.glossary.terms import Glossary
    from kb.glossary.usage import term_mentions

    terms, _ = parse_glossary_page(
        "docs/glossary.mdx", (corpus / "docs" / "glossary.mdx").read_text()
    )
    glossary = Glossary(terms)
    texts = [p.read_text(encoding="utf-8") for p in (corpus / "docs").rglob("*.mdx")]
    return timed(lambda: [term_mentions(glossary, text) for text in texts])


def main() -> int:
    """Measure, print a table, and fail when a figure is over its budget."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=int, default=50, help="generated sites to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-bench-hostile-") as tmp:
        rows = measure(Path(tmp), args.sites)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'measurement':<52} {'seconds':>9} {'budget':>7}")
    over = 0
    for what, seconds, budget in rows:
        mark = "" if seconds <= budget else "  OVER"
        over += bool(mark)
        print(f"{what:<52} {seconds:>9.3f} {budget:>7.1f}{mark}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
