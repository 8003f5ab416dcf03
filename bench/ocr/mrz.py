"""ICAO 9303 TD1 machine-readable zone (three lines of 30) for the CIN, with valid check digits.

The CIN's document number is the CPF (11 characters, longer than the 9-character field): per
ICAO 9303 part 5 the first 9 go in the field, its check-digit position holds ``<``, and the
rest of the number followed by its check digit opens the optional data.
"""

from __future__ import annotations

import unicodedata
from datetime import date

WEIGHTS = (7, 3, 1)


def _value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if char == "<":
        return 0
    return ord(char) - ord("A") + 10


def check_digit(field: str) -> str:
    """The 7-3-1 check digit of ``field``."""
    return str(sum(_value(c) * WEIGHTS[i % 3] for i, c in enumerate(field)) % 10)


def _mrz_text(text: str) -> str:
    plain = "".join(
        c for c in unicodedata.normalize("NFD", text.upper()) if not unicodedata.combining(c)
    )
    return "".join(c if c.isalnum() else "<" for c in plain)


def _pad(text: str, width: int) -> str:
    return (text + "<" * width)[:width]


def _yymmdd(value: date) -> str:
    return value.strftime("%y%m%d")


def td1(*, cpf: str, nome: str, born: date, sex: str, expiry: date, code: str = "ID") -> str:
    """The three lines (joined by newlines) of a Brazilian CIN with ``cpf`` as its number."""
    number = cpf
    first = f"{_pad(code, 2)}BRA{number[:9]}<"
    optional = f"{number[9:]}{check_digit(number)}"
    line1 = _pad(first + optional, 30)
    line2_head = (
        f"{_yymmdd(born)}{check_digit(_yymmdd(born))}{sex}"
        f"{_yymmdd(expiry)}{check_digit(_yymmdd(expiry))}BRA"
    )
    line2_body = _pad(line2_head, 29)
    composite = line1[5:30] + line2_body[0:7] + line2_body[8:15] + line2_body[18:29]
    line2 = line2_body + check_digit(composite)
    parts = _mrz_text(nome).split("<")
    surname, given = parts[-1], "<".join(p for p in parts[:-1] if p)
    line3 = _pad(f"{surname}<<{given}", 30)
    return "\n".join((line1, line2, line3))
