"""Corrections asked in two steps: "Qual informação você quer corrigir?" (``fix_choice``)
and "Pode mandar o valor certo para: …" (``correction``). Only a valid value for the
corrected field is taken; a message that is clearly about something else goes back to
normal handling."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogue.catalog import SlotInfo
from bot.dialogue.contact_change import ask_contact_field
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
from bot.dialogue.understanding import ANSWER_INTENTS, YES_WORDS, Option, choices_of, pick
from bot.dialogue.wording import format_value
from bot.domain.validators import VALIDATORS, Problem

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
    """Which answer to fix: the areas first when there are more answers than a WhatsApp list
    shows (ten), then the answers of the area picked."""

    def take(self, turn: Turn, dialogue: Dialogue, *, pending: FixChoicePending) -> Outcome:
        said = turn.said
        options = _level_options(dialogue, pending)
        chosen = pick(said, options)
        if chosen is not None and chosen.id.startswith(_AREA):
            turn.state.pending = FixChoicePending(options=pending.options, area=chosen.id)
            self.reask(turn, dialogue, pending=turn.state.pending)
            return Outcome.TAKEN
        info = dialogue.walker.catalog.get(chosen.id) if chosen is not None else None
        if info is not None:  # picked from the list: its value comes in the next message
            return _ask_value(turn, info)
        info = dialogue.walker.catalog.mentioned(
            said.body, answered=turn.state.answered, slots=turn.state.slots
        )
        if info is None:
            return Outcome.UNFIT
        value = value_for(info, said)  # "o e-mail do financeiro é x@y.com"
        if value is not None and not isinstance(value, Problem):
            if not apply_correction(turn, dialogue, info=info, value=value):
                dialogue.ask_again(turn)
            return Outcome.TAKEN
        return _ask_value(turn, info)

    def reask(self, turn: Turn, dialogue: Dialogue, *, pending: FixChoicePending) -> None:
        lang = turn.language
        options = _level_options(dialogue, pending)
        key = "ask_which_field" if not options[0].id.startswith(_AREA) else "ask_which_area"
        turn.say(text(key, lang), choices_of(options, lang))

    def explain(self, turn: Turn, dialogue: Dialogue, *, pending: FixChoicePending) -> None:
        dialogue.reject(turn, text("choice_unknown", turn.language), pending=pending)


_AREA = "area:"
_LIST_MAX = 10  # rows a WhatsApp list can show


def _ask_value(turn: Turn, info: SlotInfo) -> Outcome:
    turn.state.invalid_count = 0
    turn.state.pending = CorrectionPending(slot=info.key)
    turn.say(text("ask_new_value", turn.language, params={"label": info.label(turn.language)}))
    return Outcome.TAKEN


def _level_options(dialogue: Dialogue, pending: FixChoicePending) -> list[Option]:
    """The answers to pick from, or the areas when they are too many for one list."""
    keys = pending.options
    if pending.area:
        namespace = pending.area.removeprefix(_AREA)
        keys = [k for k in keys if (k.rsplit(".", 1)[0] if "." in k else "") == namespace]
        return _field_options(dialogue, keys)
    if len(keys) <= _LIST_MAX:
        return _field_options(dialogue, keys)
    areas: list[Option] = []
    for key in keys:
        namespace = key.rsplit(".", 1)[0] if "." in key else ""
        if any(o.id == _AREA + namespace for o in areas):
            continue
        info = dialogue.walker.catalog.get(key)
        label = info.namespace_label if info is not None else None
        titles = (label.pt, label.en) if label is not None else _OWN_AREA
        aliases = info.namespace_aliases if label is not None and info is not None else _OWN_WORDS
        areas.append(Option(_AREA + namespace, titles, aliases=aliases))
    return areas


_OWN_AREA = ("Seus dados, empresa e endereço", "Your data, company and address")
_OWN_WORDS = ("meus dados", "seus dados", "dados", "empresa", "endereco", "meu", "my data",
              "company", "address", "mine")  # fmt: skip


_KEEP = frozenset(
    {"manter", "mantem", "mantenha", "pode manter", "deixa assim", "deixa como esta", "keep",
     "keep it", "leave it", "nao precisa", "esquece", "deixa pra la", "never mind", "nevermind"}
)  # fmt: skip
# After "voltar" the bot showed the value: "está certo" keeps it.
_KEEP_SHOWN = frozenset(
    {"esta certo", "ta certo", "esta correto", "ta correto", "certo", "correto", "it s right",
     "its right", "it s correct", "that s right"}
)  # fmt: skip


def _keeps(turn: Turn, pending: CorrectionPending) -> bool:
    folded = turn.said.folded
    if folded in _KEEP:
        return True
    return pending.shown and (folded in _KEEP_SHOWN or folded in YES_WORDS)


class CorrectionRepair:
    def take(self, turn: Turn, dialogue: Dialogue, *, pending: CorrectionPending) -> Outcome:
        info = dialogue.walker.catalog.get(pending.slot)
        if info is None:
            return Outcome.NOT_MINE
        if _keeps(turn, pending) and info.key in turn.state.slots:  # "está certo", "pode manter"
            turn.state.pending = None
            turn.state.invalid_count = 0
            shown = format_value(info.key, turn.state.slots[info.key], language=turn.language)
            kept = {"label": info.label(turn.language), "value": shown}
            turn.say(text("kept_value", turn.language, params=kept))
            dialogue.ask_again(turn)
            return Outcome.TAKEN
        value = self._value(turn, dialogue, info=info)
        if value is None:
            return Outcome.UNFIT
        if not isinstance(value, Problem):
            turn.state.invalid_count = 0
            if apply_correction(turn, dialogue, info=info, value=value):
                return Outcome.TAKEN
            if pending.then:  # a contact replaced: its next field
                turn.state.pending = CorrectionPending(slot=pending.then[0], then=pending.then[1:])
                ask_contact_field(turn, dialogue, key=pending.then[0])
            else:
                dialogue.ask_again(turn)
            return Outcome.TAKEN
        said = turn.said
        if said.intent not in ANSWER_INTENTS and (
            said.confidence >= dialogue.settings.interruption_confidence
        ):
            return Outcome.UNFIT  # a request: answered, then the value is asked again
        if not self._attempt(turn, dialogue, info=info):
            return Outcome.NOT_MINE
        params = {**value.params, "said": turn.said.body[:60], "label": info.label(turn.language)}
        dialogue.reject(turn, text(value.code, turn.language, params=params), pending=pending)
        return Outcome.TAKEN

    def _value(
        self, turn: Turn, dialogue: Dialogue, *, info: SlotInfo
    ) -> SlotValue | Problem | None:
        said = turn.said
        if not_an_answer(said, dialogue, validator=info.step.validator):
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

    def _attempt(self, turn: Turn, dialogue: Dialogue, *, info: SlotInfo) -> bool:
        """A try at this field with a mistake (explained with this field's rule), rather than a
        request or an answer to the question underneath (normal handling)."""
        step = dialogue.walker.current_step(turn.state)
        return step is None or not dialogue.steps[type(step)].accepts(turn, dialogue, step=step)

    def reask(self, turn: Turn, dialogue: Dialogue, *, pending: CorrectionPending) -> None:
        info = dialogue.walker.catalog.get(pending.slot)
        label = info.label(turn.language) if info is not None else pending.slot
        turn.say(text("ask_new_value", turn.language, params={"label": label}))

    def explain(self, turn: Turn, dialogue: Dialogue, *, pending: CorrectionPending) -> None:
        info = dialogue.walker.catalog.get(pending.slot)
        label = info.label(turn.language) if info is not None else pending.slot
        dialogue.reject(
            turn,
            text(
                "not_an_answer", turn.language, params={"said": turn.said.body[:60], "label": label}
            ),
            pending=pending,
        )
