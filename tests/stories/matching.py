"""Loose matching of replies and effects: what a story's expectations compare against."""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable, Sequence
from enum import Enum

from bot.domain.messages import OutboundMessage

__all__ = ["effect_label", "effect_matches", "fold", "replies_text"]


def fold(text: str) -> str:
    """Case, accents, WhatsApp bold marks (``*``) and runs of white space do not matter."""
    decomposed = unicodedata.normalize("NFKD", text.replace("*", ""))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().split())


def replies_text(replies: Iterable[OutboundMessage]) -> str:
    """Every reply text and choice title of a turn, folded, as one searchable text."""
    parts: list[str] = []
    for reply in replies:
        parts.append(reply.text)
        parts.extend(choice.title for choice in reply.choices)
    return fold("\n".join(parts))


def _scalars(effect: object, *, depth: int = 1) -> list[str]:
    """The effect's values that read as one word or number, in field order; those of a nested
    dataclass (``CompanyChecked.result.status``) follow, ``depth`` levels down."""
    values: list[str] = []
    if not dataclasses.is_dataclass(effect):
        return values
    for field in dataclasses.fields(effect):
        value = getattr(effect, field.name)
        if isinstance(value, Enum):
            values.append(str(value.value))
        elif isinstance(value, bool):
            values.append("true" if value else "false")
        elif isinstance(value, str | int):
            values.append(str(value))
        elif depth > 0 and dataclasses.is_dataclass(value):
            values += _scalars(value, depth=depth - 1)
    return values


def effect_label(effect: object) -> str:
    """``Escalate:request_human``: the class name and its first one-word value, if any."""
    values = [value for value in _scalars(effect) if value]
    name = type(effect).__name__
    return f"{name}:{values[0]}" if values else name


def effect_matches(pattern: str, effect: object) -> bool:
    """``Name`` matches any effect of that class; ``Name:value`` also needs one of its values
    (a reason, a stage, an event kind, a CNPJ, a look-up's status...) to equal ``value``."""
    name, _, value = pattern.partition(":")
    if type(effect).__name__ != name.strip():
        return False
    return not value or value.strip() in _scalars(effect)


def any_effect_matches(pattern: str, effects: Sequence[object]) -> bool:
    return any(effect_matches(pattern, effect) for effect in effects)
