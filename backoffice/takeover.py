"""A person takes a conversation from the bot, writes to the client, and hands it back.

Takeover is one conditional UPDATE (``bot_paused`` and ``paused_by`` set only when nobody else
holds the conversation), so two staff members racing for it cannot both win. While paused, the
service layer stores the client's messages without running the dialogue, and the outbox worker
drops bot messages, so the bot stays silent. Staff messages go through the same outbox as the
bot's (the worker applies the 24-hour rule). Release un-pauses and lets the bot repeat the
question it was on, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.audit import record_audit
from backoffice.errors import Conflict, Forbidden
from bot.domain.messages import OutboundMessage
from bot.service.conversations import ConversationService
from bot.service.message_store import StoredReply, store_outbound_many
from bot.storage.console_events import EventRow, record_console_events
from bot.storage.models import Conversation, Escalation


def take_over(
    session: Session, conversation: Conversation, *, principal: Principal, now: datetime
) -> None:
    """Pauses the bot for ``principal``; ``Conflict`` when someone else holds the conversation."""
    result = session.execute(
        update(Conversation)
        .where(
            Conversation.id == conversation.id,
            or_(
                Conversation.bot_paused.is_(False),
                Conversation.paused_by.is_(None),
                Conversation.paused_by == principal.id,
            ),
        )
        .values(bot_paused=True, paused_by=principal.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:
        session.refresh(conversation)
        raise Conflict(
            f"conversation {conversation.id} is held by staff member {conversation.paused_by}"
        )
    session.refresh(conversation)
    escalations = session.scalars(
        select(Escalation).where(
            Escalation.conversation_id == conversation.id, Escalation.status == "open"
        )
    )
    events = [_event("takeover", conversation, principal=principal)]
    for escalation in escalations:
        escalation.status = "taken"
        escalation.taken_at = now
        if escalation.assigned_to is None:
            escalation.assigned_to = principal.id
        events.append(
            _event(
                "escalation_taken", conversation, principal=principal, escalation_id=escalation.id
            )
        )
    record_console_events(session, events, at=now)
    record_audit(
        session,
        actor=principal.actor,
        action="conversation_taken_over",
        at=now,
        client_id=conversation.client_id,
        conversation_id=conversation.id,
    )


def _require_holder(conversation: Conversation, principal: Principal) -> None:
    if not conversation.bot_paused or conversation.paused_by is None:
        raise Conflict(f"take over conversation {conversation.id} before writing to the client")
    if conversation.paused_by != principal.id:
        raise Conflict(
            f"conversation {conversation.id} is held by staff member {conversation.paused_by}"
        )


def send_staff_message(
    session: Session,
    conversation: Conversation,
    *,
    principal: Principal,
    text: str,
    now: datetime,
) -> list[StoredReply]:
    """Queues a staff message to the client (the holder only): one stored message, or several
    parts in order when the text is longer than the channel accepts."""
    _require_holder(conversation, principal)
    parts = store_outbound_many(
        session,
        conversation,
        replies=[OutboundMessage(text=text, kind="staff")],
        author="staff",
        now=now,
        staff_id=principal.id,
    )
    record_audit(
        session,
        actor=principal.actor,
        action="staff_message",
        at=now,
        client_id=conversation.client_id,
        conversation_id=conversation.id,
        field="message_id",
        # One id, or the parts' ids in order ("41,42,43").
        new=parts[0].message_id
        if len(parts) == 1
        else ",".join(str(part.message_id) for part in parts),
    )
    return parts


def release(
    session: Session,
    conversation: Conversation,
    *,
    principal: Principal,
    conversations: ConversationService,
    now: datetime,
    resolve: bool,
) -> list[StoredReply]:
    """Hands the conversation back to the bot, which repeats the question it was on.

    The holder releases; a manager or an admin may release anyone's hold.
    """
    if not conversation.bot_paused:
        raise Conflict(f"conversation {conversation.id} is not taken over")
    if conversation.paused_by not in (None, principal.id) and principal.role == "csm":
        raise Forbidden(
            f"conversation {conversation.id} is held by staff member {conversation.paused_by}"
        )
    events = [_event("released", conversation, principal=principal, held_by=conversation.paused_by)]
    conversation.bot_paused = False
    conversation.paused_by = None
    conversation.updated_at = now
    if resolve:
        for escalation in session.scalars(
            select(Escalation).where(
                Escalation.conversation_id == conversation.id,
                Escalation.status.in_(("open", "taken")),
            )
        ):
            escalation.status = "resolved"
            escalation.resolved_at = now
            events.append(
                _event(
                    "escalation_resolved",
                    conversation,
                    principal=principal,
                    escalation_id=escalation.id,
                )
            )
    record_console_events(session, events, at=now)
    record_audit(
        session,
        actor=principal.actor,
        action="conversation_released",
        at=now,
        client_id=conversation.client_id,
        conversation_id=conversation.id,
    )
    session.flush()
    return conversations.resume(session, conversation)


def _event(
    kind: str, conversation: Conversation, *, principal: Principal, **data: int | None
) -> EventRow:
    """A console event of this conversation (``backoffice.console.live``)."""
    return EventRow(
        kind=kind,
        onboarding_id=conversation.onboarding_id,
        conversation_id=conversation.id,
        actor=principal.actor,
        data=data,
    )
