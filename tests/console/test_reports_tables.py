"""How the reports write numbers: on the page (pt-BR decimal comma, the API's precision, ``—``
for none) and in CSV (BOM, ``;``, no unit, empty for none, text that a spreadsheet would run
as a formula written as text, negative numbers left as numbers)."""

from __future__ import annotations

import csv
import io

import pytest

from backoffice.console.report_tables import Cell, Table, csv_bytes, number, percent


@pytest.mark.parametrize(
    ("value", "pt", "en"),
    [
        (3, "3", "3"),
        (2.0, "2", "2"),
        (3.6, "3,6", "3.6"),
        (36.25, "36,25", "36.25"),
        (-25.0, "-25", "-25"),
        (None, "—", "—"),
        (0, "0", "0"),
    ],
)
def test_numbers_on_the_page(value: float | None, pt: str, en: str) -> None:
    assert number(value, "pt_BR") == pt
    assert number(value, "en") == en


def test_rates_are_percentages_with_the_apis_precision() -> None:
    assert percent(0.3333, "pt_BR") == "33,33 %"
    assert percent(0.5, "en") == "50 %"
    assert percent(None, "pt_BR") == "—"
    assert Cell(0.3333, "pct").written("pt_BR") == "33,33"
    assert Cell(None, "pct").written("pt_BR") == ""


def test_csv_for_excel_in_pt_br() -> None:
    table = Table(
        "nps",
        ["Medida", "Valor"],
        [
            [Cell("NPS", "text"), Cell(-25.5)],
            [Cell("=1+1", "text"), Cell(None)],
            [Cell("+55 11 9999", "text"), Cell(3)],
            [Cell("@SUM(A1)", "text"), Cell(0.5, "pct")],
            [Cell("-10", "text"), Cell(1)],
            [Cell('Ação; "aspas"', "text"), Cell(2)],
        ],
    )
    body = csv_bytes(table, "pt_BR")
    assert body.startswith(b"\xef\xbb\xbf")
    text = body[3:].decode("utf-8")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows == [
        ["Medida", "Valor"],
        ["NPS", "-25,5"],  # a negative number stays a number
        ["'=1+1", ""],
        ["'+55 11 9999", "3"],
        ["'@SUM(A1)", "50"],
        ["-10", "1"],  # text that is a plain number is harmless
        ['Ação; "aspas"', "2"],
    ]


def test_a_number_cell_refuses_text() -> None:
    with pytest.raises(TypeError):
        Cell("x").shown("pt_BR")
