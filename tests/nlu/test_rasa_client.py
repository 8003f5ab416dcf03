"""The Rasa backend against a fake Rasa server on loopback: mapping, timeout and fallback."""

from __future__ import annotations

import logging
import socket
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prometheus_client import CollectorRegistry

from nlu.builtin import BuiltinInterpreter
from nlu.entities import is_valid_cpf
from nlu.factory import build_interpreter
from nlu.rasa_client import RasaInterpreter, merge_entity
from nlu.types import Entity
from tests.nlu.support import NOW, FakeRasa, rasa_response

# Sunday 6 December 2026: "dia 3" alone is 3 January 2027.
DECEMBER_6 = datetime(2026, 12, 6, 18, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))


def make(
    fake: FakeRasa,
    builtin: BuiltinInterpreter,
    registry: CollectorRegistry,
    *,
    timeout_s: float = 2.0,
    clock: list[float] | None = None,
) -> RasaInterpreter:
    ticks = clock if clock is not None else [0.0]
    return RasaInterpreter(
        rasa_url=fake.url,
        fallback=builtin,
        timeout_s=timeout_s,
        registry=registry,
        monotonic=lambda: ticks[0],
    )


def fallbacks(registry: CollectorRegistry, reason: str) -> float:
    return registry.get_sample_value("acolhe_nlu_fallback_total", {"reason": reason}) or 0.0


def test_maps_rasa_response(fake_rasa: FakeRasa, builtin: BuiltinInterpreter) -> None:
    text = "meu cnpj é 11.222.333/0001-81"
    fake_rasa.reply = lambda t: rasa_response(
        t,
        "inform",
        [("inform", 0.91), ("correct_data", 0.06), ("greet", 0.03)],
        [
            {
                "entity": "cnpj",
                "start": 11,
                "end": 29,
                "confidence_entity": 0.99,
                "value": "11.222.333/0001-81",
                "extractor": "DIETClassifier",
                "processors": [],
            }
        ],
    )
    registry = CollectorRegistry()
    with make(fake_rasa, builtin, registry) as rasa:
        result = rasa.parse(text, now=NOW)
    assert fake_rasa.requests == [{"path": "/model/parse", "body": {"text": text}}]
    assert result.backend == "rasa"
    assert (result.intent.name, result.intent.confidence) == ("inform", 0.91)
    assert [s.name for s in result.intent_ranking] == ["inform", "correct_data", "greet"]
    assert [(e.entity, e.value, e.start, e.end, e.extractor) for e in result.entities] == [
        ("cnpj", "11222333000181", 11, 29, "rasa:DIETClassifier")
    ]
    assert result.language == "pt"
    assert fallbacks(registry, "timeout") == 0.0


def test_entities_are_renormalized_validated_and_completed(
    fake_rasa: FakeRasa, builtin: BuiltinInterpreter
) -> None:
    text = "Padaria Sol, cnpj 11.222.333/0001-82, email Ana@Sol.com, whats 11987654321"
    fake_rasa.reply = lambda t: rasa_response(
        t,
        "inform",
        [("inform", 0.97)],
        [
            {
                "entity": "company",
                "start": 0,
                "end": 11,
                "value": "Padaria Sol",
                "extractor": "DIETClassifier",
            },
            {
                "entity": "cnpj",
                "start": 18,
                "end": 36,
                "value": "11.222.333/0001-82",
                "extractor": "DIETClassifier",
            },  # wrong check digit: dropped
            {
                "entity": "phone",
                "start": 63,
                "end": 74,
                "value": "11987654321",
                "extractor": "RegexEntityExtractor",
            },
        ],
    )
    with make(fake_rasa, builtin, CollectorRegistry()) as rasa:
        result = rasa.parse(text, now=NOW)
    assert [(e.entity, e.value, e.extractor) for e in result.entities] == [
        ("company", "Padaria Sol", "rasa:DIETClassifier"),
        ("email", "ana@sol.com", "builtin"),  # Rasa missed it; ours is added
        ("phone", "+5511987654321", "rasa:RegexEntityExtractor"),
    ]


def test_rasa_type_wins_when_the_span_validates(
    fake_rasa: FakeRasa, builtin: BuiltinInterpreter
) -> None:
    # A bare number that is both a valid CPF and a valid mobile: ours says phone (no cue).
    text = "11910000019"
    assert is_valid_cpf(text)
    assert [e.entity for e in builtin.parse(text, now=NOW).entities] == ["phone"]
    fake_rasa.reply = lambda t: rasa_response(
        t,
        "inform",
        [("inform", 0.9)],
        [{"entity": "cpf", "start": 0, "end": 11, "value": t, "extractor": "DIETClassifier"}],
    )
    with make(fake_rasa, builtin, CollectorRegistry()) as rasa:
        result = rasa.parse(text, now=NOW)
    assert [(e.entity, e.value) for e in result.entities] == [("cpf", "11910000019")]


def diet(text: str, fragment: str, entity: str) -> dict[str, object]:
    """An entity as DIETClassifier reports it: the fragment's span, its raw text as value."""
    start = text.index(fragment)
    end = start + len(fragment)
    return {"entity": entity, "start": start, "end": end, "value": fragment, "extractor": "DIET"}


@pytest.mark.parametrize(
    ("text", "rasa_date", "now", "date_span", "date"),
    [
        ("pode ser depois de amanhã às 14h?", "amanhã", NOW, "depois de amanhã", "2026-03-06"),
        ("dia 3 de dezembro às 14h", "dia 3", DECEMBER_6, "dia 3 de dezembro", "2027-12-03"),
        (
            "dia 3 de dezembro às 14h",
            "3 de dezembro",
            DECEMBER_6,
            "dia 3 de dezembro",
            "2027-12-03",
        ),
    ],
)
def test_a_longer_builtin_span_beats_a_shorter_rasa_span(
    fake_rasa: FakeRasa,
    builtin: BuiltinInterpreter,
    text: str,
    rasa_date: str,
    now: datetime,
    date_span: str,
    date: str,
) -> None:
    fake_rasa.reply = lambda t: rasa_response(
        t, "inform", [("inform", 0.9)], [diet(t, rasa_date, "date"), diet(t, "14h", "time")]
    )
    with make(fake_rasa, builtin, CollectorRegistry()) as rasa:
        result = rasa.parse(text, now=now)
    assert result.backend == "rasa"
    found = [(e.entity, text[e.start : e.end], e.value, e.extractor) for e in result.entities]
    assert found == [
        ("date", date_span, date, "builtin"),
        ("time", "14h", "14:00", "rasa:DIET"),  # same span as ours: Rasa's, with our value
    ]


def test_rasa_spans_are_read_by_our_extractors(
    fake_rasa: FakeRasa, builtin: BuiltinInterpreter
) -> None:
    # Rasa's spans, our values (relative to now) and our bounds ("às" is left out).
    text = "pode ser dia 10/12 às 9h"
    fake_rasa.reply = lambda t: rasa_response(
        t, "inform", [("inform", 0.9)], [diet(t, "dia 10/12", "date"), diet(t, "às 9h", "time")]
    )
    with make(fake_rasa, builtin, CollectorRegistry()) as rasa:
        result = rasa.parse(text, now=DECEMBER_6)
    found = [(e.entity, text[e.start : e.end], e.value, e.extractor) for e in result.entities]
    assert found == [
        ("date", "dia 10/12", "2026-12-10", "rasa:DIET"),
        ("time", "9h", "09:00", "rasa:DIET"),
    ]


def test_merge_entity_keeps_the_longer_of_overlapping_spans() -> None:
    # "depois de amanhã": the whole phrase is 0-16, "amanhã" is 10-16.
    whole = Entity("date", "2026-03-06", 0, 16)
    tail = Entity("date", "2026-03-05", 10, 16)
    rasa_whole = Entity("date", "2026-03-06", 0, 16, extractor="rasa:DIET")
    rasa_tail = Entity("date", "2026-03-05", 10, 16, extractor="rasa:DIET")
    assert merge_entity([whole], rasa_tail) == [whole]  # ours contains Rasa's
    assert merge_entity([tail], rasa_whole) == [rasa_whole]  # Rasa's contains ours
    # Partial overlap: the longer span wins; the others stay.
    time = Entity("time", "14:00", 20, 23)
    assert merge_entity([tail, time], Entity("date", "x", 12, 22, "rasa:DIET")) == [
        Entity("date", "x", 12, 22, "rasa:DIET")
    ]
    assert merge_entity([whole, time], Entity("date", "x", 14, 18, "rasa:DIET")) == [whole, time]
    # Equal spans: Rasa's type over ours, and Rasa's first entity over its second.
    cpf = Entity("cpf", "11910000019", 0, 11, "rasa:DIET")
    assert merge_entity([Entity("phone", "+5511910000019", 0, 11)], cpf) == [cpf]
    assert merge_entity([cpf], Entity("phone", "+5511910000019", 0, 11, "rasa:DIET")) == [cpf]


def test_nlu_fallback_pseudo_intent_is_dropped(
    fake_rasa: FakeRasa, builtin: BuiltinInterpreter
) -> None:
    fake_rasa.reply = lambda t: rasa_response(
        t, "nlu_fallback", [("nlu_fallback", 0.3), ("help", 0.21), ("ask_status", 0.18)]
    )
    with make(fake_rasa, builtin, CollectorRegistry()) as rasa:
        result = rasa.parse("hmm e agora", now=NOW)
    assert result.backend == "rasa"
    assert (result.intent.name, result.intent.confidence) == ("help", 0.21)
    assert [s.name for s in result.intent_ranking] == ["help", "ask_status"]


def test_timeout_falls_back_logs_and_counts(
    fake_rasa: FakeRasa, builtin: BuiltinInterpreter, caplog: pytest.LogCaptureFixture
) -> None:
    fake_rasa.mode, fake_rasa.delay_s = "slow", 1.0
    registry = CollectorRegistry()
    with caplog.at_level(logging.WARNING, logger="nlu.rasa_client"):
        with make(fake_rasa, builtin, registry, timeout_s=0.2) as rasa:
            result = rasa.parse("quero cancelar o treinamento", now=NOW)
    assert result.backend == "builtin"
    assert result.extra == {"fallback": "timeout"}
    assert result.intent.name == "cancel_training"
    assert fallbacks(registry, "timeout") == 1.0
    assert any("timeout" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("garbage", "invalid_response"),
        ("error", "http_status"),
        ("wrong_shape", "invalid_response"),
    ],
)
def test_bad_answers_fall_back(
    fake_rasa: FakeRasa, builtin: BuiltinInterpreter, mode: str, reason: str
) -> None:
    fake_rasa.mode = mode
    registry = CollectorRegistry()
    with make(fake_rasa, builtin, registry) as rasa:
        result = rasa.parse("oi, bom dia", now=NOW)
    assert (result.backend, result.intent.name) == ("builtin", "greet")
    assert fallbacks(registry, reason) == 1.0


def test_server_down_falls_back(builtin: BuiltinInterpreter) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    registry = CollectorRegistry()
    down = FakeRasa(url=f"http://127.0.0.1:{port}")
    with make(down, builtin, registry) as rasa:
        result = rasa.parse("SAIR", now=NOW)
    assert (result.backend, result.intent.name) == ("builtin", "opt_out")
    assert fallbacks(registry, "connection") == 1.0


def test_rasa_is_rested_after_a_failure(fake_rasa: FakeRasa, builtin: BuiltinInterpreter) -> None:
    fake_rasa.mode = "error"
    clock = [100.0]
    registry = CollectorRegistry()
    with make(fake_rasa, builtin, registry, clock=clock) as rasa:
        rasa.parse("oi", now=NOW)
        rasa.parse("oi", now=NOW)
        assert len(fake_rasa.requests) == 1
        assert fallbacks(registry, "circuit_open") == 1.0
        clock[0] += 31.0
        fake_rasa.mode = "ok"
        fake_rasa.reply = lambda t: rasa_response(t, "greet", [("greet", 0.99)])
        assert rasa.parse("oi", now=NOW).backend == "rasa"
        assert len(fake_rasa.requests) == 2


def test_counters_do_not_collide_between_interpreters(
    fake_rasa: FakeRasa, builtin: BuiltinInterpreter
) -> None:
    fake_rasa.mode = "error"
    registry = CollectorRegistry()
    for _ in range(2):
        with make(fake_rasa, builtin, registry) as rasa:
            rasa.parse("oi", now=NOW)
    assert fallbacks(registry, "http_status") == 2.0


def test_factory_builds_the_rasa_backend(fake_rasa: FakeRasa, nlu_cache_dir: Path) -> None:
    fake_rasa.reply = lambda t: rasa_response(t, "thank", [("thank", 0.88)])
    interpreter = build_interpreter(
        backend="rasa",
        cache_dir=nlu_cache_dir,
        rasa_url=fake_rasa.url,
        timeout_s=1.0,
        registry=CollectorRegistry(),
    )
    assert isinstance(interpreter, RasaInterpreter)
    with interpreter:
        result = interpreter.parse("valeu", now=NOW)
    assert (result.backend, result.intent.name) == ("rasa", "thank")
