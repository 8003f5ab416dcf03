"""Named actions a flow may run (``type: action``); the flow loader refuses any other name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.dialogue.effects import CompanyChecked, Effect, RecordEvent, SaveRegistration
from bot.dialogue.state import DialogueState
from bot.domain.address import AddressLookup
from bot.domain.company import CompanyLookup, NoCompanyLookup


@dataclass
class ActionContext:
    state: DialogueState
    namespace: str
    address_lookup: AddressLookup
    company_lookup: CompanyLookup = field(default_factory=NoCompanyLookup)
    company_young_days: int = 90
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
        for name in ("street", "city", "uf", "district"):
            ctx.state.slots.pop(ctx.key(name), None)
        if ctx.key("street") in ctx.state.answered:
            ctx.state.answered.remove(ctx.key("street"))
        return
    ctx.state.set_slot(ctx.key("street"), found.one_line())  # the client may correct it
    ctx.state.slots[ctx.key("city")] = found.city
    ctx.state.slots[ctx.key("uf")] = found.uf
    ctx.state.slots[ctx.key("district")] = found.district


def lookup_company(ctx: ActionContext) -> None:
    """Asks the Receita (BrasilAPI) about the CNPJ: its legal name is offered to the client to
    confirm instead of typing; what it says (or that it was unavailable) goes to the service,
    which flags odd companies for the CSM and retries an unavailable look-up later."""
    ctx.state.slots.pop(ctx.key("company_suggestion"), None)
    cnpj = ctx.state.slots.get(ctx.key("cnpj"))
    if not isinstance(cnpj, str):
        return
    result = ctx.company_lookup.company(cnpj)
    if result.status == "off":
        return
    ctx.effects.append(CompanyChecked(cnpj=cnpj, result=result, young_days=ctx.company_young_days))
    if result.facts is not None and result.facts.razao_social:
        ctx.state.slots[ctx.key("company_suggestion")] = result.facts.razao_social[:150]


def use_company_suggestion(ctx: ActionContext) -> None:
    """The client confirmed the legal name the Receita gave: it becomes their answer."""
    suggestion = ctx.state.slots.get(ctx.key("company_suggestion"))
    if isinstance(suggestion, str) and suggestion:
        ctx.state.set_slot(ctx.key("company_name"), suggestion)


def save_registration(ctx: ActionContext) -> None:
    ctx.state.saved = True
    ctx.effects.append(SaveRegistration(dict(ctx.state.slots)))


BUILTIN_ACTIONS: dict[str, Action] = {
    "record_consent": record_consent,
    "record_consent_refusal": record_consent_refusal,
    "record_form_refusal": record_form_refusal,
    "copy_self_contact": copy_self_contact,
    "lookup_address": lookup_address,
    "lookup_company": lookup_company,
    "use_company_suggestion": use_company_suggestion,
    "save_registration": save_registration,
}
