"""A story's expectations, checked against one turn's outcome or the state after it.

Each check returns the list of what failed, in words a reader of the transcript understands.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.dialogue.state import DialogueState
from bot.domain.messages import OutboundMessage

from .matching import any_effect_matches, effect_label, fold, replies_text
from .story_format import Expect, TurnSpec
from .world import World

__all__ = ["check_expect", "check_turn", "describe_state"]


def check_turn(
    spec: TurnSpec, replies: Sequence[OutboundMessage], effects: Sequence[object]
) -> list[str]:
    failures: list[str] = []
    said = replies_text(replies)
    failures += [f"expected {want!r} in the replies" for want in spec.bot if fold(want) not in said]
    failures += [f"did not expect {bad!r} in the replies" for bad in spec.not_ if fold(bad) in said]
    if spec.silent and replies:
        failures.append("expected no reply")
    labels = [effect_label(effect) for effect in effects] or ["none"]
    failures += [
        f"expected effect {want} among {labels}"
        for want in spec.effects
        if not any_effect_matches(want, effects)
    ]
    failures += [
        f"did not expect effect {bad} (got {labels})"
        for bad in spec.no_effects
        if any_effect_matches(bad, effects)
    ]
    if spec.choices is not None:
        offered = [reply.choices for reply in replies if reply.choices]
        titles = [choice.title for choice in offered[-1]] if offered else []
        if titles != spec.choices:
            failures.append(f"expected choices {spec.choices}, got {titles or 'none'}")
    return failures


def check_expect(
    expect: Expect, state: DialogueState, world: World, seen: Sequence[object]
) -> list[str]:
    """``seen``: every effect of the story so far."""
    failures: list[str] = []
    for key, want in expect.slots.items():
        if key not in state.slots:
            failures.append(f"expected slot {key} = {want!r}, but it is not set")
        elif not _same(state.slots[key], want):
            failures.append(f"expected slot {key} = {want!r}, got {state.slots[key]!r}")
    failures += [
        f"expected slot {key} unset, got {state.slots[key]!r}"
        for key in expect.absent_slots
        if key in state.slots
    ]
    failures += _state_facts(expect, state)
    failures += _world_facts(expect, world)
    labels = sorted({effect_label(effect) for effect in seen}) or ["none"]
    failures += [
        f"expected effect {want} at some turn; seen {labels}"
        for want in expect.effects
        if not any_effect_matches(want, seen)
    ]
    failures += [
        f"did not expect effect {bad} at any turn; seen {labels}"
        for bad in expect.no_effects
        if any_effect_matches(bad, seen)
    ]
    return failures


def _same(actual: object, want: object) -> bool:
    """Equal and of the same type: a slot holding 1 is not the answer ``true``."""
    return type(actual) is type(want) and actual == want


def _state_facts(expect: Expect, state: DialogueState) -> list[str]:
    failures: list[str] = []
    if expect.language is not None and state.language != expect.language:
        failures.append(f"expected language {expect.language}, got {state.language}")
    pending = state.pending.kind if state.pending is not None else None
    if expect.pending is not None and pending != expect.pending:
        failures.append(f"expected pending {expect.pending}, got {pending}")
    if expect.requires_no_pending() and pending is not None:
        failures.append(f"expected no pending question, got {pending}")
    if expect.step is not None and expect.step not in _step_names(state):
        failures.append(f"expected step {expect.step}, got {_step_names(state)[-1]}")
    for name in ("started", "finished"):
        want = getattr(expect, name)
        if want is not None and getattr(state, name) != want:
            failures.append(f"expected {name} = {want}, got {getattr(state, name)}")
    return failures


def _step_names(state: DialogueState) -> list[str]:
    frame = state.frame
    if frame is None:
        return ["(no frame)"]
    names = [frame.step_id]
    if frame.namespace:
        names.append(f"{frame.namespace}.{frame.step_id}")
    return names


def _world_facts(expect: Expect, world: World) -> list[str]:
    failures: list[str] = []
    if expect.stage is not None and world.stage != expect.stage:
        failures.append(f"expected stage {expect.stage.value}, got {world.stage.value}")
    if expect.opted_out is not None and world.opted_out != expect.opted_out:
        failures.append(f"expected opted_out = {expect.opted_out}, got {world.opted_out}")
    human = world.progress.open_human_request()
    if expect.human_request is not None and (human is not None) != expect.human_request:
        failures.append(f"expected an open request for a person = {expect.human_request}")
    booked = world.training.current() if world.training is not None else None
    if expect.booked is not None and (booked is not None) != expect.booked:
        failures.append(f"expected a training booking = {expect.booked}, got {booked}")
    documents = [f"{doc.kind or 'file'}:{doc.status}" for doc in world.progress.documents()]
    failures += [
        f"expected document {want} among {documents or 'none'}"
        for want in expect.documents
        if want not in documents
    ]
    return failures


def describe_state(state: DialogueState, world: World) -> str:
    frame = state.frame
    where = "(no frame)"
    if frame is not None:
        namespace = f"{frame.namespace}." if frame.namespace else ""
        where = f"{frame.flow_id}/{namespace}{frame.step_id}"
    pending = state.pending.kind if state.pending is not None else None
    return (
        f"state: at {where}, pending {pending}, language {state.language}, "
        f"started {state.started}, finished {state.finished}\n"
        f"slots: {dict(state.slots)}\n"
        f"world: stage {world.stage.value}, opted_out {world.opted_out}, "
        f"csm {world.csm}, now {world.now.isoformat()}, "
        f"open request for a person {world.progress.open_human_request() is not None}"
    )
