"""Tables of the back-office: staff notes, SLA pauses, ERP pushes and NPS answers.

They live on the same ``Base`` as ``bot.storage.models`` (one metadata, one migration history);
importing this module registers them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base
from bot.storage.personal_data import ERASED, not_personal, personal


class StaffNote(Base):
    """A note a staff member wrote on a client's record."""

    __tablename__ = "staff_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    onboarding_id: Mapped[int | None] = mapped_column(ForeignKey("onboardings.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    text: Mapped[str] = mapped_column(Text, info=personal(erased=ERASED))
    created_at: Mapped[datetime]


class SlaPause(Base):
    """Staff said the onboarding waits on the client (a document to fix, an answer to give).

    Open while ``ended_at`` is None; the client's next message also ends it (computed when read).
    """

    __tablename__ = "sla_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    onboarding_id: Mapped[int] = mapped_column(ForeignKey("onboardings.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20), info=not_personal("a stage word"))
    reason: Mapped[str] = mapped_column(String(300), default="", info=personal())
    started_at: Mapped[datetime]
    started_by: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class ErpPush(Base):
    """An approved registration on its way to the ERP webhook (a dedicated outbox).

    ``body`` is the exact JSON sent (the HMAC is computed over these bytes at send time, so the
    secret never sits in the database). Status: pending → delivered, or failed (retryable).
    """

    __tablename__ = "erp_pushes"
    __table_args__ = (Index("ix_erp_pushes_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(
        String(36), unique=True, info=not_personal("a random UUID")
    )
    onboarding_id: Mapped[int] = mapped_column(ForeignKey("onboardings.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    body: Mapped[str] = mapped_column(Text, info=personal(erased="{}"))
    # pending | delivered | failed
    status: Mapped[str] = mapped_column(
        String(12), default="pending", info=not_personal("a delivery status")
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500), info=personal())
    last_status_code: Mapped[int | None]
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON, info=personal())
    erp_customer_id: Mapped[str | None] = mapped_column(String(120), info=personal())
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]


class NpsResponse(Base):
    """A client's answer to the NPS question (0–10) at the end of an onboarding."""

    __tablename__ = "nps_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    onboarding_id: Mapped[int | None] = mapped_column(ForeignKey("onboardings.id"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"))
    booking_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_bookings.id", name="fk_nps_responses_booking"),
        unique=True,
    )
    score: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text, info=personal())
    answered_at: Mapped[datetime]
