"""Loads flow YAML files, validates them against the schema and checks every reference.

A broken flow stops start-up with a ``FlowDefinitionError`` naming the file and the step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from flows.errors import FlowDefinitionError
from flows.schema import (
    ActionStep,
    AskStep,
    BranchStep,
    CallStep,
    ChoiceStep,
    ConfirmStep,
    DocumentStep,
    EndStep,
    Flow,
    SetStageStep,
    Step,
)

BUILTIN_FLOWS_DIR = Path(__file__).parent / "definitions"


@dataclass(frozen=True)
class Registry:
    """The names a flow may refer to; anything else is a definition error."""

    validators: frozenset[str]
    actions: frozenset[str]
    stages: frozenset[str]


def load_flows(directory: Path | None, *, registry: Registry) -> dict[str, Flow]:
    """Reads every ``*.yml`` in ``directory`` (the shipped flows when None) and checks them."""
    folder = directory or BUILTIN_FLOWS_DIR
    files = sorted(folder.glob("*.yml"))
    if not files:
        raise FlowDefinitionError(f"{folder}: no flow files (*.yml)")
    flows: dict[str, tuple[Path, Flow]] = {}
    for path in files:
        flow = _parse(path)
        if flow.id in flows:
            raise FlowDefinitionError(
                f"{path}: flow id '{flow.id}' already used by {flows[flow.id][0]}"
            )
        flows[flow.id] = (path, flow)
    for path, flow in flows.values():
        _check_references(path, flow, registry=registry, flow_ids=flows.keys())
    return {flow_id: flow for flow_id, (_, flow) in flows.items()}


def _parse(path: Path) -> Flow:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise FlowDefinitionError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise FlowDefinitionError(f"{path}: a flow file must be a mapping with id, start, steps")
    try:
        return Flow.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _describe_location(first["loc"])
        raise FlowDefinitionError(f"{path}: {where}: {first['msg']}") from exc


def _describe_location(loc: tuple[int | str, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "steps":
        rest = ".".join(str(part) for part in loc[3:])
        return f"step '{loc[1]}'" + (f" field '{rest}'" if rest else "")
    return "field '" + ".".join(str(part) for part in loc) + "'"


def _targets(step: Step) -> Iterable[str]:
    if isinstance(step, BranchStep):
        yield from (case.goto for case in step.cases)
        yield step.default
        return
    if isinstance(step, EndStep):
        return
    if step.next is not None:
        yield step.next
    if isinstance(step, ConfirmStep):
        yield step.on_yes
    if isinstance(step, AskStep) and step.unknown is not None:
        yield step.unknown
    if isinstance(step, ChoiceStep):
        yield from (option.next for option in step.options if option.next is not None)


def _check_references(
    path: Path, flow: Flow, *, registry: Registry, flow_ids: Iterable[str]
) -> None:
    known_flows = set(flow_ids)
    if flow.start not in flow.steps:
        raise FlowDefinitionError(f"{path}: start step '{flow.start}' does not exist")
    slots = {
        s.slot for s in flow.steps.values() if isinstance(s, AskStep | ChoiceStep | DocumentStep)
    } | set(flow.computed_slots)
    for step_id, step in flow.steps.items():
        problem = _step_problem(step, flow=flow, registry=registry, known_flows=known_flows)
        if problem is None and isinstance(step, BranchStep | DocumentStep):
            problem = _branch_problem(step, slots)
        if problem is not None:
            raise FlowDefinitionError(f"{path}: step '{step_id}': {problem}")


def _step_problem(
    step: Step, *, flow: Flow, registry: Registry, known_flows: set[str]
) -> str | None:
    for target in _targets(step):
        if target not in flow.steps:
            return f"goes to '{target}', which is not a step of flow '{flow.id}'"
    if not isinstance(step, BranchStep | EndStep | ConfirmStep) and step.next is None:
        if not isinstance(step, ChoiceStep) or any(o.next is None for o in step.options):
            return "has no 'next' step (use an 'end' step to finish)"
    if isinstance(step, AskStep) and step.validator not in registry.validators:
        return _unknown("validator", step.validator, known=registry.validators)
    if isinstance(step, AskStep) and step.after and step.after not in registry.actions:
        return _unknown("action", step.after, known=registry.actions)
    if isinstance(step, ActionStep) and step.action not in registry.actions:
        return _unknown("action", step.action, known=registry.actions)
    if isinstance(step, SetStageStep) and step.stage not in registry.stages:
        return _unknown("stage", step.stage, known=registry.stages)
    if isinstance(step, CallStep) and step.flow not in known_flows:
        return _unknown("flow", step.flow, known=known_flows)
    if isinstance(step, ChoiceStep):
        asked = {s.slot for s in flow.steps.values() if isinstance(s, AskStep)}
        for option in step.options:
            unknown = [slot for slot in option.fills if slot not in asked]
            if unknown:
                return (
                    f"option '{option.id}' fills '{unknown[0]}', which no ask step of this "
                    "flow asks"
                )
    return None


def _branch_problem(step: BranchStep | DocumentStep, slots: set[str]) -> str | None:
    if isinstance(step, DocumentStep):
        conditions = [step.required_when] if step.required_when is not None else []
    else:
        conditions = [case.when for case in step.cases]
    for condition in conditions:
        if condition.slot.split(".")[-1] not in {s.split(".")[-1] for s in slots}:
            return f"condition on slot '{condition.slot}', which no step of this flow asks for"
    return None


def _unknown(kind: str, name: str, *, known: Iterable[str]) -> str:
    return f"unknown {kind} '{name}' (known: {', '.join(sorted(known))})"
