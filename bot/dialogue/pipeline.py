"""The turn handlers that belong to no one concept: an empty message, the open repair, an
NPS score, starting, a finished registration, a misunderstanding, and the flow step's answer.

A handler has ``check`` (is this message mine?) and ``handle`` (do it; True when the turn is
complete, False to let the next handlers read the message too). ``DialogueEngine`` runs them
in one ordered list, first match wins.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

from bot.dialogue.dialogue import Outcome
from bot.dialogue.interruptions import INTERRUPTIONS, SMALL_TALK, WEIGHTY, interrupt_each
from bot.dialogue.repairs.clarify import clarify_options
from bot.dialogue.repairs.menu import offer_menu
from bot.dialogue.state import ClarifyPending, DialogueState
from bot.dialogue.texts import text
from bot.dialogue.training.nps import ask_nps_comment
from bot.dialogue.training.offers import BOOKABLE_STAGES, TRAINING_INTENTS, nps_score
from bot.dialogue.turn import Turn
from bot.dialogue.understanding import choices_of, is_dont_know
from bot.domain.onboarding import Stage

if TYPE_CHECKING:
    from bot.dialogue.dialogue import Dialogue

__all__ = [
    "ClarifyHandler",
    "EmptyMessageHandler",
    "ErasureRequestedHandler",
    "FinishedHandler",
    "NpsScoreHandler",
    "RepairHandler",
    "StartHandler",
    "StepAnswerHandler",
    "TurnHandler",
    "UnfitRepairHandler",
]


# A request the NLU ranks first with this much, and no other request near it, is answered
# without asking "você quis dizer…?" (it was below the interruption threshold only).
_CLEAR_ENOUGH = 0.5
# Words that make a hesitant status question plain ("can you tell me what stage I am in?").
_STATUS_WORDS = re.compile(r"\b(etapa|fase|status|andamento|stage|progress|em que pe)\b")


class TurnHandler(Protocol):
    def check(self, turn: Turn, dialogue: Dialogue) -> bool: ...

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool: ...


class EmptyMessageHandler:
    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return not turn.said.body and not turn.said.choice_id

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        turn.say(text("empty_message", turn.language))
        dialogue.ask_again(turn)
        return True


class RepairHandler:
    """The open repair reads the message first; it keeps, drops or answers its question."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return turn.state.pending is not None

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        for _ in range(2):  # a way out may hand the message to the repair it displaced
            pending = turn.state.pending
            if pending is None:
                return False
            turn.state.pending = None
            outcome = dialogue.repairs[pending.kind].take(turn, dialogue, pending=pending)
            if outcome is Outcome.TAKEN:
                return True
            if outcome is Outcome.UNFIT:
                turn.state.pending = pending
                turn.unfit_repair = True
                return False
        return False


class ErasureRequestedHandler:
    """After a confirmed erasure request nothing new is collected: every message is told so
    (commands such as HUMANO and STATUS still work: they come first)."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return turn.state.erasure_requested

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        turn.say(text("erasure_in_progress", turn.language))
        return True


class NpsScoreHandler:
    """A bare 0–10 after a training session is its NPS score."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return turn.context.nps_booking_id is not None and nps_score(turn.said.body) is not None

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        score = nps_score(turn.said.body)
        assert score is not None and turn.context.nps_booking_id is not None
        ask_nps_comment(turn, booking_id=turn.context.nps_booking_id, score=score)
        return True


class UnfitRepairHandler:
    """The open repair could not take the message and nothing else did: it explains."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return turn.unfit_repair and turn.state.pending is not None

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        pending = turn.state.pending
        assert pending is not None
        turn.state.pending = None
        dialogue.repairs[pending.kind].explain(turn, dialogue, pending=pending)
        return True


class StartHandler:
    """The first message starts the registration, or, for a client whose onboarding is past
    it (registered by the team), offers what the chat can do."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return not turn.state.started

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        if turn.context.stage is not Stage.CADASTRO:
            offer_menu(turn, key="known_client_menu")
            return True
        dialogue.start(turn)
        return True


class FinishedHandler:
    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return turn.state.finished

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        if turn.state.slots.get("lgpd_consent") is False:
            # The client refused consent earlier and writes again: the notice once more.
            turn.state = DialogueState(
                language=turn.state.language, language_locked=turn.state.language_locked
            )
            dialogue.start(turn)
            return True
        hello = turn.said.intent == "greet" and turn.said.confidence >= 0.7
        offer_menu(turn, key="finished_menu_hello" if hello else "finished_menu")
        return True


class ClarifyHandler:
    """Not an answer and the NLU hesitates between requests: "você quis dizer…?"; two
    misunderstandings in a row offer a person instead."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        step = dialogue.walker.current_step(turn.state)
        if step is not None and dialogue.steps[type(step)].accepts(turn, dialogue, step=step):
            return False
        said = turn.said
        return bool(self._candidates(turn, dialogue)) or said.intent == "out_of_scope"

    def _candidates(self, turn: Turn, dialogue: Dialogue) -> list[str]:
        floor = dialogue.settings.clarify_min_confidence
        offered = set(INTERRUPTIONS) - SMALL_TALK
        if turn.context.stage not in BOOKABLE_STAGES:
            offered -= TRAINING_INTENTS  # training is not a guess before its stage
        if turn.said.words <= 2:
            offered -= WEIGHTY  # "muitos" is a poor answer, not maybe a complaint
        if is_dont_know(turn.said):
            return []  # "não sei o e-mail dela", "vou ver com meu chefe": the step answers
        return [
            score.name
            for score in turn.said.nlu.intent_ranking[:2]
            if score.name in offered and score.confidence >= floor
        ]

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        state, lang = turn.state, turn.language
        state.misunderstood_count += 1
        if state.misunderstood_count >= dialogue.settings.misunderstandings_before_human:
            state.misunderstood_count = 0
            dialogue.offer_way_out(turn, reason="misunderstood", key="offer_human_misunderstood")
            return True
        candidates = self._candidates(turn, dialogue)
        if not candidates:
            return False  # out of scope: the step explains what it expects
        ranking = turn.said.nlu.intent_ranking
        clear = len(candidates) == 1 and ranking[0].name == candidates[0]
        clear = clear and ranking[0].confidence >= _CLEAR_ENOUGH and turn.said.words > 2
        plain_status = "ask_status" in candidates and _STATUS_WORDS.search(turn.said.folded)
        if clear or plain_status:
            state.misunderstood_count = 0  # one request stands out: no need to ask
            interrupt_each(turn, dialogue, intent=candidates[0] if clear else "ask_status")
            return True
        options = [*candidates, "none"]
        state.pending = ClarifyPending(options=options)
        turn.say(text("clarify", lang), choices_of(clarify_options(options), lang))
        return True


class StepAnswerHandler:
    """The message answers the current flow step (or is refused with an explanation)."""

    def check(self, turn: Turn, dialogue: Dialogue) -> bool:
        return dialogue.walker.current_step(turn.state) is not None

    def handle(self, turn: Turn, dialogue: Dialogue) -> bool:
        turn.state.misunderstood_count = 0
        step = dialogue.walker.current_step(turn.state)
        frame = turn.state.frame
        assert step is not None and frame is not None
        dialogue.steps[type(step)].answer(turn, dialogue, frame=frame, step=step)
        return True
