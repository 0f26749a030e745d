"""Benchmark the page editors on a copy of a real corpus: `kb fix-terms` and `kb validate`.

Copies the site's docs into a temporary folder (the corpus is never written), then times:
planning the term fix of every page (read, find, rewrite in memory), writing it, and the same
with an allowlist in kb.toml; and planning and writing the validatedOn stamp of every page that
carries the key (or its misspelling). It counts files, replacements and suppressions, and
re-reads every changed page to check that its fenced code, inline code and link targets are
byte-identical. Prints one JSON object.

    nice .venv/bin/python bench/edit_pages.py ../shared/corpora/auth0-docs \
        --i18n-site ../shared/corpora/auth0-docs-i18n
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from kb.build.discover import discover
from kb.config import load_settings
from kb.edits.batch import apply_batch
from kb.edits.stamp import plan_stamp
from kb.edits.terms import plan_term_fix
from kb.markup.fences import fence_ranges
from kb.markup.frontmatter import split_frontmatter
from kb.reports.validation import read_validation

ALLOW = '[kb.deprecated_allow]\nRules = ["docs/customize/rules/**"]\nRule = ["docs/customize/rules/**"]\n'
# Translations: the same move in French and Japanese, added to the defaults.
I18N_TERMS = '[kb]\nextra_deprecated_terms = { "ルール" = "アクション", "Règles" = "Actions" }\n'
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_TARGET = re.compile(
    r"\]\([^)\n]*\)|\bhref=(?:\"[^\"\n]*\"|'[^'\n]*'|\{[^}\n]*\})|https?://[^\s`]+"
)


def code_and_targets(text: str) -> tuple[list[str], list[str], list[str]]:
    """Return a page's fenced blocks, inline code spans and link targets, as written."""
    lines = text.replace("\r\n", "\n").split("\n")
    ranges = fence_ranges(lines)
    fenced = {i for start, end in ranges for i in range(start, end + 1)}
    rest = "\n".join(line for i, line in enumerate(lines) if i not in fenced)
    return (
        ["\n".join(lines[s : e + 1]) for s, e in ranges],
        [m.group(0) for m in _INLINE_CODE.finditer(rest)],
        [m.group(0) for m in _TARGET.finditer(rest)],
    )


def fix_terms_run(site: Path, label: str) -> dict[str, Any]:
    """Plan and write the term fix of every page of a site; count and verify."""
    settings = load_settings(site)
    pages = [s for s in discover(site, settings.excludes, settings.snippet_dirs).sources]
    started, cpu = time.perf_counter(), time.process_time()
    fixes = [
        plan_term_fix(s.path, settings.deprecated_terms, s.rel, settings.deprecated_allow)
        for s in pages
    ]
    planned, planned_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    result = apply_batch([f.edit for f in fixes])
    written = time.perf_counter() - started
    verified = 0
    for edit in result.written:
        assert edit.new is not None
        if code_and_targets(edit.old.decode()) != code_and_targets(edit.new.decode()):
            raise SystemExit(f"{edit.path}: code or a link target changed")
        verified += 1
    return {
        "run": label,
        "pages": len(pages),
        "files_changed": len(result.written),
        "refused": len(result.refused),
        "replacements": sum(f.replaced for f in fixes),
        "suppressed": sum(f.suppressed for f in fixes),
        "plan_seconds": round(planned, 2),
        "plan_cpu_seconds": round(planned_cpu, 2),
        "write_seconds": round(written, 2),
        "pages_verified_code_and_targets_identical": verified,
    }


def validate_run(site: Path) -> dict[str, Any]:
    """Plan and write the validatedOn stamp of every page that carries the key."""
    chosen = []
    for page in sorted((site / "docs").rglob("*.md*")):
        meta = split_frontmatter(page.read_bytes().decode("utf-8", "replace")).meta
        if read_validation(meta).raw is not None:
            chosen.append(page)
    started, cpu = time.perf_counter(), time.process_time()
    edits = [plan_stamp(page, date(2026, 11, 29), fix_key=True) for page in chosen]
    planned, planned_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    result = apply_batch(edits)
    written = time.perf_counter() - started
    notes = Counter(e.note.split(" ")[0] if e.note else "" for e in edits)
    return {
        "pages": len(chosen),
        "stamped": len(result.written),
        "refused": len(result.refused),
        "notes": dict(notes),
        "plan_seconds": round(planned, 3),
        "plan_cpu_seconds": round(planned_cpu, 3),
        "write_seconds": round(written, 3),
    }


def main() -> None:
    """Copy the corpus, run both editors on the copy, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument(
        "--i18n-site", type=Path, help="Also fix a translated site (fr-ca, ja-jp), CJK terms added."
    )
    args = parser.parse_args()
    out: dict[str, Any] = {"fix_terms": []}
    with tempfile.TemporaryDirectory(prefix="kb-edit-bench-") as temp:
        for label, toml in (("defaults", ""), ("allowlist", ALLOW)):
            site = Path(temp) / label
            shutil.copytree(args.site / "docs", site / "docs")
            if toml:
                (site / "kb.toml").write_text(toml, encoding="utf-8")
            out["fix_terms"].append(fix_terms_run(site, label))
        if args.i18n_site:
            site = Path(temp) / "i18n"
            shutil.copytree(args.i18n_site / "docs", site / "docs")
            (site / "kb.toml").write_text(I18N_TERMS, encoding="utf-8")
            out["fix_terms"].append(fix_terms_run(site, "i18n"))
        site = Path(temp) / "stamp"
        shutil.copytree(args.site / "docs", site / "docs")
        out["validate"] = validate_run(site)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
