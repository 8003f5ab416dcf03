"""The conversation's training port, bound to one onboarding inside the turn's transaction.

``SessionTrainingScheduler`` implements ``bot.domain.training.TrainingScheduler`` on top of
``bot.service.training`` and schedules what follows a booking in the same transaction: the
reminders 24 h and 1 h before the session and the NPS question after it. Rebooking replaces
them (keys carry the invite's sequence); cancelling cancels them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.training import BookedSession, FreeSlot, SeatTaken
from bot.service.jobs import SendPolicy, cancel_jobs, schedule_job
from bot.service.training import bookings, slots
from bot.storage.models import (
    Contact,
    Conversation,
    NpsResponse,
    Onboarding,
    ScheduledJob,
    TrainingBooking,
    TrainingSlot,
)

__all__ = [
    "NPS_ANSWER_WINDOW",
    "REMINDER_KINDS",
    "SessionTrainingScheduler",
    "TrainingPolicy",
    "awaiting_nps",
    "invite_token",
]

REMINDER_KINDS = ("training_24h", "training_1h", "nps_request")
NPS_ANSWER_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingPolicy:
    """Scheduling rules shared by every conversation."""

    send: SendPolicy
    public_url: str
    min_notice: timedelta = timedelta(hours=2)
    window: timedelta = timedelta(days=21)
    nps_delay: timedelta = timedelta(hours=2)


def awaiting_nps(session: Session, *, onboarding_id: int, now: datetime) -> int | None:
    """The booking whose NPS question went out (in the last week) and has no score yet."""
    return session.scalar(
        select(ScheduledJob.booking_id)
        .outerjoin(NpsResponse, NpsResponse.booking_id == ScheduledJob.booking_id)
        .where(
            ScheduledJob.onboarding_id == onboarding_id,
            ScheduledJob.kind == "nps_request",
            ScheduledJob.status == "done",
            ScheduledJob.done_at >= now - NPS_ANSWER_WINDOW,
            NpsResponse.id.is_(None),
        )
        .order_by(ScheduledJob.done_at.desc())
        .limit(1)
    )


def invite_token(uid: str) -> str:
    """The unguessable part of a booking's UID (``training-<128-bit hex>@domain``)."""
    return uid.split("@", 1)[0]


class SessionTrainingScheduler:
    """Training sessions of one onboarding, as the dialogue sees them."""

    def __init__(
        self,
        session: Session,
        *,
        conversation: Conversation,
        onboarding: Onboarding,
        now: datetime,
        policy: TrainingPolicy,
    ) -> None:
        self._session = session
        self._conversation = conversation
        self._onboarding = onboarding
        self._now = now
        self._policy = policy

    # ------------------------------------------------------------------ reading
    def current(self) -> BookedSession | None:
        booking_id = self._active_id()
        return None if booking_id is None else self._view(booking_id)

    def free_slots(self, *, near: datetime | None, limit: int) -> list[FreeSlot]:
        if near is None:
            return slots.free_slots(
                self._session,
                now=self._now,
                end=self._now + self._policy.window,
                min_notice=self._policy.min_notice,
                limit=limit,
            )
        return slots.nearest_free_slots(
            self._session,
            requested=near,
            now=self._now,
            window=self._policy.window,
            min_notice=self._policy.min_notice,
            limit=limit,
        )

    # ------------------------------------------------------------------ writing
    def book(self, slot_id: int) -> BookedSession:
        """A seat in ``slot_id``; an onboarding that already has one moves it there."""
        return self._take(slot_id, active=self._active_id())

    def rebook(self, slot_id: int) -> BookedSession:
        return self._take(slot_id, active=self._active_id())

    def cancel(self) -> BookedSession | None:
        active = self._active_id()
        if active is None:
            return None
        try:
            view = bookings.cancel(self._session, booking_id=active, now=self._now)
        except bookings.BookingClosed:
            return None
        cancel_jobs(self._session, now=self._now, booking_id=active, note="cancelled")
        return self._booked(view)

    # ------------------------------------------------------------------ internals
    def _take(self, slot_id: int, *, active: int | None) -> BookedSession:
        try:
            if active is None:
                view = bookings.book(
                    self._session,
                    slot_id=slot_id,
                    onboarding_id=self._onboarding.id,
                    now=self._now,
                    attendee_email=self._attendee_email(),
                    min_notice=self._policy.min_notice,
                )
            else:
                view = bookings.rebook(
                    self._session,
                    booking_id=active,
                    slot_id=slot_id,
                    now=self._now,
                    min_notice=self._policy.min_notice,
                )
        except (bookings.SlotUnavailable, bookings.BookingClosed) as exc:
            raise SeatTaken(str(exc), starts_at=self._slot_start(slot_id)) from exc
        if active is not None:
            cancel_jobs(self._session, now=self._now, booking_id=active, note="rebooked")
        self._schedule_follow_ups(view)
        return self._booked(view)

    def _active_id(self) -> int | None:
        return self._session.scalar(
            select(TrainingBooking.id).where(
                TrainingBooking.onboarding_id == self._onboarding.id,
                TrainingBooking.status == "booked",
            )
        )

    def _view(self, booking_id: int) -> BookedSession:
        return self._booked(bookings.get_booking(self._session, booking_id))

    def _booked(self, view: bookings.BookingView) -> BookedSession:
        return BookedSession(
            booking_id=view.booking_id,
            starts_at=view.starts_at,
            ends_at=view.ends_at,
            meeting_url=view.meeting_url,
            invite_url=f"{self._policy.public_url}/invites/{invite_token(view.uid)}.ics",
        )

    def _slot_start(self, slot_id: int) -> datetime | None:
        return self._session.scalar(
            select(TrainingSlot.starts_at).where(TrainingSlot.id == slot_id)
        )

    def _attendee_email(self) -> str | None:
        if self._onboarding.client_id is None:
            return None
        return self._session.scalar(
            select(Contact.email).where(
                Contact.client_id == self._onboarding.client_id, Contact.area == "admin"
            )
        )

    def _schedule_follow_ups(self, view: bookings.BookingView) -> None:
        """Reminders 24 h (moved to the same time on an earlier day allowed for messages) and
        1 h before, and the NPS question after the session, once per booking version."""
        send = self._policy.send
        due: dict[str, datetime | None] = {
            "training_24h": send.same_time_earlier_day(view.starts_at - timedelta(hours=24)),
            "training_1h": view.starts_at - timedelta(hours=1),
            "nps_request": send.next_allowed(view.ends_at + self._policy.nps_delay),
        }
        for kind, due_at in due.items():
            if due_at is None or (kind != "nps_request" and due_at <= self._now):
                continue  # booked too late for that reminder
            schedule_job(
                self._session,
                kind=kind,
                key=f"{kind}:booking:{view.booking_id}:seq:{view.sequence}",
                due_at=due_at,
                now=self._now,
                conversation_id=self._conversation.id,
                onboarding_id=self._onboarding.id,
                booking_id=view.booking_id,
            )
