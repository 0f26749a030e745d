"""Tests for kb.mdx.literal: the one reader of JavaScript literals (MDX and glossaries alike)."""

from __future__ import annotations

import pytest

from kb.mdx.js import JsError, Jsx, decode_string
from kb.mdx.literal import JsArray, JsName, JsObject, LiteralReader, evaluate


@pytest.mark.parametrize(
    ("body", "decoded"),
    [
        (r"a\nb\tc", "a\nb\tc"),
        (r"\x41\u0042\u{43}", "ABC"),
        (r"\uD83D\uDE00", "\U0001f600"),  # a surrogate pair is one character
        (r"\u{1F600}", "\U0001f600"),
        (r"lone \uD800 high", "lone \ufffd high"),  # never stored: UTF-8 cannot hold it
        (r"lone \uDC00 low", "lone \ufffd low"),
        (r"\uDE00\uD83D", "\ufffd\ufffd"),  # a pair in the wrong order is two lone halves
        (r"\u{110000}", "\ufffd"),
        ("line\\\ncontinued", "linecontinued"),
        (r"\'\"\\", "'\"\\"),
        (r"\q", "q"),
    ],
)
def test_escapes_decode_once_with_surrogates_resolved(body: str, decoded: str) -> None:
    assert decode_string(body) == decoded
    if '"' not in body and "\n" not in body:
        assert evaluate(f'"{body}"', {}) == decoded  # the same table inside a string literal
    decoded.encode("utf-8")  # never a lone surrogate


def test_values_names_members_and_joins() -> None:
    env = {"base": "/docs", "items": [{"name": "a"}, {"name": "b"}], "n": 3}
    assert evaluate("`${base}/x`", env) == "/docs/x"
    assert evaluate("`${missing}/x`", env) == "${missing}/x"
    assert evaluate("items[1].name", env) == "b"
    assert evaluate("items.length", env) == 2
    assert evaluate("items?.[0]?.name", env) == "a"
    assert evaluate('"a" + "b" + `c`', env) == "abc"
    assert evaluate("{a: 1, 'b': [true, null, undefined], n}", env) == {
        "a": 1,
        "b": [True, None, None],
        "n": 3,
    }
    assert evaluate("(-1.5e2)", env) == -150.0
    jsx = evaluate("<b>bold</b>", env, base=10)
    assert isinstance(jsx, Jsx) and jsx.pos == 10


@pytest.mark.parametrize(
    "source", ["unknown", "items[9]", "[1 2]", "{a: 1", '"a" + 1', "f(x)", "1 2", "{...rest}"]
)
def test_what_it_cannot_read_is_an_error_with_a_position(source: str) -> None:
    with pytest.raises(JsError) as error:
        evaluate(source, {"items": []})
    assert isinstance(error.value, ValueError)


def test_without_a_scope_names_are_kept_and_positions_recorded() -> None:
    src = 'x = [ {term: "A", see: Other}, 7 ]'
    reader = LiteralReader(src, src.index("["))
    value = reader.value()
    assert isinstance(value, JsArray) and value.positions == [src.index("{"), src.index("7")]
    first = value[0]
    assert isinstance(first, JsObject) and first.pos == src.index("{")
    assert first.value_pos["term"] == src.index('"A"')
    assert isinstance(first["see"], JsName) and first["see"] == "Other"


def test_nesting_is_bounded() -> None:
    with pytest.raises(JsError, match="nested too deeply"):
        evaluate("[" * 500 + "]" * 500, {})
    with pytest.raises(JsError, match="end of page"):
        LiteralReader("[1,", 0, end_name="end of page").value()


def test_numbers_python_cannot_hold_are_errors_not_crashes() -> None:
    assert evaluate("[01, 2.50]", {}) == [1, 2.5]
    with pytest.raises(JsError, match="bad number"):
        evaluate("[" + "9" * 5000 + "]", {})
