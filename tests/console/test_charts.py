"""The reports' SVG charts: well-formed XML, accessible names, lengths proportional to the
values, empty data drawn as a sentence, every text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from backoffice.console.charts import (
    BAR_SPAN,
    Bar,
    Part,
    StackedRow,
    bar_chart,
    horizontal_bars,
    stacked_bars,
)

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: Markup) -> ET.Element:
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def _pct(value: str | None) -> float:
    assert value is not None and value.endswith("%"), value
    return float(value[:-1])


def _rects(root: ET.Element, cls: str = "bar") -> list[ET.Element]:
    return [g.find(f"{SVG}rect") for g in root.iter(f"{SVG}g") if g.get("class") == cls]  # type: ignore[misc]


def test_horizontal_bars_are_proportional_and_the_longest_takes_the_span() -> None:
    bars = [
        Bar("Cadastro", 2.0, "2 h"),
        Bar("Documentos", 8.0, "8 h"),
        Bar("Validação", 5.0, "5 h"),
    ]
    root = _parse(horizontal_bars(bars, chart_id="t", title="Tempo", desc="d", empty_text="—"))
    widths = [_pct(r.get("width")) for r in _rects(root)]
    assert widths[1] == pytest.approx(BAR_SPAN)
    assert widths[0] / widths[1] == pytest.approx(2 / 8, abs=1e-3)
    assert widths[2] / widths[1] == pytest.approx(5 / 8, abs=1e-3)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["Cadastro", "2 h", "Documentos", "8 h", "Validação", "5 h"]


def test_a_marker_longer_than_every_bar_sets_the_scale() -> None:
    root = _parse(
        horizontal_bars(
            [Bar("a", 1.0, "1", marker=4.0, marker_text="p90 4")],
            chart_id="m",
            title="t",
            desc="d",
            empty_text="—",
        )
    )
    bar = _rects(root)[0]
    marker = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "marker")
    assert _pct(marker.get("x")) == pytest.approx(BAR_SPAN)
    assert _pct(bar.get("width")) == pytest.approx(BAR_SPAN / 4, abs=1e-2)


def test_columns_are_as_tall_as_their_values() -> None:
    bars = [Bar("< 1 h", 4, "4"), Bar("1–4 h", 1, "1"), Bar("> 24 h", 0, "0")]
    root = _parse(bar_chart(bars, chart_id="b", title="t", desc="d", empty_text="—", height=120))
    heights = [float(r.get("height") or "nan") for r in _rects(root)]
    assert heights == [pytest.approx(120.0), pytest.approx(30.0), pytest.approx(0.0)]
    # Columns share the width without overlapping.
    xs = [_pct(r.get("x")) for r in _rects(root)]
    assert xs == sorted(xs) and all(
        b - a >= _pct(_rects(root)[0].get("width")) for a, b in zip(xs, xs[1:], strict=False)
    )


def test_stacked_parts_fill_the_row_in_proportion() -> None:
    rows = [
        StackedRow("Documentos", [Part("ok", 3, "3", "ok"), Part("late", 1, "1", "late")]),
        StackedRow("Validação", [Part("ok", 0, "0", "ok"), Part("late", 0, "0", "late")]),
    ]
    root = _parse(stacked_bars(rows, chart_id="s", title="SLA", desc="d", empty_text="—"))
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "stack"]
    first = [r for r in groups[0].findall(f"{SVG}rect") if r.get("fill") != "none"]
    assert [_pct(r.get("width")) for r in first] == [75.0, 25.0]
    assert _pct(first[1].get("x")) == 75.0
    empty = [r for r in groups[1].findall(f"{SVG}rect") if r.get("fill") != "none"]
    assert all(_pct(r.get("width")) == 0 for r in empty)  # a row of zeros: only its outline
    legend = [
        t.text
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "legend"
        for t in g.iter(f"{SVG}text")
    ]
    assert legend == ["ok", "late"]


@pytest.mark.parametrize("draw", [horizontal_bars, bar_chart])
def test_no_data_is_a_sentence_not_a_broken_chart(draw: object) -> None:
    assert callable(draw)
    root = _parse(
        draw([], chart_id="e", title="t", desc="d", empty_text="Sem dados neste período.")
    )
    assert [t.text for t in root.iter(f"{SVG}text")] == ["Sem dados neste período."]
    zeros = horizontal_bars([Bar("a", 0, "0")], chart_id="z", title="t", desc="d", empty_text="—")
    assert _pct(_rects(_parse(zeros))[0].get("width")) == 0


def test_no_rows_for_a_stack_is_a_sentence() -> None:
    root = _parse(stacked_bars([], chart_id="e", title="t", desc="d", empty_text="Nada"))
    assert [t.text for t in root.iter(f"{SVG}text")] == ["Nada"]


def test_every_text_is_escaped() -> None:
    evil = '<script>alert("x")</script> & "q"'
    svg = horizontal_bars(
        [Bar(evil, 1, evil, path='p" onload="x')],
        chart_id="x",
        title=evil,
        desc=evil,
        empty_text="—",
    ) + stacked_bars(
        [StackedRow(evil, [Part(evil, 1, evil)])],
        chart_id="y",
        title=evil,
        desc=evil,
        empty_text="—",
    )
    assert "<script>" not in str(svg)
    assert 'onload="x' not in str(svg)
    for part in str(svg).split("</svg>")[:-1]:
        root = _parse(Markup(part + "</svg>"))
        assert any(t.text == evil for t in root.iter(f"{SVG}text"))
