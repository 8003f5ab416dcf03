"""Files clients send, from queued download to confirmed reading."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.personal_data import not_personal, personal

__all__ = ["Document"]


class Document(Base):
    """A file a client sent: queued (``pending``) when the message is stored, then downloaded,
    checked, stored content-addressed and read by the document worker."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    kind: Mapped[str] = mapped_column(
        String(20), default="other", info=not_personal("a document kind")
    )
    source_channel: Mapped[str] = mapped_column(String(20), info=not_personal("a channel name"))
    # pending | read | rejected | failed
    status: Mapped[str] = mapped_column(
        String(12), default="pending", info=not_personal("a reading status")
    )
    media_url: Mapped[str | None] = mapped_column(Text, info=personal())
    media_type: Mapped[str | None] = mapped_column(
        String(100), info=not_personal("the declared content type")
    )
    provider_id: Mapped[str | None] = mapped_column(String(200), info=personal())
    filename: Mapped[str | None] = mapped_column(String(200), info=personal())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(500), info=personal())
    mime: Mapped[str | None] = mapped_column(String(60), info=not_personal("a content type"))
    size: Mapped[int | None]
    # The file's address in the store (its content's hash): the file goes with it.
    sha256: Mapped[str | None] = mapped_column(String(64), index=True, info=personal())
    extraction: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=personal())
    received_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
