"""Clients idle on a question: their nudges (and the CSM alert after them) scheduled as jobs,
and the ``client_idle`` alerts of clients who wrote again resolved.

A job's key carries the client's last message, so a sweep repeated by two processes schedules
each period's jobs once, and a client who writes again starts a new period. Each idle period
is looked at once: the conversation records it in ``nudged_since``, so a sweep reads only
conversations idle since the last one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Select, Table, bindparam, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue.state import DialogueState
from bot.domain.clock import Clock
from bot.domain.onboarding import Stage
from bot.service.conversations import ConversationService
from bot.service.jobs import SendPolicy, schedule_job
from bot.storage.models import Alert, Conversation, Onboarding

__all__ = ["IdleSweep", "ManagerAlerts", "NudgePolicy", "resolve_answered"]

_CLIENT_STAGES = (Stage.CADASTRO.value, Stage.DOCUMENTOS.value)
_IDLE_LOOK_BACK = timedelta(days=30)
_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]
_MARK_NUDGED = (
    update(_CONVERSATIONS)
    .where(
        _CONVERSATIONS.c.id == bindparam("b_id"),
        _CONVERSATIONS.c.last_inbound_at == bindparam("b_since"),
    )
    .values(nudged_since=bindparam("b_since"))
)


@dataclass(frozen=True, slots=True, kw_only=True)
class NudgePolicy:
    """How long a client may stay on a question (business time) and how often to remind."""

    idle_hours: float = 9.0  # one business day of 09:00-18:00
    max_nudges: int = 2


class ManagerAlerts(Protocol):
    """The manager alerts' ledger (``bot.alerts.ledger`` satisfies it; the alerts sit above the
    service layer, so the caller hands it in)."""

    def raise_alert(  # noqa: PLR0913 - the ledger's own signature
        self,
        session: Session,
        *,
        kind: str,
        subject_key: str,
        period_key: str,
        title: str,
        now: datetime,
        body: str = ...,
        severity: str = ...,
        onboarding_id: int | None = ...,
    ) -> bool: ...

    def resolve_missing(
        self,
        session: Session,
        *,
        kind: str,
        active_keys: Iterable[tuple[str, str]],
        now: datetime,
    ) -> list[int]: ...


class IdleSweep:
    """Schedules the nudges of conversations idle on a question (one transaction per sweep)."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        conversations: ConversationService,
        clock: Clock,
        send: SendPolicy,
        nudges: NudgePolicy,
        alerts: ManagerAlerts,
    ) -> None:
        self.sessions = sessions
        self.conversations = conversations
        self.clock = clock
        self.send = send
        self.nudges = nudges
        self.alerts = alerts

    def sweep(self) -> int:
        """How many jobs this sweep scheduled."""
        now = self.clock.now()
        scheduled = 0
        with self.sessions.begin() as session:
            looked_at = []
            for conversation in session.scalars(_idle_since_last_sweep(now)).all():
                created = self._schedule_nudges(session, conversation, now=now)
                if created is None:
                    continue  # not waiting on a question: looked at again next time
                scheduled += created
                looked_at.append({"b_id": conversation.id, "b_since": conversation.last_inbound_at})
            if looked_at:
                # Only if the client has not written meanwhile (then a new period starts).
                session.execute(_MARK_NUDGED, looked_at)
            resolve_answered(session, alerts=self.alerts, now=now)
        return scheduled

    def _schedule_nudges(
        self, session: Session, conversation: Conversation, *, now: datetime
    ) -> int | None:
        """How many of the period's jobs this call created; None when the conversation is not
        waiting on a question (a question asked later, e.g. after a document is read, has
        not been seen yet)."""
        state = DialogueState.model_validate(conversation.state or {})
        waiting = self.conversations.engine.waiting_on(state)
        since = conversation.last_inbound_at
        if waiting is None or since is None:
            return None
        budget = timedelta(hours=waiting[1] or self.nudges.idle_hours)
        calendar = self.send.calendar
        created = 0
        for number in range(1, self.nudges.max_nudges + 2):
            due = calendar.add_business_time(since, budget * number)
            last = number > self.nudges.max_nudges
            kind = "idle_alert" if last else "nudge"
            created += schedule_job(
                session,
                kind=kind,
                key=f"{kind}:{conversation.id}:{since.isoformat()}:{number}",
                due_at=due if last else self.send.next_allowed(due),
                now=now,
                conversation_id=conversation.id,
                onboarding_id=conversation.onboarding_id,
                payload={"since": since.isoformat(), "number": number},
            )
        return created


def _idle_since_last_sweep(now: datetime) -> Select[Conversation]:
    """Onboardings still waiting on the client's answers (registration and documents), idle
    for at least an hour and less than the look-back, in a period not looked at yet."""
    return (
        select(Conversation)
        .join(Onboarding, Onboarding.id == Conversation.onboarding_id)
        .where(
            Onboarding.stage.in_(_CLIENT_STAGES),
            Conversation.opted_out.is_(False),
            Conversation.bot_paused.is_(False),
            Conversation.last_inbound_at.is_not(None),
            Conversation.last_inbound_at < now - timedelta(hours=1),
            Conversation.last_inbound_at >= now - _IDLE_LOOK_BACK,
            or_(
                Conversation.nudged_since.is_(None),
                Conversation.nudged_since != Conversation.last_inbound_at,
            ),
        )
    )


def resolve_answered(session: Session, *, alerts: ManagerAlerts, now: datetime) -> None:
    """A ``client_idle`` alert ends when its client writes again (the period is the stamp of
    the message they had gone quiet after); managers then get the "resolvido" notice."""
    still_idle: list[tuple[str, str]] = []
    for subject, period in session.execute(
        select(Alert.subject_key, Alert.period_key).where(
            Alert.kind == "client_idle", Alert.resolved_at.is_(None)
        )
    ):
        conversation_id = int(subject.removeprefix("conversation:"))
        since = session.scalar(
            select(Conversation.last_inbound_at).where(Conversation.id == conversation_id)
        )
        if since is not None and since.isoformat() == period:
            still_idle.append((subject, period))
    alerts.resolve_missing(session, kind="client_idle", active_keys=still_idle, now=now)
