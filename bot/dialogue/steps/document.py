"""``document`` steps: a photo or PDF is expected; text gets an explanation. A document read
before the step was reached is shown for confirmation instead of asking for it again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogue.documents import confirm_early, skip_optional
from bot.dialogue.state import Frame
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from flows import DocumentStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["DocumentStepHandler"]


class DocumentStepHandler:
    def prompt(
        self, turn: Turn, dialogue: Dialogue, *, frame: Frame, step: DocumentStep, with_hint: bool
    ) -> None:
        if turn.state.pending is None and confirm_early(turn, dialogue, step=step):
            return
        turn.say(dialogue.walker.render(step.prompt.get(turn.language), frame, state=turn.state))

    def accepts(self, turn: Turn, dialogue: Dialogue, *, step: DocumentStep) -> bool:
        return False  # only a file answers it; files come as media and readings

    def answer(self, turn: Turn, dialogue: Dialogue, *, frame: Frame, step: DocumentStep) -> None:
        if skip_optional(turn, dialogue, step=step):  # "não tenho agora" at an optional document
            return
        key = "document_expected_optional" if step.optional else "document_expected"
        dialogue.reject(turn, text(key, turn.language))
