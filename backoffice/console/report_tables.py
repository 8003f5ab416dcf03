"""The reports as tables: numbers written for people (the page) and for spreadsheets (CSV).

CSV choices, for the spreadsheet a manager in Brazil opens by double-clicking the file:

* UTF-8 with a byte-order mark: without it, Excel reads the file as Windows-1252 and
  "Aprovação" becomes "AprovaÃ§Ã£o";
* ``;`` between fields: Excel in pt-BR splits a CSV on the list separator of the system's
  regional settings, which is ``;`` there because ``,`` is the decimal separator — a
  comma-separated file opens as one column;
* numbers plainly: no thousands separator, no unit or ``%`` in a cell (the column's name says
  the unit), the decimal separator of the file's language (``2,5`` in pt-BR, which Excel pt-BR
  reads as a number; ``2.5`` in English); an empty cell for "no value";
* a text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return (a client's
  NPS comment could) is prefixed with ``'`` so that no spreadsheet runs it as a formula.

The numbers are the API's, as the API rounds them (``backoffice.reports``); rates are written as
percentages (the API's ``0.3333`` is ``33,33``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Cell",
    "Table",
    "csv_bytes",
    "csv_number",
    "number",
    "percent",
]

Translate = Callable[[str], str]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


NUMBER = re.compile(r"^-?[0-9]+([.,][0-9]+)?$")


def _plain(value: float, decimal: str) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", decimal)


def _decimal(language: str) -> str:
    return "," if language == "pt_BR" else "."


def number(value: float | None, language: str) -> str:
    """A number on the page, with the API's precision: ``2,5`` (pt-BR), ``—`` for none."""
    return "—" if value is None else _plain(value, _decimal(language))


def percent(rate: float | None, language: str) -> str:
    """A rate (0 to 1) as a percentage on the page: ``33,33 %``, ``—`` for none."""
    return "—" if rate is None else f"{_plain(round(rate * 100, 2), _decimal(language))} %"


def csv_number(value: float | None, language: str) -> str:
    """A number in a CSV cell: as on the page, and empty for none."""
    return "" if value is None else _plain(value, _decimal(language))


@dataclass(frozen=True, slots=True)
class Cell:
    """One value of a report table; ``path`` names it in the API's document (``funnel:segments.0
    .stages.1.reached``), so a test can hold the page and the CSV against the API's JSON."""

    value: float | str | None
    kind: Literal["num", "pct", "text"] = "num"
    path: str | None = None

    def shown(self, language: str) -> str:
        """As the page writes it."""
        if self.kind == "text":
            return str(self.value or "")
        if isinstance(self.value, str):
            raise TypeError(f"a {self.kind} cell holds {self.value!r}")
        return percent(self.value, language) if self.kind == "pct" else number(self.value, language)

    def written(self, language: str) -> str:
        """As the CSV writes it (a rate as a percentage, without the sign)."""
        if self.kind == "text":
            return _safe(str(self.value or ""))
        if isinstance(self.value, str):
            raise TypeError(f"a {self.kind} cell holds {self.value!r}")
        if self.kind == "pct" and self.value is not None:
            return csv_number(round(self.value * 100, 2), language)
        return csv_number(self.value, language)


@dataclass(frozen=True, slots=True)
class Table:
    """One report as a table: the page shows it beside its chart, the CSV is its download."""

    name: str
    header: Sequence[str]
    rows: Sequence[Sequence[Cell]]
    title: str = ""  # a heading for a table shown on its own (not its section's)


def _safe(cell: str) -> str:
    if NUMBER.fullmatch(cell):
        return cell
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def csv_bytes(table: Table, language: str) -> bytes:
    """The table as UTF-8 CSV with a BOM, ``;``-separated, CRLF line ends (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_safe(h) for h in table.header])
    for row in table.rows:
        writer.writerow([cell.written(language) for cell in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
