"""``choice`` steps: options answered by tap, number, title, alias, yes/no or a phrase; an
option with ``fills`` also takes what the message says about what comes next ("outra
pessoa: Beatriz Rocha, ti@empresa.com.br")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogue.catalog import fold
from bot.dialogue.contacts_ahead import note_contacts_ahead
from bot.dialogue.corrections import value_for
from bot.dialogue.person_names import person_name_in
from bot.dialogue.state import Frame
from bot.dialogue.steps.ask import fill_from_entities
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import Option, choices_of, pick
from bot.dialogue.wording import format_value
from bot.domain.validators import Problem
from flows import AskStep, ChoiceStep
from flows import Option as FlowOption

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["ChoiceHandler", "options_of"]

_MEANINGS = {"affirm": "yes", "deny": "no"}


def options_of(step: ChoiceStep) -> list[Option]:
    return [
        Option(
            id=o.id,
            titles=(o.title.pt, o.title.en),
            aliases=tuple(o.aliases),
            meaning=_MEANINGS.get(o.intent or "", ""),
            intent=o.intent,
        )
        for o in step.options
    ]


class ChoiceHandler:
    def prompt(
        self,
        turn: Turn,
        dialogue: Dialogue,
        *,
        frame: Frame,
        step: ChoiceStep,
        with_hint: bool,
        again: bool = False,
    ) -> None:
        asked = step.reask if again and step.reask is not None else step.prompt
        body = dialogue.walker.render(asked.get(turn.language), frame, state=turn.state)
        turn.say(body, choices_of(options_of(step), turn.language))

    def accepts(self, turn: Turn, dialogue: Dialogue, *, step: ChoiceStep) -> bool:
        return self.picked(turn, dialogue, step=step) is not None

    def picked(self, turn: Turn, dialogue: Dialogue, *, step: ChoiceStep) -> FlowOption | None:
        options = options_of(step)
        chosen = pick(turn.said, options)
        if chosen is None and turn.said.intent == "delete_data" and not turn.state.answered:
            # "não quero passar meus dados" before any answer: nothing to erase, a refusal.
            chosen = next((o for o in options if o.meaning == "no"), None)
        if chosen is not None:
            return next(o for o in step.options if o.id == chosen.id)
        frame = turn.state.frame
        filling = [o for o in step.options if o.fills]
        names_another = dialogue.walker.catalog.mentioned(
            turn.said.body, answered=turn.state.answered, slots=turn.state.slots
        )
        if names_another is not None and names_another.namespace not in (
            "",
            frame and frame.namespace,
        ):
            return None  # "o telefone da Beatriz é …": another contact's answer, not this one
        if len(filling) == 1 and frame is not None and self._fills(turn, dialogue, frame=frame):
            return filling[0]  # "Beatriz Rocha, bia@…": someone else, by what it says
        if len(filling) == 1 and self._gives(turn, dialogue, option=filling[0]):
            return filling[0]  # the CNPJ at "shall we do it now?": the answer is yes
        return None

    def answer(self, turn: Turn, dialogue: Dialogue, *, frame: Frame, step: ChoiceStep) -> None:
        option = self.picked(turn, dialogue, step=step)
        if option is None:
            dialogue.reject(turn, text("choice_unknown", turn.language))
            return
        turn.state.set_slot(frame.slot_key(step.slot), option.value)
        turn.state.invalid_count = 0
        if option.fills:
            self._fill(turn, dialogue, frame=frame, option=option)
        note_contacts_ahead(turn, dialogue)  # "sou eu, e o de TI é o Pedro Lima"
        dialogue.goto(turn, option.next or step.next)

    def _fills(self, turn: Turn, dialogue: Dialogue, *, frame: Frame) -> bool:
        said = turn.said
        if said.intent not in ("inform", "deny", "affirm", "out_of_scope"):
            return False
        return person_name_in(said.body) is not None or any(
            e.entity in ("email", "phone") for e in said.nlu.entities
        )

    def _gives(self, turn: Turn, dialogue: Dialogue, *, option: FlowOption) -> bool:
        """The message carries an identifier (CNPJ, e-mail…) that one of the option's filled
        questions takes from any message."""
        frame = turn.state.frame
        if frame is None or turn.said.choice_id:
            return False
        flow = dialogue.walker.flows[frame.flow_id]
        entities = {
            s.entity
            for s in flow.steps.values()
            if isinstance(s, AskStep) and s.slot in option.fills and s.entity
        }
        return any(turn.said.nlu.first(entity) is not None for entity in entities)

    def _fill(self, turn: Turn, dialogue: Dialogue, *, frame: Frame, option: FlowOption) -> None:
        if turn.said.choice_id:
            return  # a tap says nothing more than the option
        before = dict(turn.state.slots)
        self._fill_slots(turn, dialogue, frame=frame, option=option)
        asked = {
            frame.slot_key(s.slot)
            for s in dialogue.walker.flows[frame.flow_id].steps.values()
            if isinstance(s, AskStep)
        }  # a look-up's own slots (the Receita's name) are shown by their own question
        filled = [
            format_value(key, value, language=turn.language)
            for key, value in turn.state.slots.items()
            if key in asked and before.get(key) != value
        ]
        if filled:
            area = dialogue.walker.caller_label(turn.state, frame)
            details = " · ".join(filled)
            key = "contact_filled" if area else "contact_filled_root"
            turn.say(text(key, turn.language, params={"area": area, "details": details}))

    def _fill_slots(
        self, turn: Turn, dialogue: Dialogue, *, frame: Frame, option: FlowOption
    ) -> None:
        flow = dialogue.walker.flows[frame.flow_id]
        for slot in option.fills:
            step = next(
                (s for s in flow.steps.values() if isinstance(s, AskStep) and s.slot == slot),
                None,
            )
            if step is None:
                continue
            if step.validator == "person_name":
                name = person_name_in(turn.said.body)
                if name is not None:
                    turn.state.set_slot(frame.slot_key(slot), name)
            else:  # "não, a razão social é Pão Quente Comércio Ltda": what follows "é"
                info = dialogue.walker.catalog.get(frame.slot_key(slot))
                named = info is not None and any(fold(n) in turn.said.folded for n in info.names())
                value = value_for(info, turn.said) if info is not None and named else None
                if value is not None and not isinstance(value, Problem):
                    turn.state.set_slot(frame.slot_key(slot), value)
        fill_from_entities(turn, dialogue, frame=frame, skip="")
