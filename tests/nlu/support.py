"""Helpers of the NLU tests: the fixed clock and a fake Rasa server speaking HTTP on loopback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

# Wednesday 4 March 2026, 10:00 in São Paulo.
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))


@dataclass
class FakeRasa:
    """A Rasa server on loopback answering ``POST /model/parse`` like Rasa 3 does.

    ``mode``: "ok" (answer ``reply(text)``), "slow" (sleep ``delay_s`` first), "garbage"
    (not JSON), "error" (HTTP 500), "wrong_shape" (JSON without intents).
    """

    url: str = ""
    mode: str = "ok"
    delay_s: float = 0.0
    requests: list[dict[str, object]] = field(default_factory=list)
    reply: Callable[[str], dict[str, object]] | None = None


def rasa_response(
    text: str,
    intent: str,
    ranking: list[tuple[str, float]],
    entities: list[dict[str, object]] | None = None,
) -> dict[str, object]:
    """The JSON a Rasa 3.x server returns from /model/parse (DIETClassifier pipeline)."""
    return {
        "text": text,
        "intent": {"id": -4186393461370224000, "name": intent, "confidence": ranking[0][1]},
        "entities": entities or [],
        "text_tokens": [[0, len(text)]],
        "intent_ranking": [
            {"id": 1000 + i, "name": name, "confidence": conf}
            for i, (name, conf) in enumerate(ranking)
        ],
        "response_selector": {
            "all_retrieval_intents": [],
            "default": {
                "response": {
                    "id": None,
                    "responses": None,
                    "response_templates": None,
                    "confidence": 0.0,
                    "intent_response_key": None,
                    "utter_action": "utter_None",
                    "template_name": "utter_None",
                },
                "ranking": [],
            },
        },
    }
