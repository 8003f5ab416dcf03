"""The status page's training and rating actions inside the caller's transaction (see
``client_page_actions``, which runs them under the conversation's turn).

A booking from the page is the chat's: the same ``SessionTrainingScheduler`` (the race-safe
seat, the reminders 24 h and 1 h before, the NPS question after, the invite's sequence), the
same ``RecordEvent`` in the audit trail, and the chat gets the dialogue's own text with the
``.ics`` attached. A scheduling question the chat had open is dropped (it is answered).
A rating of a training is the chat's ``NpsAnswered`` (one ``nps_responses`` row per session)
and the NPS question not yet sent is cancelled; a finished stage's rating is an audit event
(``stage_rated``), as no NPS record is kept per stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogue.effects import Effect, NpsAnswered, RecordEvent
from bot.dialogue.state import (
    CancelTrainingPending,
    ConfirmSlotPending,
    DialogueState,
    NpsCommentPending,
    PickSlotPending,
    TrainingManagePending,
    TrainingWhenPending,
)
from bot.dialogue.texts import text
from bot.dialogue.training.offers import BOOKABLE_STAGES
from bot.dialogue.wording import when
from bot.domain.messages import OutboundMessage
from bot.domain.onboarding import Stage
from bot.domain.training import BookedSession, FreeSlot, SeatTaken
from bot.service.jobs import cancel_jobs
from bot.service.message_store import store_outbound_many
from bot.service.records import EffectRecorder, EscalationAssignment
from bot.service.training import bookings, slots
from bot.service.training.scheduler import SessionTrainingScheduler, TrainingPolicy
from bot.storage.models import AuditEvent, Conversation, Onboarding, StageChange, TrainingBooking

__all__ = [
    "ActionRefused",
    "TrainingChoices",
    "TrainingPolicy",
    "book",
    "cancel",
    "choices",
    "rate",
]

_SCHEDULING = (
    PickSlotPending,
    ConfirmSlotPending,
    TrainingManagePending,
    TrainingWhenPending,
    CancelTrainingPending,
)
MAX_COMMENT = 2000


class ActionRefused(Exception):
    """A page action that changed nothing; ``code`` says why (the page words it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class TrainingChoices:
    """What the page's training form offers: the booked session and free ones (the chat's
    rules: the policy's notice and window)."""

    bookable: bool  # the onboarding's stage allows booking
    current: bookings.BookingView | None
    slots: tuple[FreeSlot, ...]


def choices(
    session: Session,
    *,
    onboarding_id: int,
    now: datetime,
    policy: TrainingPolicy | None,
    limit: int,
) -> TrainingChoices:
    """Reads only: the onboarding's active booking and the next free sessions."""
    onboarding = session.get(Onboarding, onboarding_id)
    if onboarding is None or policy is None:
        return TrainingChoices(bookable=False, current=None, slots=())
    active = session.scalar(
        select(TrainingBooking.id).where(
            TrainingBooking.onboarding_id == onboarding_id, TrainingBooking.status == "booked"
        )
    )
    free = slots.free_slots(
        session, now=now, end=now + policy.window, min_notice=policy.min_notice, limit=limit
    )
    return TrainingChoices(
        bookable=onboarding.stage in BOOKABLE_STAGES,
        current=bookings.get_booking(session, active) if active is not None else None,
        slots=tuple(free),
    )


def book(
    session: Session,
    *,
    conversation: Conversation,
    onboarding: Onboarding,
    slot_id: int,
    now: datetime,
    policy: TrainingPolicy,
    timezone: str,
) -> str:
    """A seat in ``slot_id`` (the booking moved there if there is one): ``booked`` or
    ``rebooked``."""
    if onboarding.stage not in BOOKABLE_STAGES:
        raise ActionRefused("not_bookable")
    scheduler = SessionTrainingScheduler(
        session, conversation=conversation, onboarding=onboarding, now=now, policy=policy
    )
    before = scheduler.current()
    if before is not None and _slot_of(session, before.booking_id) == slot_id:
        return "rebooked"  # already there: nothing to move (a form sent twice)
    try:
        booked = scheduler.book(slot_id)
    except SeatTaken as taken:
        raise ActionRefused("seat_taken") from taken
    key = "training_rebooked" if before is not None else "training_booked"
    lang = conversation.language
    reply = OutboundMessage(
        text=text(key, lang, params=_booking_params(booked, lang, timezone=timezone)),
        attachments=(booked.invite_url,) if booked.invite_url else (),
    )
    _close_scheduling(conversation)
    _finish(
        session,
        conversation,
        effects=[
            RecordEvent(key.removeprefix("training_") + "_training", booked.starts_at.isoformat())
        ],
        reply=reply,
        now=now,
    )
    return key.removeprefix("training_")


def cancel(
    session: Session,
    *,
    conversation: Conversation,
    onboarding: Onboarding,
    now: datetime,
    policy: TrainingPolicy,
) -> str:
    """Cancels the booked session (its reminders too): ``cancelled``."""
    scheduler = SessionTrainingScheduler(
        session, conversation=conversation, onboarding=onboarding, now=now, policy=policy
    )
    if scheduler.current() is None:
        raise ActionRefused("nothing_booked")
    cancelled = scheduler.cancel()
    if cancelled is None:
        raise ActionRefused("too_late")
    reply = OutboundMessage(
        text=text("training_cancelled", conversation.language),
        attachments=(cancelled.invite_url,) if cancelled.invite_url else (),
    )
    _close_scheduling(conversation)
    _finish(
        session,
        conversation,
        effects=[RecordEvent("training_cancelled", cancelled.starts_at.isoformat())],
        reply=reply,
        now=now,
    )
    return "cancelled"


def rate(
    session: Session,
    *,
    conversation: Conversation,
    onboarding: Onboarding,
    target: str,
    score: int,
    comment: str,
    now: datetime,
    assign_escalation: EscalationAssignment | None = None,
) -> str:
    """``training:<booking id>`` or ``stage:<stage>`` rated 0–10: ``rated``."""
    if not 0 <= score <= 10:
        raise ActionRefused("bad_score")
    kind, _, value = target.partition(":")
    if kind == "training" and value.isdigit():
        _rate_training(
            session,
            conversation=conversation,
            onboarding=onboarding,
            booking_id=int(value),
            score=score,
            comment=comment.strip()[:MAX_COMMENT],
            now=now,
            assign_escalation=assign_escalation,
        )
    elif kind == "stage":
        _rate_stage(
            session,
            conversation=conversation,
            onboarding=onboarding,
            stage=value,
            score=score,
            now=now,
        )
    else:
        raise ActionRefused("not_found")
    return "rated"


def _rate_training(
    session: Session,
    *,
    conversation: Conversation,
    onboarding: Onboarding,
    booking_id: int,
    score: int,
    comment: str,
    now: datetime,
    assign_escalation: EscalationAssignment | None,
) -> None:
    booking = session.get(TrainingBooking, booking_id)
    if booking is None or booking.onboarding_id != onboarding.id:
        raise ActionRefused("not_found")
    view = bookings.get_booking(session, booking_id)
    if view.status not in ("booked", "attended") or view.ends_at > now:
        raise ActionRefused("not_finished")
    effects: list[Effect] = [NpsAnswered(booking_id=booking_id, score=score)]
    if comment:
        effects.append(NpsAnswered(booking_id=booking_id, comment=comment))
    EffectRecorder(session, conversation, now=now, assign_escalation=assign_escalation).apply(
        effects
    )
    # Answered: the chat does not ask for it (or for its comment) again.
    cancel_jobs(session, now=now, booking_id=booking_id, kinds=("nps_request",), note="rated")
    state = DialogueState.model_validate(conversation.state or {})
    if isinstance(state.pending, NpsCommentPending) and state.pending.booking_id == booking_id:
        state.pending = None
        conversation.state = state.model_dump(mode="json")


def _rate_stage(
    session: Session,
    *,
    conversation: Conversation,
    onboarding: Onboarding,
    stage: str,
    score: int,
    now: datetime,
) -> None:
    if stage not in {s.value for s in Stage} or stage == onboarding.stage:
        raise ActionRefused("not_finished")
    left = session.scalar(
        select(StageChange.id)
        .where(StageChange.onboarding_id == onboarding.id, StageChange.from_stage == stage)
        .limit(1)
    )
    if left is None:
        raise ActionRefused("not_finished")
    session.add(
        AuditEvent(
            client_id=conversation.client_id,
            conversation_id=conversation.id,
            actor="client",
            action="stage_rated",
            field=f"stage.{stage}",
            new_value=str(score),
            at=now,
        )
    )


def _close_scheduling(conversation: Conversation) -> None:
    """A scheduling question the chat had open is answered by the page: dropped."""
    state = DialogueState.model_validate(conversation.state or {})
    if isinstance(state.pending, _SCHEDULING):
        state.pending = None
        conversation.state = state.model_dump(mode="json")


def _finish(
    session: Session,
    conversation: Conversation,
    *,
    effects: list[Effect],
    reply: OutboundMessage,
    now: datetime,
) -> None:
    EffectRecorder(session, conversation, now=now).apply(effects)
    conversation.updated_at = now
    store_outbound_many(session, conversation, replies=[reply], author="bot", now=now)


def _slot_of(session: Session, booking_id: int) -> int | None:
    return session.scalar(select(TrainingBooking.slot_id).where(TrainingBooking.id == booking_id))


def _booking_params(booked: BookedSession, language: str, *, timezone: str) -> dict[str, object]:
    """The dialogue's booking text's parameters (``dialogue.training._booking_params``)."""
    return {
        "when": when(booked.starts_at, language, timezone=timezone),
        "ends": f"{booked.ends_at.astimezone(ZoneInfo(timezone)):%H:%M}",
        "link": booked.meeting_url or "—",
    }
