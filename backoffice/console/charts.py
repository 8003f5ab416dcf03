"""Charts for the reports, drawn on the server as SVG: no JavaScript library, nothing to load.

Three shapes: ``bar_chart`` (vertical columns, e.g. first response in buckets),
``horizontal_bars`` (one labelled bar per row, with an optional tick such as the p90 beside the
median) and ``stacked_bars`` (each row split in parts that add up to its whole, e.g. SLA kept
and breached per stage). Each chart is an ``<svg role="img">`` named by its ``<title>`` and
``<desc>``; the page puts the same numbers in a table beside it for screen readers and for
copying (the chart is a picture of the table, never the only place a number is).

Lengths along the value axis are percentages of the chart's width, so a chart fills a 360 px
phone as well as a desktop without scaling its text down (no ``viewBox``); heights are pixels.
Every text is escaped here (labels come from data: stage names, CSM names).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

__all__ = ["TONES", "Bar", "Part", "StackedRow", "bar_chart", "horizontal_bars", "stacked_bars"]

# Fill colours (the console's palette; text on them is never needed: values sit beside bars).
TONES = {
    "brand": "#0b6e4f",
    "ok": "#1a7f37",
    "risk": "#9a6700",
    "late": "#b42318",
    "muted": "#8a94a6",
    "ink": "#1d2433",
}
BAR_SPAN = 99.0  # % of the width the longest horizontal bar (or marker) takes
FONT = 'font-family="system-ui, sans-serif" font-size="13"'


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: ``value`` sets its length, ``text`` is what is written beside it."""

    label: str
    value: float
    text: str
    marker: float | None = None  # a tick on the same axis (e.g. the p90 beside the median)
    marker_text: str | None = None
    path: str | None = None  # where the number comes from (``data-path``, for tests)


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a stacked bar."""

    label: str
    value: float
    text: str
    tone: str = "brand"


@dataclass(frozen=True, slots=True)
class StackedRow:
    label: str
    parts: Sequence[Part]


def _pct(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def _data_path(path: str | None) -> Markup:
    return Markup(' data-path="{}"').format(path) if path else Markup("")


def _open(chart_id: str, title: str, *, desc: str, height: int) -> Markup:
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{id}" role="img" '
        'width="100%" height="{h}" aria-labelledby="{id}-title {id}-desc" {font}>'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
    ).format(id=chart_id, h=height, font=Markup(FONT), title=title, desc=desc)


def _empty(chart_id: str, title: str, *, desc: str, empty_text: str) -> Markup:
    return _open(chart_id, title, desc=desc, height=40) + Markup(
        '<text x="0" y="24" fill="{}">{}</text></svg>'
    ).format(TONES["ink"], empty_text)


def _fill(tone: str) -> str:
    return TONES.get(tone, TONES["brand"])


def horizontal_bars(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    empty_text: str,
    tone: str = "brand",
) -> Markup:
    """Each bar under a line with its label (left) and its text (right); its length is
    proportional to its value (the longest, markers included, takes ``BAR_SPAN`` %)."""
    if not bars:
        return _empty(chart_id, title, desc=desc, empty_text=empty_text)
    top = max([b.value for b in bars] + [b.marker or 0.0 for b in bars])
    row = 40
    out = [_open(chart_id, title, desc=desc, height=row * len(bars) + 4)]
    for index, bar in enumerate(bars):
        y = index * row
        width = BAR_SPAN * bar.value / top if top > 0 else 0.0
        out.append(
            Markup('<g class="bar"><text x="0" y="{}" fill="{}">{}</text>').format(
                y + 14, TONES["ink"], bar.label
            )
        )
        out.append(
            Markup('<rect x="0" y="{}" width="{}" height="14" rx="2" fill="{}"/>').format(
                y + 20, _pct(width), _fill(tone)
            )
        )
        if bar.marker is not None and top > 0:
            out.append(
                Markup(
                    '<rect class="marker" x="{}" y="{}" width="3" height="20" fill="{}"/>'
                ).format(_pct(BAR_SPAN * bar.marker / top), y + 17, TONES["ink"])
            )
        text = bar.text if bar.marker_text is None else f"{bar.text} · {bar.marker_text}"
        out.append(
            Markup('<text x="100%" y="{}" text-anchor="end" fill="{}"{}>{}</text></g>').format(
                y + 14, TONES["ink"], _data_path(bar.path), text
            )
        )
    out.append(Markup("</svg>"))
    return Markup("").join(out)


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    empty_text: str,
    tone: str = "brand",
    height: int = 120,
) -> Markup:
    """Vertical columns side by side, each as tall as its value against the tallest, its text
    above it and its label below."""
    if not bars:
        return _empty(chart_id, title, desc=desc, empty_text=empty_text)
    top = max(b.value for b in bars)
    slot = 100.0 / len(bars)
    base = height + 22  # the columns' foot: room for the value above the tallest
    out = [_open(chart_id, title, desc=desc, height=base + 24)]
    for index, bar in enumerate(bars):
        tall = height * bar.value / top if top > 0 else 0.0
        centre = _pct(slot * index + slot / 2)
        out.append(
            Markup(
                '<g class="bar"><rect x="{}" y="{:.1f}" width="{}" height="{:.1f}" rx="2" '
                'fill="{}"/>'
            ).format(
                _pct(slot * index + slot * 0.2), base - tall, _pct(slot * 0.6), tall, _fill(tone)
            )
        )
        out.append(
            Markup('<text x="{}" y="{:.1f}" text-anchor="middle" fill="{}"{}>{}</text>').format(
                centre, base - tall - 6, TONES["ink"], _data_path(bar.path), bar.text
            )
        )
        out.append(
            Markup('<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text></g>').format(
                centre, base + 18, TONES["ink"], bar.label
            )
        )
    out.append(Markup("</svg>"))
    return Markup("").join(out)


def stacked_bars(
    rows: Sequence[StackedRow],
    *,
    chart_id: str,
    title: str,
    desc: str,
    empty_text: str,
) -> Markup:
    """One full-width bar per row, split in its parts in proportion to the row's total, with a
    legend (the parts' labels and tones of the first row) below. A row totalling 0 is drawn as
    an empty outline."""
    if not rows or not any(row.parts for row in rows):
        return _empty(chart_id, title, desc=desc, empty_text=empty_text)
    row_height = 44
    legend = rows[0].parts
    out = [_open(chart_id, title, desc=desc, height=row_height * len(rows) + 22 * len(legend) + 8)]
    for index, row in enumerate(rows):
        y = index * row_height
        total = sum(part.value for part in row.parts)
        texts = " · ".join(f"{part.label}: {part.text}" for part in row.parts)
        out.append(
            Markup('<g class="stack"><text x="0" y="{}" fill="{}">{}</text>').format(
                y + 14, TONES["ink"], row.label
            )
        )
        out.append(
            Markup('<rect x="0" y="{}" width="100%" height="18" fill="none" stroke="{}"/>').format(
                y + 20, TONES["muted"]
            )
        )
        start = 0.0
        for part in row.parts:
            share = 100.0 * part.value / total if total > 0 else 0.0
            out.append(
                Markup(
                    '<rect x="{}" y="{}" width="{}" height="18" fill="{}"><title>{}</title></rect>'
                ).format(
                    _pct(start), y + 20, _pct(share), _fill(part.tone), f"{part.label}: {part.text}"
                )
            )
            start += share
        out.append(Markup("<desc>{}</desc></g>").format(texts))
    y = row_height * len(rows)
    for index, part in enumerate(legend):
        out.append(
            Markup(
                '<g class="legend"><rect x="0" y="{}" width="12" height="12" fill="{}"/>'
                '<text x="18" y="{}" fill="{}">{}</text></g>'
            ).format(
                y + 22 * index + 4, _fill(part.tone), y + 22 * index + 15, TONES["ink"], part.label
            )
        )
    out.append(Markup("</svg>"))
    return Markup("").join(out)
