"""Who answers an escalation: the auto-assignment rule and the CSMs' load.

The rule: the onboarding's CSM when it has one; otherwise the least-loaded active CSM of the
escalation's queue (the segment; CSMs without a segment serve every queue) whose open
escalations are below their cap (``StaffUser.max_open_escalations``), ties to the lowest id;
otherwise nobody: the escalation waits in the queue. For a segment whose pipeline has a
dedicated CSM (enterprise), the chosen CSM becomes the onboarding's CSM too.

On PostgreSQL the candidate CSM rows are locked (``FOR UPDATE``, in id order) so that two
escalations assigned at the same time cannot both take a CSM's last free slot.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from backoffice.audit import record_audit
from backoffice.pipeline import PipelineCatalog
from bot.storage.models import Conversation, Escalation, Onboarding, StaffUser

OPEN_STATUSES = ("open", "taken")


def open_loads(session: Session, staff_ids: Iterable[int]) -> dict[int, int]:
    """Open (not resolved) escalations per staff member."""
    ids = list(staff_ids)
    loads = dict.fromkeys(ids, 0)
    if not ids:
        return loads
    rows = session.execute(
        select(Escalation.assigned_to, func.count(Escalation.id))
        .where(Escalation.assigned_to.in_(ids), Escalation.status.in_(OPEN_STATUSES))
        .group_by(Escalation.assigned_to)
    )
    for staff_id, count in rows:
        if staff_id is not None:
            loads[staff_id] = int(count)
    return loads


def least_loaded_csm(
    session: Session, *, queue: str, exclude: int | None = None
) -> StaffUser | None:
    """The CSM with the fewest open escalations under their cap, or None when all are full."""
    query = (
        select(StaffUser)
        .where(
            StaffUser.role == "csm",
            StaffUser.active.is_(True),
            or_(StaffUser.segment == queue, StaffUser.segment.is_(None)),
        )
        .order_by(StaffUser.id)
    )
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        query = query.with_for_update()
    candidates = [c for c in session.scalars(query).all() if c.id != exclude]
    loads = open_loads(session, (c.id for c in candidates))
    free = [c for c in candidates if loads[c.id] < c.max_open_escalations]
    return min(free, key=lambda c: (loads[c.id], c.id), default=None)


def assign_escalation(
    session: Session,
    escalation: Escalation,
    *,
    now: datetime,
    dedicated_csm: bool = False,
    actor: str = "system",
) -> StaffUser | None:
    """Applies the assignment rule to ``escalation`` (in the caller's transaction).

    ``dedicated_csm``: the onboarding's segment has a dedicated CSM (``EscalationAssigner``
    reads it from the pipeline templates). Returns the assignee, or None when it stays queued.
    An escalation already assigned is left alone.
    """
    if escalation.assigned_to is not None:
        return session.get(StaffUser, escalation.assigned_to)
    session.flush()
    onboarding = (
        session.get(Onboarding, escalation.onboarding_id)
        if escalation.onboarding_id is not None
        else None
    )
    assignee: StaffUser | None = None
    if onboarding is not None and onboarding.csm_id is not None:
        owner = session.get(StaffUser, onboarding.csm_id)
        if owner is not None and owner.active:
            assignee = owner
    if assignee is None:
        assignee = least_loaded_csm(session, queue=escalation.queue)
        if assignee is not None and dedicated_csm and onboarding is not None:
            onboarding.csm_id = assignee.id
    if assignee is None:
        return None
    escalation.assigned_to = assignee.id
    conversation = session.get(Conversation, escalation.conversation_id)
    record_audit(
        session,
        actor=actor,
        action="escalation_assigned",
        at=now,
        client_id=conversation.client_id if conversation is not None else None,
        conversation_id=escalation.conversation_id,
        field="escalation.assigned_to",
        new=assignee.id,
    )
    return assignee


class EscalationAssigner:
    """``assign_escalation`` with the dedicated-CSM rule read from the pipeline templates.

    Built once by the composition root and called by ``EffectRecorder`` after the bot
    escalates: ``assigner.assign(session, escalation, now=now)``.
    """

    def __init__(self, pipelines: PipelineCatalog) -> None:
        self._dedicated = frozenset(t.segment.value for t in pipelines if t.dedicated_csm)

    def assign(
        self, session: Session, escalation: Escalation, *, now: datetime
    ) -> StaffUser | None:
        return assign_escalation(
            session, escalation, now=now, dedicated_csm=escalation.queue in self._dedicated
        )
