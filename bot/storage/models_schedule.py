"""Work that falls due later: training reminders, the NPS question, client nudges, CNPJ
look-ups retried in the background.

Each row is one piece of due work with a unique ``key`` that names the condition and its period
(``reminder_24h:booking:7:seq:1``, ``nudge:conversation:3:2026-11-24T13:00:00+00:00:1``), so a
sweep that runs twice, in two processes, inserts it once. Workers claim due rows with a lease
(``claimed_until``, see ``bot.storage.claims``) and finish them in the same transaction that
writes their outbox message: a reminder is sent exactly once or not at all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base


class ScheduledJob(Base):
    """One piece of due work; ``status`` pending → done | cancelled | skipped."""

    __tablename__ = "scheduled_jobs"
    __table_args__ = (Index("ix_scheduled_jobs_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    onboarding_id: Mapped[int | None] = mapped_column(ForeignKey("onboardings.id"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("training_bookings.id"), index=True)
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(String(300), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class CompanyRegistry(Base):
    """What the Receita Federal (through BrasilAPI) says of a client's CNPJ, kept for the CSM."""

    __tablename__ = "company_registry"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), unique=True)
    cnpj: Mapped[str] = mapped_column(String(14))
    razao_social: Mapped[str | None] = mapped_column(String(150))
    nome_fantasia: Mapped[str | None] = mapped_column(String(150))
    situacao: Mapped[str | None] = mapped_column(String(40))
    opened_on: Mapped[date | None] = mapped_column(Date)
    cnae_fiscal: Mapped[str | None] = mapped_column(String(20))
    porte: Mapped[str | None] = mapped_column(String(60))
    simples: Mapped[bool | None]
    raw: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    checked_at: Mapped[datetime]
