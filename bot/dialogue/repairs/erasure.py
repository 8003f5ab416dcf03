"""Erasure (LGPD) confirmation: "Confirma? 1) Sim 2) Não"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import TypeAdapter

from bot.dialogue.dialogue import Outcome
from bot.dialogue.effects import RequestErasure
from bot.dialogue.state import ErasurePending, Pending
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import Option, pick
from bot.dialogue.wording import yes_no_choices

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["ErasureRepair", "ask_erasure"]

_OPTIONS = (
    Option("yes", ("Sim", "Yes"), meaning="yes", aliases=("sim, pode apagar", "pode apagar",
           "apagar", "apaga", "confirmo", "erase", "delete")),
    Option("no", ("Não", "No"), meaning="no", aliases=("nao apagar", "nao quero", "cancelar",
           "keep", "don t")),
)  # fmt: skip


_PENDING: TypeAdapter[Pending] = TypeAdapter(Pending)


def ask_erasure(turn: Turn) -> None:
    """Asks to confirm; a question that was open comes back if the client says no."""
    open_ = turn.state.pending
    then = open_.model_dump(mode="json") if open_ is not None else None
    turn.state.pending = ErasurePending(then=then)
    turn.say(text("confirm_erasure", turn.language), yes_no_choices(turn.language))


def _displaced(pending: ErasurePending) -> Pending | None:
    return _PENDING.validate_python(pending.then) if pending.then is not None else None


class ErasureRepair:
    def take(self, turn: Turn, dialogue: Dialogue, *, pending: ErasurePending) -> Outcome:
        chosen = pick(turn.said, _OPTIONS)
        lang = turn.language
        if chosen is not None and chosen.id == "yes":
            turn.effects.append(RequestErasure())
            turn.state.erasure_requested = True
            turn.say(text("erasure_requested", lang))
            return Outcome.TAKEN
        if chosen is not None:
            turn.say(text("erasure_cancelled", lang))
            turn.state.pending = _displaced(pending)
            dialogue.ask_again(turn)
            return Outcome.TAKEN
        return Outcome.UNFIT

    def reask(self, turn: Turn, dialogue: Dialogue, *, pending: ErasurePending) -> None:
        turn.state.pending = pending
        turn.say(text("confirm_erasure", turn.language), yes_no_choices(turn.language))

    def explain(self, turn: Turn, dialogue: Dialogue, *, pending: ErasurePending) -> None:
        # Anything but a clear yes keeps the data: nothing is erased by a misunderstanding.
        turn.say(text("erasure_cancelled", turn.language))
        turn.state.pending = _displaced(pending)
        dialogue.ask_again(turn)
