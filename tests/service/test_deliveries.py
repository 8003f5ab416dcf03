"""Delivery reports (``bot.service.deliveries``): a message's status only moves forward,
``failed`` keeps its error code, each step forward is a console event, unknown ids are skipped."""

from __future__ import annotations

from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.domain.channels import DeliveryStatus
from bot.domain.messages import Channel, OutboundMessage
from bot.service.deliveries import DeliveryReports
from bot.service.message_store import store_outbound
from bot.service.new_conversations import start_conversations
from bot.storage.models import ConsoleEvent, Message


def _sent_message(runtime: Runtime, provider_id: str) -> int:
    now = runtime.clock.now()
    with runtime.sessions() as session, session.begin():
        [(conversation, _)] = start_conversations(
            session, [(Channel.TWILIO_WHATSAPP.value, "+5511987654321")], now=now
        )
        reply = store_outbound(
            session, conversation, reply=OutboundMessage(text="Olá!"), author="bot", now=now
        )
        message = session.get_one(Message, reply.message_id)
        message.channel_message_id = provider_id
        message.status = "sent"
        return message.id


def _status_events(runtime: Runtime) -> list[str]:
    with runtime.sessions() as session:
        events = session.scalars(
            select(ConsoleEvent).where(ConsoleEvent.kind == "message_status")
        ).all()
        return [str(event.data["status"]) for event in events]


def test_statuses_only_move_forward_and_failures_keep_their_code(runtime: Runtime) -> None:
    message_id = _sent_message(runtime, "SM1")
    reports = DeliveryReports(sessions=runtime.sessions, clock=runtime.clock)

    reports.record(
        [
            DeliveryStatus("SM1", "delivered"),
            DeliveryStatus("SM1", "sent"),  # late, out of order: ignored
            DeliveryStatus("SMunknown", "read"),  # not ours: skipped
            DeliveryStatus("SM1", "undelivered", error_code="63016"),
            DeliveryStatus("SM1", "read"),  # after a final status: ignored
        ]
    )

    with runtime.sessions() as session:
        message = session.get_one(Message, message_id)
        assert (message.status, message.error_code) == ("undelivered", "63016")
    assert _status_events(runtime) == ["delivered", "undelivered"]
