"""Tests for kb.reports.charts: well-formed, accessible, escaped SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from kb.reports.charts import FALLBACK_FILLS, histogram_svg, stacked_bars_svg

SVG = "{http://www.w3.org/2000/svg}"
ORDER = ("invalid", "stale", "due", "never", "future", "fresh", "exempt")


def _parse(svg: str) -> ET.Element:
    """Parse SVG text, failing the test when it is not well-formed XML."""
    return ET.fromstring(svg)


def _segments(root: ET.Element) -> list[tuple[str, str, float]]:
    """Return (class, tooltip, width) of every bar segment."""
    return [
        (rect.get("class", ""), rect.findtext(f"{SVG}title", ""), float(rect.get("width", "0")))
        for bar in root.iter(f"{SVG}g")
        if bar.get("class") == "kb-bar"
        for rect in bar.iter(f"{SVG}rect")
    ]


def _bar_labels(root: ET.Element) -> list[str]:
    """Return the full label (the tooltip of the label text) of every bar, top to bottom."""
    return [
        text.findtext(f"{SVG}title", "")
        for text in root.iter(f"{SVG}text")
        if text.get("class") == "kb-bar-label"
    ]


def test_stacked_bars_are_accessible_and_one_segment_per_count() -> None:
    sections = {
        "guides": {"fresh": 10, "stale": 1, "due": 0},
        "libraries": {"never": 4, "invalid": 2},
    }
    root = _parse(stacked_bars_svg(sections, ORDER))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text
    assert desc is not None and "17 pages" in (desc.text or "")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    segments = _segments(root)
    assert [(c, t) for c, t, _ in segments] == [
        ("kb-status-stale", "guides: stale 1"),
        ("kb-status-fresh", "guides: fresh 10"),
        ("kb-status-invalid", "libraries: invalid 2"),
        ("kb-status-never", "libraries: never 4"),
    ]
    widths = {t: w for _, t, w in segments}
    assert 9 < widths["guides: fresh 10"] / widths["guides: stale 1"] < 11
    for rect in root.iter(f"{SVG}rect"):
        status = rect.get("class", "").removeprefix("kb-status-")
        assert rect.get("fill") == FALLBACK_FILLS[status]


def test_hostile_section_names_are_escaped() -> None:
    hostile = "<script>alert(\"x\")</script> & 'q'\x01"
    svg = stacked_bars_svg({hostile: {"stale": 3}}, ORDER)
    assert "<script" not in svg
    root = _parse(svg)
    assert _bar_labels(root) == ["<script>alert(\"x\")</script> & 'q'"]
    assert _segments(root)[0][1] == "<script>alert(\"x\")</script> & 'q': stale 3"
    evil_status = stacked_bars_svg({"s": {'"><b onload=x>': 1}}, ORDER)
    assert "<b " not in evil_status
    classes = {r.get("class") for r in _parse(evil_status).iter(f"{SVG}rect")}
    assert all(re.fullmatch(r"kb-status-[a-z0-9-]+", c or "") for c in classes)


def test_many_sections_keep_the_largest_and_sum_the_rest() -> None:
    sections = {f"section-{i:02d}": {"fresh": i + 1, "never": 1} for i in range(45)}
    root = _parse(stacked_bars_svg(sections, ORDER, max_bars=20))
    labels = _bar_labels(root)
    assert len(labels) == 20
    assert labels[0] == "section-44"
    assert labels[-1] == "other (26 sections)"
    drawn = sum(int(t.rsplit(" ", 1)[1]) for _, t, _ in _segments(root))
    assert drawn == sum(sum(c.values()) for c in sections.values())
    assert float(root.get("height", "0")) < 600


def test_long_labels_are_shortened_but_kept_whole_in_the_tooltip() -> None:
    name = "a-very-long-section-name-that-goes-on-and-on"
    root = _parse(stacked_bars_svg({name: {"fresh": 1}}, ORDER))
    label = next(t for t in root.iter(f"{SVG}text") if t.get("class") == "kb-bar-label")
    assert label.findtext(f"{SVG}title") == name
    shown = "".join(label.itertext()).removeprefix(name)
    assert shown.endswith("…") and len(shown) <= 28


def test_empty_chart_is_still_an_svg() -> None:
    root = _parse(stacked_bars_svg({}, ORDER))
    assert "No pages to chart." in "".join(root.itertext())
    assert _segments(root) == []


def test_histogram_draws_one_bar_per_bucket() -> None:
    buckets = [("0–30", 12), ("31–90", 0), (">365", 3), ("never/invalid", 24), ("<b>", 6)]
    svg = histogram_svg(buckets)
    assert "<b>" not in svg
    root = _parse(svg)
    assert root.get("role") == "img" and root.find(f"{SVG}desc") is not None
    bars = [r for r in root.iter(f"{SVG}rect") if "kb-hist-bar" in (r.get("class") or "")]
    assert [r.findtext(f"{SVG}title") for r in bars] == [f"{b}: {n} pages" for b, n in buckets]
    heights = [float(r.get("height", "-1")) for r in bars]
    assert heights[1] == 0
    assert heights[3] == max(heights)
    assert abs(heights[0] / heights[3] - 12 / 24) < 0.01
    assert all(r.get("fill") for r in bars)


def test_histogram_of_nothing_is_well_formed() -> None:
    root = _parse(histogram_svg([]))
    assert root.findtext(f"{SVG}desc") == "No buckets."


def test_site_root_section_gets_a_label() -> None:
    root = _parse(stacked_bars_svg({"": {"fresh": 2}, "guides": {"fresh": 1}}, ORDER))
    assert _bar_labels(root) == ["(top level)", "guides"]
    assert _segments(root)[0][1] == "(top level): fresh 2"


def test_legend_wraps_inside_the_chart_without_overlap() -> None:
    statuses = [f"status-number-{i}" for i in range(12)]
    root = _parse(stacked_bars_svg({"s": dict.fromkeys(statuses, 1)}, statuses))
    width = float(root.get("width", "0"))
    swatches = [
        (float(r.get("x", "0")), float(r.get("y", "0")))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "kb-legend"
        for r in g.iter(f"{SVG}rect")
    ]
    assert len(swatches) == 12
    assert len({y for _, y in swatches}) > 1
    assert all(0 <= x < width for x, _ in swatches)
    assert len(set(swatches)) == 12
    first_bar_y = min(float(r.get("y", "0")) for _, r in _rects_in_bars(root))
    assert first_bar_y > max(y for _, y in swatches) + 12


def _rects_in_bars(root: ET.Element) -> list[tuple[ET.Element, ET.Element]]:
    """Return (bar group, rect) pairs of the bar segments."""
    return [
        (g, r)
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "kb-bar"
        for r in g.iter(f"{SVG}rect")
    ]


def test_undated_bucket_is_muted() -> None:
    root = _parse(histogram_svg([("0–30", 2), ("never/invalid", 5)]))
    bars = [r for r in root.iter(f"{SVG}rect") if "kb-hist-bar" in (r.get("class") or "")]
    assert "kb-hist-muted" not in (bars[0].get("class") or "")
    assert "kb-hist-muted" in (bars[1].get("class") or "")
    assert bars[0].get("fill") != bars[1].get("fill")
