"""The address comes from the CEP through BrasilAPI (a local fake); when BrasilAPI fails or is
slow, the client is asked to type it and nothing else changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.bootstrap import Runtime, build_runtime
from bot.config import Settings
from bot.domain.clock import FakeClock
from tests.documents.fake_brasilapi import FakeBrasilApi, Reply
from tests.support.conversation import Chat
from tests.support.registration_steps import to_step
from tests.support.scripted_nlu import ScriptedInterpreter

PAULISTA = {
    "cep": "01310100",
    "state": "SP",
    "city": "São Paulo",
    "neighborhood": "Bela Vista",
    "street": "Avenida Paulista",
    "service": "open-cep",
}


@pytest.fixture
def brasilapi() -> Iterator[FakeBrasilApi]:
    with FakeBrasilApi() as fake:
        yield fake


@pytest.fixture
def looked_up(settings: Settings, clock: FakeClock, brasilapi: FakeBrasilApi) -> Iterator[Runtime]:
    configured = settings.model_copy(update={"brasilapi_url": brasilapi.url})
    runtime = build_runtime(
        configured, clock=clock, interpreter=ScriptedInterpreter(), migrate=False
    )
    yield runtime
    runtime.close()


def test_the_address_is_filled_from_the_cep(looked_up: Runtime, brasilapi: FakeBrasilApi) -> None:
    brasilapi.script("/cep/v2/01310100", Reply(200, PAULISTA))
    chat = Chat(looked_up)
    to_step(chat, "cep")
    reply = chat.say("01310-100")
    assert "Avenida Paulista, Bela Vista, São Paulo/SP" in reply and "número" in reply


@pytest.mark.parametrize(
    "reply",
    [
        Reply(500, {"message": "erro"}),
        Reply(404, {"message": "CEP não encontrado"}),
        Reply(200, "<html>not json"),
        Reply(200, PAULISTA, delay=6.0),
    ],
    ids=["server-error", "unknown-cep", "malformed", "too-slow"],
)
def test_without_brasilapi_the_client_types_the_address(
    looked_up: Runtime, brasilapi: FakeBrasilApi, reply: Reply
) -> None:
    brasilapi.script("/cep/v2/01310100", reply)
    chat = Chat(looked_up)
    to_step(chat, "cep")
    answer = chat.say("01310-100")
    assert "Qual é o endereço (rua/avenida), bairro e cidade/UF?" in answer


def test_correcting_the_cep_to_an_unknown_one_asks_for_the_street_again(
    looked_up: Runtime, brasilapi: FakeBrasilApi
) -> None:
    brasilapi.script("/cep/v2/01310100", Reply(200, PAULISTA))
    chat = Chat(looked_up)
    to_step(chat, "cep")
    chat.say("01310-100")  # known: street filled, the number is asked
    reply = chat.say("errei o cep, o certo é 04538-133")  # unknown to the fake: 404
    assert "Corrigido" in reply and "Qual é o endereço (rua/avenida)" in reply
    assert "Corrigido" in chat.say("Av. Brigadeiro Faria Lima, Itaim Bibi, São Paulo/SP")


async def test_a_slow_look_up_delays_only_its_own_client(
    looked_up: Runtime, brasilapi: FakeBrasilApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inbox runs a message that may wait on BrasilAPI alone: other clients' turns, batched
    meanwhile, are answered while its look-up is still held."""
    import asyncio
    import threading

    from bot.coordination import build_coordination
    from bot.domain.messages import Channel, InboundMessage
    from bot.service.inbox import Inbox

    brasilapi.script("/cep/v2/01310100", Reply(200, PAULISTA))
    chat = Chat(looked_up, channel=Channel.TWILIO_WHATSAPP, address="+5511988887777")
    await asyncio.to_thread(to_step, chat, "cep")
    inbox = Inbox(conversations=looked_up.conversations, gate=build_coordination(None).gate)
    lookups = looked_up.conversations.engine.address_lookup
    look_up = lookups.lookup
    released = threading.Event()

    def held(cep: str):  # type: ignore[no-untyped-def]
        released.wait(timeout=60)  # only a guard against hanging: the test releases it
        return look_up(cep)

    monkeypatch.setattr(lookups, "lookup", held)

    def message(address: str, text: str) -> InboundMessage:
        return InboundMessage(
            channel=Channel.TWILIO_WHATSAPP,
            address=address,
            text=text,
            external_id=f"SM-{address}-{text}",
            received_at=looked_up.clock.now(),
        )

    # All at once: the first "oi" starts a batch alone, the rest arrive while it runs and
    # would form the next batch together with the CEP.
    first = asyncio.create_task(inbox.receive(message("+551190000009", "oi")))
    cep = asyncio.create_task(inbox.receive(message(chat.address, "01310-100")))
    others = [
        asyncio.create_task(inbox.receive(message(f"+55119000000{n}", "oi"))) for n in range(6)
    ]
    try:
        # The guard only ends a wait that a held batch would make endless.
        done, _ = await asyncio.wait([first, *others], timeout=60)
        assert len(done) == 7 and all(task.result().replies for task in done)
        assert not cep.done()  # its look-up is still held
    finally:
        released.set()
    assert "Avenida Paulista" in "\n".join(reply.text for reply in (await cep).replies)


async def test_turns_run_alone_take_at_most_the_turn_threads(
    looked_up: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst of messages that may wait on BrasilAPI never holds more threads (and database
    connections) than the batches would."""
    import asyncio
    import threading
    import time

    from bot.coordination import build_coordination
    from bot.domain.messages import Channel, InboundMessage
    from bot.service.inbox import Inbox

    service = looked_up.conversations
    running, most = 0, 0
    guard = threading.Lock()
    handle_many = service.handle_many

    def slow_handle_many(inbounds: list[InboundMessage]):  # type: ignore[no-untyped-def]
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with guard:
            running -= 1
        return handle_many(inbounds)

    monkeypatch.setattr(service, "handle_many", slow_handle_many)
    inbox = Inbox(conversations=service, gate=build_coordination(None).gate, turn_threads=3)
    await asyncio.gather(
        *(
            inbox.receive(
                InboundMessage(
                    channel=Channel.TWILIO_WHATSAPP,
                    address=f"+55119100000{n:02d}",
                    text="11.222.333/0001-81",
                    external_id=f"SM-burst-{n}",
                    received_at=looked_up.clock.now(),
                )
            )
            for n in range(12)
        )
    )

    assert most == 3
