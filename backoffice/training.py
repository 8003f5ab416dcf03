"""Training as staff manage it: whose availability a caller may touch, the checks the domain
does not make (overlapping windows, a window shorter than one session), the re-sync of the
stored sessions after every change, and attendance (no-show, attended) with its follow-ups.

CSMs manage their own windows and exceptions; managers those of the CSMs of their team and the
company-wide exceptions; admins everything. A booking is visible to whoever sees the CSM giving
the session or the onboarding's CSM.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, text, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from backoffice.access import Principal
from backoffice.audit import record_audit
from backoffice.errors import Conflict, Forbidden, Invalid, NotFound
from bot.domain.business_time import BusinessCalendar
from bot.domain.training import AvailabilityException, TrainingRuleError, WeeklyAvailability
from bot.service.jobs import cancel_jobs
from bot.service.training import sync_slots
from bot.storage.models import (
    Onboarding,
    ScheduledJob,
    StaffUser,
    TrainingAvailability,
    TrainingBooking,
    TrainingException,
    TrainingSlot,
)

SYNC_HORIZON = timedelta(days=21)
ATTENDANCE = ("no_show", "attended")
_NO_SHOW_NOTE = "no_show"
# Serializes the re-syncs of concurrent staff changes on PostgreSQL (SQLite has one writer).
_SYNC_LOCK = 0x7472_6169_6E00


# ---------------------------------------------------------------------------- scope
def csm_scope(
    principal: Principal, column: InstrumentedAttribute[int] | InstrumentedAttribute[int | None]
) -> ColumnElement[bool]:
    """A WHERE clause on a CSM id column: the caller, their team, or everybody for admins."""
    if principal.role == "admin":
        return true()
    if principal.role == "manager":
        return column.in_(select(StaffUser.id).where(StaffUser.team == principal.team))
    if principal.role == "csm":
        return column == principal.id
    return false()


def exception_scope(principal: Principal) -> ColumnElement[bool]:
    """Exceptions of the CSMs in scope, plus the company-wide ones (everybody sees those)."""
    return or_(TrainingException.csm_id.is_(None), csm_scope(principal, TrainingException.csm_id))


def booking_scope(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause on ``TrainingBooking``: the session's CSM or the onboarding's is in scope."""
    if principal.role == "admin":
        return true()
    # Aliases, so the clause also works in queries that already join the slot and onboarding.
    slot, onboarding = aliased(TrainingSlot), aliased(Onboarding)
    by_trainer = exists(
        select(slot.id).where(slot.id == TrainingBooking.slot_id, csm_scope(principal, slot.csm_id))
    )
    by_onboarding = exists(
        select(onboarding.id).where(
            onboarding.id == TrainingBooking.onboarding_id,
            and_(onboarding.csm_id.is_not(None), csm_scope(principal, onboarding.csm_id)),
        )
    )
    return or_(by_trainer, by_onboarding)


def _may_manage(principal: Principal, staff: StaffUser) -> bool:
    if principal.role == "admin":
        return True
    if principal.role == "manager":
        return staff.team == principal.team
    return staff.id == principal.id


def load_trainer(session: Session, principal: Principal, *, csm_id: int) -> StaffUser:
    """The active CSM whose availability the caller sets; 422 when there is none, else 403."""
    staff = session.get(StaffUser, csm_id)
    if staff is None or staff.role != "csm" or not staff.active:
        raise Invalid(f"staff member {csm_id} is not an active CSM")
    if not _may_manage(principal, staff):
        raise Forbidden(f"CSM {csm_id} is outside your scope")
    return staff


def _check_owner(session: Session, principal: Principal, *, csm_id: int | None, what: str) -> None:
    if csm_id is None:
        principal.require_role("manager", "admin")
        return
    staff = session.get_one(StaffUser, csm_id)
    if not _may_manage(principal, staff):
        raise Forbidden(f"{what} belongs to CSM {csm_id}, outside your scope")


def load_availability(
    session: Session, principal: Principal, *, availability_id: int
) -> TrainingAvailability:
    row = session.get(TrainingAvailability, availability_id)
    if row is None:
        raise NotFound("training availability", availability_id)
    _check_owner(session, principal, csm_id=row.csm_id, what=f"availability {availability_id}")
    return row


def load_exception(
    session: Session, principal: Principal, *, exception_id: int
) -> TrainingException:
    row = session.get(TrainingException, exception_id)
    if row is None:
        raise NotFound("training exception", exception_id)
    _check_owner(session, principal, csm_id=row.csm_id, what=f"exception {exception_id}")
    return row


def load_booking(session: Session, principal: Principal, *, booking_id: int) -> TrainingBooking:
    row = session.get(TrainingBooking, booking_id)
    if row is None:
        raise NotFound("training booking", booking_id)
    visible = session.scalar(
        select(TrainingBooking.id).where(TrainingBooking.id == booking_id, booking_scope(principal))
    )
    if visible is None:
        raise Forbidden(f"training booking {booking_id} is outside your scope")
    return row


# ---------------------------------------------------------------------------- rules
def check_availability(session: Session, row: TrainingAvailability) -> None:
    """``Invalid`` (422) when the window breaks a domain rule, has no room for one session, has
    its validity backwards, or overlaps another active window of the same CSM."""
    try:
        rule = WeeklyAvailability(
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
    except TrainingRuleError as exc:
        raise Invalid(str(exc)) from exc
    day = date(2000, 1, 3)  # any day: only the wall-clock span matters here
    span = datetime.combine(day, rule.ends) - datetime.combine(day, rule.starts)
    if span < rule.duration:
        raise Invalid(
            f"the window {rule.starts}–{rule.ends} is shorter than one session "
            f"of {row.duration_minutes} minutes"
        )
    if row.valid_from and row.valid_until and row.valid_until < row.valid_from:
        raise Invalid(f"valid_until ({row.valid_until}) is before valid_from ({row.valid_from})")
    if not row.active:
        return
    others = session.scalars(
        select(TrainingAvailability).where(
            TrainingAvailability.csm_id == row.csm_id,
            TrainingAvailability.weekday == row.weekday,
            TrainingAvailability.active,
            TrainingAvailability.starts < row.ends,
            TrainingAvailability.ends > row.starts,
        )
    )
    for other in others:
        if other.id != row.id and _periods_overlap(row, other):
            raise Invalid(
                f"the window overlaps availability {other.id} of CSM {row.csm_id} "
                f"({other.starts}–{other.ends} on the same weekday)"
            )


def _periods_overlap(a: TrainingAvailability, b: TrainingAvailability) -> bool:
    first_a, last_a = a.valid_from or date.min, a.valid_until or date.max
    first_b, last_b = b.valid_from or date.min, b.valid_until or date.max
    return first_a <= last_b and first_b <= last_a


def check_exception(row: TrainingException) -> None:
    try:
        AvailabilityException(day=row.day, csm_id=row.csm_id, starts=row.starts, ends=row.ends)
    except TrainingRuleError as exc:
        raise Invalid(str(exc)) from exc


def resync(session: Session, *, now: datetime, calendar: BusinessCalendar) -> int:
    """Re-materializes the sessions of the next 21 days in the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SYNC_LOCK})
    try:
        return sync_slots(
            session,
            start=now,
            end=now + SYNC_HORIZON,
            now=now,
            is_holiday=calendar.is_holiday,
            timezone=calendar.timezone,
        )
    except IntegrityError as exc:  # a sync outside the back-office created the same session
        raise Conflict("the training sessions changed at the same time; try again") from exc


# ---------------------------------------------------------------------------- attendance
def record_attendance(
    session: Session,
    booking: TrainingBooking,
    *,
    status: str,
    principal: Principal,
    now: datetime,
) -> None:
    """Marks a booking whose session has started ``no_show`` or ``attended`` (correcting the
    other is allowed; the same again changes nothing). A no-show cancels the booking's pending
    jobs (the NPS question); ``attended`` after a no-show brings back the NPS question."""
    if booking.status not in ("booked", *ATTENDANCE):
        raise Conflict(f"training booking {booking.id} is {booking.status}")
    slot = session.get_one(TrainingSlot, booking.slot_id)
    if slot.starts_at > now:
        raise Conflict(f"the session of booking {booking.id} has not started yet")
    old = booking.status
    if old == status:
        return
    booking.status, booking.updated_at = status, now
    if status == "no_show":
        cancel_jobs(session, now=now, booking_id=booking.id, note=_NO_SHOW_NOTE)
    elif old == "no_show":
        _restore_jobs(session, booking_id=booking.id)
    onboarding = session.get(Onboarding, booking.onboarding_id)
    record_audit(
        session,
        actor=principal.actor,
        action=f"training_{status}",
        at=now,
        client_id=onboarding.client_id if onboarding else None,
        field="training_booking.status",
        old=old,
        new=status,
    )
    session.flush()


def _restore_jobs(session: Session, *, booking_id: int) -> None:
    for job in session.scalars(
        select(ScheduledJob).where(
            ScheduledJob.booking_id == booking_id,
            ScheduledJob.status == "cancelled",
            ScheduledJob.note == _NO_SHOW_NOTE,
            ScheduledJob.kind == "nps_request",
        )
    ):
        job.status, job.done_at, job.note = "pending", None, ""
