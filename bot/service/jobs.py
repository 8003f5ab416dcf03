"""Scheduling due work (``scheduled_jobs``): insert-once by key, cancel, and the send policy.

A job's ``key`` names the condition and its period, so a sweep repeated in two processes (or a
booking confirmed twice) schedules it once: the insert is ``ON CONFLICT (key) DO NOTHING`` on
both SQLite and PostgreSQL. Everything runs in the caller's transaction.

A key names rows by id and periods by time (``training_24h:booking:7:seq:1``,
``cnpj_lookup:client:7:<when>``), never by a client's value: it outlives the erasure of the
client's data (values belong in ``payload``, which erasure clears). ``schedule_job`` refuses a
key that looks like it carries an e-mail, a phone number, a CPF or a CNPJ.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.domain.calendar_business import BusinessCalendar
from bot.storage.inserts import insert_once
from bot.storage.models import ScheduledJob

__all__ = ["SendPolicy", "cancel_jobs", "schedule_job"]

_MAX_DAYS_BACK = 10
# An e-mail, or 11+ digits in a row (CPF, CNPJ, a phone with its area code), or a formatted
# CPF/CNPJ/phone. Ids, sequence numbers and ISO times never match.
_PERSONAL_LOOKING = re.compile(r"@|\d{11,}|\d{2,3}\.\d{3}\.\d{3}|\+\d{6,}|\(\d{2}\)")


@dataclass(frozen=True, slots=True)
class SendPolicy:
    """When business-initiated messages may reach a client: outside quiet hours (20:00–08:00
    local by default) and, unless allowed, not on weekends or holidays."""

    calendar: BusinessCalendar
    quiet_start: time = time(20)
    quiet_end: time = time(8)
    allow_weekends: bool = False
    allow_holidays: bool = False

    def next_allowed(self, at: datetime) -> datetime:
        return self.calendar.next_allowed_send_time(
            at,
            allow_weekends=self.allow_weekends,
            allow_holidays=self.allow_holidays,
            quiet_start=self.quiet_start,
            quiet_end=self.quiet_end,
        )

    def allowed(self, at: datetime) -> bool:
        return self.next_allowed(at) == at

    def same_time_earlier_day(self, at: datetime) -> datetime | None:
        """``at`` if allowed, else the same local time on the nearest earlier allowed day (a
        reminder "tomorrow" for a Monday session goes on Friday, not on Sunday)."""
        for days_back in range(_MAX_DAYS_BACK):
            # Aware ZoneInfo arithmetic keeps the wall-clock time across a DST change.
            candidate = self.calendar.local(at) - timedelta(days=days_back)
            if self.allowed(candidate):
                return candidate
        return None


def schedule_job(
    session: Session,
    *,
    kind: str,
    key: str,
    due_at: datetime,
    now: datetime,
    conversation_id: int | None = None,
    onboarding_id: int | None = None,
    booking_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Schedules ``kind`` once per ``key``; True when this call created it. ``ValueError`` for
    a key that looks like it carries a personal value."""
    if _PERSONAL_LOOKING.search(key):
        raise ValueError(f"{kind}: a job key names ids and times, never personal values")
    statement = insert_once(session, ScheduledJob).values(
        kind=kind,
        key=key[:200],
        conversation_id=conversation_id,
        onboarding_id=onboarding_id,
        booking_id=booking_id,
        due_at=due_at,
        status="pending",
        attempts=0,
        note="",
        payload=payload or {},
        created_at=now,
    )
    # RETURNING, not rowcount: through the ORM session, PostgreSQL's rowcount of a skipped
    # ON CONFLICT DO NOTHING reads 1.
    return session.execute(statement.returning(ScheduledJob.id)).first() is not None


def cancel_jobs(
    session: Session,
    *,
    now: datetime,
    booking_id: int | None = None,
    conversation_id: int | None = None,
    kinds: Iterable[str] = (),
    note: str = "",
) -> int:
    """Cancels the pending jobs of a booking or a conversation (of ``kinds``, if given)."""
    query = update(ScheduledJob).where(ScheduledJob.status == "pending")
    if booking_id is not None:
        query = query.where(ScheduledJob.booking_id == booking_id)
    if conversation_id is not None:
        query = query.where(ScheduledJob.conversation_id == conversation_id)
    wanted = list(kinds)
    if wanted:
        query = query.where(ScheduledJob.kind.in_(wanted))
    result = session.execute(
        query.values(status="cancelled", done_at=now, note=note[:300]).execution_options(
            synchronize_session=False
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
