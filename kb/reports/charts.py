"""Server-side SVG charts for the reports: plain strings, no JavaScript, every label escaped."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence

# Colours only for when the stylesheet is missing; kb.css themes the kb-status-* classes.
# The palette is Okabe-Ito, which stays distinguishable with the common colour blindnesses.
FALLBACK_FILLS: dict[str, str] = {
    "fresh": "#009E73",
    "due": "#E69F00",
    "stale": "#D55E00",
    "never": "#999999",
    "invalid": "#CC79A7",
    "future": "#56B4E9",
    "exempt": "#D9D9D9",
}
_OTHER_FILL = "#777777"
_HIST_FILL = "#0072B2"
_MUTED_FILL = "#999999"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FONT = 'font-family="system-ui, sans-serif" font-size="12"'
_LABEL_CHARS = 28


def _text(value: object) -> str:
    """Escape text for SVG content or attributes, dropping characters XML cannot carry."""
    return html.escape(_XML_ILLEGAL.sub("", str(value)), quote=True)


def _token(value: str) -> str:
    """Turn a name into something safe inside a class or id attribute."""
    return re.sub(r"[^a-z0-9-]+", "-", value.lower()).strip("-") or "x"


def _short(label: str) -> str:
    """Shorten a label to fit the label column, marking the cut."""
    return label if len(label) <= _LABEL_CHARS else label[: _LABEL_CHARS - 1] + "…"


def _status_paint(status: str) -> str:
    """Return the class and fallback fill attributes of a shape coloured by a review status."""
    return f'class="kb-status-{_token(status)}" fill="{FALLBACK_FILLS.get(status, _OTHER_FILL)}"'


def _open(
    width: float, height: float, chart_id: str, title: str, desc: str, *, stretch: bool = False
) -> str:
    """Open an accessible SVG element with its title and description.

    A stretched chart fills whatever width the page gives it, at its own height.
    """
    cid = _token(chart_id)
    aspect = ' preserveAspectRatio="none"' if stretch else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kb-chart" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}"{aspect} '
        f'aria-labelledby="{cid}-title {cid}-desc" {_FONT}>'
        f'<title id="{cid}-title">{_text(title)}</title>'
        f'<desc id="{cid}-desc">{_text(desc)}</desc>'
    )


def _group_rows(
    sections: Mapping[str, Mapping[str, int]], max_bars: int
) -> tuple[list[tuple[str, dict[str, int]]], int]:
    """Keep the largest sections and sum the rest into one "other" row; return rows and how many."""
    rows = [
        (str(name), {k: max(0, int(v)) for k, v in counts.items()})
        for name, counts in sections.items()
    ]
    rows.sort(key=lambda r: (-sum(r[1].values()), r[0]))
    if len(rows) <= max_bars:
        return rows, 0
    kept, rest = rows[: max(1, max_bars - 1)], rows[max(1, max_bars - 1) :]
    other: dict[str, int] = {}
    for _, counts in rest:
        for status, n in counts.items():
            other[status] = other.get(status, 0) + n
    return [*kept, (f"other ({len(rest)} sections)", other)], len(rest)


def _text_width(label: str) -> float:
    """Estimate a 12px label's width: 7px a character is generous for sans-serif, and wide
    (CJK) characters take a full em, so legend items never overlap in any language."""
    return sum(12.5 if unicodedata.east_asian_width(c) in "WF" else 7.0 for c in label)


def _legend(
    statuses: Sequence[str],
    totals: Mapping[str, int],
    width: float,
    names: Mapping[str, str] | None = None,
) -> tuple[str, float]:
    """Lay out legend items left to right, wrapping at the chart width; return SVG and height."""
    parts: list[str] = []
    x, y = 8.0, 6.0
    for status in statuses:
        label = f"{_short((names or {}).get(status, status))} ({totals[status]})"
        item_w = 28 + _text_width(label)
        if x > 8 and x + item_w > width:
            x, y = 8.0, y + 24
        parts.append(
            f'<g class="kb-legend"><rect {_status_paint(status)} '
            f'x="{x:.1f}" y="{y:.1f}" width="12" height="12"/>'
            f'<text x="{x + 16:.1f}" y="{y + 10:.1f}">{_text(label)}</text></g>'
        )
        x += item_w
    return "".join(parts), y + 24


def stacked_bars_svg(
    sections: Mapping[str, Mapping[str, int]],
    order: Sequence[str],
    *,
    max_bars: int = 20,
    title: str = "Pages by review status per section",
    chart_id: str = "kb-stale-sections",
    names: Mapping[str, str] | None = None,
) -> str:
    """Draw one horizontal stacked bar of pages by status per section, largest sections first."""
    rows, grouped = _group_rows(sections, max(1, max_bars))
    present = {status for _, counts in rows for status, n in counts.items() if n}
    statuses = [*dict.fromkeys(order), *sorted(present - set(order))]
    totals = {s: sum(counts.get(s, 0) for _, counts in rows) for s in statuses}
    # A status no page has would only add an empty legend entry.
    statuses = [s for s in statuses if totals[s]] or statuses
    pages = sum(totals.values())
    desc = f"{len(sections)} sections, {pages} pages. " + ", ".join(
        f"{s} {totals[s]}" for s in statuses
    )
    if grouped:
        desc += (
            f". The {len(rows) - 1} largest sections are shown; {grouped} more are summed as other."
        )
    width, label_w, count_w, row_h = 720.0, 200.0, 56.0, 22.0
    legend, legend_h = _legend(statuses, totals, width, names)
    height = legend_h + row_h * max(1, len(rows)) + 8
    parts = [_open(width, height, chart_id, title, desc), legend]
    if not rows or not pages:
        parts.append(f'<text x="8" y="{legend_h + 14:.1f}">No pages to chart.</text></svg>')
        return "".join(parts)
    biggest = max(sum(counts.values()) for _, counts in rows)
    scale = (width - label_w - count_w - 16) / biggest
    for r, (name, counts) in enumerate(rows):
        parts.append(_bar(name, counts, statuses, legend_h + r * row_h, label_w, scale))
    parts.append("</svg>")
    return "".join(parts)


def _bar(
    name: str,
    counts: Mapping[str, int],
    statuses: Sequence[str],
    y: float,
    label_w: float,
    scale: float,
) -> str:
    """Draw one section's labelled bar, a segment per status, with its total after it."""
    bar_h = 16.0
    # The pages at the site root have no section; say so rather than leave a blank.
    name = name or "(top level)"
    label = _text(name)
    parts = [
        f'<g class="kb-bar"><text class="kb-bar-label" x="{label_w:.1f}" y="{y + 12:.1f}" '
        f'text-anchor="end"><title>{label}</title>{_text(_short(name))}</text>'
    ]
    x = label_w + 8
    for status in statuses:
        n = counts.get(status, 0)
        if not n:
            continue
        # A one-page segment in a big section still gets a visible sliver.
        w = max(n * scale, 1.5)
        parts.append(
            f'<rect {_status_paint(status)} x="{x:.1f}" '
            f'y="{y + 2:.1f}" width="{w:.1f}" height="{bar_h:.0f}">'
            f"<title>{label}: {_text(status)} {n}</title></rect>"
        )
        x += w
    total = sum(counts.values())
    parts.append(f'<text class="kb-bar-total" x="{x + 4:.1f}" y="{y + 14:.1f}">{total}</text></g>')
    return "".join(parts)


def histogram_svg(
    buckets: Sequence[tuple[str, int]],
    *,
    title: str = "Pages by age of last validation (days)",
    chart_id: str = "kb-stale-ages",
    muted: Sequence[str] = ("never/invalid",),
) -> str:
    """Draw a vertical bar per age bucket with its count above and its label below.

    Buckets named in `muted` (pages with no usable date) are drawn grey, apart from the ages.
    """
    rows = [(str(label), max(0, int(n))) for label, n in buckets]
    desc = "; ".join(f"{label}: {n} pages" for label, n in rows) or "No buckets."
    slot, top, chart_h, bottom = 84.0, 24.0, 160.0, 40.0
    width = max(360.0, 16 + slot * len(rows))
    height = top + chart_h + bottom
    parts = [_open(width, height, chart_id, title, desc)]
    biggest = max((n for _, n in rows), default=0)
    base = top + chart_h
    for i, (label, n) in enumerate(rows):
        x = 8 + i * slot
        h = chart_h * n / biggest if biggest else 0.0
        h = max(h, 1.5) if n else 0.0
        cls = f"kb-hist-bar kb-hist-{_token(label)}"
        fill = _HIST_FILL
        if label in muted:
            cls, fill = cls + " kb-hist-muted", _MUTED_FILL
        parts.append(
            f'<g class="kb-hist"><rect class="{cls}" fill="{fill}" x="{x + 10:.1f}" '
            f'y="{base - h:.1f}" width="{slot - 20:.1f}" height="{h:.1f}">'
            f"<title>{_text(label)}: {n} pages</title></rect>"
            f'<text x="{x + slot / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle">{n}</text>'
            f'<text x="{x + slot / 2:.1f}" y="{base + 16:.1f}" text-anchor="middle">'
            f"{_text(_short(label))}</text></g>"
        )
    parts.append(
        f'<line class="kb-axis" x1="8" x2="{width - 8:.1f}" y1="{base:.1f}" y2="{base:.1f}" '
        f'stroke="#555555"/></svg>'
    )
    return "".join(parts)


def share_bar_svg(
    counts: Mapping[str, int],
    order: Sequence[str],
    *,
    title: str = "Share of pages by review status",
    chart_id: str = "kb-status-share",
) -> str:
    """Draw one full-width bar split by status in `order`, for an at-a-glance campaign state."""
    shares = [(str(s), max(0, int(counts.get(s, 0)))) for s in order]
    total = sum(n for _, n in shares)
    desc = f"{total} pages. " + ", ".join(f"{s} {n}" for s, n in shares)
    width, height = 720.0, 28.0
    parts = [_open(width, height, chart_id, title, desc, stretch=True)]
    if not total:
        parts.append('<text x="8" y="18">No pages.</text></svg>')
        return "".join(parts)
    # Tiny shares still get a visible sliver; the widths are then scaled back to fill the bar.
    widths = {s: max(width * n / total, 3.0) for s, n in shares if n}
    scale = width / sum(widths.values())
    x = 0.0
    for status, n in shares:
        if not n:
            continue
        w = widths[status] * scale
        parts.append(
            f'<rect {_status_paint(status)} x="{x:.1f}" y="0" '
            f'width="{w:.1f}" height="{height:.0f}">'
            f"<title>{_text(status)}: {n} of {total} pages ({100 * n / total:.1f}%)</title></rect>"
        )
        x += w
    parts.append("</svg>")
    return "".join(parts)
