"""Training sessions in the conversation: offer free sessions, understand "quinta às 14h",
book, reschedule and cancel through the ``TrainingScheduler`` port, and take the NPS answer.

The training intents come here as interruptions, and the pending questions of kinds
``pick_slot``, ``confirm_slot``, ``training_manage``, ``training_when``,
``confirm_cancel_training`` and ``nps_comment`` through ``bot.dialogue.training.repair``.
A seat taken by someone else between the offer and the answer is explained and the nearest
alternatives are offered. Nothing here imports the engine.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.dialogue.context import ConversationContext
from bot.dialogue.effects import Escalate, RecordEvent
from bot.dialogue.state import (
    CancelTrainingPending,
    ConfirmSlotPending,
    NpsCommentPending,
    PickSlotPending,
    TrainingManagePending,
    TrainingWhenPending,
)
from bot.dialogue.status_link import want_status_link
from bot.dialogue.texts import text
from bot.dialogue.training.nps import take_nps_comment
from bot.dialogue.training.picks import (
    Answer,
    asks_another_time,
    nps_score,
    picked_option,
    picked_slot,
    slot_choices,
)
from bot.dialogue.training.time_phrases import (
    Window,
    day_label,
    requested_time,
    requested_window,
    sessions_in,
    when,
)
from bot.dialogue.turn import Turn
from bot.dialogue.wording import yes_no_choices
from bot.domain.messages import Choice, OutboundMessage
from bot.domain.onboarding import Stage
from bot.domain.training import BookedSession, FreeSlot, SeatTaken, TrainingScheduler
from nlu.types import IntentScore, NLUResult

TrainingPending = (
    PickSlotPending
    | ConfirmSlotPending
    | TrainingManagePending
    | TrainingWhenPending
    | CancelTrainingPending
    | NpsCommentPending
)

__all__ = [
    "BOOKABLE_STAGES",
    "TRAINING_INTENTS",
    "TRAINING_PENDING",
    "Answer",
    "TrainingPending",
    "TrainingDialogue",
    "nps_score",
]

TRAINING_INTENTS = frozenset({"schedule_training", "reschedule_training", "cancel_training"})
TRAINING_PENDING = frozenset(
    {
        "pick_slot",
        "confirm_slot",
        "training_manage",
        "training_when",
        "confirm_cancel_training",
        "nps_comment",
    }
)
# Stages in which the client may book: training onwards (a refresher after go-live too).
BOOKABLE_STAGES = frozenset({Stage.TREINAMENTO, Stage.ATIVACAO, Stage.CONCLUIDO})


_NO_NLU = NLUResult(text="", intent=IntentScore("inform", 1.0), intent_ranking=(), entities=())


class TrainingDialogue:
    """Scheduling questions and answers; replies and effects go into the engine's ``Turn``."""

    def __init__(self, *, offers: int = 3) -> None:
        self.offers = offers

    # ------------------------------------------------------------------ requests
    def request(
        self, turn: Turn, intent: str, *, body: str, nlu: NLUResult, context: ConversationContext
    ) -> None:
        """Answers a training intent: "not yet" before the training stage, else the offer,
        the current booking or the cancel question."""
        lang = turn.state.language
        if context.stage not in BOOKABLE_STAGES:
            turn.say(text("training_not_yet", lang, params={"stage": context.stage_label(lang)}))
            return
        scheduler = context.training
        if scheduler is None:
            turn.say(text("training_unavailable", lang))
            return
        current = scheduler.current()
        requested = requested_time(nlu, body, context=context)
        window = requested_window(nlu, body, context=context)
        if intent == "cancel_training":
            if current is None:
                turn.say(text("training_nothing_booked", lang))
                return
            turn.state.pending = CancelTrainingPending()
            turn.say(
                text(
                    "training_confirm_cancel",
                    lang,
                    params={"when": when(current.starts_at, lang, context=context)},
                ),
                yes_no_choices(lang),
            )
            return
        if intent == "schedule_training" and current is not None and requested is None:
            turn.state.pending = TrainingManagePending(options=["reschedule", "cancel", "keep"])
            turn.say(
                text(
                    "training_already",
                    lang,
                    params={"when": when(current.starts_at, lang, context=context)},
                ),
                tuple(
                    Choice(id=option, title=text(f"training_{option}_option", lang))
                    for option in ("reschedule", "cancel", "keep")
                ),
            )
            return
        self.offer(turn, scheduler, requested=requested, context=context, window=window)

    def offer(
        self,
        turn: Turn,
        scheduler: TrainingScheduler,
        *,
        requested: datetime | None,
        context: ConversationContext,
        lead: str = "",
        window: Window | None = None,
    ) -> None:
        """The free sessions nearest to ``requested`` (or the next ones) as choices; for a day
        or a part of it ("dia 10", "sexta de manhã"), that day's sessions first."""
        lang = turn.state.language
        if window is not None:
            inside = sessions_in(scheduler, window, limit=self.offers, context=context)
            day = {"day": day_label(window, lang)}
            if inside:
                intro = text("training_offer_day", lang, params=day)
                self._list(turn, inside, intro=_join(lead, intro), day=window, context=context)
                return
            lead = _join(lead, text("training_offer_day_none", lang, params=day))
            zone = ZoneInfo(context.timezone)
            requested = datetime.combine(window.day, window.start, tzinfo=zone)
        slots = scheduler.free_slots(near=requested, limit=self.offers)
        if not slots:
            turn.effects.append(Escalate("training_no_slots", "no free training session"))
            turn.say(text("training_none_free", lang))
            return
        if requested is not None and window is None and slots[0].starts_at == requested:
            turn.state.pending = ConfirmSlotPending(
                options=[str(slots[0].slot_id)], starts_at=requested.isoformat()
            )
            intro = text(
                "training_confirm_slot",
                lang,
                params={"when": when(requested, lang, context=context)},
            )
            turn.say(_join(lead, intro), yes_no_choices(lang))
            return
        if window is not None:
            intro = text("training_offer_nearest", lang)
        elif requested is not None:
            intro = text(
                "training_offer_near",
                lang,
                params={"requested": when(requested, lang, context=context)},
            )
        else:
            intro = text("training_offer", lang)
        self._list(turn, slots, intro=_join(lead, intro), day=None, context=context)

    def _list(
        self,
        turn: Turn,
        slots: list[FreeSlot],
        *,
        intro: str,
        day: Window | None,
        context: ConversationContext,
    ) -> None:
        """The sessions (a day's in the order of the calendar, else the nearest first), then
        "Outro horário"."""
        turn.state.pending = PickSlotPending(
            options=[str(s.slot_id) for s in slots],
            day=day.day.isoformat() if day and day.one_day else "",
        )
        turn.say(intro, slot_choices(slots, turn.state.language, context=context))

    # ------------------------------------------------------------------ pending answers
    def answer(
        self, turn: Turn, pending: TrainingPending, *, answer: Answer, context: ConversationContext
    ) -> bool:
        """Answers a scheduling question; False when the message is about something else."""
        lang = turn.state.language
        scheduler = context.training
        if isinstance(pending, NpsCommentPending):
            return take_nps_comment(turn, pending, answer=answer)
        if scheduler is None:
            return False
        if pending.kind == "confirm_cancel_training":
            return self._confirm_cancel(turn, scheduler, answer=answer, context=context)
        if isinstance(pending, TrainingManagePending):
            return self._manage(turn, scheduler, pending=pending, answer=answer, context=context)
        day = (
            date.fromisoformat(pending.day)
            if isinstance(pending, PickSlotPending) and pending.day
            else None
        )  # "pode ser 10h" after that day's sessions: 10h that day
        requested = requested_time(answer.nlu, answer.body, context=context, day=day)
        window = requested_window(answer.nlu, answer.body, context=context)
        if isinstance(pending, ConfirmSlotPending) and pending.options:
            if answer.yes:
                return self._book(turn, scheduler, slot_id=int(pending.options[0]), context=context)
            if requested is None:
                turn.state.pending = TrainingWhenPending()
                turn.say(text("training_ask_when", lang))
                return True
        if isinstance(pending, PickSlotPending):
            slot_id = picked_slot(answer, pending.options)
            if slot_id is not None:
                return self._book(turn, scheduler, slot_id=slot_id, context=context)
            if requested is None and asks_another_time(answer, pending.options):
                turn.state.pending = TrainingWhenPending()
                turn.say(text("training_ask_when", lang))
                return True
        if requested is not None:
            self.offer(turn, scheduler, requested=requested, context=context, window=window)
            return True
        if pending.kind == "training_when":
            return False
        turn.state.pending = pending  # still open: the client may answer after an interruption
        return False

    def _manage(
        self,
        turn: Turn,
        scheduler: TrainingScheduler,
        *,
        pending: TrainingManagePending,
        answer: Answer,
        context: ConversationContext,
    ) -> bool:
        """Reschedule, cancel or keep the booking."""
        lang = turn.state.language
        picked = picked_option(answer, pending.options)
        if picked == "keep" or (picked is None and answer.no):
            current = scheduler.current()
            if current is not None:
                moment = when(current.starts_at, lang, context=context)
                turn.say(text("training_kept", lang, params={"when": moment}))
            return True
        if picked == "cancel":
            self.request(turn, "cancel_training", body=answer.body, nlu=answer.nlu, context=context)
            return True
        if picked == "reschedule" or answer.yes:
            self.offer(turn, scheduler, requested=None, context=context)
            return True
        return False

    def reask(self, turn: Turn, pending: TrainingPending, *, context: ConversationContext) -> None:
        """Asks an open scheduling question again (after an interruption, or a reminder)."""
        lang = turn.state.language
        scheduler = context.training
        if isinstance(pending, NpsCommentPending):
            turn.state.pending = pending
            turn.say(text("nps_ask_comment_again", lang))
        elif isinstance(pending, TrainingWhenPending) or scheduler is None:
            turn.state.pending = TrainingWhenPending() if scheduler is not None else None
            turn.say(text("training_ask_when", lang) if scheduler is not None else "")
        elif isinstance(pending, ConfirmSlotPending) and pending.starts_at:
            turn.state.pending = pending
            moment = datetime.fromisoformat(pending.starts_at)
            turn.say(
                text(
                    "training_confirm_slot",
                    lang,
                    params={"when": when(moment, lang, context=context)},
                ),
                yes_no_choices(lang),
            )
        elif isinstance(pending, CancelTrainingPending | TrainingManagePending):
            turn.state.pending = None
            intent = (
                "cancel_training"
                if isinstance(pending, CancelTrainingPending)
                else "schedule_training"
            )
            self.request(turn, intent, body="", nlu=_NO_NLU, context=context)
        else:
            turn.state.pending = None
            self.offer(turn, scheduler, requested=None, context=context)

    # ------------------------------------------------------------------ internals
    def _book(
        self,
        turn: Turn,
        scheduler: TrainingScheduler,
        *,
        slot_id: int,
        context: ConversationContext,
    ) -> bool:
        lang = turn.state.language
        before = scheduler.current()
        try:
            booked = scheduler.book(slot_id)
        except SeatTaken as taken:
            self.offer(
                turn,
                scheduler,
                requested=taken.starts_at,
                context=context,
                lead=text("training_seat_taken", lang),
            )
            return True
        key = "training_rebooked" if before is not None else "training_booked"
        turn.effects.append(
            RecordEvent(key.removeprefix("training_") + "_training", booked.starts_at.isoformat())
        )
        turn.replies.append(
            OutboundMessage(
                text=text(key, lang, params=_booking_params(booked, lang, context=context)),
                attachments=(booked.invite_url,) if booked.invite_url else (),
            )
        )
        want_status_link(turn, at=len(turn.replies) - 1)
        return True

    def _confirm_cancel(
        self,
        turn: Turn,
        scheduler: TrainingScheduler,
        *,
        answer: Answer,
        context: ConversationContext,
    ) -> bool:
        lang = turn.state.language
        picked_cancel = answer.message.choice_id == "yes" or answer.yes
        if not (picked_cancel or answer.no):
            return False
        current = scheduler.current()
        if current is None:
            turn.say(text("training_nothing_booked", lang))
            return True
        if not picked_cancel:
            turn.say(
                text(
                    "training_not_cancelled",
                    lang,
                    params={"when": when(current.starts_at, lang, context=context)},
                )
            )
            return True
        cancelled = scheduler.cancel()
        if cancelled is None:
            turn.say(text("training_cancel_too_late", lang))
            return True
        turn.effects.append(RecordEvent("training_cancelled", cancelled.starts_at.isoformat()))
        turn.replies.append(
            OutboundMessage(
                text=text("training_cancelled", lang),
                attachments=(cancelled.invite_url,) if cancelled.invite_url else (),
            )
        )
        return True


def _booking_params(
    booked: BookedSession, language: str, *, context: ConversationContext
) -> dict[str, object]:
    ends = booked.ends_at.astimezone(ZoneInfo(context.timezone))
    return {
        "when": when(booked.starts_at, language, context=context),
        "ends": f"{ends:%H:%M}",
        "link": booked.meeting_url or "—",
    }


def _join(lead: str, body: str) -> str:
    return f"{lead}\n{body}" if lead else body
