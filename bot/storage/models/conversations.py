"""A conversation with a contact on one channel: its messages, their outbox and escalations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.personal_data import Pseudonym, not_personal, personal

__all__ = ["Conversation", "Escalation", "Message", "OutboxItem"]


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), info=not_personal("a channel name"))
    # Erased last: the erasure notice is delivered to it (``erased:<id>`` afterwards).
    address: Mapped[str] = mapped_column(
        String(80), info=personal(erased=Pseudonym(), after_notice=True, identifies=True)
    )
    profile_name: Mapped[str | None] = mapped_column(String(120), info=personal(identifies=True))
    language: Mapped[str] = mapped_column(
        String(2), default="pt", info=not_personal("a language code")
    )
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=personal())
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    onboarding_id: Mapped[int | None] = mapped_column(ForeignKey("onboardings.id"), index=True)
    bot_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]
    # The client's last message whose idle period has its nudges scheduled (the sweep skips
    # conversations where it equals ``last_inbound_at``).
    nudged_since: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "direction", "channel_message_id"),
        Index("ix_messages_conversation_created", "conversation_id", "id"),
        # Delivery status callbacks find their message by the provider's id.
        Index("ix_messages_channel_message_id", "channel_message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    # in | out
    direction: Mapped[str] = mapped_column(String(3), info=not_personal("in or out"))
    # client | bot | staff | system
    author: Mapped[str] = mapped_column(String(10), info=not_personal("an author kind"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    text: Mapped[str] = mapped_column(Text, default="", info=personal())
    # choices, media refs, invite links
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=personal())
    channel_message_id: Mapped[str | None] = mapped_column(
        String(120), info=not_personal("the provider's message id")
    )
    status: Mapped[str] = mapped_column(
        String(16), default="received", info=not_personal("a delivery status")
    )
    error_code: Mapped[str | None] = mapped_column(
        String(20), info=not_personal("the provider's error code")
    )
    intent: Mapped[str | None] = mapped_column(String(40), info=not_personal("an NLU intent"))
    created_at: Mapped[datetime]


class OutboxItem(Base):
    """An outbound message waiting for delivery, written with the state change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # "Is there an older pending row in this conversation?", asked of every claimable row.
        Index(
            "ix_outbox_pending_by_conversation",
            "conversation_id",
            "id",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    channel: Mapped[str] = mapped_column(String(20), info=not_personal("a channel name"))
    address: Mapped[str] = mapped_column(
        String(80),
        info=personal(erased=Pseudonym("conversation_id"), after_notice=True, identifies=True),
    )
    # pending | sent | dead | held | suppressed
    status: Mapped[str] = mapped_column(
        String(12), default="pending", info=not_personal("a delivery status")
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    # Set (committed) just before the provider is called, cleared with the attempt's outcome:
    # a row found with it set may have been sent, and is settled before any resend.
    sending_since: Mapped[datetime | None]
    # A provider's error may quote the address.
    last_error: Mapped[str | None] = mapped_column(String(500), info=personal())
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Escalation(Base):
    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    onboarding_id: Mapped[int | None] = mapped_column(ForeignKey("onboardings.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40), info=not_personal("a reason code"))
    detail: Mapped[str] = mapped_column(String(500), default="", info=personal())
    queue: Mapped[str] = mapped_column(
        String(20), default="self_service", info=not_personal("a queue name")
    )
    # open | taken | resolved
    status: Mapped[str] = mapped_column(String(12), default="open", info=not_personal("a status"))
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime]
    taken_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
