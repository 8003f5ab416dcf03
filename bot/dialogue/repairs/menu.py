"""The menu a client past the registration gets ("oi" days later, "2", "treinamento"): what
the chat can do for the onboarding's stage, as numbered options; a pick runs that request
(status, training, documents, a correction, a person). A message that picks nothing is
handled as usual (the menu is dropped)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogue.dialogue import Outcome
from bot.dialogue.repairs.clarify import clarify_options
from bot.dialogue.state import MenuPending
from bot.dialogue.texts import text
from bot.dialogue.training.offers import BOOKABLE_STAGES
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import choices_of, pick
from bot.domain.onboarding import Stage

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["MenuRepair", "offer_menu"]


def _menu_intents(turn: Turn) -> list[str]:
    stage = turn.context.stage
    intents = ["ask_status"]
    if stage is Stage.DOCUMENTOS:
        intents.append("ask_documents")
    if stage in BOOKABLE_STAGES:
        intents.append("schedule_training")
    if turn.state.answered:
        intents.append("correct_data")
    return [*intents, "request_human"]


def offer_menu(turn: Turn, *, key: str) -> None:
    """The menu after ``key``'s text (the stage and, after a greeting, hello again)."""
    lang = turn.language
    name = str(turn.state.slots.get("person_name", "")).split(" ")[0]
    params = {"stage": turn.context.stage_label(lang), "name": f", {name}" if name else ""}
    pending = MenuPending(options=_menu_intents(turn))
    turn.state.pending = pending
    turn.say(text(key, lang, params=params), choices_of(clarify_options(pending.options), lang))


class MenuRepair:
    def take(self, turn: Turn, dialogue: Dialogue, *, pending: MenuPending) -> Outcome:
        chosen = pick(turn.said, clarify_options(pending.options))
        if chosen is None:
            return Outcome.NOT_MINE
        turn.state.pending = None
        dialogue.interrupt(turn, chosen.id)
        return Outcome.TAKEN

    def reask(self, turn: Turn, dialogue: Dialogue, *, pending: MenuPending) -> None:
        turn.state.pending = pending
        lang = turn.language
        turn.say(text("menu_again", lang), choices_of(clarify_options(pending.options), lang))

    def explain(self, turn: Turn, dialogue: Dialogue, *, pending: MenuPending) -> None:
        self.reask(turn, dialogue, pending=pending)
