""" "Não entendi bem. Você quis dizer: …": the requests the NLU hesitated between."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogue.dialogue import Outcome
from bot.dialogue.state import ClarifyPending
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import Option, choices_of, pick

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["ClarifyRepair", "clarify_options"]


def clarify_options(intents: list[str]) -> list[Option]:
    def titles(key: str) -> tuple[str, str]:
        return (text(key, "pt"), text(key, "en"))

    return [
        Option(name, titles("clarify_none" if name == "none" else f"intent_{name}"))
        for name in intents
    ]


class ClarifyRepair:
    def take(self, turn: Turn, dialogue: Dialogue, *, pending: ClarifyPending) -> Outcome:
        chosen = pick(turn.said, clarify_options(pending.options))
        if chosen is None:
            return Outcome.NOT_MINE
        if chosen.id == "none":
            dialogue.ask_again(turn)
            return Outcome.TAKEN
        turn.state.misunderstood_count = 0  # understood after all
        dialogue.interrupt(turn, chosen.id)
        return Outcome.TAKEN

    def reask(self, turn: Turn, dialogue: Dialogue, *, pending: ClarifyPending) -> None:
        turn.state.pending = pending
        lang = turn.language
        turn.say(text("clarify", lang), choices_of(clarify_options(pending.options), lang))

    def explain(self, turn: Turn, dialogue: Dialogue, *, pending: ClarifyPending) -> None:
        self.reask(turn, dialogue, pending=pending)
