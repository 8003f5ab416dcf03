"""One repair per question the engine asks outside the flows (``state.pending``'s kind):
how it takes an answer, asks again after an interruption, and explains what it expects.
``check_registry`` proves at start-up that every kind of ``Pending`` has its repair."""

from __future__ import annotations

from typing import Any, get_args

from bot.dialogue.dialogue import Repair
from bot.dialogue.errors import DialogueError
from bot.dialogue.repairs.clarify import ClarifyRepair
from bot.dialogue.repairs.correction import CorrectionRepair, FixChoiceRepair
from bot.dialogue.repairs.document import DocumentRepair
from bot.dialogue.repairs.erasure import ErasureRepair
from bot.dialogue.repairs.human_offer import HumanOfferRepair
from bot.dialogue.repairs.menu import MenuRepair
from bot.dialogue.state import Pending
from bot.dialogue.training.offers import TRAINING_PENDING
from bot.dialogue.training.repair import TrainingRepair

__all__ = [
    "REPAIRS",
    "check_registry",
    "ClarifyRepair",
    "CorrectionRepair",
    "DocumentRepair",
    "ErasureRepair",
    "FixChoiceRepair",
    "HumanOfferRepair",
    "MenuRepair",
    "TrainingRepair",
    "clarify",
    "correction",
    "document",
    "erasure",
    "human_offer",
    "menu",
]

REPAIRS: dict[str, Repair] = {
    "clarify": ClarifyRepair(),
    "fix_choice": FixChoiceRepair(),
    "correction": CorrectionRepair(),
    "confirm_erasure": ErasureRepair(),
    "human_offer": HumanOfferRepair(),
    "confirm_document": DocumentRepair(),
    "menu": MenuRepair(),
    **dict.fromkeys(TRAINING_PENDING, TrainingRepair()),
}


def check_registry() -> None:
    kinds: set[str] = set()
    union: Any = get_args(Pending)[0]
    for model in get_args(union):
        kinds.add(model.model_fields["kind"].default)
    if kinds != set(REPAIRS):
        raise DialogueError(
            f"pending kinds without a repair: {sorted(kinds - set(REPAIRS))}; "
            f"repairs without a pending kind: {sorted(set(REPAIRS) - kinds)}"
        )
