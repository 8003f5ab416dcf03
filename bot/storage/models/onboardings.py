"""An onboarding's progress: its stage and history, SLA pauses, and its push to the ERP."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.personal_data import not_personal, personal

__all__ = ["ErpPush", "Onboarding", "SlaPause", "StageChange"]


class Onboarding(Base):
    __tablename__ = "onboardings"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    segment: Mapped[str] = mapped_column(
        String(20), default="self_service", info=not_personal("a segment word")
    )
    stage: Mapped[str] = mapped_column(
        String(20), default="cadastro", info=not_personal("a stage word")
    )
    stage_entered_at: Mapped[datetime]
    csm_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    red_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    red_flag_reason: Mapped[str | None] = mapped_column(String(300), info=personal())
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class StageChange(Base):
    __tablename__ = "stage_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    onboarding_id: Mapped[int] = mapped_column(ForeignKey("onboardings.id"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20), info=not_personal("a stage"))
    to_stage: Mapped[str] = mapped_column(String(20), info=not_personal("a stage"))
    at: Mapped[datetime]
    # bot | system | staff:<id>
    actor: Mapped[str] = mapped_column(String(60), info=not_personal("who, by role and id"))
    reason: Mapped[str] = mapped_column(String(300), default="", info=personal())


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
