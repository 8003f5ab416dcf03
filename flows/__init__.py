"""Flows as data: the schema, the loader and the shipped flow definitions (``definitions/``)."""

from flows.errors import FlowDefinitionError, FlowError
from flows.loader import BUILTIN_FLOWS_DIR, Registry, flow_slots, load_flows
from flows.schema import (
    INTERACTIVE,
    ActionStep,
    AskStep,
    BranchStep,
    CallStep,
    Case,
    ChoiceStep,
    Condition,
    ConfirmStep,
    EndStep,
    Flow,
    HandoffStep,
    Option,
    SayStep,
    SetStageStep,
    Step,
    Text,
)

__all__ = [
    "BUILTIN_FLOWS_DIR",
    "INTERACTIVE",
    "ActionStep",
    "AskStep",
    "BranchStep",
    "CallStep",
    "Case",
    "ChoiceStep",
    "Condition",
    "ConfirmStep",
    "EndStep",
    "Flow",
    "FlowDefinitionError",
    "FlowError",
    "HandoffStep",
    "Option",
    "Registry",
    "SayStep",
    "SetStageStep",
    "Step",
    "Text",
    "flow_slots",
    "load_flows",
]
