"""What the outbox worker decides before sending: WhatsApp's 24-hour window (a template or
held), opted-out clients (no business-initiated messages) and conversations a person owns."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.domain.clock import FakeClock
from bot.domain.messages import Channel, OutboundMessage
from bot.service.message_store import store_outbound
from bot.storage.models import Conversation, OutboxItem
from tests.fakes.twilio import FakeTwilio, content_variables
from tests.support.conversation import Chat
from tests.workers.outbox_fixtures import CLIENT, deliver, outbox_runtime, queue


def test_outside_the_24_hour_window_a_template_is_used_or_the_message_is_held(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    sid = "HX" + "a" * 32
    runtime = outbox_runtime(
        database_url, tmp_path, fake, clock, whatsapp_templates_json=f'{{"reminder": "{sid}"}}'
    )
    queue(runtime, ["oi"])
    clock.advance(timedelta(hours=25))
    queue(runtime, ["Lembrete: falta pouco para concluir o cadastro."], kind="reminder")
    queue(runtime, ["Resposta tardia da equipe."], kind="staff")
    asyncio.run(deliver(runtime))
    # "oi" was queued inside the window but is only sent now, 25 h later: held too.
    with runtime.sessions() as session:
        statuses = [i.status for i in session.scalars(select(OutboxItem).order_by(OutboxItem.id))]
    runtime.close()
    assert statuses == ["held", "sent", "held"]
    assert len(fake.sent) == 1
    assert fake.sent[0].content_sid == sid and fake.sent[0].body is None
    assert content_variables(fake.sent[0])["1"].startswith("Lembrete")


def test_opted_out_clients_get_no_reminder_but_replies_still_go(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    chat = Chat(runtime, address=CLIENT, channel=Channel.TWILIO_WHATSAPP)
    chat.say("oi")
    chat.say("SAIR")
    queue(runtime, ["Lembrete!"], kind="reminder")
    asyncio.run(deliver(runtime))
    with runtime.sessions() as session:
        statuses = [i.status for i in session.scalars(select(OutboxItem).order_by(OutboxItem.id))]
    runtime.close()
    assert statuses == ["sent", "sent", "suppressed"]
    assert "não vai mais receber" in (fake.sent[1].body or "")


def test_bot_messages_are_not_sent_while_a_person_owns_the_conversation(
    database_url: str, tmp_path: Path, fake: FakeTwilio, clock: FakeClock
) -> None:
    runtime = outbox_runtime(database_url, tmp_path, fake, clock)
    conversation_id = queue(runtime, ["pergunta do bot"])
    with runtime.sessions() as session, session.begin():
        conversation = session.get_one(Conversation, conversation_id)
        conversation.bot_paused = True
        store_outbound(
            session,
            conversation,
            reply=OutboundMessage(text="Oi, aqui é a Carla", kind="staff"),
            author="staff",
            now=clock.now(),
        )
    asyncio.run(deliver(runtime))
    runtime.close()
    assert [m.body for m in fake.sent] == ["Oi, aqui é a Carla"]
