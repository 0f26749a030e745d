"""Tests of `kb validate`: stamping validatedOn changes one line and every other byte round-trips."""

from __future__ import annotations

import difflib
import os
import shutil
import stat
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kb.cli import main
from kb.edits.batch import apply_batch
from kb.edits.sources import EditRefused, decode_for_edit
from kb.edits.stamp import plan_stamp, stamp_text
from kb.markup.frontmatter import split_frontmatter
from kb.reports.validation import read_validation
from tests.conftest import index_site

DAY = date(2026, 11, 29)


def _run(*args: str) -> tuple[int, str, str]:
    """Run kb; return the exit code, stdout and stderr."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _changed_lines(old: bytes, new: bytes) -> list[tuple[str, list[bytes], list[bytes]]]:
    """Return the differing line groups between two byte strings (line endings kept)."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        (op, a[i1:i2], b[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"
    ]


def test_updates_the_value_and_keeps_quotes_comment_and_order() -> None:
    text = "---\ntitle: 'A: b'\nvalidatedOn: '2026-01-01'  # by Ana\ntags: [x]\n---\nBody\n"
    new, note = stamp_text(text, DAY)
    assert new == text.replace("2026-01-01", "2026-11-29")
    assert note == "updated"


def test_fills_an_empty_value_and_replaces_a_non_iso_one() -> None:
    assert stamp_text("---\nvalidatedOn:\n---\n", DAY)[0] == "---\nvalidatedOn: 2026-11-29\n---\n"
    assert stamp_text('---\nvalidatedOn: "07-20-2026"\n---\n', DAY)[0] == (
        '---\nvalidatedOn: "2026-11-29"\n---\n'
    )


def test_adds_the_key_after_description_in_the_files_quoting_and_line_endings() -> None:
    text = '---\r\ntitle: "T"\r\ndescription: >\r\n  long\r\n  text\r\n# next\r\nmode: "wide"\r\n---\r\nx'
    new, note = stamp_text(text, DAY)
    assert note == "added"
    assert new == text.replace("  text\r\n", '  text\r\nvalidatedOn: "2026-11-29"\r\n')


def test_adds_after_title_when_there_is_no_description_and_plain_when_values_are_plain() -> None:
    new, _ = stamp_text("---\ntitle: T\nmode: wide\n---\n", DAY)
    assert new == "---\ntitle: T\nvalidatedOn: 2026-11-29\nmode: wide\n---\n"


def test_a_page_without_frontmatter_gets_a_block() -> None:
    assert stamp_text("# Hi\r\n", DAY)[0] == "---\r\nvalidatedOn: 2026-11-29\r\n---\r\n# Hi\r\n"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: [a\n---\n", "malformed frontmatter"),
        ("---\ntitle: a\n", "not closed"),
        ("---\nvalidatedOn: 2026-01-01\nvalidatedOn: 2026-02-01\n---\n", "several lines"),
        ("---\nvalidatedOn:\n  - 2026-01-01\n---\n", "not a single plain value"),
        ("---\nvalidation: 2026-01-01\n---\n", "--fix-key"),
        ("---\rtitle: a\r---\r", "bare carriage returns"),
        ("---\n- a\n---\n", "not a mapping"),
    ],
)
def test_refuses_what_it_cannot_edit_safely(text: str, reason: str) -> None:
    with pytest.raises(EditRefused, match=reason):
        stamp_text(text, DAY)


def test_fix_key_renames_a_misspelled_key_on_its_line() -> None:
    new, note = stamp_text("---\ntitle: A\nvalidation: 07-20-2026 # old\n---\n", DAY, fix_key=True)
    assert new == "---\ntitle: A\nvalidatedOn: 2026-11-29 # old\n---\n"
    assert "renamed" in note


def test_bom_and_invalid_utf8(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_bytes(b"\xef\xbb\xbf---\ntitle: A\n---\nx\n")
    edit = plan_stamp(page, DAY)
    assert edit.new == b"\xef\xbb\xbf---\ntitle: A\nvalidatedOn: 2026-11-29\n---\nx\n"
    page.write_bytes(b"---\ntitle: \xff\n---\n")
    assert "invalid UTF-8 at byte 11" in (plan_stamp(page, DAY).refused or "")


def _site(root: Path) -> Path:
    """Write a small site: two good pages and one with malformed frontmatter."""
    docs = root / "docs"
    docs.mkdir(parents=True)
    (docs / "good.md").write_text("---\ntitle: Good\nvalidatedOn: 2025-01-01\n---\nG\n")
    (docs / "new.mdx").write_text("---\ntitle: New\n---\nN\n")
    (docs / "bad.md").write_text("---\ntitle: [broken\n---\nB\n")
    return docs


def test_cli_refuses_the_batch_when_one_page_is_refused(tmp_path: Path) -> None:
    docs = _site(tmp_path)
    before = {p.name: p.read_bytes() for p in docs.iterdir()}
    code, _, err = _run("validate", str(docs), "--on", "2026-11-29")
    assert code == 1
    assert "bad.md: refused: malformed frontmatter" in err
    assert "nothing written" in err
    assert {p.name: p.read_bytes() for p in docs.iterdir()} == before


def test_cli_skip_refused_writes_the_others_and_keeps_mode(tmp_path: Path) -> None:
    docs = _site(tmp_path)
    (docs / "good.md").chmod(0o640)
    code, _, err = _run("validate", str(docs), "--on", "2026-11-29", "--skip-refused")
    assert code == 1
    assert "2 pages stamped" in err
    assert (docs / "good.md").read_text() == "---\ntitle: Good\nvalidatedOn: 2026-11-29\n---\nG\n"
    assert "validatedOn: 2026-11-29" in (docs / "new.mdx").read_text()
    assert stat.S_IMODE((docs / "good.md").stat().st_mode) == 0o640
    assert sorted(p.name for p in docs.iterdir()) == ["bad.md", "good.md", "new.mdx"]


def test_cli_dry_run_prints_a_diff_and_writes_nothing(tmp_path: Path) -> None:
    docs = _site(tmp_path)
    before = (docs / "good.md").read_bytes()
    code, out, _ = _run("validate", str(docs / "good.md"), "--on", "2026-11-29", "--dry-run")
    assert code == 0
    assert "-validatedOn: 2025-01-01\n+validatedOn: 2026-11-29\n" in out
    assert out.startswith("--- a/")
    assert (docs / "good.md").read_bytes() == before


def test_cli_misspelled_key_needs_fix_key(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("---\nvalidatedon: 2025-01-01\n---\n")
    code, _, err = _run("validate", str(page))
    assert code == 1 and "rerun with --fix-key" in err
    assert _run("validate", str(page), "--fix-key", "--on", "2026-11-29")[0] == 0
    assert page.read_text() == "---\nvalidatedOn: 2026-11-29\n---\n"


def test_cli_usage_errors(tmp_path: Path) -> None:
    assert _run("validate")[0] == 2
    page = tmp_path / "p.md"
    page.write_text("x\n")
    code, _, err = _run("validate", str(page), "--on", "2026-02-30")
    assert code == 2 and "not a real date" in err


def test_cli_chooses_pages_by_report_filters(tmp_path: Path) -> None:
    docs = _site(tmp_path / "site")
    (docs / "bad.md").unlink()
    index_dir = tmp_path / "index"
    index_site(tmp_path / "site", index_dir)
    args = ["validate", "--status", "stale", "--index-dir", str(index_dir), "--on", "2026-11-29"]
    code, _, err = _run(*args)
    assert code == 0, err
    assert "1 pages stamped" in err
    assert "run `kb index` so the reports show the new dates" in err
    assert "2026-11-29" in (docs / "good.md").read_text()
    assert "validatedOn" not in (docs / "new.mdx").read_text()


# --- properties ---------------------------------------------------------------------------------

_KEYS = st.sampled_from(["title", "description", "sidebarTitle", "mode", "owner", "tags_note"])
_WORDS = st.text(alphabet="abcdefghij XYZ-é", min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def _frontmatter(draw: st.DrawFn) -> str:
    """Generate a page: frontmatter with quoted/plain values, comments, maybe validatedOn, CRLF."""
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    lines = ["---"]
    for key in draw(st.lists(_KEYS, unique=True, max_size=4)):
        quote = draw(st.sampled_from(["", "'", '"']))
        comment = draw(st.sampled_from(["", "  # note", " # x: y"]))
        value = draw(_WORDS)
        value = value if quote else "v " + value
        lines.append(f"{key}: {quote}{value}{quote}{comment}")
        if draw(st.booleans()):
            lines.append("# a comment line")
    if draw(st.booleans()):
        quote = draw(st.sampled_from(["", "'", '"']))
        stamp = draw(st.sampled_from(["2025-03-04", "07-20-2026", ""]))
        value = f"{quote}{stamp}{quote}" if stamp else ""
        at = draw(st.integers(1, len(lines)))
        lines.insert(at, f"validatedOn: {value}".rstrip() + draw(st.sampled_from(["", " # by A"])))
    lines += ["---", "", "Body text", ""]
    return eol.join(lines) + draw(st.sampled_from(["", "tail without newline"]))


@given(
    _frontmatter(),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.booleans(),
)
def test_stamping_reads_back_and_changes_one_line(text: str, day: date, bom: bool) -> None:
    raw = ("\ufeff" if bom else "").encode() + text.encode()
    editable = decode_for_edit(raw)
    new_bytes = editable.encode(stamp_text(editable.text, day)[0])
    assert new_bytes.startswith(b"\xef\xbb\xbf") == bom
    new = new_bytes.decode().removeprefix("\ufeff")
    parsed = split_frontmatter(new.replace("\r\n", "\n"))
    assert read_validation(parsed.meta).validated_on == day
    before = split_frontmatter(text.replace("\r\n", "\n")).meta
    assert {k: v for k, v in parsed.meta.items() if k != "validatedOn"} == {
        k: v for k, v in before.items() if k != "validatedOn"
    }
    changes = _changed_lines(raw, new_bytes)
    assert len(changes) <= 1
    if changes:
        op, old_lines, new_lines = changes[0]
        assert (op, len(old_lines), len(new_lines)) in (("replace", 1, 1), ("insert", 0, 1))
        assert b"validatedOn: " in new_lines[0]
        eol = b"\r\n" if "\r\n" in text else b"\n"
        assert new_lines[0].endswith(eol)


# --- the real corpus ----------------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_pages_with_validatedon_change_exactly_one_line(
    corpus_root: Path, tmp_path: Path
) -> None:
    copies: dict[Path, bytes] = {}
    for page in sorted((corpus_root / "docs").rglob("*.mdx")):
        raw = page.read_bytes()
        meta = split_frontmatter(raw.decode("utf-8").replace("\r\n", "\n")).meta
        if read_validation(meta).raw is not None:
            target = tmp_path / page.relative_to(corpus_root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(page, target)
            copies[target] = raw
    assert 130 <= len(copies) <= 140
    code, _, err = _run("validate", str(tmp_path / "docs"), "--fix-key", "--on", "2026-11-29")
    assert code == 0, err
    for target, raw in copies.items():
        new = target.read_bytes()
        changes = _changed_lines(raw, new)
        assert len(changes) == 1, target
        op, old_lines, new_lines = changes[0]
        assert (op, len(old_lines), len(new_lines)) == ("replace", 1, 1), target
        assert new_lines[0].rstrip(b"\r\n").endswith(b"2026-11-29"), target
        assert read_validation(split_frontmatter(new.decode()).meta).validated_on == DAY


def test_cli_names_what_a_refusal_held_back_and_lists_what_it_wrote(tmp_path: Path) -> None:
    docs = _site(tmp_path)
    _, _, err = _run("validate", str(docs), "--on", "2026-11-29")
    assert "nothing written: 2 pages would be stamped" in err
    (docs / "bad.md").unlink()
    code, out, _ = _run("validate", str(docs), "--on", "2026-11-29")
    assert code == 0
    assert sorted(out.splitlines()) == [
        f"{os.path.relpath(docs / 'good.md')}: updated",
        f"{os.path.relpath(docs / 'new.mdx')}: added",
    ]


def test_a_symlinked_page_is_written_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("---\ntitle: A\n---\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert _run("validate", str(link), "--on", "2026-11-29")[0] == 0
    assert link.is_symlink()
    assert "validatedOn: 2026-11-29" in real.read_text()


def test_a_page_changed_after_planning_is_refused_not_overwritten(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text("---\ntitle: A\n---\n")
    edit = plan_stamp(page, DAY)
    page.write_text("---\ntitle: B\n---\n")
    result = apply_batch([edit])
    assert result.written == [] and "changed since kb read it" in (result.refused[0].refused or "")
    assert page.read_text() == "---\ntitle: B\n---\n"
