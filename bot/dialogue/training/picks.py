"""Which answer a scheduling question got: the parts of the client's message it looks at
(``Answer``), the session picked from the offer (a tap, its number), the option picked to manage
a booking (a tap, its number, its title in pt or en, "remarcar"), or "another time"."""

from __future__ import annotations

from dataclasses import dataclass

from bot.dialogue.catalog import fold
from bot.dialogue.context import ConversationContext
from bot.dialogue.texts import text
from bot.dialogue.training.time_phrases import when
from bot.dialogue.understanding import option_number
from bot.domain.messages import Choice, InboundMessage
from bot.domain.training import FreeSlot
from nlu.types import NLUResult

__all__ = [
    "OTHER",
    "Answer",
    "asks_another_time",
    "nps_score",
    "picked_option",
    "picked_slot",
    "slot_choices",
]

OTHER = "other"  # the offer's last choice: "Outro horário"


@dataclass(frozen=True, slots=True)
class Answer:
    """The parts of the client's message the scheduling questions look at."""

    body: str
    message: InboundMessage
    nlu: NLUResult
    yes: bool
    no: bool


def slot_choices(
    slots: list[FreeSlot], language: str, *, context: ConversationContext
) -> tuple[Choice, ...]:
    """The offered sessions as choices, then "Outro horário"."""
    return tuple(
        Choice(id=f"slot:{slot.slot_id}", title=when(slot.starts_at, language, context=context))
        for slot in slots
    ) + (Choice(id=OTHER, title=text("training_other_time", language)),)


def picked_slot(answer: Answer, options: list[str]) -> int | None:
    """The offered session the client picked: its button, or its number in the list."""
    choice = answer.message.choice_id or ""
    if choice.startswith("slot:") and choice.removeprefix("slot:") in options:
        return int(choice.removeprefix("slot:"))
    number = option_number(fold(answer.body))
    if number is not None and 1 <= number <= len(options):
        return int(options[number - 1])
    return None


def picked_option(answer: Answer, options: list[str]) -> str | None:
    """The option picked to manage a booking (reschedule, cancel, keep), in either language."""
    if answer.message.choice_id in options:
        return answer.message.choice_id
    folded = fold(answer.body)
    number = option_number(folded)
    if number is not None and 1 <= number <= len(options):
        return options[number - 1]
    for option in options:
        titles = {fold(text(f"training_{option}_option", lang)) for lang in ("pt", "en")}
        if folded in titles:
            return option
    if "remarc" in folded or "reschedul" in folded:
        return "reschedule"
    return None


def asks_another_time(answer: Answer, options: list[str]) -> bool:
    """Neither of the offered sessions: "Outro horário" tapped or numbered, "não", "outro"."""
    folded = fold(answer.body)
    return (
        answer.message.choice_id == OTHER
        or answer.no
        or any(word in folded for word in ("outro", "outra", "nenhum", "other", "none"))
        or option_number(folded) == len(options) + 1  # "Outro horário", the last choice
    )


def nps_score(body: str) -> int | None:
    """A bare 0–10 score ("9", "nota 10", "10!"), else None."""
    if body.strip().startswith("-"):
        return None
    folded = fold(body).replace("nota", "").strip(" !.")
    return int(folded) if folded.isdigit() and 0 <= int(folded) <= 10 else None
