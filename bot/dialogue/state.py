"""The conversation's dialogue state: a typed model stored as JSON with the conversation."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SlotValue = str | int | bool


class Frame(BaseModel):
    """One running flow: where it stands and under which slot namespace it stores answers."""

    flow_id: str
    step_id: str
    namespace: str = ""

    def slot_key(self, slot: str) -> str:
        return f"{self.namespace}.{slot}" if self.namespace else slot


EnginePendingKind = Literal[
    "correction", "fix_choice", "confirm_erasure", "human_offer", "clarify", "confirm_document"
]
# The scheduling questions, answered by ``bot.dialogue.scheduling``.
TrainingPendingKind = Literal[
    "pick_slot",
    "confirm_slot",
    "training_manage",
    "training_when",
    "confirm_cancel_training",
    "nps_comment",
]


class Pending(BaseModel):
    """A question the engine asked outside the flow, answered by the next message."""

    kind: EnginePendingKind | TrainingPendingKind
    slot: str = ""
    options: list[str] = Field(default_factory=list)
    document_id: int = 0
    document_kind: str = ""
    document_fields: dict[str, str] = Field(default_factory=dict)
    mismatches: list[str] = Field(default_factory=list)


class DialogueState(BaseModel):
    language: Literal["pt", "en"] = "pt"
    language_locked: bool = False  # the client chose a language explicitly
    stack: list[Frame] = Field(default_factory=list)
    slots: dict[str, SlotValue] = Field(default_factory=dict)
    answered: list[str] = Field(default_factory=list)  # slot keys, most recent last
    invalid_count: int = 0
    misunderstood_count: int = 0
    pending: Pending | None = None
    started: bool = False
    finished: bool = False
    saved: bool = False  # the registration was stored: later corrections update it too

    @property
    def frame(self) -> Frame | None:
        return self.stack[-1] if self.stack else None

    def set_slot(self, key: str, value: SlotValue) -> SlotValue | None:
        """Stores an answer and returns the value it replaced, if any."""
        previous = self.slots.get(key)
        self.slots[key] = value
        if key in self.answered:
            self.answered.remove(key)
        self.answered.append(key)
        return previous
