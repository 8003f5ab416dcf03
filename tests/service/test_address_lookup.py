"""The address comes from the CEP through BrasilAPI (a local fake); when BrasilAPI fails or is
slow, the client is asked to type it and nothing else changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.domain.clock import FakeClock
from tests.documents.fake_brasilapi import FakeBrasilApi, Reply
from tests.service.test_dialogue_repairs import _to_step
from tests.support.conversation import Chat
from tests.support.scripted_nlu import ScriptedInterpreter

PAULISTA = {
    "cep": "01310100", "state": "SP", "city": "São Paulo", "neighborhood": "Bela Vista",
    "street": "Avenida Paulista", "service": "open-cep",
}


@pytest.fixture
def brasilapi() -> Iterator[FakeBrasilApi]:
    with FakeBrasilApi() as fake:
        yield fake


@pytest.fixture
def looked_up(settings: Settings, clock: FakeClock, brasilapi: FakeBrasilApi) -> Iterator[Runtime]:
    configured = settings.model_copy(update={"brasilapi_url": brasilapi.url})
    runtime = build_runtime(configured, clock=clock, interpreter=ScriptedInterpreter(), migrate=False)
    yield runtime
    runtime.close()


def test_the_address_is_filled_from_the_cep(looked_up: Runtime, brasilapi: FakeBrasilApi) -> None:
    brasilapi.script("/cep/v2/01310100", Reply(200, PAULISTA))
    chat = Chat(looked_up)
    _to_step(chat, "cep")
    reply = chat.say("01310-100")
    assert "Avenida Paulista, Bela Vista, São Paulo/SP" in reply and "número" in reply


@pytest.mark.parametrize(
    "reply",
    [Reply(500, {"message": "erro"}), Reply(404, {"message": "CEP não encontrado"}),
     Reply(200, "<html>not json"), Reply(200, PAULISTA, delay=6.0)],
    ids=["server-error", "unknown-cep", "malformed", "too-slow"],
)
def test_without_brasilapi_the_client_types_the_address(
    looked_up: Runtime, brasilapi: FakeBrasilApi, reply: Reply
) -> None:
    brasilapi.script("/cep/v2/01310100", reply)
    chat = Chat(looked_up)
    _to_step(chat, "cep")
    answer = chat.say("01310-100")
    assert "Qual é o endereço (rua/avenida), bairro e cidade/UF?" in answer


def test_correcting_the_cep_to_an_unknown_one_asks_for_the_street_again(
    looked_up: Runtime, brasilapi: FakeBrasilApi
) -> None:
    brasilapi.script("/cep/v2/01310100", Reply(200, PAULISTA))
    chat = Chat(looked_up)
    _to_step(chat, "cep")
    chat.say("01310-100")  # known: street filled, the number is asked
    reply = chat.say("errei o cep, o certo é 04538-133")  # unknown to the fake: 404
    assert "Corrigido" in reply and "Qual é o endereço (rua/avenida)" in reply
    assert "Corrigido" in chat.say("Av. Brigadeiro Faria Lima, Itaim Bibi, São Paulo/SP")
