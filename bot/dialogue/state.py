"""The conversation's dialogue state: a typed model stored as JSON with the conversation.

``Pending`` is the question the engine asked outside the flow (a repair): one model per kind,
told apart by ``kind``. States stored before the union (one model with ``slot``, ``options``,
``document_*`` fields for every kind) still load: each kind reads what it needs from them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

__all__ = [
    "CancelTrainingPending",
    "ClarifyPending",
    "ConfirmSlotPending",
    "CorrectionPending",
    "DialogueState",
    "DocumentPending",
    "EarlyDocument",
    "ErasurePending",
    "FixChoicePending",
    "Frame",
    "HumanOfferPending",
    "MenuPending",
    "NpsCommentPending",
    "Pending",
    "PickSlotPending",
    "SlotValue",
    "TrainingManagePending",
    "TrainingWhenPending",
]

SlotValue = str | int | bool


class Frame(BaseModel):
    """One running flow: where it stands and under which slot namespace it stores answers."""

    flow_id: str
    step_id: str
    namespace: str = ""

    def slot_key(self, slot: str) -> str:
        return f"{self.namespace}.{slot}" if self.namespace else slot


class _Pending(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    invalid: int = 0  # answers this question could not take so far


class ClarifyPending(_Pending):
    """ "Você quis dizer: …": the intents the NLU hesitated between, then "none"."""

    kind: Literal["clarify"] = "clarify"
    options: list[str] = Field(default_factory=list)


class FixChoicePending(_Pending):
    """ "Qual informação você quer corrigir?": the answered slot keys offered."""

    kind: Literal["fix_choice"] = "fix_choice"
    options: list[str] = Field(default_factory=list)
    area: str = ""  # with many answers: the area picked first ("area:finance")


class CorrectionPending(_Pending):
    """ "Pode mandar o valor certo para: …": the slot whose new value is awaited."""

    kind: Literal["correction"] = "correction"
    slot: str
    shown: bool = False  # the current value was shown ("voltar"): "está certo" keeps it
    # Asked next, one by one (a contact replaced: its e-mail, then its mobile).
    then: list[str] = Field(default_factory=list)


class ErasurePending(_Pending):
    kind: Literal["confirm_erasure"] = "confirm_erasure"
    then: dict[str, Any] | None = None  # the repair it interrupted, asked again on "no"


class HumanOfferPending(_Pending):
    """ "Quer falar com uma pessoa?" after answers the bot could not take."""

    kind: Literal["human_offer"] = "human_offer"
    reason: str = Field(default="repeated_invalid", validation_alias=AliasChoices("reason", "slot"))
    then: dict[str, Any] | None = None  # a repair this offer interrupted, asked again on "no"


class DocumentPending(_Pending):
    """A reading shown to the client: confirm it, fix one field, or send another photo.

    ``stage`` is where the exchange stands: ``confirm`` (the three options), ``which_field``
    (the client wants to fix a field and picks which) or ``field_value`` (its value is awaited).
    """

    kind: Literal["confirm_document"] = "confirm_document"
    slot: str = ""  # the document step's slot, filled with the document id when confirmed
    document_id: int = 0
    document_kind: str = ""
    fields: dict[str, str] = Field(
        default_factory=dict, validation_alias=AliasChoices("fields", "document_fields")
    )
    uncertain: list[str] = Field(default_factory=list)
    mismatches: list[str] = Field(default_factory=list)
    fixed: list[str] = Field(default_factory=list)  # fields the client typed
    stage: Literal["confirm", "which_field", "field_value"] = "confirm"
    field: str = ""


class PickSlotPending(_Pending):
    kind: Literal["pick_slot"] = "pick_slot"
    options: list[str] = Field(default_factory=list)  # training slot ids offered, in order
    day: str = ""  # ISO date of the day asked for ("quinta"): "às 10h" then means that day


class ConfirmSlotPending(_Pending):
    kind: Literal["confirm_slot"] = "confirm_slot"
    options: list[str] = Field(default_factory=list)  # the one slot id asked about
    starts_at: str = ""  # ISO instant of that session, to ask about it again


class TrainingManagePending(_Pending):
    kind: Literal["training_manage"] = "training_manage"
    options: list[str] = Field(default_factory=list)


class TrainingWhenPending(_Pending):
    kind: Literal["training_when"] = "training_when"


class CancelTrainingPending(_Pending):
    kind: Literal["confirm_cancel_training"] = "confirm_cancel_training"


class MenuPending(_Pending):
    """What the chat can do past the registration: the requests offered, in order."""

    kind: Literal["menu"] = "menu"
    options: list[str] = Field(default_factory=list)


class NpsCommentPending(_Pending):
    kind: Literal["nps_comment"] = "nps_comment"
    booking_id: int = Field(default=0, validation_alias=AliasChoices("booking_id", "slot"))


Pending = Annotated[
    ClarifyPending
    | FixChoicePending
    | CorrectionPending
    | ErasurePending
    | HumanOfferPending
    | DocumentPending
    | PickSlotPending
    | ConfirmSlotPending
    | TrainingManagePending
    | TrainingWhenPending
    | CancelTrainingPending
    | MenuPending
    | NpsCommentPending,
    Field(discriminator="kind"),
]


class EarlyDocument(BaseModel):
    """A document read before its step was reached: confirmed when the step comes."""

    document_id: int
    kind: str
    fields: dict[str, str] = Field(default_factory=dict)
    uncertain: list[str] = Field(default_factory=list)
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
    early_documents: list[EarlyDocument] = Field(default_factory=list)
    awaiting_human: bool = False  # the client asked for a person and nobody answered yet
    erasure_requested: bool = False  # no new data is collected while erasure is decided
    doubted_value: str = ""  # an answer asked about once ("gmial.com?"): taken if sent again

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
