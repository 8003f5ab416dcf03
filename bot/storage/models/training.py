"""Tables of training scheduling: CSM availability, its exceptions, sessions and bookings.

Sessions (``training_slots``) are materialized from the availability rules so each has a row
to count seats on: a booking takes a seat with one conditional ``UPDATE ... SET seats_taken =
seats_taken + 1 WHERE seats_taken < capacity``, atomic on SQLite and PostgreSQL alike. A partial
unique index keeps one active booking per onboarding.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base
from bot.storage.personal_data import not_personal, not_the_clients, personal

__all__ = [
    "NpsResponse",
    "TrainingAvailability",
    "TrainingBooking",
    "TrainingException",
    "TrainingSlot",
]


class TrainingAvailability(Base):
    """A CSM's recurring weekly window (local wall-clock times in the company's time zone)."""

    __tablename__ = "training_availability"
    __table_args__ = {"info": not_the_clients("CSMs' weekly windows")}

    id: Mapped[int] = mapped_column(primary_key=True)
    csm_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # Monday = 0
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    meeting_url: Mapped[str] = mapped_column(
        String(500), default="", info=not_personal("the CSM's meeting link")
    )
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]


class TrainingException(Base):
    """A local day, or part of it, without training; no ``csm_id``: nobody trains that day."""

    __tablename__ = "training_exceptions"
    __table_args__ = {"info": not_the_clients("days without training")}

    id: Mapped[int] = mapped_column(primary_key=True)
    csm_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    starts: Mapped[time | None] = mapped_column(Time)
    ends: Mapped[time | None] = mapped_column(Time)
    reason: Mapped[str] = mapped_column(
        String(200), default="", info=not_personal("why staff do not train that day")
    )
    created_at: Mapped[datetime]


class TrainingSlot(Base):
    """One session of one CSM; ``seats_taken`` never exceeds ``capacity`` (checked twice)."""

    __tablename__ = "training_slots"
    __table_args__ = (
        UniqueConstraint("csm_id", "starts_at"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="ck_slot_seats"),
        Index("ix_training_slots_starts", "status", "starts_at"),
        {"info": not_the_clients("CSMs' sessions; the seats are the bookings")},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    csm_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    meeting_url: Mapped[str] = mapped_column(
        String(500), default="", info=not_personal("the CSM's meeting link")
    )
    # open | closed
    status: Mapped[str] = mapped_column(String(12), default="open", info=not_personal("a status"))
    created_at: Mapped[datetime]


class TrainingBooking(Base):
    """A client's seat in a session. Rebooking moves the same row (same ``uid``, the calendar
    invite's UID) to another slot and bumps ``sequence``, as iCalendar expects of an update."""

    __tablename__ = "training_bookings"
    __table_args__ = (
        Index(
            "ux_training_bookings_active",
            "onboarding_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # ``training-<128 random bits>@<domain>``: the invite link's token, no client value.
    uid: Mapped[str] = mapped_column(
        String(120), unique=True, info=not_personal("a random calendar UID")
    )
    slot_id: Mapped[int] = mapped_column(ForeignKey("training_slots.id"), index=True)
    onboarding_id: Mapped[int] = mapped_column(ForeignKey("onboardings.id"))
    # booked | cancelled | no_show | attended (the last two recorded by staff after the session)
    status: Mapped[str] = mapped_column(String(12), default="booked", info=not_personal("a status"))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    attendee_email: Mapped[str | None] = mapped_column(String(254), info=personal(identifies=True))
    note: Mapped[str] = mapped_column(Text, default="", info=personal())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]


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
