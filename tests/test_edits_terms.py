"""Tests of `kb fix-terms` and the suppressions the terms report honours (one rule for both)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kb.cli import main
from kb.config import DEFAULT_DEPRECATED_TERMS, load_settings
from kb.edits.terms import fix_terms_text, keep_case
from kb.markup.fences import fence_ranges
from kb.reports.terms import scan_terms, term_matches
from kb.web import create_app
from tests.conftest import index_site

TERMS = {"Rule": "Action", "Rules": "Actions", "Hook": "Action", "whitelist": "allowlist"}


def _run(*args: str) -> tuple[int, str, str]:
    """Run kb; return the exit code, stdout and stderr."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _fix(text: str, **kwargs: object) -> str:
    """Return the fixed text only."""
    return fix_terms_text(text, TERMS, **kwargs)[0]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("found", "replacement", "expected"),
    [
        ("Rules", "Actions", "Actions"),
        ("rules", "Actions", "actions"),
        ("RULES", "Actions", "ACTIONS"),
    ],
)
def test_keep_case(found: str, replacement: str, expected: str) -> None:
    assert keep_case(found, replacement) == expected


def test_prose_changes_and_case_and_articles() -> None:
    text = "A Rule runs before RULES; a Hook too.\n## Migrate from Rules\n"
    assert _fix(text) == "An Action runs before ACTIONS; an Action too.\n## Migrate from Actions\n"
    lower = fix_terms_text("The rules and Rules.\n", {"rules": "actions"})[0]
    assert lower == "The actions and Actions.\n"


@pytest.mark.parametrize(
    "text",
    [
        "```js\nconst Rules = 1; // Rules\n```\n",
        "~~~\nRules\n~~~\n",
        "Use `Rules.add()` or ``the Rules``.\n",
        "See [the guide](/docs/customize/Rules) and https://example.com/Rules here.\n",
        'import Rules from "/snippets/Rules.mdx";\nexport const Rule = "Rules";\n',
        '<Rules foo="Rules" Rule={Rules} href="/Rules" />\n',
        "<Card\n  icon={Rules}\n  Rules\n  className='Rules'\n/>\n",
        "{/* Rules here */} <!-- and Rules -->\n",
        "Value {props.Rules} shown.\n",
        "The firewall rules and webhooks, Rules/Actions, Rules-based, .Rules\n",
    ],
)
def test_never_touches_code_links_tags_or_comments(text: str) -> None:
    assert _fix(text) == text


def test_prose_attribute_values_and_frontmatter_values_are_prose_keys_are_not() -> None:
    text = (
        '---\ntitle: "Rules: a guide"\nRules: keep\ndescription: Rules # Rules\n'
        "sidebarTitle: >\n  Rules\n---\n"
        '<Card title="Rules" href="/r" alt=\'a Rule\'>Rules</Card>\n'
    )
    assert _fix(text) == (
        '---\ntitle: "Actions: a guide"\nRules: keep\ndescription: Actions # Rules\n'
        "sidebarTitle: >\n  Rules\n---\n"
        '<Card title="Actions" href="/r" alt=\'an Action\'>Actions</Card>\n'
    )


def test_crlf_and_bytes_kept() -> None:
    text = "---\r\ntitle: T\r\n---\r\n\r\nThe Rules.\r\nLast Rule"
    assert _fix(text) == "---\r\ntitle: T\r\n---\r\n\r\nThe Actions.\r\nLast Action"


def test_malformed_frontmatter_is_left_alone_but_the_body_is_fixed() -> None:
    text = "---\ntitle: [Rules\n---\nRules.\n"
    assert _fix(text) == "---\ntitle: [Rules\n---\nActions.\n"


def test_markers_suppress_the_next_line_only() -> None:
    text = (
        "{/* kb-ignore deprecated */}\n\nRules stay (blank line between).\nRules go.\n"
        "<!-- kb-ignore deprecated Hook -->\nRules and Hook: Rules go, Hook stays.\n"
        "Rules stay here too {/* kb-ignore deprecated */}\n"
    )
    fixed, replaced, suppressed = fix_terms_text(text, TERMS)
    assert fixed == (
        "{/* kb-ignore deprecated */}\n\nRules stay (blank line between).\nActions go.\n"
        "<!-- kb-ignore deprecated Hook -->\nActions and Hook: Actions go, Hook stays.\n"
        "Rules stay here too {/* kb-ignore deprecated */}\n"
    )
    assert (replaced, suppressed) == (3, 4)


def test_yaml_marker_and_allowlist() -> None:
    text = "---\n# kb-ignore deprecated\ntitle: Rules\n---\nA Rule.\n"
    assert _fix(text) == "---\n# kb-ignore deprecated\ntitle: Rules\n---\nAn Action.\n"
    allow = {"Rule": ["docs/customize/rules/**"]}
    kept = _fix(text, path="docs/customize/rules/migrate.mdx", allow=allow)
    assert kept == text
    assert _fix(text, path="docs/other.mdx", allow=allow) != text


def test_report_and_fixer_agree() -> None:
    text = "Rules and `Rules` [Rules](/Rules)\n{/* kb-ignore deprecated */}\nRule.\nHook!\n"
    scan = scan_terms(text, 0, TERMS)
    # The link text is prose; the code span and the link target are not.
    assert [(h["line"], h["column"]) for h in scan.hits] == [(1, 1), (1, 20), (4, 1)]
    assert [(h["line"], h["suppressed"]) for h in scan.suppressed] == [(3, "marker")]
    fixed, replaced, suppressed = fix_terms_text(text, TERMS)
    assert (replaced, suppressed) == (len(scan.hits), len(scan.suppressed))
    assert scan_terms(fixed, 0, TERMS).hits == []


_PIECES = st.sampled_from(
    [
        "Rules",
        "a Rule",
        "RULES",
        "`Rules`",
        "[Rules](/docs/Rules)",
        "<Tag Rules={Rules} />",
        "https://x.test/Rules",
        "{/* Rules */}",
        "hooks",
        "whitelist",
        "plain words",
        "\n",
        "\n\n",
        "\n```\nRules\n```\n",
        '\nimport Rules from "/Rules.mdx"\n',
        "\r\n",
    ]
)


@given(st.lists(_PIECES, max_size=25).map(" ".join))
def test_fixing_leaves_no_finding_and_no_code_changed(text: str) -> None:
    fixed, _, _ = fix_terms_text(text, TERMS)
    normal = fixed.replace("\r\n", "\n")
    assert [m for m in term_matches(normal, 0, TERMS) if not m.suppressed] == []
    assert _code_and_targets(text) == _code_and_targets(fixed)


# --- the CLI, the report and the web twin ------------------------------------------------------


def _site(root: Path) -> Path:
    """Write a site with a migration guide on the allowlist and a marked legitimate use."""
    docs = root / "docs"
    (docs / "customize" / "rules").mkdir(parents=True)
    (root / "kb.toml").write_text('[kb.deprecated_allow]\nRules = ["docs/customize/rules/**"]\n')
    (docs / "customize" / "rules" / "migrate.md").write_text(
        "---\ntitle: Migrate\n---\nRules become Actions.\n"
    )
    (docs / "guide.md").write_text(
        "---\ntitle: Guide\n---\nUse Rules.\n\n<!-- kb-ignore deprecated -->\nRules (legacy).\n"
    )
    return docs


def test_settings_read_the_allowlist(tmp_path: Path) -> None:
    _site(tmp_path)
    settings = load_settings(tmp_path)
    assert settings.deprecated_allow == {"Rules": ("docs/customize/rules/**",)}


def test_cli_diff_then_write(tmp_path: Path) -> None:
    docs = _site(tmp_path)
    guide = docs / "guide.md"
    before = guide.read_bytes()
    code, out, err = _run("fix-terms", "--site-root", str(tmp_path))
    assert code == 0, err
    assert "-Use Rules.\n+Use Actions.\n" in out
    assert "migrate.md" not in out
    assert guide.read_bytes() == before
    code, _, err = _run("fix-terms", "--site-root", str(tmp_path), "--write")
    assert code == 0
    assert "1 terms replaced, 2 suppressed uses left" in err
    assert guide.read_text() == (
        "---\ntitle: Guide\n---\nUse Actions.\n\n<!-- kb-ignore deprecated -->\nRules (legacy).\n"
    )


def test_cli_refuses_a_batch_with_an_unreadable_page(tmp_path: Path) -> None:
    docs = _site(tmp_path)
    (docs / "bad.md").write_bytes(b"Rules \xff\n")
    before = (docs / "guide.md").read_bytes()
    code, _, err = _run("fix-terms", str(docs), "--site-root", str(tmp_path), "--write")
    assert code == 1
    assert "bad.md: refused: invalid UTF-8 at byte 6" in err
    assert (docs / "guide.md").read_bytes() == before


def test_report_and_check_count_suppressed_uses(tmp_path: Path) -> None:
    _site(tmp_path / "site")
    index_dir = tmp_path / "index"
    index_site(tmp_path / "site", index_dir)
    code, out, _ = _run("check", "terms", "--index-dir", str(index_dir))
    assert code == 0
    assert (
        "Deprecated terms: 1 finding (2 suppressed: 1 by kb-ignore markers, "
        "1 by the deprecated_allow setting)"
    ) in out
    data = json.loads(_run("check", "terms", "--index-dir", str(index_dir), "--format", "json")[1])
    assert data["terms"]["count"] == 1
    assert data["terms"]["suppressed"] == {"total": 2, "marker": 1, "allowlist": 1}
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    api = client.get("/api/reports/terms").get_json()
    assert api["suppressed"] == {"total": 2, "marker": 1, "allowlist": 1}
    assert api["total"] == 1
    html = client.get("/reports/terms").get_data(as_text=True)
    assert "Not listed: 2 legitimate uses" in html


# --- the real corpus ----------------------------------------------------------------------------

_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_TARGET = re.compile(
    r"\]\([^)\n]*\)|\bhref=(?:\"[^\"\n]*\"|'[^'\n]*'|\{[^}\n]*\})|https?://[^\s`]+"
)


def _code_and_targets(text: str) -> tuple[list[str], list[str], list[str]]:
    """Return a page's fenced blocks, inline code spans and link targets, as written."""
    lines = text.replace("\r\n", "\n").split("\n")
    ranges = fence_ranges(lines)
    fenced = {i for start, end in ranges for i in range(start, end + 1)}
    blocks = ["\n".join(lines[start : end + 1]) for start, end in ranges]
    rest = "\n".join(line for i, line in enumerate(lines) if i not in fenced)
    spans = [m.group(0) for m in _INLINE_CODE.finditer(rest)]
    return blocks, spans, [m.group(0) for m in _TARGET.finditer(rest)]


@pytest.mark.corpus
def test_corpus_fix_changes_nothing_inside_code_or_link_targets(
    corpus_root: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(corpus_root / "docs", site / "docs")
    originals = {p: p.read_bytes() for p in (site / "docs").rglob("*.mdx")}
    code, _, err = _run("fix-terms", "--site-root", str(site), "--write")
    assert code == 0, err
    replaced = int(re.search(r"(\d+) terms replaced", err)[1])  # type: ignore[index]
    assert replaced > 100
    changed = 0
    for path, raw in originals.items():
        new = path.read_bytes()
        if new == raw:
            continue
        changed += 1
        before, after = raw.decode(), new.decode()
        assert _code_and_targets(before) == _code_and_targets(after), path
        assert before.count("\n") == after.count("\n"), path
    assert changed > 50
    assert DEFAULT_DEPRECATED_TERMS["Rules"] == "Actions"
    code, out, _ = _run("fix-terms", "--site-root", str(site))
    assert out == ""


def test_cli_warns_when_a_heading_anchor_changes(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("# Rules\n\n## Migrate a Rule ##\n\nSee [below](#migrate-a-rule).\n")
    code, out, err = _run("fix-terms", str(page), "--site-root", str(tmp_path))
    assert code == 0
    assert "+## Migrate an Action ##\n" in out
    assert "line 1: #rules → #actions" in err
    assert "line 3: #migrate-a-rule → #migrate-an-action" in err
    assert "`kb check links` lists them" in err


def test_cjk_terms_match_without_spaces_and_only_in_prose() -> None:
    terms = {"ルール": "アクション", "规则": "操作"}
    text = (
        '---\ntitle: "ルールの実行"\n---\n各ルールは、`ルール` [ルール](/docs/ルール)。使用规则。\n'
    )
    fixed, replaced, _ = fix_terms_text(text, terms)
    assert fixed == (
        '---\ntitle: "アクションの実行"\n---\n各アクションは、`ルール` [アクション](/docs/ルール)。使用操作。\n'
    )
    assert replaced == 4
    assert [h["found"] for h in scan_terms("各ルールは\n", 0, terms).hits] == ["ルール"]


def test_terms_found_in_frontmatter_alone_and_across_blanked_markup() -> None:
    """A page is ruled out by a search of its raw text: a term only in its frontmatter is still
    found, and a term with a space (blanking markup makes spaces) still takes the full reading."""
    head = '---\ntitle: "Rules overview"\n---'
    found = term_matches("No deprecated word here.\n", 3, TERMS, head=head)
    assert [(m.line, m.found) for m in found] == [(2, "Rules")]
    assert term_matches("Plain text.\n", 0, TERMS) == []
    spaced = {"white list": "allowlist"}
    assert [m.found for m in term_matches("The white list.\n", 0, spaced)] == ["white list"]
