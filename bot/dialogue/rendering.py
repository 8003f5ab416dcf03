"""Turns slots into text: placeholders in prompts and the review summary."""

from __future__ import annotations

import re
from collections.abc import Mapping

import phonenumbers

from bot.dialogue.catalog import SlotCatalog
from bot.dialogue.state import Frame, SlotValue
from bot.dialogue.texts import text
from bot.domain.fields import format_cnpj
from bot.domain.messages import Choice

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


def format_value(key: str, value: SlotValue, language: str) -> str:
    """How an answer is shown back to the client."""
    if isinstance(value, bool):
        return text("yes" if value else "no", language)
    if value == "":
        return text("empty_value", language)
    name = key.rsplit(".", 1)[-1]
    if name == "cnpj" and isinstance(value, str):
        return format_cnpj(value)
    if name == "cep" and isinstance(value, str) and len(value) == 8:
        return f"{value[:5]}-{value[5:]}"
    if name.endswith("phone") and isinstance(value, str) and value.startswith("+"):
        parsed = phonenumbers.parse(value, None)
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return str(value)


def render_template(
    template: str,
    *,
    frame: Frame,
    slots: Mapping[str, SlotValue],
    params: Mapping[str, str],
    language: str,
) -> str:
    """Fills ``{name}`` from the caller's params, then the frame's slots, then root slots."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in params:
            return params[name]
        for key in (frame.slot_key(name), name):
            if key in slots:
                return format_value(key, slots[key], language)
        return match.group(0)

    return _PLACEHOLDER.sub(replace, template)


def summary_lines(catalog: SlotCatalog, slots: Mapping[str, SlotValue], language: str) -> list[str]:
    return [
        f"• {_capitalized(info.label(language))}: {format_value(info.key, slots[info.key], language)}"
        for info in catalog
        if info.key in slots
    ]


def _capitalized(label: str) -> str:
    return label[:1].upper() + label[1:]


def yes_no_choices(language: str) -> tuple[Choice, ...]:
    """The "Sim" / "Não" buttons of every yes-or-no question the engine asks."""
    return (
        Choice(id="yes", title=text("yes", language)),
        Choice(id="no", title=text("no", language)),
    )
