"""The why-table of ``bench/ocr/confidence_why.py`` from rows, without OCR."""

from __future__ import annotations

from bench.ocr.confidence_why import report, tally


def row(field: str, got: str, *, confidence: float, reason: str) -> dict[str, object]:
    return {
        "sample": "cnh-1000",
        "kind": "cnh",
        "level": "heavy",
        "field": field,
        "got": got,
        "truth": "RIGHT",
        "confidence": confidence,
        "reason": reason,
    }


def test_correct_fields_below_the_bar_are_counted_by_reason() -> None:
    rows = [
        row("nome", "RIGHT", confidence=0.85, reason="poor image"),
        row("nome", "RIGHT", confidence=0.95, reason="agree"),
        row("cpf", "RIGHT", confidence=0.6, reason="one read"),
        row("validade", "WRONG", confidence=0.97, reason="checked"),
        row("validade", "WRONG", confidence=0.5, reason="reads disagree"),
    ]
    held, correct, wrong_sure = tally(rows)
    assert correct[("cnh", "heavy", "nome")] == 2
    assert held[("cnh", "heavy", "nome")] == {"poor image": 1}
    assert held[("cnh", "heavy", "cpf")] == {"one read": 1}
    assert [key for key, _ in wrong_sure] == [("cnh", "heavy", "validade")]
    text = report(rows)
    assert "| cnh | heavy | 3 | 33.3% | 1 |" in text
    assert "'WRONG' != 'RIGHT'" in text
