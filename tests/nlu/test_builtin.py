"""The built-in interpreter: result shape, junk input, long input, threads."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from nlu.builtin import BuiltinInterpreter
from nlu.types import INTENTS
from tests.nlu.support import NOW


def test_result_shape(builtin: BuiltinInterpreter) -> None:
    result = builtin.parse("quero remarcar pra segunda que vem às 14h", now=NOW)
    payload = result.to_json()
    assert set(payload) == {"text", "intent", "intent_ranking", "entities", "language"}
    assert payload["intent"] == {
        "name": "reschedule_training",
        "confidence": round(result.intent.confidence, 4),
    }
    ranking = result.intent_ranking
    assert ranking[0] == result.intent
    assert [s.confidence for s in ranking] == sorted((s.confidence for s in ranking), reverse=True)
    assert len(ranking) == 10 and all(s.name in INTENTS for s in ranking)
    assert [(e.entity, e.value) for e in result.entities] == [
        ("date", "2026-03-09"),
        ("time", "14:00"),
    ]


def test_confidences_are_probabilities(builtin: BuiltinInterpreter) -> None:
    probabilities = builtin.model.predict("oi tudo bem").probabilities
    assert abs(float(probabilities.sum()) - 1.0) < 1e-4
    assert 0.0 < builtin.model.temperature < 100.0


def test_confident_on_clear_texts_and_unsure_on_vague_ones(builtin: BuiltinInterpreter) -> None:
    assert builtin.parse("quero cancelar o treinamento", now=NOW).intent.confidence > 0.8
    assert builtin.parse("talvez", now=NOW).intent.confidence < 0.6


def test_uses_the_injected_clock(builtin: BuiltinInterpreter) -> None:
    assert builtin.parse("amanhã").entities[0].value == "2026-03-05"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\x00\x01\x02\x1b[31m",
        "😀🎉👍🏻",
        "\u200b\u200d\ufeff",
        "\ud800 lone surrogate",
        "ﷺ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 İstanbul ß",
        "a" * 10_000,
        "9" * 10_000,
        "@" * 5_000,
        "cnpj 11.222.333/0001-81 " * 500,
        "".join(chr(c) for c in range(0, 0x3000, 7)),
    ],
)
def test_any_input_gives_a_result(builtin: BuiltinInterpreter, text: str) -> None:
    result = builtin.parse(text, now=NOW)
    assert result.text == text
    assert result.intent.name in INTENTS
    assert 0.0 <= result.intent.confidence <= 1.0
    assert result.language in ("pt", "en")
    for entity in result.entities:
        assert 0 <= entity.start < entity.end <= min(len(text), 2000)
    json.dumps(result.to_json())


def test_empty_text_is_out_of_scope_with_no_confidence(builtin: BuiltinInterpreter) -> None:
    result = builtin.parse("", now=NOW)
    assert (result.intent.name, result.intent.confidence, result.intent_ranking) == (
        "out_of_scope",
        0.0,
        (),
    )


def test_long_text_is_classified_by_its_beginning(builtin: BuiltinInterpreter) -> None:
    text = "quero cancelar o treinamento. " + "blá " * 3000 + "oi bom dia"
    assert builtin.parse(text, now=NOW).intent.name == "cancel_training"


def test_entities_are_searched_beyond_the_classified_part(builtin: BuiltinInterpreter) -> None:
    text = "x " * 600 + "meu email é ana@loja.com"  # starts after character 1000
    assert [e.value for e in builtin.parse(text, now=NOW).entities] == ["ana@loja.com"]


def test_parse_is_thread_safe(builtin: BuiltinInterpreter) -> None:
    texts = [
        "oi",
        "SAIR",
        "quero remarcar pra sexta 10h",
        "cnpj 11.222.333/0001-81",
        "apaga meus dados",
        "i need help",
        "tel (11) 98765-4321",
        "dia 3 às 15h",
    ] * 25
    expected = [builtin.parse(t, now=NOW).to_json() for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda t: builtin.parse(t, now=NOW).to_json(), texts))
    assert got == expected
