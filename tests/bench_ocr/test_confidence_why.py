"""The why-table of ``bench/ocr/confidence_why.py`` from rows, without OCR."""

from __future__ import annotations

from bench.ocr.confidence_why import report, rescore, tally
from bot.documents.confidence import score


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


def test_a_row_is_scored_again_unless_a_later_step_gave_its_score() -> None:
    inputs: dict[str, object] = {
        "scored": 0.85,
        "via": "below",
        "parsed": ["RIGHT", True, 0, False],
        "min_conf": 93.0,
        "words": 1,
        "second": ["RIGHT", True, 0, False],
        "evidence": [False, True, True, False, False],
    }
    fresh = row("nome", "RIGHT", confidence=0.85, reason="poor image (agree)") | inputs
    assert rescore(fresh, score) == 0.85
    assert rescore(fresh, lambda read, evidence: 0.9 if evidence.image_poor else 0.0) == 0.9
    settled = row("nome", "RIGHT", confidence=0.5, reason="agree") | inputs
    assert rescore(settled, lambda read, evidence: 0.99) == 0.5
