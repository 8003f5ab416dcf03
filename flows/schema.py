"""Typed schema of a flow file: steps as data, validated when the flow is loaded.

A flow is a named graph of steps. Interactive steps (``ask``, ``choice``, ``confirm``) wait for
the client; the others (``say``, ``branch``, ``set_stage``, ``action``, ``call``, ``handoff``,
``end``) run immediately and lead to the next step.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """A bot text in each language; ``{slot}`` and ``{param}`` placeholders are filled in."""

    pt: str
    en: str

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.pt


class Condition(_Model):
    """A test on one slot; exactly the given operators must all hold."""

    slot: str
    equals: str | int | bool | None = None
    not_equals: str | int | bool | None = None
    gt: float | None = None
    lt: float | None = None
    is_set: bool | None = None


class Case(_Model):
    when: Condition
    goto: str


class Option(_Model):
    id: str
    title: Text
    value: str | bool
    aliases: list[str] = Field(default_factory=list)
    intent: str | None = None  # an NLU intent that picks this option (affirm, deny)
    next: str | None = None
    # Slots of this flow's ``ask`` steps that the same message may fill when this option is
    # picked ("outra pessoa: Beatriz Rocha, bia@…" fills the name; e-mail and phone come
    # from their entities): they are not asked again.
    fills: list[str] = Field(default_factory=list)


class _Step(_Model):
    next: str | None = None
    # Why the question is asked, for "pra que vocês precisam disso?" (the engine answers it
    # and asks the question again); None: the general privacy answer.
    why: Text | None = None
    # Business hours a client may stay on this question before a reminder; None: the default.
    idle_hours: float | None = Field(default=None, gt=0)
    # The question alone, for asking it again (not understood, after an interruption, after a
    # person was asked for) when ``prompt`` carries more than the question (a greeting, the
    # privacy notice); None: the prompt again.
    reask: Text | None = None


class AskStep(_Step):
    type: Literal["ask"]
    slot: str
    prompt: Text
    validator: str
    label: Text
    aliases: list[str] = Field(default_factory=list)
    entity: str | None = None  # NLU entity that fills this slot from any message
    hint: Text | None = None
    after: str | None = None  # an action run after this slot is answered or corrected
    # Where to go when the client says they don't know ("não sei o CEP"): another way to
    # the same information. None: "não sei" is explained like any other answer.
    unknown: str | None = None


class ChoiceStep(_Step):
    type: Literal["choice"]
    slot: str
    prompt: Text
    options: list[Option] = Field(min_length=2)
    label: Text | None = None
    aliases: list[str] = Field(default_factory=list)


class DocumentStep(_Step):
    """Waits for a photo or PDF of one of ``kinds``; the slot holds the confirmed document id."""

    type: Literal["document"]
    slot: str
    kinds: list[Literal["cnpj_card", "cnh", "rg", "comprovante_endereco", "contrato_social"]] = (
        Field(min_length=1)
    )
    prompt: Text
    label: Text
    # Asked only when this holds (e.g. a segment's requirement: {slot: employees, gt: 500});
    # otherwise the step is skipped.
    required_when: Condition | None = None
    # The client may answer "não tenho agora": the step is passed (the slot holds "skipped")
    # and the document can still be sent later.
    optional: bool = False
    aliases: list[str] = Field(default_factory=list)  # what clients call the document


class ConfirmStep(_Step):
    """Shows a summary of the slots answered so far and asks to confirm or fix one of them."""

    type: Literal["confirm"]
    prompt: Text
    on_yes: str
    allow_fix: bool = True


class SayStep(_Step):
    type: Literal["say"]
    text: Text


class BranchStep(_Model):
    type: Literal["branch"]
    cases: list[Case] = Field(min_length=1)
    default: str


class SetStageStep(_Step):
    type: Literal["set_stage"]
    stage: str
    reason: str = "flow"


class ActionStep(_Step):
    type: Literal["action"]
    action: str


class CallStep(_Step):
    """Runs another flow with its slots stored under ``namespace.`` and returns here."""

    type: Literal["call"]
    flow: str
    namespace: str
    label: Text
    params: dict[str, Text] = Field(default_factory=dict)


class HandoffStep(_Step):
    type: Literal["handoff"]
    reason: str
    text: Text


class EndStep(_Model):
    type: Literal["end"]
    text: Text | None = None


Step = Annotated[
    AskStep
    | ChoiceStep
    | DocumentStep
    | ConfirmStep
    | SayStep
    | BranchStep
    | SetStageStep
    | ActionStep
    | CallStep
    | HandoffStep
    | EndStep,
    Field(discriminator="type"),
]

INTERACTIVE = (AskStep, ChoiceStep, DocumentStep, ConfirmStep)


class Flow(_Model):
    id: str
    description: str = ""
    start: str
    steps: dict[str, Step]
    # Slots that actions fill (not asked by any step) and that branches may test.
    computed_slots: list[str] = Field(default_factory=list)

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]
