"""SLA clocks of onboardings: per stage, in business hours, with pauses while waiting on the client.

When does an onboarding wait on the client (a *pause*)? Derived, never typed in twice:

* In a stage whose template ``owner`` is ``client`` (cadastro, documentos, treinamento) the
  onboarding waits on the client all the time, except while the company owes an answer: from a
  client message nobody has answered yet (no bot or staff message after it) until the next
  answer, and while an escalation is open (from its creation until a person takes it or it is
  resolved).
* In every stage, staff may say "waiting on the client" (``POST /onboardings/{id}/pauses``,
  e.g. a document to redo during validation): the pause lasts until staff ends it, the client
  writes again, or the stage changes.

The stage's ``pause_while_waiting_on_client`` decides whether the SLA clock stops during those
pauses; the two waiting figures are reported either way (``bot.domain.business_time`` explains
them: ``client_waiting`` is the client waiting for the company, outside the pauses;
``company_waiting`` the company waiting for the client, inside them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from backoffice.pipeline import PipelineTemplate, StageSpec
from bot.domain.business_time import BusinessCalendar, SlaState, SlaStatus, evaluate_sla
from bot.storage.models import Conversation, Escalation, Message, Onboarding, SlaPause

Interval = tuple[datetime, datetime]


@dataclass
class Activity:
    """What happened around one onboarding, as timestamps: enough to derive its pauses."""

    inbound: list[datetime] = field(default_factory=list)  # client messages
    outbound: list[datetime] = field(default_factory=list)  # bot and staff messages
    escalations: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    pauses: list[tuple[str, datetime, datetime | None]] = field(default_factory=list)


@dataclass(frozen=True)
class StageSla:
    """The SLA of one stage visit, at ``at``."""

    stage: str
    entered_at: datetime
    target_business_hours: float
    pauses_clock: bool
    waiting_on: str  # client | company
    status: SlaStatus


def load_activity(
    session: Session, onboarding_ids: Iterable[int], *, current_stage_only: bool = False
) -> dict[int, Activity]:
    """What happened around each onboarding: client and bot/staff message times, escalations,
    explicit pauses.

    ``current_stage_only``: for the SLA of the stage each onboarding is in now
    (``onboarding_sla``), the messages since it entered that stage and, from before, only the
    last client message and the last bot/staff message — they alone decide whether the client
    was owed an answer when the stage began, which is all the clipped intervals keep of the
    past. The alert sweep, the metrics, the board and the inbox read this way: the whole
    history of every open onboarding every minute grew with the data (bench/chaos, the soak).
    """
    ids = sorted(set(onboarding_ids))
    activity: dict[int, Activity] = defaultdict(Activity)
    if not ids:
        return activity
    query = (
        select(Conversation.onboarding_id, Message.direction, Message.author, Message.created_at)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Conversation.onboarding_id.in_(ids))
    )
    if current_stage_only:
        query = query.join(Onboarding, Onboarding.id == Conversation.onboarding_id).where(
            Message.created_at >= Onboarding.stage_entered_at
        )
        _last_before_stage(session, ids, activity=activity)
    for onboarding_id, direction, author, created_at in session.execute(query):
        assert onboarding_id is not None
        if direction == "in":
            activity[onboarding_id].inbound.append(created_at)
        elif author in _ANSWERS:
            activity[onboarding_id].outbound.append(created_at)
    escalations = session.execute(
        select(
            Escalation.onboarding_id,
            Escalation.created_at,
            Escalation.taken_at,
            Escalation.resolved_at,
        ).where(Escalation.onboarding_id.in_(ids))
    )
    for onboarding_id, created_at, taken_at, resolved_at in escalations:
        assert onboarding_id is not None
        ends = [t for t in (taken_at, resolved_at) if t is not None]
        activity[onboarding_id].escalations.append((created_at, min(ends) if ends else None))
    pauses = session.execute(
        select(
            SlaPause.onboarding_id, SlaPause.stage, SlaPause.started_at, SlaPause.ended_at
        ).where(SlaPause.onboarding_id.in_(ids))
    )
    for onboarding_id, stage, started_at, ended_at in pauses:
        activity[onboarding_id].pauses.append((stage, started_at, ended_at))
    for item in activity.values():
        item.inbound.sort()
        item.outbound.sort()
    return activity


_ANSWERS = ("bot", "staff")


def _last_before_stage(session: Session, ids: list[int], *, activity: dict[int, Activity]) -> None:
    """The last client message and the last answer before each onboarding's current stage."""
    stamp = Message.__table__.c.created_at.type  # the column's type reads MAX() back as UTC
    inbound = func.max(case((Message.direction == "in", Message.created_at)), type_=stamp)
    answered = func.max(
        case((and_(Message.direction != "in", Message.author.in_(_ANSWERS)), Message.created_at)),
        type_=stamp,
    )
    rows = session.execute(
        select(Conversation.onboarding_id, inbound, answered)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .join(Onboarding, Onboarding.id == Conversation.onboarding_id)
        .where(
            Conversation.onboarding_id.in_(ids),
            Message.created_at < Onboarding.stage_entered_at,
        )
        .group_by(Conversation.onboarding_id)
    )
    for onboarding_id, last_in, last_out in rows:
        assert onboarding_id is not None
        if last_in is not None:
            activity[onboarding_id].inbound.append(last_in)
        if last_out is not None:
            activity[onboarding_id].outbound.append(last_out)


def _clip(intervals: Iterable[Interval], start: datetime, *, end: datetime) -> list[Interval]:
    clipped = sorted((max(low, start), min(high, end)) for low, high in intervals)
    merged: list[Interval] = []
    for low, high in clipped:
        if high <= low:
            continue
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _unanswered(activity: Activity, end: datetime) -> list[Interval]:
    """From a client message nobody answered yet to the next bot or staff message."""
    events = sorted([(t, 0) for t in activity.inbound] + [(t, 1) for t in activity.outbound])
    intervals: list[Interval] = []
    waiting_since: datetime | None = None
    for at, kind in events:
        if kind == 0 and waiting_since is None:
            waiting_since = at
        elif kind == 1 and waiting_since is not None:
            intervals.append((waiting_since, at))
            waiting_since = None
    if waiting_since is not None and waiting_since < end:
        intervals.append((waiting_since, end))
    return intervals


def _complement(intervals: Sequence[Interval], start: datetime, *, end: datetime) -> list[Interval]:
    gaps: list[Interval] = []
    cursor = start
    for low, high in intervals:
        if low > cursor:
            gaps.append((cursor, low))
        cursor = max(cursor, high)
    if cursor < end:
        gaps.append((cursor, end))
    return gaps


def waiting_on_client(
    spec: StageSpec, activity: Activity, *, start: datetime, end: datetime
) -> list[Interval]:
    """The pauses of a visit of stage ``spec`` over [start, end] (see the module docstring)."""
    explicit: list[Interval] = []
    for stage, started_at, ended_at in activity.pauses:
        if stage != spec.id.value or started_at < start:
            continue  # a pause belongs to the visit of the stage in which staff opened it
        stop = end if ended_at is None else ended_at
        replied = next((t for t in activity.inbound if t > started_at), None)
        if replied is not None:
            stop = min(stop, replied)
        explicit.append((started_at, stop))
    pauses = _clip(explicit, start, end=end)
    if spec.owner == "client":
        owed = _unanswered(activity, end) + [
            (created, end if closed is None else closed) for created, closed in activity.escalations
        ]
        pauses = _clip(
            pauses + _complement(_clip(owed, start, end=end), start, end=end), start, end=end
        )
    return pauses


def stage_sla(
    *,
    template: PipelineTemplate,
    stage: str,
    entered_at: datetime,
    at: datetime,
    activity: Activity,
    calendar: BusinessCalendar,
    at_risk_share: float,
) -> StageSla | None:
    """The SLA of a visit of ``stage`` entered at ``entered_at``, seen at ``at``.

    None for stages without a target (final stages, stages the template does not know).
    """
    if not template.has_stage(stage):
        return None
    spec = template.stage(stage)
    policy = spec.sla_policy(at_risk_share=at_risk_share)
    if policy is None or at < entered_at:
        return None
    pauses = waiting_on_client(spec, activity, start=entered_at, end=at)
    status = evaluate_sla(
        policy=policy,
        calendar=calendar,
        entered_at=entered_at,
        now=at,
        pauses=[(low, high) for low, high in pauses],
    )
    waiting_client = bool(pauses) and pauses[-1][1] >= at
    return StageSla(
        stage=stage,
        entered_at=entered_at,
        target_business_hours=float(spec.sla_business_hours or 0.0),
        pauses_clock=spec.pause_while_waiting_on_client,
        waiting_on="client" if waiting_client else "company",
        status=status,
    )


def onboarding_sla(
    onboarding: Onboarding,
    *,
    template: PipelineTemplate,
    activity: Activity,
    calendar: BusinessCalendar,
    now: datetime,
    at_risk_share: float,
) -> StageSla | None:
    """The SLA of the onboarding's current stage at ``now``."""
    return stage_sla(
        template=template,
        stage=onboarding.stage,
        entered_at=onboarding.stage_entered_at,
        at=max(now, onboarding.stage_entered_at),
        activity=activity,
        calendar=calendar,
        at_risk_share=at_risk_share,
    )


__all__ = [
    "Activity",
    "SlaState",
    "StageSla",
    "load_activity",
    "onboarding_sla",
    "stage_sla",
    "waiting_on_client",
]
