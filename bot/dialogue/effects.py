"""What a turn asks the outside world to do; the service layer applies these in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.dialogue.state import SlotValue
from bot.domain.company import CompanyLookupResult


@dataclass(frozen=True, slots=True)
class SetStage:
    stage: str
    reason: str


@dataclass(frozen=True, slots=True)
class Escalate:
    reason: str  # request_human | repeated_invalid | complaint | flow:<name> | ...
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OptOut:
    pass


@dataclass(frozen=True, slots=True)
class OptIn:
    pass


@dataclass(frozen=True, slots=True)
class RequestErasure:
    pass


@dataclass(frozen=True, slots=True)
class SaveRegistration:
    slots: dict[str, SlotValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordEvent:
    kind: str  # consent_given | consent_refused | form_refused | language_changed | ...
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SlotChanged:
    """An answer replaced an earlier one (a correction): the audit trail keeps both."""

    key: str
    old: SlotValue | None
    new: SlotValue


@dataclass(frozen=True, slots=True)
class DocumentConfirmed:
    """The client confirmed what was read from a document."""

    document_id: int
    kind: str
    fields: dict[str, str] = field(default_factory=dict)
    corrected: tuple[str, ...] = ()  # fields the client typed over the reading


@dataclass(frozen=True, slots=True, kw_only=True)
class NpsAnswered:
    """The client's NPS score (0–10) for a training session, or the comment that follows it."""

    booking_id: int
    score: int | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CompanyChecked:
    """What the Receita Federal said of the CNPJ the client typed (or that it could not say)."""

    cnpj: str
    result: CompanyLookupResult
    young_days: int = 90


Effect = (
    SetStage
    | Escalate
    | OptOut
    | OptIn
    | RequestErasure
    | SaveRegistration
    | RecordEvent
    | SlotChanged
    | DocumentConfirmed
    | NpsAnswered
    | CompanyChecked
)
