"""Messages and their outbox rows, written with plain inserts, for one turn or a batch of them.

``MessageWrites`` collects the messages of one or several conversations (a turn's inbound
message and replies, a CSM's answer, a reminder) and writes them in two statements: one
``INSERT ... RETURNING`` for every message, in order, and one insert of the outbox rows of the
replies on push channels. The list each ``add`` returned then holds its replies as stored
(``StoredReply``, with their ids). This runs on every turn, where the ORM's unit of work cost
more than the database; a batch of turns (``ConversationService.handle_many``) shares the two
statements.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from bot.domain.messages import Channel, InboundMessage, OutboundMessage, split_long
from bot.storage.console_events import EventRow, record_console_events
from bot.storage.models import Conversation, Message, OutboxItem

__all__ = [
    "PULL_CHANNELS",
    "TEXT_LIMITS",
    "MessageWrites",
    "StoredReply",
    "inbound_row",
    "storable",
    "store_outbound",
    "store_outbound_many",
]

MESSAGES: Table = Message.__table__  # type: ignore[assignment]
OUTBOX: Table = OutboxItem.__table__  # type: ignore[assignment]

# Built once: SQLAlchemy then keeps their cache keys.
_INSERT_MESSAGES = insert(MESSAGES).returning(MESSAGES.c.id, sort_by_parameter_order=True)
_INSERT_OUTBOX = insert(OUTBOX)

# Longest text each channel accepts in one message (Twilio: 1,600 characters; Meta and
# Telegram: 4,096); a longer reply (a CSM's long answer) goes as several messages, in order.
TEXT_LIMITS = {
    Channel.TWILIO_WHATSAPP: 1600,
    Channel.WHATSAPP_CLOUD: 4096,
    Channel.TELEGRAM: 4096,
}

# Channels the client's device pulls from (web page polling, the terminal): no delivery worker.
PULL_CHANNELS = frozenset({Channel.WEB, Channel.TERMINAL})


@dataclass(frozen=True)
class StoredReply:
    """A reply as stored: what a channel delivers (a pull channel shows it, the outbox sends it)."""

    message_id: int
    text: str
    choices: tuple[tuple[str, str], ...] = ()
    attachments: tuple[str, ...] = ()  # links (a training invite)


@dataclass
class _Group:
    conversation: Conversation
    replies: list[OutboundMessage]
    rows: list[dict[str, object]]
    received: int  # how many of ``rows`` are inbound messages (they come first)
    actor: str  # who wrote the replies, for the console's event (bot | staff:<id> | system)
    stored: list[StoredReply] = field(default_factory=list)  # filled by ``execute``


class MessageWrites:
    """The messages of one transaction, written together by ``execute``."""

    def __init__(self) -> None:
        self._groups: list[_Group] = []

    def add(
        self,
        conversation: Conversation,
        *,
        received: Sequence[Mapping[str, object]] = (),
        replies: Sequence[OutboundMessage] = (),
        author: str,
        now: datetime,
        staff_id: int | None = None,
    ) -> list[StoredReply]:
        """Queues the ``received`` message rows, then the replies (split for the channel).

        Returns the list ``execute`` fills with the replies as stored, in order (empty until
        then)."""
        channel = Channel(conversation.channel)
        limit = TEXT_LIMITS.get(channel)
        parts = (
            [part for reply in replies for part in split_long(reply, limit)]
            if limit is not None
            else list(replies)
        )
        status = "delivered" if channel in PULL_CHANNELS else "queued"
        rows = [dict(row) for row in received] + [
            {
                "conversation_id": None,  # known at ``execute`` (a new conversation's id)
                "direction": "out",
                "author": author,
                "staff_id": staff_id,
                "text": reply.text,
                "payload": _outbound_payload(reply),
                "channel_message_id": None,
                "status": status,
                "intent": None,
                "created_at": now,
            }
            for reply in parts
        ]
        actor = f"staff:{staff_id}" if author == "staff" and staff_id is not None else author
        group = _Group(
            conversation=conversation,
            replies=parts,
            rows=rows,
            received=len(received),
            actor=actor,
        )
        self._groups.append(group)
        return group.stored

    def execute(self, session: Session, *, now: datetime) -> None:
        """Writes everything queued (two statements at most) on the session's connection.

        Nothing pending in the session is flushed, except a conversation without an id yet.
        """
        groups = [group for group in self._groups if group.rows]
        self._groups = []
        if not groups:
            return
        if any(group.conversation.id is None for group in groups):
            session.flush()
        rows = []
        for group in groups:
            conversation_id = group.conversation.id
            for row in group.rows:
                row["conversation_id"] = conversation_id
            rows += group.rows
        connection = session.connection()
        ids = iter(connection.execute(_INSERT_MESSAGES, rows).scalars().all())
        outbox: list[dict[str, object]] = []
        events: list[EventRow] = []
        for group in groups:
            written = [next(ids) for _ in group.rows]
            mine = written[group.received :]
            events += _events(group, written)
            group.stored.extend(
                StoredReply(
                    message_id=message_id,
                    text=reply.text,
                    choices=tuple((c.id, c.title) for c in reply.choices),
                    attachments=reply.attachments,
                )
                for message_id, reply in zip(mine, group.replies, strict=True)
            )
            conversation = group.conversation
            if Channel(conversation.channel) not in PULL_CHANNELS:
                outbox += (
                    {
                        "message_id": message_id,
                        "conversation_id": conversation.id,
                        "channel": conversation.channel,
                        "address": conversation.address,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                    for message_id in mine
                )
        if outbox:
            connection.execute(_INSERT_OUTBOX, outbox)
        record_console_events(session, events, at=now)


def _events(group: _Group, ids: list[int]) -> list[EventRow]:
    """The console's events of one group: ``message_in`` for the client's message(s),
    ``message_out`` for the replies (ids only)."""
    conversation = group.conversation
    events = []
    if group.received:
        events.append(
            EventRow(
                kind="message_in",
                onboarding_id=conversation.onboarding_id,
                conversation_id=conversation.id,
                actor="client",
                data={"message_ids": ids[: group.received]},
            )
        )
    if len(ids) > group.received:
        events.append(
            EventRow(
                kind="message_out",
                onboarding_id=conversation.onboarding_id,
                conversation_id=conversation.id,
                actor=group.actor,
                data={"message_ids": ids[group.received :]},
            )
        )
    return events


def store_outbound(
    session: Session,
    conversation: Conversation,
    *,
    reply: OutboundMessage,
    author: str,
    now: datetime,
    staff_id: int | None = None,
) -> StoredReply:
    """Stores an outbound message and, for push channels, its outbox row (same transaction)."""
    return store_outbound_many(
        session, conversation, replies=[reply], author=author, now=now, staff_id=staff_id
    )[0]


def store_outbound_many(
    session: Session,
    conversation: Conversation,
    *,
    replies: Sequence[OutboundMessage],
    author: str,
    now: datetime,
    staff_id: int | None = None,
) -> list[StoredReply]:
    """Stores outbound messages in order and, for push channels, their outbox rows."""
    writes = MessageWrites()
    stored = writes.add(conversation, replies=replies, author=author, now=now, staff_id=staff_id)
    writes.execute(session, now=now)
    return stored


def inbound_row(
    conversation: Conversation,
    inbound: InboundMessage,
    *,
    external_id: str,
    intent: str | None,
    now: datetime,
) -> dict[str, object]:
    """The ``messages`` row of an inbound message (its channel id is the de-duplication key)."""
    return {
        "conversation_id": conversation.id,
        "direction": "in",
        "author": "system" if inbound.document is not None else "client",
        "staff_id": None,
        "text": storable(inbound.text),
        "channel_message_id": external_id,
        "status": "received",
        "payload": _media_payload(inbound),
        "intent": intent,
        "created_at": now,
    }


def storable(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters; nothing else is lost."""
    return text.replace("\x00", "")


def _outbound_payload(reply: OutboundMessage) -> dict[str, object]:
    payload: dict[str, object] = {
        "choices": [[c.id, c.title] for c in reply.choices],
        "kind": reply.kind,
    }
    if reply.attachments:
        payload["attachments"] = list(reply.attachments)
    return payload


def _media_payload(inbound: InboundMessage) -> dict[str, object]:
    payload: dict[str, object] = {}
    if inbound.media:
        payload["media"] = [
            {"url": m.url, "content_type": m.content_type, "provider_id": m.provider_id}
            for m in inbound.media
        ]
    if inbound.choice_id:
        payload["choice_id"] = inbound.choice_id
    return payload
