"""Turns slots into text: placeholders in prompts and the review summary."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

import phonenumbers

from bot.dialogue.catalog import SlotCatalog
from bot.dialogue.state import Frame, SlotValue
from bot.dialogue.texts import text
from bot.domain.messages import Choice
from bot.domain.validators import format_cnpj

_PARTICLES = frozenset({"da", "de", "do", "das", "dos", "e", "di", "du", "van", "von"})


def name_case(name: str) -> str:
    """A person's name typed all in lower or upper case, as it is written ("joao da silva",
    "PEDRO HENRIQUE" → "Joao da Silva", "Pedro Henrique"); a name with its own capitals is
    kept as typed ("Ana McDonald", "Maria de Souza")."""
    letters = [ch for ch in name if ch.isalpha()]
    if not letters or not (name == name.lower() or name == name.upper()):
        return name
    words = name.lower().split(" ")
    return " ".join(
        w if (i and w in _PARTICLES) else "-".join(p[:1].upper() + p[1:] for p in w.split("-"))
        for i, w in enumerate(words)
    )


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


def format_value(key: str, value: SlotValue, *, language: str) -> str:
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


_WEEKDAYS = {
    "pt": ("seg", "ter", "qua", "qui", "sex", "sáb", "dom"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def when(instant: datetime, language: str, *, timezone: str) -> str:
    """ "qui, 26/11 às 14:00" / "Thu 26/11 at 14:00" in the company's time zone."""
    local = instant.astimezone(ZoneInfo(timezone))
    day = _WEEKDAYS["en" if language == "en" else "pt"][local.weekday()]
    if language == "en":
        return f"{day} {local:%d/%m} at {local:%H:%M}"
    return f"{day}, {local:%d/%m} às {local:%H:%M}"


def duration(minutes: int, language: str) -> str:
    """ "30 minutos", "2 horas", "1 hour 30 minutes" (business time is implied by the text)."""
    hours, rest = divmod(max(minutes, 1), 60)
    en = language == "en"
    parts = []
    if hours:
        parts.append(f"{hours} {('hour' if en else 'hora') + ('s' if hours > 1 else '')}")
    if rest:
        parts.append(f"{rest} {('minute' if en else 'minuto') + ('s' if rest > 1 else '')}")
    return (" " if en else " e ").join(parts)


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
                return format_value(key, slots[key], language=language)
        return match.group(0)

    return _PLACEHOLDER.sub(replace, template)


def summary_lines(
    catalog: SlotCatalog, slots: Mapping[str, SlotValue], *, language: str
) -> list[str]:
    return [
        f"• {_capitalized(info.label(language))}: "
        f"{format_value(info.key, slots[info.key], language=language)}"
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
