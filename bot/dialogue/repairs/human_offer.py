"""The way out: "Quer falar com uma pessoa? 1) Falar com uma pessoa 2) Tentar de novo".

Its numbers are its own: "1" calls a person, whatever the question underneath."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import TypeAdapter

from bot.dialogue.dialogue import WAY_OUT, Outcome
from bot.dialogue.documents import kind_name
from bot.dialogue.human import request_person
from bot.dialogue.state import CorrectionPending, DocumentPending, HumanOfferPending, Pending
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import choices_of, pick

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["HumanOfferRepair"]

_PENDING: TypeAdapter[Pending] = TypeAdapter(Pending)


class HumanOfferRepair:
    def take(self, turn: Turn, dialogue: Dialogue, *, pending: HumanOfferPending) -> Outcome:
        chosen = pick(turn.said, WAY_OUT)
        displaced = _PENDING.validate_python(pending.then) if pending.then is not None else None
        if chosen is None:
            # The message answers the question underneath: the repair this offer displaced,
            # if any, reads it next.
            turn.state.pending = displaced
            return Outcome.NOT_MINE
        turn.state.invalid_count = 0
        if chosen.id == "human":
            label = _label(turn, dialogue, displaced=displaced)
            request_person(turn, dialogue, reason=pending.reason, detail=label)
            if dialogue.walker.current_step(turn.state) is not None:
                turn.add_line(text("human_meanwhile", turn.language))
        turn.state.pending = displaced
        dialogue.ask_again(turn)
        return Outcome.TAKEN

    def reask(self, turn: Turn, dialogue: Dialogue, *, pending: HumanOfferPending) -> None:
        turn.say(text("offer_human", turn.language), choices_of(WAY_OUT, turn.language))

    def explain(self, turn: Turn, dialogue: Dialogue, *, pending: HumanOfferPending) -> None:
        self.reask(turn, dialogue, pending=pending)


def _label(turn: Turn, dialogue: Dialogue, *, displaced: Pending | None) -> str:
    """What the client was stuck on, for the team: the displaced question's field, else the
    step's."""
    if isinstance(displaced, CorrectionPending):
        info = dialogue.walker.catalog.get(displaced.slot)
        if info is not None:
            return info.label(turn.language)
    if isinstance(displaced, DocumentPending):
        return kind_name(displaced.document_kind, turn.language)
    return dialogue.current_label(turn)
