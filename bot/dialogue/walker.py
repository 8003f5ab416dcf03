"""Walking a flow: where the conversation stands, and running the automatic steps (say,
branch, set_stage, action, call, handoff, end) until one needs the client's answer.

The walker never prompts: it returns the interactive step reached and the caller
(``bot.dialogue.dialogue.Dialogue``) asks it, so a step kind's prompt lives in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from bot.dialogue.actions import Action, ActionContext
from bot.dialogue.catalog import SlotCatalog
from bot.dialogue.effects import Escalate, SetStage
from bot.dialogue.errors import DialogueError
from bot.dialogue.state import DialogueState, Frame, SlotValue
from bot.dialogue.status_link import want_status_link
from bot.dialogue.turn import Turn
from bot.dialogue.wording import render_template
from bot.domain.address import AddressLookup
from bot.domain.company import CompanyLookup
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
    SayStep,
    SetStageStep,
)

__all__ = ["AUTOMATIC_STEPS", "FlowWalker", "Interactive", "StepRunner", "holds"]

Interactive = AskStep | ChoiceStep | ConfirmStep | DocumentStep
_MAX_AUTOMATIC_STEPS = 200


class FlowWalker:
    """Knows the flows and moves a conversation's frames through them."""

    def __init__(
        self,
        *,
        flows: Mapping[str, Flow],
        root_flow: str,
        actions: Mapping[str, Action],
        address_lookup: AddressLookup,
        company_lookup: CompanyLookup,
        company_young_days: int,
    ) -> None:
        if root_flow not in flows:
            raise DialogueError(f"root flow '{root_flow}' is not loaded")
        self.flows = dict(flows)
        self.root_flow = root_flow
        self.actions = dict(actions)
        self.address_lookup = address_lookup
        self.company_lookup = company_lookup
        self.company_young_days = company_young_days
        self.catalog = SlotCatalog(self.flows, root_flow)
        root = self.flows[root_flow]
        self.document_steps: dict[str, DocumentStep] = {
            kind: step
            for step in root.steps.values()
            if isinstance(step, DocumentStep)
            for kind in step.kinds
        }

    # ----------------------------------------------------------------- where we stand
    def current_step(self, state: DialogueState) -> Interactive | None:
        frame = state.frame
        if frame is None or state.finished or not state.started:
            return None
        step = self.flows[frame.flow_id].step(frame.step_id)
        return step if isinstance(step, AskStep | ChoiceStep | ConfirmStep | DocumentStep) else None

    def current_key(self, state: DialogueState) -> str | None:
        """The slot key the current question fills (``finance.email``), if it fills one."""
        frame, step = state.frame, self.current_step(state)
        if frame is None or step is None or isinstance(step, ConfirmStep):
            return None
        return frame.slot_key(step.slot)

    def label_of(self, state: DialogueState, step: Interactive | None) -> str:
        """The current question's name for the client ("CNPJ", "e-mail (Financeiro)")."""
        lang = state.language
        frame = state.frame
        if step is None or frame is None:
            return ""
        if isinstance(step, ConfirmStep):
            return step.prompt.get(lang).rstrip(":")
        info = self.catalog.get(frame.slot_key(step.slot))
        if info is not None:
            return info.label(lang)
        if step.label is not None:
            caller = self.caller_label(state, frame)
            own = step.label.get(lang)
            return f"{own} ({caller})" if caller else own
        return self.render(step.prompt.get(lang), frame, state=state)

    def caller_label(self, state: DialogueState, frame: Frame) -> str:
        """The name of the area a called flow fills ("TI", "Financeiro"), or "" at the root."""
        if not frame.namespace or len(state.stack) < 2:
            return ""
        caller = state.stack[-2]
        for step in self.flows[caller.flow_id].steps.values():
            if isinstance(step, CallStep) and step.namespace == frame.namespace:
                return step.label.get(state.language)
        return ""

    # ----------------------------------------------------------------- moving
    def start(self, turn: Turn) -> Interactive | None:
        root = self.flows[self.root_flow]
        turn.state.stack = [Frame(flow_id=root.id, step_id=root.start)]
        turn.state.started = True
        turn.state.finished = False
        return self.advance(turn)

    def goto(self, turn: Turn, step_id: str | None) -> Interactive | None:
        frame = turn.state.frame
        if frame is None:
            raise DialogueError("no flow is running")
        frame.step_id = _required(step_id, frame)
        return self.advance(turn)

    def advance(self, turn: Turn) -> Interactive | None:
        """Runs automatic steps until one needs the client; None when the flow finished."""
        state = turn.state
        for _ in range(_MAX_AUTOMATIC_STEPS):
            frame = state.frame
            if frame is None:
                state.finished = True
                return None
            step = self.flows[frame.flow_id].step(frame.step_id)
            if isinstance(step, AskStep | ChoiceStep | DocumentStep):
                key = frame.slot_key(step.slot)
                if key in state.slots:
                    frame.step_id = _next_of(step, state.slots[key], frame=frame)
                    continue
                if isinstance(step, DocumentStep) and step.required_when is not None:
                    if not holds(step.required_when, frame, slots=state.slots):
                        frame.step_id = _required(step.next, frame)  # not for this client
                        continue
                return step
            if isinstance(step, ConfirmStep):
                return step
            AUTOMATIC_STEPS[type(step)](self, turn, frame=frame, step=step)
        raise DialogueError(f"flow '{state.frame.flow_id if state.frame else '?'}' loops")

    def run_action(self, turn: Turn, name: str, *, namespace: str) -> None:
        ctx = ActionContext(
            state=turn.state,
            namespace=namespace,
            address_lookup=self.address_lookup,
            company_lookup=self.company_lookup,
            company_young_days=self.company_young_days,
        )
        self.actions[name](ctx)
        turn.effects.extend(ctx.effects)

    # ----------------------------------------------------------------- texts
    def render(self, template: str, frame: Frame, *, state: DialogueState) -> str:
        return render_template(
            template,
            frame=frame,
            slots=state.slots,
            params=self._caller_params(state, frame),
            language=state.language,
        )

    def _caller_params(self, state: DialogueState, frame: Frame) -> dict[str, str]:
        if len(state.stack) < 2 or state.stack[-1] is not frame:
            return {}
        caller = state.stack[-2]
        for step in self.flows[caller.flow_id].steps.values():
            if isinstance(step, CallStep) and step.namespace == frame.namespace:
                return {name: value.get(state.language) for name, value in step.params.items()}
        return {}


# --------------------------------------------------------------------- automatic steps
def _say(walker: FlowWalker, turn: Turn, *, frame: Frame, step: SayStep) -> None:
    turn.say(walker.render(step.text.get(turn.language), frame, state=turn.state))
    frame.step_id = _required(step.next, frame)


def _branch(walker: FlowWalker, turn: Turn, *, frame: Frame, step: BranchStep) -> None:
    slots = turn.state.slots
    frame.step_id = next(
        (case.goto for case in step.cases if holds(case.when, frame, slots=slots)), step.default
    )


def _set_stage(walker: FlowWalker, turn: Turn, *, frame: Frame, step: SetStageStep) -> None:
    turn.effects.append(SetStage(step.stage, step.reason))
    want_status_link(turn)  # with the message that follows the change
    frame.step_id = _required(step.next, frame)


def _action(walker: FlowWalker, turn: Turn, *, frame: Frame, step: ActionStep) -> None:
    walker.run_action(turn, step.action, namespace=frame.namespace)
    frame.step_id = _required(step.next, frame)


def _call(walker: FlowWalker, turn: Turn, *, frame: Frame, step: CallStep) -> None:
    frame.step_id = _required(step.next, frame)
    called = walker.flows[step.flow]
    turn.state.stack.append(
        Frame(flow_id=called.id, step_id=called.start, namespace=step.namespace)
    )


def _handoff(walker: FlowWalker, turn: Turn, *, frame: Frame, step: HandoffStep) -> None:
    turn.effects.append(Escalate(f"flow:{step.reason}"))
    turn.say(walker.render(step.text.get(turn.language), frame, state=turn.state))
    frame.step_id = _required(step.next, frame)


def _end(walker: FlowWalker, turn: Turn, *, frame: Frame, step: EndStep) -> None:
    if step.text is not None:
        turn.say(walker.render(step.text.get(turn.language), frame, state=turn.state))
    turn.state.stack.pop()
    if not turn.state.stack and step.text is not None:  # the registration is complete
        want_status_link(turn, at=len(turn.replies) - 1)


class StepRunner(Protocol):
    """Runs one automatic step of the frame's flow."""

    def __call__(self, walker: FlowWalker, turn: Turn, *, frame: Frame, step: Any) -> None: ...


# One runner per automatic step kind; ``bot.dialogue.steps.check_registry`` checks at start-up
# that together with the interactive handlers they cover every step kind of flows/schema.py.
AUTOMATIC_STEPS: dict[type, StepRunner] = {
    SayStep: _say,
    BranchStep: _branch,
    SetStageStep: _set_stage,
    ActionStep: _action,
    CallStep: _call,
    HandoffStep: _handoff,
    EndStep: _end,
}


# --------------------------------------------------------------------- conditions
def holds(condition: Condition, frame: Frame, *, slots: Mapping[str, SlotValue]) -> bool:
    value = slots.get(frame.slot_key(condition.slot), slots.get(condition.slot))
    checks: list[bool] = []
    if condition.is_set is not None:
        checks.append((value is not None and value != "") == condition.is_set)
    if condition.equals is not None:
        checks.append(value == condition.equals)
    if condition.not_equals is not None:
        checks.append(value != condition.not_equals)
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if condition.gt is not None:
        checks.append(number is not None and number > condition.gt)
    if condition.lt is not None:
        checks.append(number is not None and number < condition.lt)
    return all(checks) and bool(checks)


def _required(step_id: str | None, frame: Frame) -> str:
    if step_id is None:
        raise DialogueError(f"flow '{frame.flow_id}' step '{frame.step_id}' has no next step")
    return step_id


def _next_of(step: AskStep | ChoiceStep | DocumentStep, value: SlotValue, *, frame: Frame) -> str:
    if isinstance(step, ChoiceStep):
        option = next((o for o in step.options if o.value == value), None)
        if option is not None and option.next is not None:
            return option.next
    return _required(step.next, frame)
