"""The reader's own confidence follows the plausibility rules (``plausible.py``) once the caller
gives today's date: a date its field cannot have is never confident, whatever the page says."""

from __future__ import annotations

from datetime import date, timedelta

from bench.ocr.synthetic import draw
from bot.documents import ReadOptions, read_document
from bot.documents.plausible import parse

ASSERTED = 0.9


def _bill() -> tuple[bytes, date]:
    data, truth = draw("comprovante_endereco", seed=1002, family="tuning", level="pdf")
    issued = parse(truth["data_emissao"])
    assert issued is not None, truth["data_emissao"]
    return data, issued


def test_a_bill_issued_two_years_before_today_is_read_but_not_asserted() -> None:
    data, issued = _bill()
    reading = read_document(data, options=ReadOptions(today=issued + timedelta(days=730)))
    assert reading.kind == "comprovante_endereco"
    assert reading.confidence["data_emissao"] < ASSERTED
    assert any(w.startswith("data_emissao: implausible date") for w in reading.warnings)


def test_the_same_bill_read_the_week_it_was_issued_is_asserted() -> None:
    data, issued = _bill()
    reading = read_document(data, options=ReadOptions(today=issued + timedelta(days=7)))
    assert reading.confidence["data_emissao"] >= ASSERTED
    assert not any("implausible" in w for w in reading.warnings)


def test_without_today_no_date_is_judged() -> None:
    data, _ = _bill()
    reading = read_document(data)  # ReadOptions' FAR_FUTURE: the caller gave no date
    assert reading.confidence["data_emissao"] >= ASSERTED
