"""Messages that did not reach the client: the outbox rows a person must look at, and their retry.

The delivery worker (``bot.workers.outbox``) leaves a row ``held`` when WhatsApp's 24-hour
window is closed and no template is configured for its kind, or when a send may have happened
and could not be settled; ``dead`` after its attempts are spent or on a permanent failure.
Neither is ever sent again by itself. ``retry_delivery`` queues one again: the worker then
decides afresh (inside a reopened window it goes as text, outside as the template, or it is
held again). A row whose send may have happened keeps its ``sending_since`` mark, so the
worker still asks the provider before sending it again.

The conversation is loaded through ``backoffice.access`` by the caller; a row of another
conversation is a 404, and while someone else holds the conversation only they may retry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.audit import record_audit
from backoffice.errors import Conflict, NotFound
from bot.storage.models import Conversation, Message, OutboxItem

__all__ = ["UNDELIVERED", "retry_delivery", "undelivered"]

UNDELIVERED = ("held", "dead")


def undelivered(session: Session, conversation: Conversation) -> list[tuple[OutboxItem, Message]]:
    """The conversation's held and dead-lettered rows with their messages, oldest first."""
    rows = session.execute(
        select(OutboxItem, Message)
        .join(Message, Message.id == OutboxItem.message_id)
        .where(
            OutboxItem.conversation_id == conversation.id,
            OutboxItem.status.in_(UNDELIVERED),
        )
        .order_by(OutboxItem.id)
    )
    return [(item, message) for item, message in rows]


def retry_delivery(
    session: Session,
    conversation: Conversation,
    *,
    principal: Principal,
    item_id: int,
    now: datetime,
) -> OutboxItem:
    """Queues a held or dead row of ``conversation`` again (the caller wakes the worker).

    ``NotFound`` for a row of another conversation, ``Conflict`` for a row that is not held or
    dead, or while another staff member holds the conversation.
    """
    item = session.get(OutboxItem, item_id)
    if item is None or item.conversation_id != conversation.id:
        raise NotFound("outbox item", item_id)
    if item.status not in UNDELIVERED:
        raise Conflict(f"message {item.message_id} is {item.status}, not held or dead")
    if conversation.bot_paused and conversation.paused_by not in (None, principal.id):
        raise Conflict(
            f"conversation {conversation.id} is held by staff member {conversation.paused_by}"
        )
    item.status = "pending"
    item.attempts = 0
    item.next_attempt_at = now
    item.claimed_until = None
    item.last_error = None
    message = session.get_one(Message, item.message_id)
    message.status = "queued"
    message.error_code = None
    record_audit(
        session,
        actor=principal.actor,
        action="delivery_retried",
        at=now,
        client_id=conversation.client_id,
        conversation_id=conversation.id,
        field="message_id",
        old=None,
        new=item.message_id,
    )
    session.flush()
    return item
