"""Tables of manager alerts: one row per condition and period, one row per delivery.

``alerts`` is unique on (kind, subject_key, period_key): raising is an insert-if-absent, so
several sweepers raise each alert once. ``alert_deliveries`` is a small outbox per destination
(``telegram:<chat>``, ``email:<address>``, ``webhook:<name>``) and purpose (``raise`` or
``resolve``), claimed as a lease by the alert worker.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.personal_data import ERASED, not_personal, not_the_clients, personal

__all__ = ["Alert", "AlertDelivery"]

KEY = "names rows by id and periods by time, never by value"


class Alert(Base):
    """A condition a manager should hear about, raised once per ``period_key``."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("kind", "subject_key", "period_key", name="uq_alerts_condition"),
        Index("ix_alerts_kind_open", "kind", "resolved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), info=not_personal("an alert kind"))
    subject_key: Mapped[str] = mapped_column(String(120), info=not_personal(KEY))
    period_key: Mapped[str] = mapped_column(String(120), info=not_personal(KEY))
    onboarding_id: Mapped[int | None] = mapped_column(ForeignKey("onboardings.id"), index=True)
    # info | warning | critical
    severity: Mapped[str] = mapped_column(
        String(12), default="warning", info=not_personal("a severity word")
    )
    # Texts for managers name the client; a digest names several and is linked to none.
    title: Mapped[str] = mapped_column(String(200), info=personal(erased=ERASED, mentions=True))
    body: Mapped[str] = mapped_column(Text, default="", info=personal(mentions=True))
    raised_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None]  # raise deliveries created
    resolved_at: Mapped[datetime | None]
    resolve_dispatched_at: Mapped[datetime | None]  # resolve notices created


class AlertDelivery(Base):
    """One alert (or its resolution notice) on its way to one destination."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("alert_id", "destination", "purpose", name="uq_alert_deliveries"),
        Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
        {"info": not_the_clients("deliveries to staff destinations; the text is the alert's")},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    destination: Mapped[str] = mapped_column(
        String(200), info=not_personal("a staff destination (chat, e-mail, webhook)")
    )
    # raise | resolve
    purpose: Mapped[str] = mapped_column(
        String(8), default="raise", info=not_personal("raise or resolve")
    )
    # pending | sent | failed | cancelled (a raise not yet sent when its alert resolved)
    status: Mapped[str] = mapped_column(
        String(12), default="pending", info=not_personal("a delivery status")
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(
        String(500), info=not_personal("a staff destination's error")
    )
    created_at: Mapped[datetime]
