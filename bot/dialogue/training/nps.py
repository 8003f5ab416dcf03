"""The NPS question after a training session: the score (taken by the pipeline, which
recognises a bare 0–10 when an answer is due), then an optional comment."""

from __future__ import annotations

from bot.dialogue.effects import NpsAnswered
from bot.dialogue.state import NpsCommentPending
from bot.dialogue.texts import text
from bot.dialogue.training.picks import Answer
from bot.dialogue.turn import Turn

__all__ = ["ask_nps_comment", "take_nps_comment"]


def ask_nps_comment(turn: Turn, *, booking_id: int, score: int) -> None:
    """Records the score and asks for a comment."""
    turn.effects.append(NpsAnswered(booking_id=booking_id, score=score))
    turn.state.pending = NpsCommentPending(booking_id=booking_id)
    turn.say(text("nps_thanks_ask_comment", turn.state.language, params={"score": score}))


def take_nps_comment(turn: Turn, pending: NpsCommentPending, *, answer: Answer) -> bool:
    """Records the comment (a "no" or nothing leaves none) and thanks."""
    if not answer.no and answer.body:
        turn.effects.append(NpsAnswered(booking_id=pending.booking_id, comment=answer.body[:2000]))
    turn.say(text("nps_thanks", turn.state.language))
    return True
