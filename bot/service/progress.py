"""The dialogue's ``ProgressView`` from the database: the client's documents, an open request
for a person, and what waiting for one means now. Read only when a turn asks (a status
question, a request for a person), inside the turn's transaction, at most once per turn."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.dialogue.context import DocumentProgress, DocumentStatus, HumanRequest, HumanWait
from bot.domain.calendar_business import BusinessCalendar
from bot.storage.models import Conversation, Document, Escalation, StaffUser

__all__ = ["HumanWaitPolicy", "SessionProgress"]


@dataclass(frozen=True, slots=True)
class HumanWaitPolicy:
    """Business hours and the escalation SLA: what a client who asks for a person is told."""

    calendar: BusinessCalendar
    first_answer_minutes: int


class SessionProgress:
    """One turn's view; each part is read once, on first use."""

    def __init__(
        self,
        session: Session,
        *,
        conversation: Conversation,
        now: datetime,
        policy: HumanWaitPolicy | None,
    ) -> None:
        self._session = session
        self._conversation = conversation
        self._now = now
        self._policy = policy

    def documents(self) -> Sequence[DocumentProgress]:
        return self._documents

    @cached_property
    def _documents(self) -> tuple[DocumentProgress, ...]:
        conversation = self._conversation
        owner = (
            Document.client_id == conversation.client_id
            if conversation.client_id is not None
            else Document.conversation_id == conversation.id
        )
        rows = self._session.execute(
            select(Document.kind, Document.status, Document.confirmed_at, Document.claimed_until,
                   Document.received_at)
            .where(owner)
            .order_by(Document.received_at, Document.id)
        ).all()  # fmt: skip
        return tuple(
            DocumentProgress(
                kind=kind if status in ("read", "rejected") and kind else None,
                status=_status(
                    status, confirmed_at=confirmed_at, claimed_until=claimed_until, now=self._now
                ),
                received_at=received_at,
            )
            for kind, status, confirmed_at, claimed_until, received_at in rows
        )

    def open_human_request(self) -> HumanRequest | None:
        return self._request

    @cached_property
    def _request(self) -> HumanRequest | None:
        row = self._session.execute(
            select(Escalation.reason, Escalation.created_at, StaffUser.name, Escalation.status)
            .outerjoin(StaffUser, StaffUser.id == Escalation.assigned_to)
            .where(
                Escalation.conversation_id == self._conversation.id,
                Escalation.status.in_(("open", "taken")),
            )
            .order_by(Escalation.created_at.desc(), Escalation.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        reason, created_at, staff_name, status = row
        return HumanRequest(
            reason=reason,
            opened_at=created_at,
            taken_by=staff_name if status == "taken" else None,
        )

    def human_wait(self) -> HumanWait:
        if self._policy is None:
            return HumanWait(first_answer_minutes=240)
        calendar = self._policy.calendar
        open_now = calendar.is_business_time(self._now)
        return HumanWait(
            first_answer_minutes=self._policy.first_answer_minutes,
            in_business_hours=open_now,
            opens_at=None if open_now else calendar.next_business_start(self._now),
        )


def _status(
    stored: str, *, confirmed_at: datetime | None, claimed_until: datetime | None, now: datetime
) -> DocumentStatus:
    if stored == "read":
        return "confirmed" if confirmed_at is not None else "read"
    if stored in ("rejected", "failed"):
        return "rejected" if stored == "rejected" else "failed"
    if claimed_until is not None and _aware(claimed_until) > now:
        return "reading"
    return "received"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
