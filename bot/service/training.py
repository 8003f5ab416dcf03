"""Training sessions in the database: materialize slots, list free ones, book, rebook, cancel.

Every function runs inside the caller's transaction and never commits. Seats are taken with a
conditional ``UPDATE`` of the slot's ``seats_taken`` counter, issued as the transaction's first
write, so two clients racing for the last seat cannot both win: on PostgreSQL the second
``UPDATE`` waits for the first's row lock and then re-checks ``seats_taken < capacity``; on
SQLite the second writer waits for the database lock (busy timeout) and then sees the counter
the first committed. Call these at the start of a fresh transaction.

Errors (roll the transaction back on any of them)::

    TrainingError
    ├── SlotUnavailable   the slot is full, closed, gone or too soon
    ├── AlreadyBooked     the onboarding has an active booking (rebook it instead)
    ├── BookingNotFound   no such booking
    └── BookingClosed     the booking is cancelled or its session has started
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain.training import (
    DEFAULT_TIMEZONE,
    AvailabilityException,
    FreeSlot,
    WeeklyAvailability,
    generate_slots,
    nearest_slots,
)
from bot.storage.models import (
    StaffUser,
    TrainingAvailability,
    TrainingBooking,
    TrainingException,
    TrainingSlot,
)

__all__ = [
    "AlreadyBooked",
    "BookingClosed",
    "BookingNotFound",
    "BookingView",
    "SlotUnavailable",
    "TrainingError",
    "book",
    "cancel",
    "free_slots",
    "get_booking",
    "nearest_free_slots",
    "rebook",
    "sync_slots",
]


class TrainingError(Exception):
    """Root of the scheduling errors; the caller rolls back and answers the client politely."""


class SlotUnavailable(TrainingError):
    def __init__(self, slot_id: int) -> None:
        super().__init__(f"training slot {slot_id} is full, closed or no longer bookable")
        self.slot_id = slot_id


class AlreadyBooked(TrainingError):
    def __init__(self, onboarding_id: int) -> None:
        super().__init__(f"onboarding {onboarding_id} already has a training booked")
        self.onboarding_id = onboarding_id


class BookingNotFound(TrainingError):
    def __init__(self, booking_id: int) -> None:
        super().__init__(f"no training booking {booking_id}")
        self.booking_id = booking_id


class BookingClosed(TrainingError):
    def __init__(self, booking_id: int, why: str) -> None:
        super().__init__(f"training booking {booking_id} cannot change: {why}")
        self.booking_id = booking_id


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingView:
    """What the dialogue and the invite need to know about a booking."""

    booking_id: int
    uid: str
    sequence: int
    status: str
    onboarding_id: int
    slot_id: int
    starts_at: datetime
    ends_at: datetime
    meeting_url: str
    csm_id: int
    csm_name: str
    csm_email: str
    attendee_email: str | None


# ---------------------------------------------------------------------------- slots


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
        else:
            if existing.status == "closed" and existing.seats_taken == 0:
                existing.status = "open"
            existing.capacity = max(spec.capacity, existing.seats_taken)
            if existing.seats_taken == 0:  # a booked client's invite keeps what it said
                existing.meeting_url = spec.meeting_url
                existing.ends_at = spec.ends_at
    for key, slot in stored.items():
        if key not in wanted and slot.status == "open" and slot.seats_taken == 0:
            slot.status = "closed"
    session.flush()
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


# ---------------------------------------------------------------------------- bookings


def _take_seat(session: Session, *, slot_id: int, earliest: datetime) -> None:
    """The race-deciding write: one seat more, only while one is left."""
    result = session.execute(
        update(TrainingSlot)
        .where(
            TrainingSlot.id == slot_id,
            TrainingSlot.status == "open",
            TrainingSlot.seats_taken < TrainingSlot.capacity,
            TrainingSlot.starts_at > earliest,
        )
        .values(seats_taken=TrainingSlot.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise SlotUnavailable(slot_id)


def _free_seat(session: Session, slot_id: int) -> None:
    session.execute(
        update(TrainingSlot)
        .where(TrainingSlot.id == slot_id, TrainingSlot.seats_taken > 0)
        .values(seats_taken=TrainingSlot.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def _touch_active(session: Session, *, booking_id: int, now: datetime) -> None:
    """Locks the booking by writing to it first (see the module docstring), or says why not."""
    result = session.execute(
        update(TrainingBooking)
        .where(TrainingBooking.id == booking_id, TrainingBooking.status == "booked")
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return
    if session.get(TrainingBooking, booking_id) is None:
        raise BookingNotFound(booking_id)
    raise BookingClosed(booking_id, "it is not active")


def get_booking(session: Session, booking_id: int) -> BookingView:
    """The booking with its session and CSM, as the dialogue and the invite show it."""
    row = session.execute(
        select(TrainingBooking, TrainingSlot, StaffUser)
        .join(TrainingSlot, TrainingSlot.id == TrainingBooking.slot_id)
        .join(StaffUser, StaffUser.id == TrainingSlot.csm_id)
        .where(TrainingBooking.id == booking_id)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if row is None:
        raise BookingNotFound(booking_id)
    booking, slot, csm = row
    return BookingView(
        booking_id=booking.id,
        uid=booking.uid,
        sequence=booking.sequence,
        status=booking.status,
        onboarding_id=booking.onboarding_id,
        slot_id=slot.id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        meeting_url=slot.meeting_url,
        csm_id=csm.id,
        csm_name=csm.name,
        csm_email=csm.email,
        attendee_email=booking.attendee_email,
    )


def book(
    session: Session,
    *,
    slot_id: int,
    onboarding_id: int,
    now: datetime,
    attendee_email: str | None = None,
    min_notice: timedelta = timedelta(0),
    uid_domain: str = "acolhe",
) -> BookingView:
    """Takes a seat in ``slot_id`` for the onboarding; raises ``SlotUnavailable`` when the last
    seat went to someone else (offer ``nearest_free_slots`` then) or ``AlreadyBooked``."""
    _take_seat(session, slot_id=slot_id, earliest=now + min_notice)
    active = session.scalar(
        select(TrainingBooking.id).where(
            TrainingBooking.onboarding_id == onboarding_id, TrainingBooking.status == "booked"
        )
    )
    if active is not None:
        raise AlreadyBooked(onboarding_id)
    booking = TrainingBooking(
        uid=f"training-{uuid.uuid4().hex}@{uid_domain}",
        slot_id=slot_id,
        onboarding_id=onboarding_id,
        status="booked",
        sequence=0,
        attendee_email=attendee_email,
        note="",
        created_at=now,
        updated_at=now,
    )
    session.add(booking)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent booking of the same onboarding
        raise AlreadyBooked(onboarding_id) from exc
    return get_booking(session, booking.id)


def rebook(
    session: Session,
    *,
    booking_id: int,
    slot_id: int,
    now: datetime,
    min_notice: timedelta = timedelta(0),
) -> BookingView:
    """Moves an active booking to ``slot_id``: same invite UID, ``sequence`` one higher.

    The old seat is released only once the new one is taken, so a failed rebook keeps the
    client's current session.
    """
    _touch_active(session, booking_id=booking_id, now=now)
    booking = session.get(TrainingBooking, booking_id, populate_existing=True)
    assert booking is not None  # _touch_active found it
    if booking.slot_id == slot_id:
        return get_booking(session, booking_id)
    old_slot = session.get(TrainingSlot, booking.slot_id)
    if old_slot is not None and old_slot.starts_at <= now:
        raise BookingClosed(booking_id, "its session has already started")
    _take_seat(session, slot_id=slot_id, earliest=now + min_notice)
    _free_seat(session, booking.slot_id)
    booking.slot_id = slot_id
    booking.sequence += 1
    booking.updated_at = now
    session.flush()
    return get_booking(session, booking_id)


def cancel(session: Session, *, booking_id: int, now: datetime) -> BookingView:
    """Cancels an active booking before its session starts and frees the seat."""
    _touch_active(session, booking_id=booking_id, now=now)
    booking = session.get(TrainingBooking, booking_id, populate_existing=True)
    assert booking is not None
    slot = session.get(TrainingSlot, booking.slot_id)
    if slot is not None and slot.starts_at <= now:
        raise BookingClosed(booking_id, "its session has already started")
    booking.status = "cancelled"
    booking.cancelled_at = now
    booking.sequence += 1
    booking.updated_at = now
    _free_seat(session, booking.slot_id)
    session.flush()
    return get_booking(session, booking_id)
