"""What a manager reads about their team (admins: everyone): the open alerts, each CSM's load
against their cap with the work that makes it up, and the training availability and sessions.

Read-only queries, scoped by the existing rules and never a new one: alerts and work through
``backoffice.access`` (an alert belongs to an onboarding, ``belongs_to_scope``; a digest without
one is the admins'), CSMs, availability and sessions through ``backoffice.training.csm_scope``,
bookings through ``booking_scope``. Acting on them is the existing use cases' job
(``escalations.reassign``, ``onboardings.assign_csm``, ``training.record_attendance``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, select
from sqlalchemy.orm import Session, aliased

from backoffice.access import (
    Principal,
    belongs_to_scope,
    escalation_scope,
    onboarding_scope,
)
from backoffice.escalations import OPEN_STATUSES, open_loads
from backoffice.onboardings import FINAL_STAGES
from backoffice.training import booking_scope, csm_scope
from bot.storage.models import (
    Alert,
    Client,
    Conversation,
    Escalation,
    Onboarding,
    StaffUser,
    TrainingAvailability,
    TrainingBooking,
    TrainingSlot,
)

__all__ = [
    "CsmLoad",
    "TrainingSession",
    "TeamWork",
    "WorkItem",
    "csm_loads",
    "open_alerts",
    "team_csms",
    "training_sessions",
    "training_windows",
]

SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


def open_alerts(
    session: Session, principal: Principal, *, limit: int = 50
) -> list[tuple[Alert, int | None]]:
    """The alerts not resolved yet that the caller may see, the most severe and newest first,
    each with its onboarding's client (for the link to the record)."""
    principal.require_role("manager", "admin")
    rank = case(SEVERITY_ORDER, value=Alert.severity, else_=3)
    onboarding = aliased(Onboarding)  # the scope's subquery reads Onboarding: not correlated
    return [
        (alert, client_id)
        for alert, client_id in session.execute(
            select(Alert, onboarding.client_id)
            .outerjoin(onboarding, onboarding.id == Alert.onboarding_id)
            .where(Alert.resolved_at.is_(None), belongs_to_scope(principal, Alert.onboarding_id))
            .order_by(rank, Alert.raised_at.desc(), Alert.id.desc())
            .limit(limit)
        )
    ]


def team_csms(session: Session, principal: Principal) -> list[StaffUser]:
    """The active CSMs of the caller's team (admins: all), by name."""
    principal.require_role("manager", "admin")
    return list(
        session.scalars(
            select(StaffUser)
            .where(
                StaffUser.role == "csm",
                StaffUser.active.is_(True),
                csm_scope(principal, StaffUser.id),
            )
            .order_by(StaffUser.team, StaffUser.name, StaffUser.id)
        )
    )


@dataclass(frozen=True, slots=True)
class WorkItem:
    """An open escalation or an active onboarding, as the load table lists it."""

    kind: str  # escalation | onboarding
    id: int
    onboarding_id: int | None
    client_id: int | None
    company: str
    detail: str  # the escalation's reason, the onboarding's stage
    since: datetime
    holder_id: int | None
    # An escalation whose onboarding has a CSM follows it: it moves with the onboarding only.
    follows_onboarding: bool = False


@dataclass(frozen=True, slots=True)
class CsmLoad:
    id: int
    name: str
    team: str
    cap: int
    open_escalations: int  # ``escalations.open_loads``: what the cap counts
    work: list[WorkItem] = field(default_factory=list)

    @property
    def active_onboardings(self) -> int:
        return sum(1 for item in self.work if item.kind == "onboarding")

    @property
    def full(self) -> bool:
        return self.open_escalations >= self.cap

    @property
    def share(self) -> float:
        """How much of the cap is used, 0 to 1 (for the bar)."""
        return min(self.open_escalations / self.cap, 1.0) if self.cap > 0 else 1.0


@dataclass(frozen=True, slots=True)
class TeamWork:
    loads: list[CsmLoad]
    queue: list[WorkItem]  # open escalations nobody holds


def csm_loads(session: Session, principal: Principal) -> TeamWork:
    """Each CSM of the team with their open escalations (against ``max_open_escalations``) and
    active onboardings, plus the unassigned open escalations the caller sees."""
    csms = team_csms(session, principal)
    ids = [c.id for c in csms]
    loads = open_loads(session, ids)
    work: dict[int | None, list[WorkItem]] = {c.id: [] for c in csms}
    work[None] = []
    for item in _escalation_items(session, principal, csm_ids=ids):
        work[item.holder_id].append(item)
    for item in _onboarding_items(session, principal, csm_ids=ids):
        work[item.holder_id].append(item)
    return TeamWork(
        loads=[
            CsmLoad(
                id=c.id,
                name=c.name,
                team=c.team,
                cap=c.max_open_escalations,
                open_escalations=loads[c.id],
                work=work[c.id],
            )
            for c in csms
        ],
        queue=work[None],
    )


def _escalation_items(
    session: Session, principal: Principal, *, csm_ids: list[int]
) -> list[WorkItem]:
    """The open escalations the caller sees held by these CSMs or by nobody, oldest first."""
    parent = aliased(Onboarding)  # the scope's subquery reads Onboarding: not correlated
    rows = session.execute(
        select(Escalation, parent.csm_id, Client.id, Client.company_name)
        .join(Conversation, Conversation.id == Escalation.conversation_id)
        .outerjoin(parent, parent.id == Escalation.onboarding_id)
        .outerjoin(Client, Client.id == Conversation.client_id)
        .where(
            Escalation.status.in_(OPEN_STATUSES),
            escalation_scope(principal),
            (Escalation.assigned_to.in_(csm_ids)) | Escalation.assigned_to.is_(None),
        )
        .order_by(Escalation.created_at, Escalation.id)
    )
    return [
        WorkItem(
            kind="escalation",
            id=escalation.id,
            onboarding_id=escalation.onboarding_id,
            client_id=client_id,
            company=company or "—",
            detail=escalation.reason,
            since=escalation.created_at,
            holder_id=escalation.assigned_to,
            follows_onboarding=onboarding_csm is not None,
        )
        for escalation, onboarding_csm, client_id, company in rows
    ]


def _onboarding_items(
    session: Session, principal: Principal, *, csm_ids: list[int]
) -> list[WorkItem]:
    """The active onboardings these CSMs follow that the caller sees, longest in stage first."""
    rows = session.execute(
        select(Onboarding, Client.company_name)
        .outerjoin(Client, Client.id == Onboarding.client_id)
        .where(
            Onboarding.csm_id.in_(csm_ids),
            Onboarding.stage.not_in(FINAL_STAGES),
            onboarding_scope(principal),
        )
        .order_by(Onboarding.stage_entered_at, Onboarding.id)
    )
    return [
        WorkItem(
            kind="onboarding",
            id=onboarding.id,
            onboarding_id=onboarding.id,
            client_id=onboarding.client_id,
            company=company or "—",
            detail=onboarding.stage,
            since=onboarding.stage_entered_at,
            holder_id=onboarding.csm_id,
        )
        for onboarding, company in rows
    ]


def training_windows(
    session: Session, principal: Principal
) -> list[tuple[TrainingAvailability, str]]:
    """The active weekly availability of the CSMs in scope, with each CSM's name."""
    principal.require_role("manager", "admin")
    return [
        (row, name)
        for row, name in session.execute(
            select(TrainingAvailability, StaffUser.name)
            .join(StaffUser, StaffUser.id == TrainingAvailability.csm_id)
            .where(
                TrainingAvailability.active.is_(True),
                csm_scope(principal, TrainingAvailability.csm_id),
            )
            .order_by(StaffUser.name, TrainingAvailability.weekday, TrainingAvailability.starts)
        )
    ]


@dataclass(frozen=True, slots=True)
class TrainingSession:
    """A training session with its bookings (attendance is recorded once it has started)."""

    slot: TrainingSlot
    csm_name: str
    bookings: list[tuple[TrainingBooking, str]]  # with the company's name
    started: bool


def training_sessions(
    session: Session,
    principal: Principal,
    *,
    now: datetime,
    back: timedelta = timedelta(days=7),
    ahead: timedelta = timedelta(days=14),
    limit: int = 40,
) -> list[TrainingSession]:
    """Sessions of the CSMs in scope from ``back`` ago to ``ahead``, with their bookings in
    scope; sessions with nobody booked are left out (free seats are the availability's)."""
    principal.require_role("manager", "admin")
    rows = session.execute(
        select(TrainingBooking, TrainingSlot, StaffUser.name, Client.company_name)
        .join(TrainingSlot, TrainingSlot.id == TrainingBooking.slot_id)
        .join(StaffUser, StaffUser.id == TrainingSlot.csm_id)
        .join(Onboarding, Onboarding.id == TrainingBooking.onboarding_id)
        .outerjoin(Client, Client.id == Onboarding.client_id)
        .where(
            booking_scope(principal),
            csm_scope(principal, TrainingSlot.csm_id),
            TrainingSlot.starts_at >= now - back,
            TrainingSlot.starts_at < now + ahead,
            TrainingBooking.status.in_(("booked", "attended", "no_show")),
        )
        .order_by(TrainingSlot.starts_at, TrainingSlot.id, TrainingBooking.id)
    )
    sessions: dict[int, TrainingSession] = {}
    for booking, slot, csm_name, company in rows:
        if slot.id not in sessions:
            if len(sessions) >= limit:
                break
            sessions[slot.id] = TrainingSession(
                slot=slot, csm_name=csm_name, bookings=[], started=slot.starts_at <= now
            )
        sessions[slot.id].bookings.append((booking, company or "—"))
    return list(sessions.values())
