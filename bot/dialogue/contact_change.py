"""A contact replaced in one message: "na verdade o financeiro é a Beatriz, bia@empresa.com.br"
after "Sou eu" (or after another person). The area's contact becomes that person — name, and
the e-mail and mobile the message gives; what it does not give is asked next (the old ones
were someone else's) — and the bot says back what changed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.dialogue.catalog import SlotInfo, fold
from bot.dialogue.corrections import has_marker
from bot.dialogue.effects import SlotChanged
from bot.dialogue.person_names import person_name_in
from bot.dialogue.state import CorrectionPending, SlotValue
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.wording import format_value, name_case
from bot.domain.validators import VALIDATORS

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["ContactChangeHandler", "ask_contact_field", "contact_change"]

# After the area: "o financeiro é a Beatriz", "finance is Bob Jones", "do TI agora: Carlos".
_AFTER = re.compile(r"(?:(?<![\w-])(?:é|eh|e agora|agora é|is|now is|será|sera)(?![\w-])|[:=])")


_SOMEONE_ELSE = re.compile(
    r"(?<!\w)(?:outra pessoa|outro|outra|nao sou eu|someone else|another person|not me)(?!\w)"
)


@dataclass(frozen=True, slots=True)
class ContactChange:
    namespace: str
    area: SlotInfo
    name: str
    email: str | None
    phone: str | None


def contact_change(turn: Turn, dialogue: Dialogue) -> ContactChange | None:
    """The area and the new person a correction-phrased message names, or None."""
    said, state = turn.said, turn.state
    if said.choice_id or state.pending is not None or turn.unfit_repair:
        return None
    if not (has_marker(said) or said.intent == "correct_data"):
        return None
    catalog = dialogue.walker.catalog
    areas = catalog.areas_said(said.body)
    if len(areas) != 1:
        return None
    namespace = areas[0].namespace
    if f"{namespace}.name" not in state.slots:
        return None  # the area was not answered yet: its question takes it
    fields = [f"{namespace}.email", f"{namespace}.phone", f"{namespace}.name"]
    if catalog.mentioned_all(said.body, answered=fields, slots=state.slots):
        return None  # "o e-mail do financeiro é …": that field's correction
    found = _AFTER.search(said.body)
    rest = said.body[found.end() :] if found else ""
    name = person_name_in(rest) if found else None
    if (
        name is None
        and _SOMEONE_ELSE.search(fold(rest))
        and state.slots.get(f"{namespace}.same_as_me")
    ):
        name = ""  # "o financeiro é outra pessoa" after "Sou eu": the name is asked
    elif name is None or fold(name) == fold(str(state.slots[f"{namespace}.name"])):
        return None
    return ContactChange(
        namespace=namespace,
        area=areas[0],
        name=name_case(name) if name else "",
        email=_valid(said.nlu.first("email"), "email"),
        phone=_valid(said.nlu.first("phone"), "mobile_phone"),
    )


def _valid(entity: object, validator: str) -> str | None:
    value = getattr(entity, "value", None)
    if not isinstance(value, str):
        return None
    checked = VALIDATORS[validator](value)
    return checked if isinstance(checked, str) else None


class ContactChangeHandler:
    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return contact_change(turn, dialogue) is not None

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        change = contact_change(turn, dialogue)
        assert change is not None
        state, lang, ns = turn.state, turn.language, change.namespace
        new: dict[str, SlotValue | None] = {
            f"{ns}.same_as_me": False,
            f"{ns}.name": change.name or None,
            f"{ns}.email": change.email,
            f"{ns}.phone": change.phone,
        }
        shown: list[str] = []
        for key, value in new.items():
            if value is None:
                state.slots.pop(key, None)
                if key in state.answered:
                    state.answered.remove(key)
                continue
            old = state.set_slot(key, value)
            if old != value:
                turn.effects.append(SlotChanged(key, old, value))
            if not key.endswith(".same_as_me"):
                shown.append(format_value(key, value, language=lang))
        area = change.area.namespace_label.get(lang) if change.area.namespace_label else ns
        if shown:
            details = " · ".join(shown)
            turn.say(text("contact_replaced", lang, params={"area": area, "details": details}))
        missing = [k for k, v in new.items() if v is None]
        if missing:
            state.pending = CorrectionPending(slot=missing[0], then=missing[1:])
            ask_contact_field(turn, dialogue, key=missing[0])
            return True
        if state.saved:
            dialogue.walker.run_action(turn, "save_registration", namespace="")
        dialogue.ask_again(turn)
        return True


def ask_contact_field(turn: Turn, dialogue: Dialogue, *, key: str) -> None:
    """ "E o celular de Beatriz?": a field of a contact just replaced."""
    info = dialogue.walker.catalog.get(key)
    name = turn.state.slots.get(f"{key.rsplit('.', 1)[0]}.name", "")
    if not name and info is not None and info.namespace_label is not None:
        area = info.namespace_label.get(turn.language)  # the name itself is asked
        turn.say(text("ask_contact_name", turn.language, params={"area": area}))
        return
    label = info.step.label.get(turn.language) if info is not None else key
    params = {"label": label, "name": name}
    turn.say(text("ask_contact_field", turn.language, params=params))
