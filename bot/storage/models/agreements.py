"""What a CSM agreed with the client (issue #17): one row per agreement recorded on the client
record — what is owed, by whom (the client or the company), by which business day, optionally
for which stage — and whether it was done or cancelled. The client's status page shows them;
every change is audited by the back-office (``backoffice.agreements``).

``what`` is free text a person typed about the client, so it is personal data: erasure clears
it and the LGPD export carries it (``bot.storage.personal_data``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.personal_data import ERASED, not_personal, personal

__all__ = ["AGREEMENT_STATUSES", "OWED_BY", "WHAT_MAX", "Agreement"]

WHAT_MAX = 500
OWED_BY = ("client", "company")
AGREEMENT_STATUSES = ("open", "done", "cancelled")


class Agreement(Base):
    """A deadline agreed with the client, recorded by staff."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    onboarding_id: Mapped[int] = mapped_column(ForeignKey("onboardings.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    what: Mapped[str] = mapped_column(String(WHAT_MAX), info=personal(erased=ERASED))
    owed_by: Mapped[str] = mapped_column(String(10), info=not_personal("client | company"))
    due_on: Mapped[date] = mapped_column(Date)
    stage: Mapped[str | None] = mapped_column(String(20), info=not_personal("a stage word"))
    status: Mapped[str] = mapped_column(
        String(10), default="open", info=not_personal("open | done | cancelled")
    )
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(60), info=not_personal("who, by role and id"))
    # When it was done or cancelled, and by whom (None while open).
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(
        String(60), info=not_personal("who, by role and id")
    )
