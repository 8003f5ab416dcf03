"""Delivery reports: a provider says how far an outbound message got (Twilio's status
callbacks, Meta's ``statuses[]``). Reports arrive out of order and more than once, so a
message's status only moves forward; ``failed`` and ``undelivered`` are final.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.channels import DeliveryStatus
from bot.domain.clock import Clock
from bot.storage.console_events import record_console_event
from bot.storage.models import Message

__all__ = ["STATUS_ORDER", "DeliveryReports", "record_delivery_status"]

# Delivery statuses only move forward; failed/undelivered are final whatever arrives later.
STATUS_ORDER: dict[str, int] = {
    "queued": 1,
    "accepted": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "read": 5,
    "failed": 9,
    "undelivered": 9,
}


def record_delivery_status(
    sessions: sessionmaker[Session],
    *,
    provider_message_id: str,
    status: str,
    error_code: str | None,
    now: datetime | None = None,
) -> bool:
    """Applies a delivery report; returns False when the message is unknown. A status that
    moves forward writes a ``message_status`` console event (at ``now``, the clock's)."""
    with sessions() as session, session.begin():
        message = session.scalar(
            select(Message).where(
                Message.channel_message_id == provider_message_id, Message.direction == "out"
            )
        )
        if message is None:
            return False
        if STATUS_ORDER.get(status, 0) > STATUS_ORDER.get(message.status, 0):
            message.status = status
            if error_code:
                message.error_code = error_code[:20]
            record_console_event(
                session,
                kind="message_status",
                at=datetime.now(UTC) if now is None else now,
                conversation_id=message.conversation_id,
                actor="system",
                data={"message_ids": [message.id], "status": status},
            )
        return True


class DeliveryReports:
    """The use case the webhook handler calls with the statuses one request carried."""

    def __init__(self, *, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    def record(self, statuses: Iterable[DeliveryStatus]) -> None:
        """Applies each report in its own transaction (an unknown message is skipped)."""
        for status in statuses:
            record_delivery_status(
                self.sessions,
                provider_message_id=status.provider_message_id,
                status=status.status,
                error_code=status.error_code,
                now=self.clock.now(),
            )
