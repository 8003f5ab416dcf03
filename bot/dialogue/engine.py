"""The dialogue manager: one inbound message + state in, replies + new state + effects out.

A message goes through one ordered list of handlers, first match wins (the shape of
python-telegram-bot's ``Application.process_update``); each handler lives with its concept:
documents, language, media, commands and interruptions, repairs (the engine's own open
questions), corrections, steps. The engine does no I/O besides the ports it is given
(address and company look-ups, and what ``ConversationContext`` offers); channels and storage
are the service layer's business.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.dialogue import interruptions, repairs, steps
from bot.dialogue.actions import BUILTIN_ACTIONS, Action
from bot.dialogue.commands import detect_command
from bot.dialogue.contact_change import ContactChangeHandler
from bot.dialogue.contacts_ahead import ContactAheadHandler
from bot.dialogue.context import ConversationContext
from bot.dialogue.corrections import CorrectionHandler, CurrentAnswerHandler
from bot.dialogue.dialogue import Dialogue, EngineSettings
from bot.dialogue.documents import DocumentEventHandler
from bot.dialogue.human import AnyoneThereHandler
from bot.dialogue.interruptions import CommandHandler, InterruptionHandler, OptedOutHandler
from bot.dialogue.language import LanguageRequestHandler, follow_language
from bot.dialogue.later import LaterHandler
from bot.dialogue.media import MediaHandler
from bot.dialogue.on_file import OnFileHandler
from bot.dialogue.pipeline import (
    ClarifyHandler,
    EmptyMessageHandler,
    ErasureRequestedHandler,
    FinishedHandler,
    NpsScoreHandler,
    RepairHandler,
    StartHandler,
    StepAnswerHandler,
    TurnHandler,
    UnfitRepairHandler,
)
from bot.dialogue.readback import ReadBackHandler
from bot.dialogue.state import DialogueState
from bot.dialogue.status_link import offer_status_link
from bot.dialogue.texts import text
from bot.dialogue.training.offers import TrainingDialogue
from bot.dialogue.turn import Turn, Utterance
from bot.dialogue.walker import FlowWalker
from bot.dialogue.why import WhyHandler
from bot.domain.address import AddressLookup, NoAddressLookup
from bot.domain.company import CompanyLookup, NoCompanyLookup
from bot.domain.messages import InboundMessage
from bot.domain.validators import clean_text
from flows import AskStep, ChoiceStep, ConfirmStep, DocumentStep, Flow
from nlu.types import NLUResult

__all__ = ["PIPELINE", "DialogueEngine", "EngineSettings", "Turn"]

# The order is the behaviour: a reading before anything; a language request and a
# command whatever is open; the open repair before corrections and interruptions; the flow
# step last.
PIPELINE: tuple[TurnHandler, ...] = (
    DocumentEventHandler(),  # the reader's result for a file the client sent
    OptedOutHandler(),  # an opted-out client writes: opted in again
    LanguageRequestHandler(),  # "english please": switch and ask again
    MediaHandler(),  # files (acknowledged once), audio, video, locations; captions go on
    EmptyMessageHandler(),
    CommandHandler(),  # SAIR, HUMANO, AJUDA, STATUS
    ErasureRequestedHandler(),  # erasure asked for: nothing new is collected
    RepairHandler(),  # the engine's open question reads the message first
    NpsScoreHandler(),  # "9" after a training session
    AnyoneThereHandler(),  # "tem alguém aí?" while a person was asked for
    WhyHandler(),  # "pra que vocês precisam do CNPJ?": the question's reason, then again
    LaterHandler(),  # "posso terminar amanhã?": yes, and what was answered is kept
    OnFileHandler(),  # "o mesmo que o meu", "vocês já têm": taken from the client's, or said
    ReadBackHandler(),  # "qual email eu passei?": the stored value, then the question again
    CurrentAnswerHandler(),  # "na verdade meu nome é …" at the name question: its answer
    ContactChangeHandler(),  # "na verdade o financeiro é a Beatriz, bia@…": the contact
    ContactAheadHandler(),  # "o de TI é o Pedro Lima" at the finance question: noted
    CorrectionHandler(),  # names an answered field and carries its new value
    InterruptionHandler(),  # status, help, a person, erasure, training, small talk
    UnfitRepairHandler(),  # the open repair explains what it expects
    StartHandler(),  # the first message starts the flow
    FinishedHandler(),  # after the registration: the menu
    ClarifyHandler(),  # "você quis dizer…?"
    StepAnswerHandler(),  # the flow step's answer
)


class DialogueEngine:
    """Runs flows for one conversation at a time; safe to share between threads."""

    def __init__(
        self,
        *,
        flows: Mapping[str, Flow],
        settings: EngineSettings | None = None,
        actions: Mapping[str, Action] | None = None,
        address_lookup: AddressLookup | None = None,
        company_lookup: CompanyLookup | None = None,
    ) -> None:
        steps.check_registry()
        repairs.check_registry()
        interruptions.check_registry()
        self.settings = settings or EngineSettings()
        self.walker = FlowWalker(
            flows=flows,
            root_flow=self.settings.root_flow,
            actions=actions or BUILTIN_ACTIONS,
            address_lookup=address_lookup or NoAddressLookup(),
            company_lookup=company_lookup or NoCompanyLookup(),
            company_young_days=self.settings.company_young_days,
        )
        self.dialogue = Dialogue(
            walker=self.walker,
            settings=self.settings,
            steps=steps.STEP_HANDLERS,  # type: ignore[arg-type]
            repairs=repairs.REPAIRS,
            interruptions=interruptions.INTERRUPTIONS,
            training=TrainingDialogue(),
        )

    @property
    def flows(self) -> dict[str, Flow]:
        return self.walker.flows

    @property
    def address_lookup(self) -> AddressLookup:
        return self.walker.address_lookup

    @property
    def company_lookup(self) -> CompanyLookup:
        return self.walker.company_lookup

    # ----------------------------------------------------------------- entry points
    def handle(
        self,
        state: DialogueState,
        message: InboundMessage,
        *,
        nlu: NLUResult,
        context: ConversationContext,
    ) -> Turn:
        raw = message.text or ""
        limit = self.settings.max_message_chars
        body = clean_text(raw[:limit])
        said = Utterance(message=message, body=body, nlu=nlu, command=detect_command(body))
        turn = Turn(state=state.model_copy(deep=True), context=context, utterance=said)
        if len(raw) > limit:
            turn.say(text("too_long", turn.language))
        if message.document is None:
            follow_language(turn)
        for handler in PIPELINE:
            if handler.check(turn, self.dialogue) and handler.handle(turn, self.dialogue):
                break
        offer_status_link(turn)
        return turn

    def resume(self, state: DialogueState, context: ConversationContext) -> Turn:
        """Asks the current question again, e.g. when a person hands the conversation back
        (the client's request for a person was answered) or for a reminder."""
        turn = Turn(state=state.model_copy(deep=True), context=context)
        turn.state.awaiting_human = False
        if turn.state.started and not turn.state.finished:
            self.dialogue.ask_again(turn)
        return turn

    def greet(self, state: DialogueState, context: ConversationContext) -> Turn:
        """The bot speaks first (the web chat opening): it starts the conversation, or asks
        the current question again, whole, to a client who comes back (the page compares it
        with the last thing it shows, so a reload repeats nothing)."""
        turn = Turn(state=state.model_copy(deep=True), context=context)
        if not turn.state.started:
            self.dialogue.start(turn)
        elif not turn.state.finished:
            self.dialogue.ask_again(turn, whole=True)
        return turn

    def waiting_on(self, state: DialogueState) -> tuple[str, float | None] | None:
        """The label of the question the client has not answered yet and that step's
        ``idle_hours`` (None: the default), or None when the conversation waits for nothing."""
        step = self.walker.current_step(state)
        if not isinstance(step, AskStep | ChoiceStep | ConfirmStep | DocumentStep):
            return None
        return self.walker.label_of(state, step), step.idle_hours
