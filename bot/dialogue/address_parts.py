"""The parts of an address typed together: a street line with its number ("Rua das Flores 123,
Centro, …") answers the number question too; a number with its complement ("1000, sala 12",
"1500 apto 52", "10th floor") answers the complement question too. Each part so noted is said
back and not asked again."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.dialogue.catalog import fold
from bot.dialogue.state import Frame
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.domain.validators import VALIDATORS, Problem
from flows import AskStep

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = ["STREET_START", "note_complement", "note_number_in_street", "number_and_complement"]

# A street line starts with its type ("Rua", "Av.", "Alameda"…).
STREET_START = re.compile(
    r"^(?:rua|r|avenida|av|alameda|al|travessa|tv|praca|pca|estrada|rodovia|rod|largo|via|"
    r"street|st|avenue|ave|road|rd)\b"
)

# The house number at the end of a street line: "Rua das Flores 123", "Av. Brasil, nº 45".
_HOUSE_NUMBER = re.compile(r"^(?P<street>.*?\D)[\s,]+(?:n[º°o]?\.?\s*)?(?P<number>\d{1,6})\s*$")

# A number, then its complement: "1000, sala 12", "1500 apto 52", "250 - fundos", "12A, bloco B".
_NUMBER_THEN = re.compile(
    r"^(?:(?:o\s+)?n(?:[º°o]|umero|úmero)?\.?\s*)?(?P<number>\d{1,6}[A-Za-z]?)"
    r"(?:\s*[,;/-]\s*|\s+)(?P<rest>.+)$",
    re.IGNORECASE,
)
_COMPLEMENT_WORDS = re.compile(
    r"^(?:sala|salas|sl|apto|apt|ap|apartamento|andar|bloco|bl|casa|conjunto|cj|conj|loja|lj|"
    r"lote|lt|quadra|qd|fundos|frente|box|galpao|sobreloja|cobertura|torre|edificio|ed|"
    r"sem complemento|suite|floor|unit|room|apartment|block|building|tower|\d{1,3}(?:o|º|°|st|nd|"
    r"rd|th)?\s*(?:andar|floor))\b"
)


def number_and_complement(body: str) -> tuple[str, str] | None:
    """ "1000, sala 12" → ("1000", "sala 12"); None when the message is not a number followed by
    a complement."""
    match = _NUMBER_THEN.match(body.strip())
    if match is None:
        return None
    rest = match.group("rest").strip(" .")
    if not _COMPLEMENT_WORDS.match(fold(rest)):
        return None
    return match.group("number"), rest


def note_complement(turn: Turn, dialogue: Dialogue, *, frame: Frame, body: str) -> None:
    """The complement typed with the number, noted for its question and said back."""
    parts = number_and_complement(body)
    if parts is None:
        return
    step = _step(dialogue, frame=frame, validator="complement")
    if step is None or frame.slot_key(step.slot) in turn.state.slots:
        return
    value = VALIDATORS[step.validator](parts[1])
    if isinstance(value, Problem):
        return
    turn.state.set_slot(frame.slot_key(step.slot), value)
    if value:  # "sem complemento": nothing to say back
        label = dialogue.walker.label_of(turn.state, step)
        turn.say(text("also_noted", turn.language, params={"fields": f"{label}: {value}"}))


def note_number_in_street(turn: Turn, dialogue: Dialogue, *, frame: Frame, street: str) -> None:
    """A street line typed with its number ("Rua das Flores 123, Centro, …") answers the
    number question too: it is not asked again."""
    parts = [p.strip() for p in street.split(",")]
    line = (
        f"{parts[0]}, {parts[1]}"
        if len(parts) > 1 and re.fullmatch(r"(?:n[º°o]?\.?\s*)?\d{1,6}", parts[1], re.IGNORECASE)
        else parts[0]
    )
    match = _HOUSE_NUMBER.match(line)
    if match is None or not STREET_START.match(fold(match.group("street"))):
        return
    step = _step(dialogue, frame=frame, validator="address_number")
    if step is None or frame.slot_key(step.slot) in turn.state.slots:
        return
    value = VALIDATORS[step.validator](match.group("number"))
    if not isinstance(value, Problem):
        turn.state.set_slot(frame.slot_key(step.slot), value)
        label = dialogue.walker.label_of(turn.state, step)
        turn.say(text("also_noted", turn.language, params={"fields": f"{label}: {value}"}))


def _step(dialogue: Dialogue, *, frame: Frame, validator: str) -> AskStep | None:
    steps = dialogue.walker.flows[frame.flow_id].steps.values()
    return next((s for s in steps if isinstance(s, AskStep) and s.validator == validator), None)
