"""One handler per kind of interactive flow step (how it asks and takes its answer); the
automatic kinds run in ``bot.dialogue.walker``. ``check_registry`` proves at start-up that
together they cover every step kind of ``flows/schema.py``."""

from __future__ import annotations

from typing import get_args

from bot.dialogue.errors import DialogueError
from bot.dialogue.steps.ask import AskHandler
from bot.dialogue.steps.choice import ChoiceHandler
from bot.dialogue.steps.confirm import ConfirmHandler
from bot.dialogue.steps.document import DocumentStepHandler
from bot.dialogue.walker import AUTOMATIC_STEPS
from flows import AskStep, ChoiceStep, ConfirmStep, DocumentStep
from flows.schema import Step

__all__ = [
    "STEP_HANDLERS",
    "check_registry",
    "AskHandler",
    "ChoiceHandler",
    "ConfirmHandler",
    "DocumentStepHandler",
    "ask",
    "choice",
    "confirm",
    "document",
]

STEP_HANDLERS: dict[type, object] = {
    AskStep: AskHandler(),
    ChoiceStep: ChoiceHandler(),
    ConfirmStep: ConfirmHandler(),
    DocumentStep: DocumentStepHandler(),
}


def check_registry() -> None:
    """Every step kind a flow may use has a handler or an automatic runner, and no kind has
    both."""
    kinds = set(get_args(get_args(Step)[0]))
    interactive, automatic = set(STEP_HANDLERS), set(AUTOMATIC_STEPS)
    missing = kinds - interactive - automatic
    if missing or interactive & automatic:
        names = sorted(k.__name__ for k in missing | (interactive & automatic))
        raise DialogueError(f"step kinds without exactly one handler: {', '.join(names)}")
