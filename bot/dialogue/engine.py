"""The dialogue manager: one inbound message + state in, replies + new state + effects out.

It walks declarative flows (``flows/definitions``), validates answers, handles interruptions
(status, help, a human, opt-out, erasure, corrections) at any step and then resumes the step it
left. It does no I/O of its own besides the ports it is given; channels and storage are the
service layer's business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.dialogue.actions import BUILTIN_ACTIONS, Action, ActionContext
from bot.dialogue.catalog import SlotCatalog, SlotInfo, fold
from bot.dialogue.commands import Command, detect_command, detect_language_request
from bot.dialogue.context import ConversationContext
from bot.dialogue.effects import (
    DocumentConfirmed,
    Effect,
    Escalate,
    OptIn,
    OptOut,
    RecordEvent,
    RequestErasure,
    SetStage,
    SlotChanged,
)
from bot.dialogue.errors import DialogueError
from bot.dialogue.rendering import (
    format_value,
    render_template,
    summary_lines,
    yes_no_choices,
)
from bot.dialogue.scheduling import (
    TRAINING_INTENTS,
    TRAINING_PENDING,
    Answer,
    TrainingDialogue,
    nps_score,
)
from bot.dialogue.state import DialogueState, Frame, Pending, SlotValue
from bot.dialogue.status import status_text
from bot.dialogue.texts import text
from bot.domain.address import AddressLookup, NoAddressLookup
from bot.domain.company import CompanyLookup, NoCompanyLookup
from bot.domain.documents import FIELD_LABELS, KIND_LABELS, DocumentReading
from bot.domain.fields import FREE_TEXT_VALIDATORS, VALIDATORS, Problem, clean_text
from bot.domain.messages import Choice, InboundMessage, OutboundMessage
from flows import (
    ActionStep,
    AskStep,
    BranchStep,
    CallStep,
    ChoiceStep,
    Condition,
    ConfirmStep,
    DocumentStep,
    EndStep,
    Flow,
    HandoffStep,
    Option,
    SayStep,
    SetStageStep,
)
from nlu.types import NLUResult

# Intents that interrupt whatever step the client is on.
INTERRUPTIONS = frozenset(
    {
        "ask_status",
        "help",
        "request_human",
        "opt_out",
        "delete_data",
        "correct_data",
        "complain",
        "ask_documents",
        "schedule_training",
        "reschedule_training",
        "cancel_training",
        "greet",
        "thank",
        "goodbye",
    }
)
# Not worth a clarifying question: a greeting or thanks is answered only when it is clear.
SMALL_TALK = frozenset({"greet", "thank", "goodbye"})
_MAX_AUTOMATIC_STEPS = 200
_FIX = "__fix__"
_OK = "__ok__"


@dataclass
class Turn:
    """The outcome of one inbound message."""

    state: DialogueState
    replies: list[OutboundMessage] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    def say(self, body: str, choices: tuple[Choice, ...] = ()) -> None:
        if body or choices:
            self.replies.append(OutboundMessage(text=body, choices=choices))


@dataclass(frozen=True)
class EngineSettings:
    root_flow: str = "registration"
    max_message_chars: int = 4000
    invalid_answers_before_human: int = 3
    interruption_confidence: float = 0.7
    clarify_min_confidence: float = 0.2
    misunderstandings_before_human: int = 2
    company_young_days: int = 90  # a company opened more recently is flagged for the CSM


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
        self.settings = settings or EngineSettings()
        if self.settings.root_flow not in flows:
            raise DialogueError(f"root flow '{self.settings.root_flow}' is not loaded")
        self.flows = dict(flows)
        self.actions = dict(actions or BUILTIN_ACTIONS)
        self.address_lookup = address_lookup or NoAddressLookup()
        self.company_lookup = company_lookup or NoCompanyLookup()
        self.catalog = SlotCatalog(self.flows, self.settings.root_flow)
        self.training = TrainingDialogue()
        root = self.flows[self.settings.root_flow]
        self.document_steps: dict[str, DocumentStep] = {
            kind: step
            for step in root.steps.values()
            if isinstance(step, DocumentStep)
            for kind in step.kinds
        }

    # ----------------------------------------------------------------- entry point
    def handle(
        self,
        state: DialogueState,
        message: InboundMessage,
        nlu: NLUResult,
        context: ConversationContext,
    ) -> Turn:
        turn = Turn(state=state.model_copy(deep=True))
        raw = message.text or ""
        body = clean_text(raw[: self.settings.max_message_chars])
        if len(raw) > self.settings.max_message_chars:
            turn.say(text("too_long", turn.state.language))
        self._pick_language(turn, body, nlu)
        command = detect_command(body)
        if context.opted_out and command is not Command.OPT_OUT:
            turn.effects.append(OptIn())
            if command is Command.OPT_IN:
                turn.say(text("opted_in", turn.state.language))
                if turn.state.started and not turn.state.finished:
                    self._prompt_current(turn, context)
                return turn
        if message.document is not None:
            return self._document_read(turn, message.document, context)
        if not body and not message.choice_id:
            if message.media:
                return self._media_received(turn, context)
            turn.say(text("empty_message", turn.state.language))
            self._prompt_current(turn, context)
            return turn
        if turn.state.pending is not None and self._handle_pending(
            turn, body, message, nlu, context
        ):
            return turn
        score = nps_score(body) if context.nps_booking_id is not None else None
        if score is not None and context.nps_booking_id is not None:
            self.training.nps(turn, context.nps_booking_id, score)
            return turn
        intent = self._interruption(turn, body, message, nlu, command)
        if intent is not None:
            self._interrupt(turn, intent, body, nlu, context)
            return turn
        if not turn.state.started:
            self._start(turn, context)
            return turn
        if turn.state.finished:
            return self._after_finish(turn, nlu, context)
        if self._clarify(turn, body, message, nlu, context):
            return turn
        turn.state.misunderstood_count = 0
        self._answer(turn, body, message, nlu, context)
        return turn

    # ----------------------------------------------------------------- clarification
    def _clarify(
        self,
        turn: Turn,
        body: str,
        message: InboundMessage,
        nlu: NLUResult,
        context: ConversationContext,
    ) -> bool:
        """Not a valid answer and the NLU hesitates between requests: ask which one was meant.

        Two misunderstandings in a row offer a person instead.
        """
        step = self._current_step(turn.state)
        if self._accepts(step, body, message, nlu):
            return False
        candidates = [
            score.name
            for score in nlu.intent_ranking[:2]
            if score.name in INTERRUPTIONS - SMALL_TALK
            and score.confidence >= self.settings.clarify_min_confidence
        ]
        lang = turn.state.language
        if not candidates and nlu.intent.name != "out_of_scope":
            return False
        turn.state.misunderstood_count += 1
        if turn.state.misunderstood_count >= self.settings.misunderstandings_before_human:
            turn.state.misunderstood_count = 0
            turn.state.pending = Pending(kind="human_offer", slot="misunderstood")
            turn.say(text("offer_human_misunderstood", lang), yes_no_choices(lang))
            return True
        if not candidates:
            return False  # out of scope: the step explains what it expects
        options = [*candidates, "none"]
        turn.state.pending = Pending(kind="clarify", options=options)
        choices = tuple(
            Choice(
                id=name, title=text("clarify_none" if name == "none" else f"intent_{name}", lang)
            )
            for name in options
        )
        turn.say(text("clarify", lang), choices)
        return True

    def _accepts(self, step: object, body: str, message: InboundMessage, nlu: NLUResult) -> bool:
        if isinstance(step, AskStep):
            return not isinstance(self._validate(step, body, nlu), Problem)
        if isinstance(step, ChoiceStep):
            return _match_option(step.options, body, message, nlu) is not None
        if isinstance(step, ConfirmStep):
            return (
                _pick(body, message, [_OK, _FIX]) is not None
                or _is_yes(body, message, nlu)
                or _is_no(body, message, nlu)
            )
        return step is None

    def resume(self, state: DialogueState, context: ConversationContext) -> Turn:
        """Asks the current question again, e.g. when a person hands the conversation back."""
        turn = Turn(state=state.model_copy(deep=True))
        if turn.state.started and not turn.state.finished:
            self._prompt_current(turn, context)
        return turn

    def greet(self, state: DialogueState, context: ConversationContext) -> Turn:
        """The bot speaks first (the web chat opening): it starts the conversation, or asks
        the current question again to a client who comes back."""
        turn = Turn(state=state.model_copy(deep=True))
        if not turn.state.started:
            self._start(turn, context)
        elif not turn.state.finished:
            self._prompt_current(turn, context)
        return turn

    def waiting_on(self, state: DialogueState) -> tuple[str, float | None] | None:
        """The label of the question the client has not answered yet and that step's
        ``idle_hours`` (None: the default), or None when the conversation waits for nothing."""
        if not state.started or state.finished:
            return None
        step = self._current_step(state)
        if not isinstance(step, AskStep | ChoiceStep | ConfirmStep | DocumentStep):
            return None
        return self._current_label(state), step.idle_hours

    # ----------------------------------------------------------------- language
    def _pick_language(self, turn: Turn, body: str, nlu: NLUResult) -> None:
        state = turn.state
        requested = detect_language_request(body)
        if requested is not None:
            if requested != state.language:
                state.language = "en" if requested == "en" else "pt"
                turn.say(text("language_switched", requested))
                turn.effects.append(RecordEvent("language_changed", requested))
            state.language_locked = True
            return
        if state.language_locked or nlu.language not in ("pt", "en"):
            return
        words = len(body.split())
        # Free-text answers (names, addresses) say little about the language: only the first
        # message and longer questions or requests switch it.
        if (not state.started and words >= 1) or (words >= 4 and nlu.intent.name != "inform"):
            if nlu.language != state.language:
                state.language = "en" if nlu.language == "en" else "pt"
                turn.effects.append(RecordEvent("language_changed", state.language))

    # ----------------------------------------------------------------- interruptions
    def _interruption(
        self,
        turn: Turn,
        body: str,
        message: InboundMessage,
        nlu: NLUResult,
        command: Command | None,
    ) -> str | None:
        if command is not None and command is not Command.OPT_IN:
            return command.intent
        intent = nlu.intent.name
        if (
            intent not in INTERRUPTIONS
            or nlu.intent.confidence < self.settings.interruption_confidence
        ):
            return None
        if intent == "greet" and (not turn.state.started or turn.state.finished):
            return None
        step = self._current_step(turn.state)
        if isinstance(step, AskStep) and step.validator not in FREE_TEXT_VALIDATORS:
            if not isinstance(self._validate(step, body, nlu), Problem):
                return None  # a valid CNPJ / e-mail / phone is an answer, whatever else it says
        if isinstance(step, ChoiceStep) and _match_option(step.options, body, message, None):
            return None  # "outra pessoa" is an option here, whatever else it may sound like
        if isinstance(step, ConfirmStep) and (
            message.choice_id or _pick(body, message, [_OK, _FIX])
        ):
            return None
        return intent

    def _interrupt(
        self, turn: Turn, intent: str, body: str, nlu: NLUResult, context: ConversationContext
    ) -> None:
        lang = turn.state.language
        resume = turn.state.started and not turn.state.finished
        if intent == "opt_out":
            turn.effects.append(OptOut())
            turn.say(text("opted_out", lang))
            return
        if intent == "opt_in":
            turn.effects.append(OptIn())
            turn.say(text("opted_in", lang))
        elif intent == "ask_status":
            turn.say(status_text(turn.state, context, self._current_label(turn.state)))
        elif intent == "help":
            turn.say(text("help", lang))
        elif intent == "request_human":
            turn.effects.append(Escalate("request_human", body[:500]))
            turn.say(text("escalated", lang))
        elif intent == "complain":
            turn.effects.append(Escalate("complaint", body[:500]))
            turn.say(text("complaint", lang))
        elif intent == "delete_data":
            turn.state.pending = Pending(kind="confirm_erasure")
            turn.say(text("confirm_erasure", lang), yes_no_choices(lang))
            return
        elif intent == "correct_data":
            if self._start_correction(turn, body, nlu, context):
                return
        elif intent == "ask_documents":
            turn.say(text("documents_info", lang))
        elif intent in TRAINING_INTENTS:
            self.training.request(turn, intent, body=body, nlu=nlu, context=context)
            if turn.state.pending is not None:
                return  # the client answers the scheduling question first
        elif intent == "greet":
            turn.say(text("greet_again", lang))
        elif intent == "thank":
            turn.say(text("thanks_reply", lang))
        elif intent == "goodbye":
            turn.say(text("goodbye_reply", lang))
            return
        if not turn.state.started:
            self._start(turn, context)
        elif resume:
            self._prompt_current(turn, context)

    # ----------------------------------------------------------------- corrections
    def _start_correction(
        self, turn: Turn, body: str, nlu: NLUResult, context: ConversationContext
    ) -> bool:
        """Applies "o e-mail certo é x@y.com" at once, or asks for the new value / the field.

        Returns True when it asked a question (so the current step is not prompted again).
        """
        lang = turn.state.language
        target = self.catalog.mentioned(body, answered=turn.state.answered)
        if target is None:
            return self._ask_which_field(turn)
        if target.step.entity is not None:
            value = self._validate(target.step, body, nlu)
            if not isinstance(value, Problem):
                dropped = self._apply_correction(turn, target, value, context)
                if dropped is not None:
                    self._ask_again(turn, dropped)
                    return True
                return False
        turn.state.pending = Pending(kind="correction", slot=target.key)
        turn.say(text("ask_new_value", lang, {"label": target.label(lang)}))
        return True

    def _ask_which_field(self, turn: Turn) -> bool:
        lang = turn.state.language
        keys = [info.key for info in self.catalog if info.key in turn.state.slots]
        if not keys:
            turn.say(text("nothing_to_fix", lang))
            return False
        turn.state.pending = Pending(kind="fix_choice", options=keys)
        choices = tuple(
            Choice(id=key, title=info.label(lang))
            for key in keys
            if (info := self.catalog.get(key)) is not None
        )
        turn.say(text("ask_which_field", lang), choices)
        return True

    def _apply_correction(
        self, turn: Turn, info: SlotInfo, value: SlotValue, context: ConversationContext
    ) -> SlotInfo | None:
        """Stores the new value and reruns the slot's ``after`` action; returns an answer the
        action had to drop (a new CEP the look-up does not know clears the street)."""
        lang = turn.state.language
        answered_before = set(turn.state.slots)
        old = turn.state.set_slot(info.key, value)
        turn.effects.append(SlotChanged(info.key, old, value))
        turn.say(
            text(
                "corrected",
                lang,
                {"label": info.label(lang), "value": format_value(info.key, value, lang)},
            )
        )
        if info.step.after is not None:
            namespace = info.key.rsplit(".", 1)[0] if "." in info.key else ""
            self._run_action(turn, info.step.after, namespace)
        if turn.state.saved:
            # After the review the stored registration must follow the correction.
            self._run_action(turn, "save_registration", "")
        dropped = [
            i for i in self.catalog if i.key in answered_before and i.key not in turn.state.slots
        ]
        return dropped[0] if dropped else None

    def _ask_again(self, turn: Turn, info: SlotInfo) -> None:
        turn.state.pending = Pending(kind="correction", slot=info.key)
        turn.say(info.step.prompt.get(turn.state.language))

    # ----------------------------------------------------------------- pending questions
    def _handle_pending(
        self,
        turn: Turn,
        body: str,
        message: InboundMessage,
        nlu: NLUResult,
        context: ConversationContext,
    ) -> bool:
        """Answers the engine's own open question; False when the message is about something else."""
        pending = turn.state.pending
        assert pending is not None
        lang = turn.state.language
        yes = _is_yes(body, message, nlu)
        no = _is_no(body, message, nlu)
        turn.state.pending = None
        if pending.kind in TRAINING_PENDING:
            answer = Answer(body=body, message=message, nlu=nlu, yes=yes, no=no)
            if not self.training.answer(turn, pending, answer, context):
                return False
            if turn.state.pending is None and turn.state.started and not turn.state.finished:
                self._prompt_current(turn, context)  # back to the registration question
            return True
        if pending.kind == "confirm_erasure":
            if yes:
                turn.effects.append(RequestErasure())
                turn.say(text("erasure_requested", lang))
                return True
            turn.say(text("erasure_cancelled", lang))
            if not no:
                return False
            self._prompt_current(turn, context)
            return True
        if pending.kind == "human_offer":
            if yes:
                reason = pending.slot or "repeated_invalid"
                turn.effects.append(Escalate(reason, self._current_label(turn.state)))
                turn.say(text("escalated", lang))
                self._prompt_current(turn, context)
                return True
            return False
        if pending.kind == "clarify":
            picked = _pick(body, message, pending.options)
            if picked is None or picked == "none":
                if picked == "none":
                    self._prompt_current(turn, context)
                    return True
                return False
            turn.state.misunderstood_count = 0  # understood after all
            self._interrupt(turn, picked, body, nlu, context)
            return True
        if pending.kind == "confirm_document":
            if not (yes or no):
                turn.state.pending = pending
                turn.say(text("document_confirm", lang), yes_no_choices(lang))
                return True
            self._confirm_document(turn, pending, yes=yes, context=context)
            return True
        if pending.kind == "fix_choice":
            key = _pick(body, message, pending.options)
            info = self.catalog.get(key) if key else None
            if info is None:
                return False
            turn.state.pending = Pending(kind="correction", slot=info.key)
            turn.say(text("ask_new_value", lang, {"label": info.label(lang)}))
            return True
        if pending.kind == "correction":
            info = self.catalog.get(pending.slot)
            if info is None:
                return False
            if detect_command(body) is not None:
                return False
            value = self._validate(info.step, body, nlu)
            if isinstance(value, Problem):
                turn.state.pending = pending
                turn.say(text(value.code, lang, value.params))
                return True
            dropped = self._apply_correction(turn, info, value, context)
            if dropped is not None:
                self._ask_again(turn, dropped)
                return True
            self._prompt_current(turn, context)
            return True
        return False

    # ----------------------------------------------------------------- answering steps
    def _answer(
        self,
        turn: Turn,
        body: str,
        message: InboundMessage,
        nlu: NLUResult,
        context: ConversationContext,
    ) -> None:
        frame = turn.state.frame
        step = self._current_step(turn.state)
        assert frame is not None
        if isinstance(step, AskStep):
            value = self._validate(step, body, nlu)
            if isinstance(value, Problem):
                self._reject(turn, text(value.code, turn.state.language, value.params), context)
                return
            self._accept(turn, frame, step.slot, value)
            self._fill_from_entities(turn, frame, nlu, skip=step.slot)
            if step.after is not None:
                self._run_action(turn, step.after, frame.namespace)
            self._goto(turn, step.next, context)
        elif isinstance(step, ChoiceStep):
            option = _match_option(step.options, body, message, nlu)
            if option is None:
                self._reject(turn, text("choice_unknown", turn.state.language), context)
                return
            self._accept(turn, frame, step.slot, option.value)
            self._goto(turn, option.next or step.next, context)
        elif isinstance(step, DocumentStep):
            self._reject(turn, text("document_expected", turn.state.language), context)
        elif isinstance(step, ConfirmStep):
            picked = _pick(body, message, [_OK, _FIX])
            if picked is None:
                picked = (
                    _OK
                    if _is_yes(body, message, nlu)
                    else _FIX
                    if _is_no(body, message, nlu)
                    else None
                )
            if picked == _OK:
                turn.state.invalid_count = 0
                self._goto(turn, step.on_yes, context)
            elif picked == _FIX and step.allow_fix:
                turn.state.invalid_count = 0
                self._ask_which_field(turn)
            else:
                self._reject(turn, text("choice_unknown", turn.state.language), context)

    def _validate(self, step: AskStep, body: str, nlu: NLUResult) -> SlotValue | Problem:
        validator = VALIDATORS[step.validator]
        found = nlu.first(step.entity) if step.entity else None
        if found is not None:
            value = validator(found.value)
            if not isinstance(value, Problem):
                return value
        return validator(body)

    def _accept(self, turn: Turn, frame: Frame, slot: str, value: SlotValue) -> None:
        turn.state.set_slot(frame.slot_key(slot), value)
        turn.state.invalid_count = 0

    def _reject(self, turn: Turn, explanation: str, context: ConversationContext) -> None:
        state = turn.state
        state.invalid_count += 1
        turn.say(explanation)
        self._prompt_current(turn, context, with_hint=True)
        if state.invalid_count >= self.settings.invalid_answers_before_human:
            state.pending = Pending(kind="human_offer", slot="repeated_invalid")
            turn.say(text("offer_human", state.language), yes_no_choices(state.language))

    def _fill_from_entities(self, turn: Turn, frame: Frame, nlu: NLUResult, *, skip: str) -> None:
        """A client who sends CNPJ and e-mail in one message is not asked for them again."""
        flow = self.flows[frame.flow_id]
        for entity in nlu.entities:
            steps = [
                s
                for s in flow.steps.values()
                if isinstance(s, AskStep)
                and s.entity == entity.entity
                and s.slot != skip
                and frame.slot_key(s.slot) not in turn.state.slots
            ]
            if len(steps) != 1:
                continue
            value = VALIDATORS[steps[0].validator](entity.value)
            if not isinstance(value, Problem):
                turn.state.set_slot(frame.slot_key(steps[0].slot), value)

    # ----------------------------------------------------------------- walking the flow
    def _start(self, turn: Turn, context: ConversationContext) -> None:
        root = self.flows[self.settings.root_flow]
        turn.state.stack = [Frame(flow_id=root.id, step_id=root.start)]
        turn.state.started = True
        turn.state.finished = False
        self._run_until_input(turn, context)

    def _goto(self, turn: Turn, step_id: str | None, context: ConversationContext) -> None:
        frame = turn.state.frame
        assert frame is not None
        if step_id is None:
            raise DialogueError(f"flow '{frame.flow_id}' step '{frame.step_id}' has no next step")
        frame.step_id = step_id
        self._run_until_input(turn, context)

    def _run_until_input(self, turn: Turn, context: ConversationContext) -> None:
        """Runs automatic steps until one needs the client's answer, and prompts it."""
        state = turn.state
        for _ in range(_MAX_AUTOMATIC_STEPS):
            frame = state.frame
            if frame is None:
                state.finished = True
                return
            step = self.flows[frame.flow_id].step(frame.step_id)
            if isinstance(step, AskStep | ChoiceStep | DocumentStep):
                if frame.slot_key(step.slot) in state.slots:
                    frame.step_id = _next_of(step, state.slots[frame.slot_key(step.slot)])
                    continue
                if not _required_here(step, frame, state.slots):
                    frame.step_id = _required(step.next)  # not needed for this client
                    continue
                self._prompt(turn, frame, step, context)
                return
            if isinstance(step, ConfirmStep):
                self._prompt(turn, frame, step, context)
                return
            self._run_automatic(turn, frame, step)
        raise DialogueError(
            f"flow '{state.frame.flow_id if state.frame else '?'}' loops without input"
        )

    def _run_automatic(self, turn: Turn, frame: Frame, step: object) -> None:
        state = turn.state
        lang = state.language
        if isinstance(step, SayStep):
            turn.say(self._render(step.text.get(lang), frame, state))
            frame.step_id = _required(step.next)
        elif isinstance(step, BranchStep):
            frame.step_id = next(
                (case.goto for case in step.cases if _holds(case.when, frame, state.slots)),
                step.default,
            )
        elif isinstance(step, SetStageStep):
            turn.effects.append(SetStage(step.stage, step.reason))
            frame.step_id = _required(step.next)
        elif isinstance(step, ActionStep):
            self._run_action(turn, step.action, frame.namespace)
            frame.step_id = _required(step.next)
        elif isinstance(step, CallStep):
            frame.step_id = _required(step.next)
            called = self.flows[step.flow]
            state.stack.append(
                Frame(flow_id=called.id, step_id=called.start, namespace=step.namespace)
            )
        elif isinstance(step, HandoffStep):
            turn.effects.append(Escalate(f"flow:{step.reason}"))
            turn.say(self._render(step.text.get(lang), frame, state))
            frame.step_id = _required(step.next)
        elif isinstance(step, EndStep):
            if step.text is not None:
                turn.say(self._render(step.text.get(lang), frame, state))
            state.stack.pop()

    def _run_action(self, turn: Turn, name: str, namespace: str) -> None:
        ctx = ActionContext(
            state=turn.state,
            namespace=namespace,
            address_lookup=self.address_lookup,
            company_lookup=self.company_lookup,
            company_young_days=self.settings.company_young_days,
        )
        self.actions[name](ctx)
        turn.effects.extend(ctx.effects)

    # ----------------------------------------------------------------- prompting
    def _prompt_current(
        self, turn: Turn, context: ConversationContext, *, with_hint: bool = False
    ) -> None:
        frame = turn.state.frame
        if frame is None or turn.state.finished:
            return
        step = self.flows[frame.flow_id].step(frame.step_id)
        if isinstance(step, AskStep | ChoiceStep | ConfirmStep | DocumentStep):
            self._prompt(turn, frame, step, context, with_hint=with_hint)

    def _prompt(
        self,
        turn: Turn,
        frame: Frame,
        step: AskStep | ChoiceStep | ConfirmStep | DocumentStep,
        context: ConversationContext,
        *,
        with_hint: bool = False,
    ) -> None:
        lang = turn.state.language
        body = self._render(step.prompt.get(lang), frame, turn.state)
        if isinstance(step, DocumentStep):
            turn.say(body)
        elif isinstance(step, AskStep):
            if with_hint and step.hint is not None:
                body = f"{body}\n{step.hint.get(lang)}"
            turn.say(body)
        elif isinstance(step, ChoiceStep):
            turn.say(body, tuple(Choice(id=o.id, title=o.title.get(lang)) for o in step.options))
        else:
            lines = summary_lines(self.catalog, turn.state.slots, lang)
            choices: tuple[Choice, ...] = (Choice(id=_OK, title=text("summary_ok_option", lang)),)
            if step.allow_fix:
                choices += (Choice(id=_FIX, title=text("summary_fix_option", lang)),)
            turn.say(body + "\n\n" + "\n".join(lines), choices)

    def _render(self, template: str, frame: Frame, state: DialogueState) -> str:
        called_by = self._caller_params(state, frame)
        return render_template(
            template, frame=frame, slots=state.slots, params=called_by, language=state.language
        )

    def _caller_params(self, state: DialogueState, frame: Frame) -> dict[str, str]:
        if len(state.stack) < 2 or state.stack[-1] is not frame:
            return {}
        caller = state.stack[-2]
        for step in self.flows[caller.flow_id].steps.values():
            if isinstance(step, CallStep) and step.namespace == frame.namespace:
                return {name: value.get(state.language) for name, value in step.params.items()}
        return {}

    def _current_step(self, state: DialogueState) -> object | None:
        frame = state.frame
        if frame is None or state.finished:
            return None
        return self.flows[frame.flow_id].step(frame.step_id)

    def _current_label(self, state: DialogueState) -> str:
        frame = state.frame
        step = self._current_step(state)
        if frame is None or not isinstance(step, AskStep | ChoiceStep):
            return ""
        info = self.catalog.get(frame.slot_key(step.slot))
        if info is not None:
            return info.label(state.language)
        return step.label.get(state.language) if step.label else ""

    # ----------------------------------------------------------------- other situations
    def _after_finish(self, turn: Turn, nlu: NLUResult, context: ConversationContext) -> Turn:
        if turn.state.slots.get("lgpd_consent") is False:
            # The client refused consent earlier and writes again: offer the notice once more.
            turn.state = DialogueState(
                language=turn.state.language, language_locked=turn.state.language_locked
            )
            self._start(turn, context)
            return turn
        turn.say(text("finished_menu", turn.state.language))
        return turn

    def _media_received(self, turn: Turn, context: ConversationContext) -> Turn:
        """A file arrived; it is read after the answer and comes back as a document event."""
        lang = turn.state.language
        if isinstance(self._current_step(turn.state), DocumentStep):
            turn.say(text("document_received", lang))
            return turn
        turn.say(text("document_received_early", lang))
        if not turn.state.started:
            self._start(turn, context)
        else:
            self._prompt_current(turn, context)
        return turn

    # ----------------------------------------------------------------- documents
    def _needed_documents(self, state: DialogueState) -> str:
        lang = state.language
        step = self._current_step(state)
        kinds = step.kinds if isinstance(step, DocumentStep) else list(self.document_steps)
        return " / ".join(KIND_LABELS[k][lang] for k in kinds)

    def _document_read(
        self, turn: Turn, reading: DocumentReading, context: ConversationContext
    ) -> Turn:
        state = turn.state
        lang = state.language
        at_document_step = isinstance(self._current_step(state), DocumentStep)
        if reading.rejected:
            turn.say(reading.rejected_en if lang == "en" else reading.rejected_pt)
            tip = reading.tip_en if lang == "en" else reading.tip_pt
            if tip:
                turn.say(tip)
            return turn
        step = self.document_steps.get(reading.kind)
        if step is None:
            turn.say(text("document_unknown", lang, {"needed": self._needed_documents(state)}))
            return turn
        current = self._current_step(state)
        if (
            at_document_step
            and isinstance(current, DocumentStep)
            and reading.kind not in current.kinds
        ):
            if step.slot in state.slots:
                turn.say(
                    text(
                        "document_not_needed",
                        lang,
                        {
                            "kind": KIND_LABELS[reading.kind][lang],
                            "needed": self._needed_documents(state),
                        },
                    )
                )
                return turn
        lines = [text("document_read", lang, {"kind": KIND_LABELS[reading.kind][lang]})]
        mark = text("document_uncertain_mark", lang)
        for name, value in reading.fields.items():
            label = FIELD_LABELS.get(name, {"pt": name, "en": name})[lang]
            flag = f" {mark}" if name in reading.uncertain else ""
            lines.append(f"• {label}: {value}{flag}")
        if reading.mismatches:
            lines.append("")
            lines.append(text("document_mismatch_intro", lang))
            lines += [
                f"⚠️ {m.reason_en if lang == 'en' else m.reason_pt}" for m in reading.mismatches
            ]
        lines.append("")
        lines.append(text("document_confirm", lang))
        state.pending = Pending(
            kind="confirm_document",
            slot=step.slot,
            document_id=reading.document_id,
            document_kind=reading.kind,
            document_fields=dict(reading.fields),
            mismatches=[m.reason_pt for m in reading.mismatches],
        )
        turn.say("\n".join(lines), yes_no_choices(lang))
        return turn

    def _confirm_document(
        self, turn: Turn, pending: Pending, *, yes: bool, context: ConversationContext
    ) -> None:
        state = turn.state
        lang = state.language
        if not yes:
            turn.say(text("document_retry", lang))
            return
        state.set_slot(pending.slot, pending.document_id)
        turn.effects.append(
            DocumentConfirmed(
                pending.document_id, pending.document_kind, dict(pending.document_fields)
            )
        )
        turn.say(
            text("document_confirmed", lang, {"kind": KIND_LABELS[pending.document_kind][lang]})
        )
        if pending.mismatches:
            turn.effects.append(Escalate("document_mismatch", "; ".join(pending.mismatches)[:500]))
            turn.say(text("document_mismatch_escalated", lang))
        frame = state.frame
        step = self._current_step(state)
        if frame is not None and isinstance(step, DocumentStep) and step.slot == pending.slot:
            self._goto(turn, step.next, context)


# --------------------------------------------------------------------- small pure helpers
def _required(step_id: str | None) -> str:
    if step_id is None:
        raise DialogueError("a step without 'next' was reached; the flow loader should refuse it")
    return step_id


def _required_here(
    step: AskStep | ChoiceStep | DocumentStep, frame: Frame, slots: Mapping[str, SlotValue]
) -> bool:
    """A document step with ``required_when`` is asked only of the clients it names."""
    if not isinstance(step, DocumentStep) or step.required_when is None:
        return True
    return _holds(step.required_when, frame, slots)


def _next_of(step: AskStep | ChoiceStep | DocumentStep, value: SlotValue) -> str:
    if isinstance(step, ChoiceStep):
        option = next((o for o in step.options if o.value == value), None)
        if option is not None and option.next is not None:
            return option.next
    return _required(step.next)


def _holds(condition: Condition, frame: Frame, slots: Mapping[str, SlotValue]) -> bool:
    value = slots.get(frame.slot_key(condition.slot), slots.get(condition.slot))
    checks: list[bool] = []
    if condition.is_set is not None:
        checks.append((value is not None and value != "") == condition.is_set)
    if condition.equals is not None:
        checks.append(value == condition.equals)
    if condition.not_equals is not None:
        checks.append(value != condition.not_equals)
    if condition.gt is not None:
        checks.append(
            isinstance(value, int | float) and not isinstance(value, bool) and value > condition.gt
        )
    if condition.lt is not None:
        checks.append(
            isinstance(value, int | float) and not isinstance(value, bool) and value < condition.lt
        )
    return all(checks) and bool(checks)


def _pick(body: str, message: InboundMessage, ids: list[str]) -> str | None:
    """An option id from a button tap or a typed number (1-based)."""
    if message.choice_id in ids:
        return message.choice_id
    folded = fold(body).rstrip(")").strip()
    if folded.isdigit() and 1 <= int(folded) <= len(ids):
        return ids[int(folded) - 1]
    return None


def _match_option(
    options: list[Option], body: str, message: InboundMessage, nlu: NLUResult | None
) -> Option | None:
    """The option picked by a tap, a number, a title or alias, or (given the NLU) an intent."""
    by_id = _pick(body, message, [o.id for o in options])
    if by_id is not None:
        return next(o for o in options if o.id == by_id)
    folded = fold(body)
    for option in options:
        names = (option.title.pt, option.title.en, *option.aliases)
        if any(folded == fold(name) for name in names):
            return option
    if nlu is None:
        return None
    for option in options:
        if (
            option.intent is not None
            and nlu.intent.name == option.intent
            and nlu.intent.confidence >= 0.6
        ):
            return option
    return None


_YES_WORDS = {
    "sim",
    "s",
    "yes",
    "y",
    "claro",
    "pode",
    "ok",
    "confirmo",
    "isso",
    "certo",
    "sure",
    "correto",
    "isso mesmo",
    "tudo certo",
    "td certo",
    "ta certo",
    "esta certo",
    "perfeito",
    "certinho",
    "exato",
    "yep",
    "correct",
    "all good",
    "looks good",
}
_NO_WORDS = {"nao", "n", "no", "nope", "negativo", "cancela", "cancelar"}


def _is_yes(body: str, message: InboundMessage, nlu: NLUResult) -> bool:
    if message.choice_id in ("yes", _OK):
        return True
    folded = fold(body)
    return folded in _YES_WORDS or (nlu.intent.name == "affirm" and nlu.intent.confidence >= 0.6)


def _is_no(body: str, message: InboundMessage, nlu: NLUResult) -> bool:
    if message.choice_id in ("no", _FIX):
        return True
    folded = fold(body)
    return folded in _NO_WORDS or (nlu.intent.name == "deny" and nlu.intent.confidence >= 0.6)
