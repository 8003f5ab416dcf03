"""The outbox worker's SQL: the due rows with what sending needs, the sending mark, the outcome
writes (delivery reports are ``bot.service.deliveries``'). Plain Core statements built once at
import (SQLAlchemy keeps their cache keys): the worker runs them at hundreds of rows a second.

A row's life: ``pending`` (claimed with a lease, ``claimed_until``) → marked ``sending_since``
(committed) just before the provider is called → ``sent`` / retried / ``dead`` / ``held`` /
``suppressed`` with the mark cleared. A pending row found with the mark set may have been sent:
the worker settles it with the provider before sending it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, Table, Update, bindparam, exists, select, update

from bot.domain.messages import Choice
from bot.storage.models import Conversation, Message, OutboxItem

__all__ = [
    "ITEM_UPDATES",
    "KNOWN_PROVIDER_IDS",
    "MARK_SENDING",
    "MESSAGE_UPDATES",
    "Claim",
    "due_query",
    "outbox_table",
    "snapshot",
]


@dataclass(frozen=True)
class Claim:
    """A claimed outbox row with what is needed to send it, read in the claiming transaction.

    ``claimed_until`` is the lease this worker holds (the mark is written only while it still
    does); ``sending_since`` is set when an earlier attempt may have reached the provider.
    """

    item_id: int
    message_id: int
    conversation_id: int
    channel: str
    address: str
    attempts: int
    text: str
    choices: tuple[Choice, ...]
    kind: str
    author: str
    last_inbound_at: datetime | None
    opted_out: bool
    bot_paused: bool
    attachments: tuple[str, ...] = ()
    sending_since: datetime | None = None
    claimed_until: datetime | None = None


outbox_table: Table = OutboxItem.__table__  # type: ignore[assignment]
_MESSAGES: Table = Message.__table__  # type: ignore[assignment]
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
_OUTBOX = outbox_table


def due_query() -> Select[Any]:
    """Pending rows that are the oldest pending row of their conversation, with what sending
    needs from the message and the conversation (the caller adds the time and the limit)."""
    earlier = _OUTBOX.alias("earlier")
    oldest_of_its_conversation = ~exists(
        select(earlier.c.id).where(
            earlier.c.conversation_id == _OUTBOX.c.conversation_id,
            earlier.c.id < _OUTBOX.c.id,
            earlier.c.status == "pending",
        )
    )
    return (
        select(
            _OUTBOX.c.id,
            _OUTBOX.c.message_id,
            _OUTBOX.c.conversation_id,
            _OUTBOX.c.channel,
            _OUTBOX.c.address,
            _OUTBOX.c.attempts,
            _OUTBOX.c.sending_since,
            _MESSAGES.c.text,
            _MESSAGES.c.payload,
            _MESSAGES.c.author,
            _CONVERSATIONS.c.last_inbound_at,
            _CONVERSATIONS.c.opted_out,
            _CONVERSATIONS.c.bot_paused,
        )
        .join(_MESSAGES, _MESSAGES.c.id == _OUTBOX.c.message_id)
        .join(_CONVERSATIONS, _CONVERSATIONS.c.id == _OUTBOX.c.conversation_id)
        .where(_OUTBOX.c.status == "pending", oldest_of_its_conversation)
        .order_by(_OUTBOX.c.id)
    )


def snapshot(row: Row[Any], *, claimed_until: datetime) -> Claim:
    payload = row.payload or {}
    return Claim(
        item_id=row.id,
        message_id=row.message_id,
        conversation_id=row.conversation_id,
        channel=row.channel,
        address=row.address,
        attempts=row.attempts,
        text=row.text,
        choices=tuple(Choice(id=c[0], title=c[1]) for c in payload.get("choices", [])),
        kind=str(payload.get("kind", "reply")),
        author=row.author,
        last_inbound_at=row.last_inbound_at,
        opted_out=row.opted_out,
        bot_paused=row.bot_paused,
        attachments=tuple(str(url) for url in payload.get("attachments", [])),
        sending_since=row.sending_since,
        claimed_until=claimed_until,
    )


# The mark written (and committed) right before the provider is called, only on rows this
# worker still leases; the lease is extended so the send has all of it. Returns the rows marked.
MARK_SENDING = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id.in_(bindparam("b_ids", expanding=True)),
        _OUTBOX.c.claimed_until == bindparam("b_held"),
        _OUTBOX.c.status == "pending",
    )
    .values(sending_since=bindparam("b_now"), claimed_until=bindparam("b_until"))
    .returning(_OUTBOX.c.id)
)

# Provider ids already recorded in a conversation: none of them is the message looked for.
KNOWN_PROVIDER_IDS = (
    select(_MESSAGES.c.channel_message_id)
    .where(
        _MESSAGES.c.conversation_id == bindparam("b_conversation"),
        _MESSAGES.c.direction == "out",
        _MESSAGES.c.channel_message_id.is_not(None),
    )
    .order_by(_MESSAGES.c.id.desc())
    .limit(200)
)


def _item_update(**values: object) -> Update:
    return (
        update(_OUTBOX)
        .where(_OUTBOX.c.id == bindparam("b_id"))
        .values(claimed_until=None, **values)
    )


def _message_update(**values: object) -> Update:
    return update(_MESSAGES).where(_MESSAGES.c.id == bindparam("b_id")).values(**values)


# The outcome writes, by kind of change (each runs as one executemany).
ITEM_UPDATES: dict[str, Update] = {
    "sent": _item_update(
        status="sent",
        sent_at=bindparam("b_now"),
        last_error=None,
        sending_since=None,
        attempts=_OUTBOX.c.attempts + 1,
    ),
    "final": _item_update(status=bindparam("b_status"), last_error=bindparam("b_error")),
    "retry": _item_update(
        attempts=_OUTBOX.c.attempts + 1,
        last_error=bindparam("b_error"),
        next_attempt_at=bindparam("b_next"),
        sending_since=None,
    ),
    # The attempt may have reached the provider: the mark stays, so the next round settles it.
    "in_doubt": _item_update(
        attempts=_OUTBOX.c.attempts + 1,
        last_error=bindparam("b_error"),
        next_attempt_at=bindparam("b_next"),
    ),
    "dead": _item_update(
        status="dead",
        attempts=_OUTBOX.c.attempts + 1,
        last_error=bindparam("b_error"),
        sending_since=None,
    ),
}
MESSAGE_UPDATES: dict[str, Update] = {
    "sent": _message_update(
        status=bindparam("b_status"), channel_message_id=bindparam("b_provider_id")
    ),
    "status": _message_update(status=bindparam("b_status")),
    "failed": _message_update(status="failed", error_code=bindparam("b_code")),
}
