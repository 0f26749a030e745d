"""The synthetic-site generator behind the scale benchmarks: deterministic, links into the copy,
code and template literals untouched."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import synth_corpus

PAGES = {
    "docs/get-started/overview.mdx": """---
title: Overview of Tokens
description: How tokens move between the parts of an application.
validatedOn: 2026-01-15
---

export const snippet = `const token = await client.getToken(${audience});`;

## Why tokens matter

Tokens carry identity between services. Every request presents one. Read [the guide](/docs/get-started/setup) before you begin.
See <Tooltip tip="A signed credential">access tokens</Tooltip> and the [glossary](/docs/glossary?term=jwt).

```js
// Keep this code exactly as written.
const url = "/docs/get-started/setup";
```

- Rotate refresh tokens often. Revoke them when a device is lost.
""",
    "docs/get-started/setup.mdx": """---
title: Set Up Your Tenant
validatedOn: "2025-12-01"
---

## Create the tenant

Open the dashboard and create a tenant. Choose a region close to your users. Then configure [the overview](/docs/get-started/overview#why-tokens-matter).

~~~text
tilde fences stay put: /docs/get-started/overview
~~~
""",
    "docs/secure/keys.mdx": """---
title: Signing Keys
---

## Rotate keys

Signing keys protect tokens. Rotate them on a schedule. Monitor [setup](/docs/get-started/setup) as well.

```bash
curl https://example.com/docs/secure/keys
```
""",
    "docs/glossary.mdx": "---\ntitle: Glossary\n---\n\nTerms.\n",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for rel, text in PAGES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, "utf-8")
    (root / "docs.json").write_text('{"name": "fixture"}')
    return root


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.mdx"))}


def fenced(text: str) -> list[str]:
    return re.findall(r"```[\s\S]*?```|~~~[\s\S]*?~~~", text)


def test_same_seed_same_site_other_seed_other_text(corpus: Path, tmp_path: Path) -> None:
    first = synth_corpus.build_site(corpus, 3, tmp_path / "a", seed=7)
    synth_corpus.build_site(corpus, 3, tmp_path / "b", seed=7)
    synth_corpus.build_site(corpus, 3, tmp_path / "c", seed=8)
    assert first == 3 * 4 - 2  # the glossary page is not copied
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert tree(tmp_path / "a") != tree(tmp_path / "c")
    assert set(tree(tmp_path / "a")) == set(tree(tmp_path / "c"))


def test_copies_link_into_themselves_but_not_the_glossary(corpus: Path, tmp_path: Path) -> None:
    synth_corpus.build_site(corpus, 3, tmp_path / "site", seed=7)
    for k in (1, 2):
        page = (tmp_path / "site" / f"docs/synthetic-{k}/get-started/overview.mdx").read_text()
        assert f"(/docs/synthetic-{k}/get-started/setup)" in page
        assert "(/docs/get-started/setup)" not in page
        assert "(/docs/glossary?term=jwt)" in page
        setup = (tmp_path / "site" / f"docs/synthetic-{k}/get-started/setup.mdx").read_text()
        assert f"(/docs/synthetic-{k}/get-started/overview#why-tokens-matter)" in setup


def test_code_and_template_literals_stay_byte_identical(corpus: Path, tmp_path: Path) -> None:
    synth_corpus.build_site(corpus, 4, tmp_path / "site", seed=11)
    for rel, original in PAGES.items():
        if rel.endswith("glossary.mdx"):
            continue
        for k in (1, 2, 3):
            copy = (tmp_path / "site" / rel.replace("docs/", f"docs/synthetic-{k}/", 1)).read_text()
            assert fenced(copy) == fenced(original)
            for line in original.splitlines():
                if line.startswith("export const"):
                    assert line in copy


def test_prose_and_titles_change_keys_and_dates_stay_valid(corpus: Path, tmp_path: Path) -> None:
    synth_corpus.build_site(corpus, 6, tmp_path / "site", seed=3)
    original = PAGES["docs/get-started/overview.mdx"]
    copies = [
        (tmp_path / "site" / f"docs/synthetic-{k}/get-started/overview.mdx").read_text()
        for k in range(1, 6)
    ]
    assert any(c.split("---")[2] != original.split("---")[2] for c in copies)
    for copy in copies:
        front = copy.split("---")[1]
        keys = [line.partition(":")[0] for line in front.strip().splitlines()]
        assert keys == ["title", "description", "validatedOn"]
        when = re.search(r"validatedOn: (\S+)", front)
        assert when and re.fullmatch(r"\d{4}-\d{2}-\d{2}", when.group(1))
        # Sentences move whole, so a tooltip may go, but never in pieces.
        assert copy.count("<Tooltip") == copy.count("</Tooltip>")
        for tip in re.findall(r"<Tooltip[^>]*>", copy):
            assert tip == '<Tooltip tip="A signed credential">'


def test_a_finished_site_is_reused_not_rebuilt(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    synth_corpus.build_site(corpus, 2, out, seed=7)
    marker = out / "docs" / "synthetic-1" / "get-started" / "overview.mdx"
    marker.write_text("kept")
    assert synth_corpus.build_site(corpus, 2, out, seed=7) == 2 * 4 - 1
    assert marker.read_text() == "kept"
    synth_corpus.build_site(corpus, 2, out, seed=9)
    assert marker.read_text() != "kept"
