"""Training bookings in the database: book a seat, rebook, cancel, read a booking.

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
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.models import (
    StaffUser,
    TrainingBooking,
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
    "get_booking",
    "rebook",
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
