"""Turns of several conversations in one transaction (``ConversationService.handle_many``):
the same replies and records as one by one, and one message's trouble stays its own."""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import func, select

from bot.bootstrap import Runtime
from bot.domain.messages import Channel, InboundMessage
from bot.service.conversations import Handled
from bot.storage.models import (
    AuditEvent,
    Client,
    Contact,
    Conversation,
    Message,
    Onboarding,
    OutboxItem,
    StageChange,
)

REGISTRATION = (
    "oi", "1", "Maria da Silva", "1", "11.222.333/0001-81", "Padaria Pão Quente Ltda", "45",
    "maria@paoquente.com.br", "(11) 98765-4321", "1", "2", "João Souza",
    "joao@paoquente.com.br", "21 99876 5432", "1", "01310-100",
    "Avenida Paulista, Bela Vista, São Paulo/SP", "1000", "sala 12", "1",
)  # fmt: skip
_ids = itertools.count(1)


def _inbound(runtime: Runtime, address: str, text: str, sid: str | None = None) -> InboundMessage:
    return InboundMessage(
        channel=Channel.TWILIO_WHATSAPP,
        address=address,
        text=text,
        external_id=sid or f"SM{next(_ids)}",
        received_at=runtime.clock.now(),
    )


def _handled(result: Handled | Exception) -> Handled:
    assert isinstance(result, Handled), result
    return result


def _record(runtime: Runtime, address: str) -> dict[str, object]:
    """What a registration left in the database, without ids and times."""
    with runtime.sessions() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.address == address)
        ).one()
        client = session.get(Client, conversation.client_id)
        onboarding = session.get(Onboarding, conversation.onboarding_id)
        assert client is not None and onboarding is not None
        messages = session.scalars(
            select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
        ).all()
        outbox = session.scalar(
            select(func.count(OutboxItem.id)).where(OutboxItem.conversation_id == conversation.id)
        )
        return {
            "client": (client.cnpj, client.company_name, client.employees, client.cep),
            "consent": client.consent_at is not None,
            "contacts": sorted(
                (c.area, c.name, c.email, c.phone)
                for c in session.scalars(select(Contact).where(Contact.client_id == client.id))
            ),
            "stage": (onboarding.stage, onboarding.segment),
            "history": [
                h.to_stage
                for h in session.scalars(
                    select(StageChange)
                    .where(StageChange.onboarding_id == onboarding.id)
                    .order_by(StageChange.id)
                )
            ],
            "audit": sorted(
                (e.action, e.field or "")
                for e in session.scalars(
                    select(AuditEvent).where(AuditEvent.client_id == client.id)
                )
            ),
            # The status page's links carry random tokens (issue #17): the same link, another token.
            "messages": [
                (m.direction, re.sub(r"/s/[A-Za-z0-9_-]{43}", "/s/<token>", m.text))
                for m in messages
            ],
            "outbox": outbox,
            "state": conversation.state,
        }


def test_registrations_in_batches_store_what_they_store_one_by_one(runtime: Runtime) -> None:
    batched = [f"+551191000000{n}" for n in range(4)]
    alone = [f"+551192000000{n}" for n in range(4)]
    service = runtime.conversations

    for text in REGISTRATION:
        results = service.handle_many([_inbound(runtime, a, text) for a in batched])
        for result in results:
            assert _handled(result).replies
        for address in alone:
            service.handle(_inbound(runtime, address, text))

    reference = _record(runtime, alone[0])
    assert reference["stage"] == ("documentos", "self_service")
    assert reference["consent"] and len(reference["contacts"]) == 4  # type: ignore[arg-type]
    for address in batched + alone[1:]:
        assert _record(runtime, address) == reference


def test_replies_of_a_batch_are_stored_in_order_with_their_outbox_rows(runtime: Runtime) -> None:
    addresses = [f"+551193000000{n}" for n in range(3)]
    results = [
        _handled(r)
        for r in runtime.conversations.handle_many([_inbound(runtime, a, "oi") for a in addresses])
    ]

    with runtime.sessions() as session:
        for address, handled in zip(addresses, results, strict=True):
            conversation = session.get(Conversation, handled.conversation_id)
            assert conversation is not None and conversation.address == address
            rows = session.scalars(
                select(Message)
                .where(Message.conversation_id == handled.conversation_id)
                .order_by(Message.id)
            ).all()
            assert [r.direction for r in rows] == ["in"] + ["out"] * len(handled.replies)
            assert [r.id for r in rows[1:]] == [reply.message_id for reply in handled.replies]
            queued = session.scalars(
                select(OutboxItem.message_id)
                .where(OutboxItem.conversation_id == handled.conversation_id)
                .order_by(OutboxItem.id)
            ).all()
            assert queued == [reply.message_id for reply in handled.replies]


def test_a_duplicate_in_a_batch_is_reported_and_the_others_are_handled(runtime: Runtime) -> None:
    service = runtime.conversations
    service.handle(_inbound(runtime, "+5511940000001", "oi", sid="SMdup"))

    # The same delivery again (past the inbox's fast check), beside two new messages: the batch
    # meets the unique index, rolls back, and each message is handled alone.
    results = service.handle_many(
        [
            _inbound(runtime, "+5511940000002", "oi"),
            _inbound(runtime, "+5511940000001", "oi", sid="SMdup"),
            _inbound(runtime, "+5511940000003", "oi"),
        ]
    )

    first, duplicate, third = (_handled(r) for r in results)
    assert duplicate.duplicate and not duplicate.replies
    assert first.replies and third.replies and not first.duplicate
    with runtime.sessions() as session:
        inbound = session.scalar(select(func.count(Message.id)).where(Message.direction == "in"))
        assert inbound == 3  # the duplicate stored once, the others once each


def test_one_failing_turn_fails_alone(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = runtime.conversations.engine
    handle = engine.handle

    def fragile(state, inbound, *, nlu, context):  # type: ignore[no-untyped-def]
        if inbound.text == "boom":
            raise RuntimeError("a bug in one turn")
        return handle(state, inbound, nlu=nlu, context=context)

    monkeypatch.setattr(engine, "handle", fragile)
    results = runtime.conversations.handle_many(
        [
            _inbound(runtime, "+5511950000001", "oi"),
            _inbound(runtime, "+5511950000002", "boom"),
            _inbound(runtime, "+5511950000003", "oi"),
        ]
    )

    assert isinstance(results[1], RuntimeError)
    assert _handled(results[0]).replies and _handled(results[2]).replies
    with runtime.sessions() as session:
        stored = set(session.scalars(select(Conversation.address)))
        assert stored == {"+5511950000001", "+5511950000003"}  # the failed turn left nothing


def test_a_message_the_nlu_cannot_read_fails_alone(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    interpreter = runtime.conversations.interpreter
    parse = interpreter.parse

    def fragile(text: str, **kwargs: object):  # type: ignore[no-untyped-def]
        if text == "boom":
            raise RuntimeError("the NLU failed")
        return parse(text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(interpreter, "parse", fragile)
    results = runtime.conversations.handle_many(
        [_inbound(runtime, "+5511960000001", "boom"), _inbound(runtime, "+5511960000002", "oi")]
    )

    assert isinstance(results[0], RuntimeError)
    assert _handled(results[1]).replies
