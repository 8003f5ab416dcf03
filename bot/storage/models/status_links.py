"""The client's status page links (issue #17): one row per link the bot or staff issued.

The URL carries a random token (``secrets.token_urlsafe(32)``); the row keeps only its SHA-256,
so a copy of the database cannot open anyone's page. A link is scoped to one onboarding and the
contact it was sent to, expires (``ONBOARD_STATUS_LINK_DAYS``), can be revoked by staff, and is
deleted when its client is erased (nothing in it is personal, but it would still open a page).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.personal_data import deleted_on_erasure, not_personal

__all__ = ["StatusLink"]


class StatusLink(Base):
    """A link to the client's status page (``GET /s/{token}``)."""

    __tablename__ = "status_links"
    __table_args__ = {
        "info": deleted_on_erasure("links to an erased client's page must stop opening it")
    }

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(
        String(64), unique=True, info=not_personal("a token's SHA-256")
    )
    onboarding_id: Mapped[int] = mapped_column(ForeignKey("onboardings.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    # The contact (conversation) the link was sent to; None for a link staff opened for a
    # client who has no conversation yet.
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    # bot | staff:<id>: a staff member's "open as the client" link is not the client's opening.
    issued_by: Mapped[str] = mapped_column(
        String(60), default="bot", info=not_personal("who, by role and id")
    )
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(
        String(60), info=not_personal("who, by role and id")
    )
    last_opened_at: Mapped[datetime | None]
    opened_count: Mapped[int] = mapped_column(Integer, default=0)
