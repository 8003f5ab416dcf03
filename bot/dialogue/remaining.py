"""How many registration questions are left ("quanto tempo falta?"): a walk of the flows from
the current question without running anything — answered questions are skipped, branches go
the way the answers so far send them (else their default), a choice goes its first option's
way, called flows are walked under their namespace. Documents are not questions."""

from __future__ import annotations

from bot.dialogue.state import DialogueState, Frame, SlotValue
from bot.dialogue.walker import holds
from flows import (
    AskStep,
    BranchStep,
    CallStep,
    ChoiceStep,
    ConfirmStep,
    DocumentStep,
    EndStep,
    Flow,
)

__all__ = ["remaining_questions"]

_MAX_STEPS = 300


def remaining_questions(state: DialogueState, flows: dict[str, Flow]) -> int:
    """The questions still to answer before the review (the review included)."""
    stack = [frame.model_copy() for frame in state.stack]
    slots: dict[str, SlotValue] = dict(state.slots)
    count = 0
    for _ in range(_MAX_STEPS):
        if not stack:
            break
        frame = stack[-1]
        step = flows[frame.flow_id].step(frame.step_id)
        following = _follow(step, frame, slots=slots, stack=stack, flows=flows)
        if isinstance(step, AskStep | ChoiceStep) and frame.slot_key(step.slot) not in slots:
            count += 1
        if isinstance(step, ConfirmStep):
            return count + 1
        if following is None:
            stack.pop()
        else:
            frame.step_id = following
    return count


def _follow(
    step: object,
    frame: Frame,
    *,
    slots: dict[str, SlotValue],
    stack: list[Frame],
    flows: dict[str, Flow],
) -> str | None:
    """The step after ``step`` on the likely way (None: the frame ends)."""
    if isinstance(step, EndStep):
        return None
    if isinstance(step, BranchStep):
        return next(
            (case.goto for case in step.cases if holds(case.when, frame, slots=slots)),
            step.default,
        )
    if isinstance(step, CallStep):
        called = flows[step.flow]
        stack.append(Frame(flow_id=called.id, step_id=called.start, namespace=step.namespace))
        return step.next
    if isinstance(step, ChoiceStep):
        chosen = slots.get(frame.slot_key(step.slot))
        option = next((o for o in step.options if o.value == chosen), step.options[0])
        return option.next or step.next
    if isinstance(step, DocumentStep | AskStep):
        return step.next
    return getattr(step, "next", None)
