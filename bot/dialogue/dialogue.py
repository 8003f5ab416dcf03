"""The parts every handler shares: the flow walker, the step handlers, the repairs, the
interruptions, and the few moves they all make (ask a step, ask again, refuse an answer).

``DialogueEngine`` builds one ``Dialogue`` and passes it to each handler of its pipeline; the
handlers' modules import this one only for types, so none of them imports another's module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from bot.dialogue.effects import RecordEvent
from bot.dialogue.state import HumanOfferPending, Pending
from bot.dialogue.texts import text
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import Option, choices_of
from bot.dialogue.walker import FlowWalker, Interactive
from bot.domain.onboarding import Stage
from flows import ChoiceStep, ConfirmStep, DocumentStep

if TYPE_CHECKING:
    from bot.dialogue.state import Frame
    from bot.dialogue.training.offers import TrainingDialogue

__all__ = [
    "Dialogue",
    "EngineSettings",
    "Interruption",
    "Outcome",
    "Repair",
    "StepHandler",
    "WAY_OUT",
]


@dataclass(frozen=True)
class EngineSettings:
    root_flow: str = "registration"
    max_message_chars: int = 4000
    explanations_before_way_out: int = 2  # then: a person, or the question again
    interruption_confidence: float = 0.7
    clarify_min_confidence: float = 0.3
    misunderstandings_before_human: int = 2
    company_young_days: int = 90  # a company opened more recently is flagged for the CSM


class Outcome(Enum):
    """What a repair did with a message."""

    TAKEN = "taken"  # it answered the repair's question
    NOT_MINE = "not_mine"  # about something else: the question is dropped
    UNFIT = "unfit"  # not an answer, the question stays open (explained unless handled)


class StepHandler(Protocol):
    """How one kind of interactive flow step asks, and takes its answer."""

    def prompt(
        self,
        turn: Turn,
        dialogue: Dialogue,
        *,
        frame: Frame,
        step: Any,
        with_hint: bool,
        again: bool = False,
    ) -> None:
        """Asks the step; ``again``: the client has seen it already (its ``reask`` if any)."""
        ...

    def accepts(self, turn: Turn, dialogue: Dialogue, *, step: Any) -> bool: ...

    def answer(self, turn: Turn, dialogue: Dialogue, *, frame: Frame, step: Any) -> None: ...


class Repair(Protocol):
    """One question the engine asks outside the flow (``state.pending`` of one kind)."""

    def take(self, turn: Turn, dialogue: Dialogue, *, pending: Any) -> Outcome: ...

    def reask(self, turn: Turn, dialogue: Dialogue, *, pending: Any) -> None: ...

    def explain(self, turn: Turn, dialogue: Dialogue, *, pending: Any) -> None:
        """After ``UNFIT`` when nothing else took the message: what the question expects."""
        ...


class Interruption(Protocol):
    """What the bot does when a client asks for something else mid-question."""

    def __call__(self, turn: Turn, dialogue: Dialogue) -> None: ...


# The way out after answers the bot could not take: a person, or the question again.
WAY_OUT = (
    Option("human", ("Falar com uma pessoa", "Talk to a person"), meaning="yes",
           aliases=("pessoa", "humano", "atendente", "person", "human", "sim", "yes")),
    Option("retry", ("Tentar de novo", "Try again"), meaning="no",
           aliases=("tentar", "de novo", "again", "retry", "nao", "no", "continuar")),
)  # fmt: skip


class Dialogue:
    """The shared parts; built once per engine, safe to share between threads."""

    def __init__(
        self,
        *,
        walker: FlowWalker,
        settings: EngineSettings,
        steps: Mapping[type, StepHandler],
        repairs: Mapping[str, Repair],
        interruptions: Mapping[str, Interruption],
        training: TrainingDialogue,
    ) -> None:
        self.walker = walker
        self.settings = settings
        self.steps = dict(steps)
        self.repairs = dict(repairs)
        self.interruptions = dict(interruptions)
        self.training = training

    # ----------------------------------------------------------------- moving through flows
    def start(self, turn: Turn) -> None:
        turn.state.pending = None
        self._ask_reached(turn, self.walker.start(turn))

    def goto(self, turn: Turn, step_id: str | None) -> None:
        self._ask_reached(turn, self.walker.goto(turn, step_id))

    def advance(self, turn: Turn) -> None:
        """After a slot was filled out of order: skips what is answered, asks what is next."""
        self._ask_reached(turn, self.walker.advance(turn))

    def _ask_reached(self, turn: Turn, step: Interactive | None) -> None:
        if step is not None and turn.state.pending is None:
            self.prompt_step(turn, step)

    def prompt_step(
        self, turn: Turn, step: Interactive, *, with_hint: bool = False, again: bool = False
    ) -> None:
        frame = turn.state.frame
        if frame is not None:
            self.steps[type(step)].prompt(
                turn, self, frame=frame, step=step, with_hint=with_hint, again=again
            )

    def prompt_current(self, turn: Turn, *, with_hint: bool = False, again: bool = False) -> None:
        step = self.walker.current_step(turn.state)
        if step is not None:
            self.prompt_step(turn, step, with_hint=with_hint, again=again)

    def ask_again(self, turn: Turn, *, with_hint: bool = False, whole: bool = False) -> None:
        """The question the client owes an answer to: an open repair's, else the step's —
        the question alone (a step's ``reask``: never the greeting and notice again), unless
        ``whole`` or the language changed this turn (the client has not read it in this one)."""
        pending = turn.state.pending
        if turn.question_held:
            return  # another request of the same message comes next
        if turn.state.erasure_requested and pending is None:
            return  # erasure asked for: nothing new is collected
        if pending is not None:
            self.repairs[pending.kind].reask(turn, self, pending=pending)
        elif not turn.state.started:
            if turn.context.stage is Stage.CADASTRO:
                self.start(turn)  # past it, the registration is not asked again
        else:
            step = self.walker.current_step(turn.state)
            if turn.reading_awaited and isinstance(step, DocumentStep):
                return  # the reading of the file just sent comes next
            again = not whole and not any(
                isinstance(e, RecordEvent) and e.kind == "language_changed" for e in turn.effects
            )
            self.prompt_current(turn, with_hint=with_hint, again=again)

    def current_label(self, turn: Turn) -> str:
        return self.walker.label_of(turn.state, self.walker.current_step(turn.state))

    # ----------------------------------------------------------------- answers not taken
    def reject(self, turn: Turn, explanation: str, *, pending: Pending | None = None) -> None:
        """An answer the question could not take: a specific explanation and the question
        again, at most ``explanations_before_way_out`` times; then the way out."""
        state = turn.state
        state.invalid_count += 1
        if state.invalid_count > self.settings.explanations_before_way_out:
            self.offer_way_out(turn, displaced=pending)
            return
        turn.say(explanation)
        state.pending = pending
        self.ask_again(turn, with_hint=True)

    def offer_way_out(
        self,
        turn: Turn,
        *,
        reason: str = "repeated_invalid",
        displaced: Pending | None = None,
        key: str = "",
    ) -> None:
        step = self.walker.current_step(turn.state)
        choices = displaced is None and isinstance(step, ChoiceStep | ConfirmStep)
        key = key or ("offer_human_choices" if choices else "offer_human")
        turn.state.invalid_count = 0
        turn.state.pending = HumanOfferPending(
            reason=reason, then=displaced.model_dump(mode="json") if displaced else None
        )
        turn.say(text(key, turn.language), choices_of(WAY_OUT, turn.language))

    def interrupt(self, turn: Turn, intent: str) -> None:
        self.interruptions[intent](turn, self)
