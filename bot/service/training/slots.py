"""Training sessions in the database: the stored slots made to match the CSMs' weekly
availability and its exceptions (``sync_slots``), and the free ones (``free_slots``, the nearest
to a requested time: ``nearest_free_slots``).

Every function runs inside the caller's transaction and never commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.training import (
    DEFAULT_TIMEZONE,
    AvailabilityException,
    FreeSlot,
    SlotSpec,
    WeeklyAvailability,
    generate_slots,
    nearest_slots,
)
from bot.storage.models import TrainingAvailability, TrainingException, TrainingSlot

__all__ = ["free_slots", "nearest_free_slots", "sync_slots"]


def _rules(session: Session) -> list[WeeklyAvailability]:
    rows = session.scalars(select(TrainingAvailability).where(TrainingAvailability.active))
    return [
        WeeklyAvailability(
            csm_id=row.csm_id,
            weekday=row.weekday,
            starts=row.starts,
            ends=row.ends,
            duration=timedelta(minutes=row.duration_minutes),
            capacity=row.capacity,
            meeting_url=row.meeting_url,
            valid_from=row.valid_from,
            valid_until=row.valid_until,
        )
        for row in rows
    ]


def _exceptions(session: Session, *, first: date, last: date) -> list[AvailabilityException]:
    rows = session.scalars(
        select(TrainingException).where(TrainingException.day.between(first, last))
    )
    return [
        AvailabilityException(day=row.day, csm_id=row.csm_id, starts=row.starts, ends=row.ends)
        for row in rows
    ]


def sync_slots(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    is_holiday: Callable[[date], bool] | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> int:
    """Makes the stored sessions starting in [start, end) match the availability rules.

    Missing sessions are created; open ones that the rules or an exception no longer allow are
    closed when nobody booked them (booked ones stay for the CSM to move); kept ones take the
    rule's capacity (never below the seats taken) and, while nobody booked them, its meeting URL
    and end. Returns the number created.
    Two concurrent syncs may collide on the (csm, start) unique key: retry once.
    """
    specs = generate_slots(
        _rules(session),
        start=start,
        end=end,
        exceptions=_exceptions(
            session, first=(start - timedelta(days=1)).date(), last=(end + timedelta(days=1)).date()
        ),
        is_holiday=is_holiday,
        timezone=timezone,
    )
    stored = {
        (slot.csm_id, slot.starts_at): slot
        for slot in session.scalars(
            select(TrainingSlot).where(
                TrainingSlot.starts_at >= start, TrainingSlot.starts_at < end
            )
        )
    }
    created = _reconcile(session, specs, stored=stored, now=now)
    session.flush()
    return created


def _reconcile(
    session: Session,
    specs: list[SlotSpec],
    *,
    stored: dict[tuple[int, datetime], TrainingSlot],
    now: datetime,
) -> int:
    """Adds the sessions the rules want and nobody stored, updates the kept ones, closes the
    unbooked ones the rules no longer want. Returns the number added."""
    wanted = {(spec.csm_id, spec.starts_at) for spec in specs}
    created = 0
    for spec in specs:
        existing = stored.get((spec.csm_id, spec.starts_at))
        if existing is None:
            session.add(
                TrainingSlot(
                    csm_id=spec.csm_id,
                    starts_at=spec.starts_at,
                    ends_at=spec.ends_at,
                    capacity=spec.capacity,
                    seats_taken=0,
                    meeting_url=spec.meeting_url,
                    status="open",
                    created_at=now,
                )
            )
            created += 1
            continue
        if existing.status == "closed" and existing.seats_taken == 0:
            existing.status = "open"
        existing.capacity = max(spec.capacity, existing.seats_taken)
        if existing.seats_taken == 0:  # a booked client's invite keeps what it said
            existing.meeting_url = spec.meeting_url
            existing.ends_at = spec.ends_at
    for key, slot in stored.items():
        if key not in wanted and slot.status == "open" and slot.seats_taken == 0:
            slot.status = "closed"
    return created


def free_slots(
    session: Session,
    *,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
    csm_id: int | None = None,
    min_notice: timedelta = timedelta(0),
    limit: int = 50,
) -> list[FreeSlot]:
    """Open sessions with seats left, starting after ``now + min_notice`` within [start, end)."""
    earliest = now + min_notice if start is None else max(start, now + min_notice)
    query = select(TrainingSlot).where(
        TrainingSlot.status == "open",
        TrainingSlot.seats_taken < TrainingSlot.capacity,
        TrainingSlot.starts_at > earliest,
    )
    if end is not None:
        query = query.where(TrainingSlot.starts_at < end)
    if csm_id is not None:
        query = query.where(TrainingSlot.csm_id == csm_id)
    query = query.order_by(TrainingSlot.starts_at, TrainingSlot.id).limit(limit)
    return [
        FreeSlot(
            slot_id=slot.id,
            csm_id=slot.csm_id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            seats_left=slot.capacity - slot.seats_taken,
        )
        for slot in session.scalars(query)
    ]


def nearest_free_slots(
    session: Session,
    *,
    requested: datetime,
    now: datetime,
    window: timedelta = timedelta(days=14),
    min_notice: timedelta = timedelta(0),
    csm_id: int | None = None,
    limit: int = 3,
) -> list[FreeSlot]:
    """Free sessions closest to ``requested`` ("amanhã às 14h"), at most ``window`` away."""
    candidates = free_slots(
        session,
        now=now,
        start=requested - window,
        end=requested + window,
        csm_id=csm_id,
        min_notice=min_notice,
        limit=1000,
    )
    return nearest_slots(candidates, requested=requested, limit=limit)
