"""Corrections asked in two steps: "Qual informação você quer corrigir?" (``fix_choice``)
and "Pode mandar o valor certo para: …" (``correction``). Only a valid value for the
corrected field is taken; a message that is clearly about something else goes back to
normal handling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogue.catalog import SlotInfo
from bot.dialogue.corrections import (
    apply_correction,
    has_marker,
    not_an_answer,
    other_entity,
    value_for,
)
from bot.dialogue.dialogue import Outcome
from bot.dialogue.state import CorrectionPending, FixChoicePending, SlotValue
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import Option, choices_of, pick
from bot.domain.fields import VALIDATORS, Problem

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["CorrectionRepair", "FixChoiceRepair"]


def _field_options(dialogue: Dialogue, keys: list[str]) -> list[Option]:
    options = []
    for key in keys:
        info = dialogue.walker.catalog.get(key)
        if info is not None:
            options.append(Option(key, (info.label("pt"), info.label("en")), aliases=info.names()))
    return options


class FixChoiceRepair:
    def take(self, turn: Turn, dialogue: Dialogue, pending: FixChoicePending) -> Outcome:
        chosen = pick(turn.said, _field_options(dialogue, pending.options))
        info = dialogue.walker.catalog.get(chosen.id) if chosen is not None else None
        if info is None:
            info = dialogue.walker.catalog.mentioned(
                turn.said.body, answered=turn.state.answered, slots=turn.state.slots
            )
        if info is None:
            return Outcome.UNFIT
        value = value_for(info, turn.said)
        if value is not None and not isinstance(value, Problem):
            if not apply_correction(turn, dialogue, info, value):
                dialogue.ask_again(turn)
            return Outcome.TAKEN
        turn.state.pending = CorrectionPending(slot=info.key)
        turn.say(text("ask_new_value", turn.language, {"label": info.label(turn.language)}))
        return Outcome.TAKEN

    def reask(self, turn: Turn, dialogue: Dialogue, pending: FixChoicePending) -> None:
        lang = turn.language
        options = _field_options(dialogue, pending.options)
        turn.say(text("ask_which_field", lang), choices_of(options, lang))

    def explain(self, turn: Turn, dialogue: Dialogue, pending: FixChoicePending) -> None:
        dialogue.reject(turn, text("choice_unknown", turn.language), pending=pending)


class CorrectionRepair:
    def take(self, turn: Turn, dialogue: Dialogue, pending: CorrectionPending) -> Outcome:
        info = dialogue.walker.catalog.get(pending.slot)
        if info is None:
            return Outcome.NOT_MINE
        value = self._value(turn, dialogue, info)
        if value is None:
            return Outcome.UNFIT
        if not isinstance(value, Problem):
            turn.state.invalid_count = 0
            if not apply_correction(turn, dialogue, info, value):
                dialogue.ask_again(turn)
            return Outcome.TAKEN
        if not self._attempt(turn, info):
            return Outcome.NOT_MINE
        params = {**value.params, "said": turn.said.body[:60], "label": info.label(turn.language)}
        dialogue.reject(turn, text(value.code, turn.language, params), pending=pending)
        return Outcome.TAKEN

    def _value(
        self, turn: Turn, dialogue: Dialogue, info: SlotInfo
    ) -> SlotValue | Problem | None:
        said = turn.said
        if not_an_answer(said, dialogue, info.step.validator):
            return None
        if other_entity(said, info.step.entity):
            found = value_for(info, said)
            return found if found is not None and not isinstance(found, Problem) else None
        if has_marker(said) or dialogue.walker.catalog.mentioned(
            said.body, answered=[info.key], slots=turn.state.slots
        ):
            found = value_for(info, said)  # "o certo é …": the value after the words
            if found is not None and not isinstance(found, Problem):
                return found
        return VALIDATORS[info.step.validator](said.body)  # the whole message is the value

    def _attempt(self, turn: Turn, info: SlotInfo) -> bool:
        """Looks like a try at this field (digits for a number, an @ for an e-mail)."""
        said = turn.said
        if info.step.entity is not None and said.nlu.first(info.step.entity) is not None:
            return True
        if info.step.validator in ("email",):
            return "@" in said.body
        if info.step.validator in ("cnpj", "cep", "mobile_phone", "employees", "address_number"):
            return any(ch.isdigit() for ch in said.body)
        return said.intent in ("inform", "out_of_scope")

    def reask(self, turn: Turn, dialogue: Dialogue, pending: CorrectionPending) -> None:
        info = dialogue.walker.catalog.get(pending.slot)
        label = info.label(turn.language) if info is not None else pending.slot
        turn.say(text("ask_new_value", turn.language, {"label": label}))

    def explain(self, turn: Turn, dialogue: Dialogue, pending: CorrectionPending) -> None:
        info = dialogue.walker.catalog.get(pending.slot)
        label = info.label(turn.language) if info is not None else pending.slot
        dialogue.reject(
            turn,
            text("not_an_answer", turn.language, {"said": turn.said.body[:60], "label": label}),
            pending=pending,
        )
