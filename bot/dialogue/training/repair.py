"""The scheduling questions (which session, confirm it, when instead, cancel, the NPS
comment), answered by ``bot.dialogue.training.offers``. A bare date at a date question is an answer
to it, not a new booking: the repair reads the message before any interruption."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogue.dialogue import Outcome
from bot.dialogue.texts import text
from bot.dialogue.training.offers import TRAINING_INTENTS, Answer, TrainingPending
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import is_no, is_yes

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["TrainingRepair"]


class TrainingRepair:
    def take(self, turn: Turn, dialogue: Dialogue, *, pending: TrainingPending) -> Outcome:
        said = turn.said
        if said.intent not in TRAINING_INTENTS and said.requests(
            dialogue.settings.interruption_confidence
        ):
            return Outcome.UNFIT  # a person, the status…: answered, then this question again
        answer = Answer(
            body=said.body, message=said.message, nlu=said.nlu, yes=is_yes(said), no=is_no(said)
        )
        if dialogue.training.answer(turn, pending, answer=answer, context=turn.context):
            if turn.state.pending is None and dialogue.walker.current_step(turn.state):
                dialogue.prompt_current(turn)  # back to the registration question
            return Outcome.TAKEN
        if turn.state.pending is not None:
            turn.state.pending = None
            return Outcome.UNFIT  # still open: answered after an interruption, or explained
        return Outcome.NOT_MINE

    def reask(self, turn: Turn, dialogue: Dialogue, *, pending: TrainingPending) -> None:
        dialogue.training.reask(turn, pending, context=turn.context)

    def explain(self, turn: Turn, dialogue: Dialogue, *, pending: TrainingPending) -> None:
        dialogue.reject(turn, text("choice_unknown", turn.language), pending=pending)
