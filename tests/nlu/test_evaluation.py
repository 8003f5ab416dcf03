"""The evaluation report: metrics computed right on a small hand-made case."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from nlu.evaluation import canonical_value, evaluate, intent_report
from nlu.types import Entity, IntentScore, NLUResult


class ScriptedInterpreter:
    """Answers from a table: the test controls every prediction."""

    def __init__(self, answers: dict[str, tuple[str, list[Entity]]]) -> None:
        self.answers = answers

    def parse(self, text: str, *, now: datetime | None = None) -> NLUResult:
        intent, entities = self.answers[text]
        return NLUResult(text=text, intent=IntentScore(intent, 0.9), entities=tuple(entities))


def test_intent_report_numbers() -> None:
    report = intent_report(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert report["accuracy"] == 0.75
    intents = report["intents"]
    assert isinstance(intents, dict)
    assert intents["a"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert intents["b"] == {"precision": 0.6667, "recall": 1.0, "f1": 0.8, "support": 2}
    assert report["macro_f1"] == pytest.approx((0.6667 + 0.8) / 2, abs=1e-4)


@pytest.mark.parametrize(
    ("entity", "text", "value"),
    [
        ("cnpj", "12.abc.345/01de-35", "12ABC34501DE35"),
        ("cpf", "529.982.247-25", "52998224725"),
        ("phone", "(11) 98765-4321", "+5511987654321"),
        ("phone", "11 8765-4321", "+5511987654321"),
        ("email", "Ana@X.com", "ana@x.com"),
        ("date", "amanhã", None),
    ],
)
def test_canonical_values(entity: str, text: str, value: str | None) -> None:
    assert canonical_value(entity, text) == value


def test_evaluate_file(tmp_path: Path) -> None:
    path = tmp_path / "t.yml"
    path.write_text(
        """version: "3.1"
nlu:
- intent: inform
  metadata: {language: pt}
  examples: |
    - cnpj [11.222.333/0001-81](cnpj)
    - email [a@b.com](email)
- intent: greet
  metadata: {language: en}
  examples: |
    - hi
""",
        encoding="utf-8",
    )
    interpreter = ScriptedInterpreter(
        {
            "cnpj 11.222.333/0001-81": ("inform", [Entity("cnpj", "11222333000181", 5, 23)]),
            "email a@b.com": ("greet", [Entity("email", "x@b.com", 6, 13)]),  # wrong value
            "hi": ("greet", [Entity("phone", "+5511987654321", 0, 2)]),  # spurious
        }
    )
    report = evaluate(interpreter, path)
    assert report["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert report["languages"] == {
        "en": {"examples": 1, "accuracy": 1.0, "macro_f1": 1.0, "weighted_f1": 1.0},
        "pt": {"examples": 2, "accuracy": 0.5, "macro_f1": 0.3333, "weighted_f1": 0.6667},
    }
    entities = report["entities"]
    assert isinstance(entities, dict)
    assert entities["cnpj"]["f1"] == 1.0
    assert (entities["email"]["tp"], entities["email"]["fp"], entities["email"]["fn"]) == (0, 1, 1)
    assert entities["phone"]["fp"] == 1
    assert report["confusions"] == [{"intent": "inform", "predicted": "greet", "count": 1}]
