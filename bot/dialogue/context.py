"""What the engine may read about the world beyond the dialogue state, for one turn.

Most of it is cheap and always there (stage, CSM, opt-out). What only some turns need (the
documents the client sent, an open request for a person, whether the team is in business hours)
sits behind the ``ProgressView`` port and is read only when a turn asks for it: a status
question, a request for a person, "tem alguém aí?".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from bot.domain.onboarding import STAGE_LABELS, Stage
from bot.domain.training import TrainingScheduler

__all__ = [
    "ConversationContext",
    "DocumentProgress",
    "DocumentStatus",
    "HumanRequest",
    "HumanWait",
    "NoProgress",
    "ProgressView",
    "StatusLinks",
]

# received: stored, not read yet; reading: the reader has it; read: shown to the client, not
# confirmed; confirmed; rejected: unusable (the reason was told); failed: the reader gave up.
DocumentStatus = Literal["received", "reading", "read", "confirmed", "rejected", "failed"]


@dataclass(frozen=True, slots=True)
class DocumentProgress:
    """One file the client sent, as far as the back-office knows."""

    kind: str | None  # cnpj_card | cnh | rg | other; None until it is read
    status: DocumentStatus
    received_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class HumanRequest:
    """An open request for a person (an escalation not resolved yet)."""

    reason: str
    opened_at: datetime
    taken_by: str | None = None  # the staff member who took it, if anyone did


@dataclass(frozen=True, slots=True)
class HumanWait:
    """What the client may expect after asking for a person."""

    first_answer_minutes: int  # the escalation SLA, in business minutes
    in_business_hours: bool = True
    opens_at: datetime | None = None  # when the team is next at work, outside business hours


class ProgressView(Protocol):
    """Read-only views the service computes on demand, inside the turn's transaction."""

    def documents(self) -> Sequence[DocumentProgress]: ...

    def open_human_request(self) -> HumanRequest | None: ...

    def human_wait(self) -> HumanWait: ...


class NoProgress:
    """Nothing known beyond the dialogue state (the terminal without a database, tests)."""

    def documents(self) -> Sequence[DocumentProgress]:
        return ()

    def open_human_request(self) -> HumanRequest | None:
        return None

    def human_wait(self) -> HumanWait:
        return HumanWait(first_answer_minutes=240)


class StatusLinks(Protocol):
    """The client's status page (``/s/<token>``), offered in status answers, at stage changes,
    at the end of the registration and with training confirmations (``status_link.py``)."""

    def offer(self) -> str | None:
        """A new link (a new token) for this contact, or None when none may be given."""
        ...


@dataclass(frozen=True, slots=True)
class ConversationContext:
    stage: Stage = Stage.CADASTRO
    csm_name: str | None = None
    opted_out: bool = False
    now: datetime | None = None
    timezone: str = "America/Sao_Paulo"
    training: TrainingScheduler | None = None  # None: scheduling is not offered in the chat
    nps_booking_id: int | None = None  # a session whose NPS question awaits its answer
    progress: ProgressView = field(default_factory=NoProgress)
    status_links: StatusLinks | None = None  # None: no status page (terminal, tests)

    def stage_label(self, language: str) -> str:
        return STAGE_LABELS[self.stage]["en" if language == "en" else "pt"]
