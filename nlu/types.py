"""Result types of the NLU: what every backend returns for one text.

The JSON shape (``NLUResult.to_json()``) is the public contract of ``onboard nlu parse``
(see shared/SPEC.md): ``{"text", "intent": {"name", "confidence"}, "intent_ranking": [...],
"entities": [{"entity", "value", "start", "end"}]}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "ask_status",
    "request_human",
    "schedule_training",
    "reschedule_training",
    "cancel_training",
    "help",
    "correct_data",
    "ask_documents",
    "complain",
    "opt_out",
    "delete_data",
    "inform",
    "out_of_scope",
)

ENTITY_TYPES: tuple[str, ...] = ("cnpj", "cpf", "email", "phone", "cep", "date", "time")


@dataclass(frozen=True, slots=True)
class IntentScore:
    name: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity found in the text; ``value`` is normalized (digits, E.164, ISO date, HH:MM)."""

    entity: str
    value: str
    start: int
    end: int
    extractor: str = "builtin"


@dataclass(frozen=True, slots=True)
class NLUResult:
    text: str
    intent: IntentScore
    intent_ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = ()
    language: str = "pt"  # "pt" or "en"
    backend: str = "builtin"
    extra: dict[str, str] = field(default_factory=dict)

    def first(self, entity: str) -> Entity | None:
        return next((e for e in self.entities if e.entity == entity), None)

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "intent": {"name": self.intent.name, "confidence": round(self.intent.confidence, 4)},
            "intent_ranking": [
                {"name": s.name, "confidence": round(s.confidence, 4)} for s in self.intent_ranking
            ],
            "entities": [
                {"entity": e.entity, "value": e.value, "start": e.start, "end": e.end}
                for e in self.entities
            ],
            "language": self.language,
        }


class Interpreter(Protocol):
    """Port every NLU backend implements. ``now`` anchors relative dates (defaults to the clock)."""

    def parse(self, text: str, *, now: datetime | None = None) -> NLUResult: ...
