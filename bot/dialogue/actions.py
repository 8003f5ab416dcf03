"""Named actions a flow may run (``type: action``); the flow loader refuses any other name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.dialogue.effects import Effect, RecordEvent, SaveRegistration
from bot.dialogue.state import DialogueState
from bot.domain.address import AddressLookup


@dataclass
class ActionContext:
    state: DialogueState
    namespace: str
    address_lookup: AddressLookup
    effects: list[Effect] = field(default_factory=list)

    def key(self, slot: str) -> str:
        return f"{self.namespace}.{slot}" if self.namespace else slot


Action = Callable[[ActionContext], None]


def record_consent(ctx: ActionContext) -> None:
    ctx.effects.append(RecordEvent("consent_given"))


def record_consent_refusal(ctx: ActionContext) -> None:
    ctx.effects.append(RecordEvent("consent_refused"))


def record_form_refusal(ctx: ActionContext) -> None:
    ctx.effects.append(RecordEvent("form_refused", "client chose the minimal registration"))


def copy_self_contact(ctx: ActionContext) -> None:
    """ "Same as me": the area contact is the person chatting."""
    slots = ctx.state.slots
    for own, target in (
        ("person_name", "name"),
        ("admin_email", "email"),
        ("admin_phone", "phone"),
    ):
        if own in slots:
            ctx.state.set_slot(ctx.key(target), slots[own])


def lookup_address(ctx: ActionContext) -> None:
    """Fills street, district, city and state from the CEP when the look-up service knows it."""
    cep = ctx.state.slots.get(ctx.key("cep"))
    if not isinstance(cep, str):
        return
    found = ctx.address_lookup.lookup(cep)
    if found is None:
        ctx.state.slots.pop(ctx.key("street"), None)
        return
    ctx.state.slots[ctx.key("street")] = found.one_line()
    ctx.state.slots[ctx.key("city")] = found.city
    ctx.state.slots[ctx.key("uf")] = found.uf
    ctx.state.slots[ctx.key("district")] = found.district


def save_registration(ctx: ActionContext) -> None:
    ctx.state.saved = True
    ctx.effects.append(SaveRegistration(dict(ctx.state.slots)))


BUILTIN_ACTIONS: dict[str, Action] = {
    "record_consent": record_consent,
    "record_consent_refusal": record_consent_refusal,
    "record_form_refusal": record_form_refusal,
    "copy_self_contact": copy_self_contact,
    "lookup_address": lookup_address,
    "save_registration": save_registration,
}
