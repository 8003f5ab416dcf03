"""What the service recorded during a story replayed over a channel (``story_channels``), read
back in the corpus's terms: a turn's effects from the audit trail and the stage history, and
the conversation's state shaped as the corpus's ``World`` for ``check_expect``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.dialogue.effects import (
    Escalate,
    OptIn,
    OptOut,
    RecordEvent,
    RequestErasure,
    SaveRegistration,
    SetStage,
    SlotChanged,
)
from bot.domain.onboarding import Stage
from bot.storage.models import AuditEvent, Conversation, StageChange

__all__ = ["Marks", "Recorded", "recorded_effects"]


@dataclass
class Recorded:
    """What the service stored: read after each turn, shaped as the corpus's ``World`` so the
    corpus's own ``check_expect`` reads it (stage, opt-out, an open request for a person)."""

    stage: Stage
    opted_out: bool
    human: bool
    training: None = None

    @property
    def progress(self) -> Recorded:
        return self

    def open_human_request(self) -> bool | None:
        return True if self.human else None

    def documents(self) -> tuple[object, ...]:
        return ()


@dataclass(frozen=True)
class Marks:
    """Where the record stood before a turn: the last ids seen, per table."""

    seen: int
    audit: int
    stage: int
    outbox: int


def recorded_effects(runtime: Runtime, conversation_id: int, after: Marks) -> list[object]:
    """The effects of one turn as the service recorded them, newest last: the audit trail of the
    conversation and the stage history of its onboarding since ``after``."""
    effects: list[object] = []
    with runtime.sessions() as session:
        onboarding_id = session.scalar(
            select(Conversation.onboarding_id).where(Conversation.id == conversation_id)
        )
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.conversation_id == conversation_id, AuditEvent.id > after.audit)
            .order_by(AuditEvent.id)
        )
        saved = False
        for event in events:
            if event.action == "escalated":
                effects.append(Escalate(reason=event.new_value or ""))
            elif event.action == "opted_out":
                effects.append(OptOut())
            elif event.action == "opted_in":
                effects.append(OptIn())
            elif event.action == "erasure_requested":
                effects.append(RequestErasure())
            elif event.action == "answer_corrected":
                effects.append(
                    SlotChanged(event.field or "", event.old_value, event.new_value or "")
                )
            elif event.action == "field_changed":
                if not saved:  # the registration saved: one effect, many fields
                    effects.append(SaveRegistration())
                    saved = True
            else:
                effects.append(RecordEvent(kind=event.action, detail=event.new_value or ""))
        changes = session.scalars(
            select(StageChange)
            .where(
                StageChange.onboarding_id == onboarding_id,
                StageChange.id > after.stage,
                StageChange.from_stage.is_not(None),  # not the first of a new onboarding
            )
            .order_by(StageChange.id)
        )
        effects += [SetStage(stage=c.to_stage, reason=c.reason) for c in changes]
    return effects
