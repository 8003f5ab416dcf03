"""Training in the chat (``TrainingDialogue``): "not yet" before its stage, the offer, the
scores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.dialogue.context import ConversationContext
from bot.dialogue.effects import Escalate
from bot.dialogue.state import DialogueState, PickSlotPending
from bot.dialogue.training.offers import (
    BOOKABLE_STAGES,
    TRAINING_INTENTS,
    TRAINING_PENDING,
    TrainingDialogue,
    nps_score,
)
from bot.dialogue.turn import Turn
from bot.domain.onboarding import Stage
from nlu.types import Entity
from tests.dialogue.support import NOW, FakeTrainingScheduler, choices, ent, heard, says


def context(
    stage: Stage = Stage.TREINAMENTO, scheduler: FakeTrainingScheduler | None = None
) -> ConversationContext:
    return ConversationContext(stage=stage, now=NOW, training=scheduler)


def request(
    ctx: ConversationContext,
    intent: str = "schedule_training",
    entities: list[Entity] | None = None,
) -> Turn:
    turn = Turn(state=DialogueState(), context=ctx)
    nlu = heard("treinamento", intent, entities=entities or [])
    TrainingDialogue().request(turn, intent, body="treinamento", nlu=nlu, context=ctx)
    return turn


# ------------------------------------------------------------------ requests
@pytest.mark.parametrize("stage", sorted(set(Stage) - BOOKABLE_STAGES))
def test_before_the_training_stage_it_is_not_yet(stage: Stage) -> None:
    ctx = context(stage, FakeTrainingScheduler())
    turn = request(ctx)
    assert [r.text for r in turn.replies] == [says("training_not_yet", stage=ctx.stage_label("pt"))]
    assert turn.state.pending is None


@pytest.mark.parametrize("stage", sorted(BOOKABLE_STAGES))
def test_from_the_training_stage_on_sessions_are_offered(stage: Stage) -> None:
    turn = request(context(stage, FakeTrainingScheduler()))
    assert isinstance(turn.state.pending, PickSlotPending)
    assert turn.state.pending.options == ["1", "2", "3"]


def test_without_a_scheduler_the_team_will_arrange_it() -> None:
    turn = request(context(scheduler=None))
    assert [r.text for r in turn.replies] == [says("training_unavailable")]


def test_no_free_session_calls_the_team() -> None:
    scheduler = FakeTrainingScheduler(taken=[1, 2, 3, 4])
    turn = request(context(scheduler=scheduler))
    assert turn.effects == [Escalate("training_no_slots", "no free training session")]
    assert [r.text for r in turn.replies] == [says("training_none_free")]


def test_a_requested_time_offers_the_nearest_sessions() -> None:
    scheduler = FakeTrainingScheduler()
    turn = request(
        context(scheduler=scheduler), entities=[ent("date", "2026-11-26"), ent("time", "14:00")]
    )
    assert scheduler.near[-1] == datetime(2026, 11, 26, 17, 0, tzinfo=UTC)
    assert [c.id for c in choices(turn)][0] == "slot:3"  # 15:00 is nearest to 14:00


def test_cancel_without_a_booking_says_there_is_none() -> None:
    turn = request(context(scheduler=FakeTrainingScheduler()), "cancel_training")
    assert [r.text for r in turn.replies] == [says("training_nothing_booked")]


def test_the_registries_of_training() -> None:
    assert TRAINING_INTENTS == {"schedule_training", "reschedule_training", "cancel_training"}
    assert "nps_comment" in TRAINING_PENDING and "pick_slot" in TRAINING_PENDING


# ------------------------------------------------------------------ scores
@pytest.mark.parametrize(
    ("body", "score"),
    [("9", 9), ("10", 10), ("0", 0), ("nota 10", 10), ("10!", 10), (" 7. ", 7),
     ("11", None), ("nove", None), ("9 de 10", None), ("", None)],
)  # fmt: skip
def test_nps_score(body: str, score: int | None) -> None:
    assert nps_score(body) == score
