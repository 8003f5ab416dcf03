"""``ask`` steps: a free or structured answer checked by the step's validator."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.corrections import not_an_answer, other_entity
from bot.dialogue.state import Frame, SlotValue
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn, Utterance
from bot.dialogue.understanding import is_dont_know
from bot.domain.validators import FREE_TEXT_VALIDATORS, VALIDATORS, Problem, validate_cnpj
from flows import AskStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["AskHandler", "fill_from_entities"]


class AskHandler:
    def prompt(
        self, turn: Turn, dialogue: Dialogue, *, frame: Frame, step: AskStep, with_hint: bool
    ) -> None:
        body = dialogue.walker.render(step.prompt.get(turn.language), frame, state=turn.state)
        if with_hint and step.hint is not None:
            body = f"{body}\n{step.hint.get(turn.language)}"
        turn.say(body)

    def accepts(self, turn: Turn, dialogue: Dialogue, *, step: AskStep) -> bool:
        if step.unknown is not None and is_dont_know(turn.said):
            return True
        return not isinstance(self.value(turn, dialogue, step=step), Problem)

    def value(self, turn: Turn, dialogue: Dialogue, *, step: AskStep) -> SlotValue | Problem:
        said = turn.said
        validator = VALIDATORS[step.validator]
        found = said.nlu.first(step.entity) if step.entity else None
        if found is not None:
            value = validator(found.value)
            if not isinstance(value, Problem):
                return value
        if not_an_answer(said, dialogue, validator=step.validator) or _identifier_only(said, step):
            return Problem("not_an_answer")
        own = _said_after_intro(said, step)
        if own is not None:  # "meu nome é Maria da Silva", "a razão social é …"
            value = validator(own)
            if not isinstance(value, Problem):
                return value
        if step.entity is None and other_entity(said, None) and step.validator == "employees":
            return Problem("employees_number")  # a CEP or a phone is never a head count
        return validator(said.body)

    def answer(self, turn: Turn, dialogue: Dialogue, *, frame: Frame, step: AskStep) -> None:
        if step.unknown is not None and is_dont_know(turn.said):
            turn.state.invalid_count = 0
            dialogue.goto(turn, step.unknown)  # "não sei o CEP": the address instead
            return
        value = self.value(turn, dialogue, step=step)
        lang = turn.language
        if isinstance(value, Problem):
            label = dialogue.walker.label_of(turn.state, step)
            params = {**value.params, "said": turn.said.body[:60], "label": label}
            dialogue.reject(turn, text(value.code, lang, params=params))
            return
        turn.state.set_slot(frame.slot_key(step.slot), value)
        turn.state.invalid_count = 0
        fill_from_entities(turn, dialogue, frame=frame, skip=step.slot)
        if step.after is not None:
            dialogue.walker.run_action(turn, step.after, namespace=frame.namespace)
        dialogue.goto(turn, step.next)


_INTRO = re.compile(
    r"^(?:(?:oi|ola|olá|bom dia|boa tarde|hi|hello)[,!.]?\s+)?"
    r"(?:(?:o\s+)?meu nome(?: completo)?(?: é| e|:)|me chamo|eu sou|sou|aqui é|aqui quem fala é|"
    r"(?:a\s+)?razão social(?: é| e|:)|(?:o\s+)?nome da empresa(?: é| e|:)|"
    r"(?:a\s+)?empresa (?:é|se chama)|my name is|i am|i'm|this is|the company is|"
    r"the company name is)\s+(.+?)[.!]*$",
    re.IGNORECASE,
)


def _said_after_intro(said: Utterance, step: AskStep) -> str | None:
    """The answer after "meu nome é", "a razão social é", "my name is" in a free text."""
    if step.validator not in ("person_name", "company_name"):
        return None
    match = _INTRO.match(said.body.strip())
    return match.group(1).strip() if match else None


def _identifier_only(said: Utterance, step: AskStep) -> bool:
    """A CNPJ, e-mail, phone or CEP alone is never a name or a company ("12.ABC.345/01DE-35"
    is not a razão social)."""
    if step.validator not in FREE_TEXT_VALIDATORS or step.validator == "address_number":
        return False
    covered = sum(e.end - e.start for e in said.nlu.entities if e.entity in _IDENTIFIERS)
    if covered and covered >= len(said.body.strip()) * 0.7:
        return True
    return not isinstance(validate_cnpj(said.body), Problem)


_IDENTIFIERS = frozenset({"cnpj", "cpf", "email", "phone", "cep"})


def fill_from_entities(turn: Turn, dialogue: Dialogue, *, frame: Frame, skip: str) -> None:
    """A client who sends CNPJ and e-mail in one message is not asked for them again."""
    flow = dialogue.walker.flows[frame.flow_id]
    for entity in turn.said.nlu.entities:
        steps = [
            s
            for s in flow.steps.values()
            if isinstance(s, AskStep)
            and s.entity == entity.entity
            and s.slot != skip
            and frame.slot_key(s.slot) not in turn.state.slots
        ]
        if len(steps) != 1:
            continue
        value = VALIDATORS[steps[0].validator](entity.value)
        if not isinstance(value, Problem):
            turn.state.set_slot(frame.slot_key(steps[0].slot), value)
