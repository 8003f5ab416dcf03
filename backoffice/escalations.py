"""Who answers an escalation: the auto-assignment rule, assignment by hand, and the CSMs' load.

An escalation follows its onboarding (its scope is the onboarding's, ``backoffice.access``), so
it is only ever held by someone who sees that onboarding:

* the rule: the onboarding's CSM when it has one (an inactive CSM's escalation waits in the
  queue until a manager gives the onboarding to someone else); otherwise the least-loaded
  active CSM of the escalation's queue (the segment; CSMs without a segment serve every queue)
  whose open escalations are below their cap (``StaffUser.max_open_escalations``), ties to the
  lowest id; otherwise nobody: the escalation waits in the queue. For a segment whose pipeline
  has a dedicated CSM (enterprise), the chosen CSM becomes the onboarding's CSM too;
* by hand (``reassign``), a manager picks a CSM of their team, but an onboarding with a CSM keeps
  its escalations with that CSM (409: assign the onboarding instead);
* assigning the onboarding's CSM moves its open escalations along (``follow_onboarding``), back
  to the queue when the onboarding goes back to the queue.

Every move is audited (``escalation_assigned``, field ``escalation.assigned_to``).

On PostgreSQL the candidate CSM rows are locked (``FOR UPDATE``, in id order) so that two
escalations assigned at the same time cannot both take a CSM's last free slot.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.audit import record_audit
from backoffice.errors import Conflict, Forbidden, Invalid
from backoffice.pipeline import PipelineCatalog
from bot.storage.console_events import record_console_event
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
    assignee = _choose(session, escalation, dedicated_csm=dedicated_csm)
    if assignee is not None:
        _move(session, escalation, to=assignee.id, actor=actor, now=now)
    return assignee


def _choose(session: Session, escalation: Escalation, *, dedicated_csm: bool) -> StaffUser | None:
    """The rule itself (gives a dedicated segment's onboarding its CSM); records nothing."""
    session.flush()
    onboarding = (
        session.get(Onboarding, escalation.onboarding_id)
        if escalation.onboarding_id is not None
        else None
    )
    if onboarding is not None and onboarding.csm_id is not None:
        # Only the onboarding's CSM sees it; anyone else would hold what they cannot read.
        owner = session.get(StaffUser, onboarding.csm_id)
        return owner if owner is not None and owner.active else None
    assignee = least_loaded_csm(session, queue=escalation.queue)
    if assignee is not None and dedicated_csm and onboarding is not None:
        onboarding.csm_id = assignee.id
    return assignee


def reassign(
    session: Session,
    escalation: Escalation,
    *,
    principal: Principal,
    staff_id: int | None,
    dedicated_csm: bool,
    now: datetime,
) -> None:
    """A manager's (or an admin's) assignment: to ``staff_id``, or by the rule when None.

    ``Invalid`` when ``staff_id`` is not an active CSM, ``Forbidden`` when a manager names a
    CSM of another team, ``Conflict`` when the escalation is resolved, when its onboarding has
    another CSM (assign the onboarding instead), or when the CSM is at their cap.
    """
    principal.require_role("manager", "admin")
    if escalation.status not in OPEN_STATUSES:
        raise Conflict(f"escalation {escalation.id} is {escalation.status}")
    if staff_id is None:
        old = escalation.assigned_to
        escalation.assigned_to = None  # not counted in its holder's load while choosing
        chosen = _choose(session, escalation, dedicated_csm=dedicated_csm)
        escalation.assigned_to = old
        if (chosen.id if chosen else None) != old:
            _move(
                session,
                escalation,
                to=chosen.id if chosen else None,
                actor=principal.actor,
                now=now,
            )
        return
    staff = session.get(StaffUser, staff_id)
    if staff is None or staff.role != "csm" or not staff.active:
        raise Invalid(f"staff member {staff_id} is not an active CSM")
    if principal.role == "manager" and staff.team != principal.team:
        raise Forbidden(f"CSM {staff.id} is not in your team")
    onboarding = (
        session.get(Onboarding, escalation.onboarding_id)
        if escalation.onboarding_id is not None
        else None
    )
    if onboarding is not None and onboarding.csm_id not in (None, staff.id):
        raise Conflict(
            f"escalation {escalation.id} follows onboarding {onboarding.id}, whose CSM is "
            f"staff member {onboarding.csm_id}; to hand it to CSM {staff.id}, assign them the "
            f"onboarding (PUT /onboardings/{onboarding.id}/csm)"
        )
    if escalation.assigned_to == staff.id:
        return
    if open_loads(session, [staff.id])[staff.id] >= staff.max_open_escalations:
        raise Conflict(f"CSM {staff.id} is at their cap of open escalations")
    _move(session, escalation, to=staff.id, actor=principal.actor, now=now)


def follow_onboarding(
    session: Session, onboarding: Onboarding, *, actor: str, now: datetime
) -> list[Escalation]:
    """Gives the onboarding's open escalations to its CSM, or back to the queue when it has none
    (called when the onboarding's CSM changes). Returns the escalations moved, each audited."""
    session.flush()
    moved = [
        escalation
        for escalation in session.scalars(
            select(Escalation)
            .where(
                Escalation.onboarding_id == onboarding.id,
                Escalation.status.in_(OPEN_STATUSES),
            )
            .order_by(Escalation.id)
        )
        if escalation.assigned_to != onboarding.csm_id
    ]
    for escalation in moved:
        _move(session, escalation, to=onboarding.csm_id, actor=actor, now=now)
    return moved


def _move(
    session: Session, escalation: Escalation, *, to: int | None, actor: str, now: datetime
) -> None:
    old = escalation.assigned_to
    escalation.assigned_to = to
    conversation = session.get(Conversation, escalation.conversation_id)
    record_audit(
        session,
        actor=actor,
        action="escalation_assigned",
        at=now,
        client_id=conversation.client_id if conversation is not None else None,
        conversation_id=escalation.conversation_id,
        field="escalation.assigned_to",
        old=old,
        new=to,
    )
    record_console_event(
        session,
        kind="escalation_assigned",
        at=now,
        onboarding_id=escalation.onboarding_id,
        conversation_id=escalation.conversation_id,
        actor=actor,
        data={"escalation_id": escalation.id, "assigned_to": to, "previous_assignee": old},
    )


def resolve_escalation(
    session: Session, escalation: Escalation, *, principal: Principal, now: datetime
) -> None:
    """Closes the escalation (``Conflict`` when it already is), audited."""
    if escalation.status == "resolved":
        raise Conflict(f"escalation {escalation.id} is already resolved")
    escalation.status = "resolved"
    escalation.resolved_at = now
    conversation = session.get(Conversation, escalation.conversation_id)
    record_audit(
        session,
        actor=principal.actor,
        action="escalation_resolved",
        at=now,
        client_id=conversation.client_id if conversation else None,
        conversation_id=escalation.conversation_id,
        field="escalation",
        new=escalation.id,
    )
    record_console_event(
        session,
        kind="escalation_resolved",
        at=now,
        onboarding_id=escalation.onboarding_id,
        conversation_id=escalation.conversation_id,
        actor=principal.actor,
        data={"escalation_id": escalation.id},
    )


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
