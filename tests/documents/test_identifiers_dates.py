"""Dates whose slash OCR read as a 1: the other slash fixes the positions, and the date is
offered as repaired (never read as printed)."""

from __future__ import annotations

from datetime import date

from bot.documents.identifiers import parse_date

SPAN = {"earliest": date(1900, 1, 1), "latest": date(2026, 3, 2)}


def test_a_slash_read_as_one_is_repaired_and_marked() -> None:
    for raw, value in (("11106/1963", "11/06/1963"), ("28/0711998", "28/07/1998")):
        parsed = parse_date(raw, **SPAN)
        assert parsed is not None and parsed.value == value and parsed.valid
        assert parsed.repairs == 1


def test_a_date_as_printed_and_runs_of_digits_are_unchanged() -> None:
    parsed = parse_date("11/06/1963", **SPAN)
    assert parsed is not None and parsed.repairs == 0 and parsed.value == "11/06/1963"
    assert parse_date("1110611963", **SPAN) is None  # no slash left: no position to trust
