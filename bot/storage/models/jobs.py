"""Work that falls due later: training reminders, the NPS question, client nudges, CNPJ
look-ups retried in the background.

Each row is one piece of due work with a unique ``key`` that names the condition and its period
(``reminder_24h:booking:7:seq:1``, ``nudge:conversation:3:2026-11-24T13:00:00+00:00:1``), so a
sweep that runs twice, in two processes, inserts it once. Workers claim due rows with a lease
(``claimed_until``, see ``bot.storage.claims``) and finish them in the same transaction that
writes their outbox message: a reminder is sent exactly once or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.personal_data import not_personal, personal

__all__ = ["ScheduledJob"]


class ScheduledJob(Base):
    """One piece of due work; ``status`` pending → done | cancelled | skipped."""

    __tablename__ = "scheduled_jobs"
    __table_args__ = (Index("ix_scheduled_jobs_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), info=not_personal("a job kind"))
    # ``bot.service.jobs.schedule_job`` refuses a key that looks like a CPF, CNPJ, phone or e-mail.
    key: Mapped[str] = mapped_column(
        String(200),
        unique=True,
        info=not_personal("names rows by id and periods by time, never by value"),
    )
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    onboarding_id: Mapped[int | None] = mapped_column(ForeignKey("onboardings.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("training_bookings.id"), index=True)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(
        String(12), default="pending", info=not_personal("a status")
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(
        String(300), default="", info=not_personal("why the job ended, in the system's words")
    )
    # The CNPJ to look up again, the idle period's last message, ...
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, info=personal())
    created_at: Mapped[datetime]
