"""What staff do to an onboarding: move it along its pipeline, flag it, assign its CSM (its open
escalations go along), pause its SLA clock, and approve it (which queues the ERP push in the
same transaction). A move forward by staff (a move or an approval) is told to the client in the
same transaction (``backoffice.stage_notices``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.audit import record_audit
from backoffice.erp_payload import build_registration
from backoffice.errors import Conflict, Forbidden, Invalid, NotFound
from backoffice.escalations import follow_onboarding
from backoffice.pipeline import PipelineCatalog, PipelineTemplate
from backoffice.stage_notices import tell_stage_move
from bot.domain.onboarding import Stage
from bot.service.status_links import StatusLinkPolicy
from bot.storage.console_events import record_console_event
from bot.storage.models import Client, ErpPush, Onboarding, SlaPause, StaffUser, StageChange

FINAL_STAGES = frozenset({Stage.CONCLUIDO.value, Stage.CANCELADO.value})


def change_stage(
    session: Session,
    onboarding: Onboarding,
    *,
    to_stage: str,
    actor: str,
    reason: str,
    now: datetime,
) -> StageChange:
    """Records a stage change (history, open pauses closed, audit); no pipeline check here."""
    change = StageChange(
        onboarding_id=onboarding.id,
        from_stage=onboarding.stage,
        to_stage=to_stage,
        at=now,
        actor=actor,
        reason=reason,
    )
    session.add(change)
    for pause in session.scalars(
        select(SlaPause).where(SlaPause.onboarding_id == onboarding.id, SlaPause.ended_at.is_(None))
    ):
        pause.ended_at = now
    record_audit(
        session,
        actor=actor,
        action="stage_changed",
        at=now,
        client_id=onboarding.client_id,
        field="stage",
        old=onboarding.stage,
        new=to_stage,
    )
    record_console_event(
        session,
        kind="stage_changed",
        at=now,
        onboarding_id=onboarding.id,
        actor=actor,
        data={"from": onboarding.stage, "to": to_stage},
    )
    onboarding.stage = to_stage
    onboarding.stage_entered_at = now
    onboarding.completed_at = now if to_stage in FINAL_STAGES else None
    return change


def move_stage(
    session: Session,
    onboarding: Onboarding,
    *,
    principal: Principal,
    to_stage: str,
    reason: str,
    now: datetime,
    pipelines: PipelineCatalog,
    links: StatusLinkPolicy,
) -> StageChange:
    """Moves the onboarding as its template allows; a move forward is told to the client with a
    link to the status page (``links``), a move back is not."""
    template = pipelines.for_segment(onboarding.segment)
    template.check_transition(onboarding.stage, to_stage, has_csm=onboarding.csm_id is not None)
    change = change_stage(
        session, onboarding, to_stage=to_stage, actor=principal.actor, reason=reason, now=now
    )
    tell_stage_move(
        session,
        onboarding,
        from_stage=change.from_stage,
        to_stage=to_stage,
        order=template.order,
        links=links,
        now=now,
    )
    return change


def set_red_flag(
    session: Session,
    onboarding: Onboarding,
    *,
    principal: Principal,
    reason: str | None,
    now: datetime,
) -> None:
    """Marks the onboarding at risk with ``reason``, or clears the flag when ``reason`` is None."""
    old = onboarding.red_flag_reason if onboarding.red_flag else None
    onboarding.red_flag = reason is not None
    onboarding.red_flag_reason = reason
    record_audit(
        session,
        actor=principal.actor,
        action="red_flag_set" if reason else "red_flag_cleared",
        at=now,
        client_id=onboarding.client_id,
        field="red_flag",
        old=old,
        new=reason,
    )


def assign_csm(
    session: Session,
    onboarding: Onboarding,
    *,
    principal: Principal,
    csm_id: int | None,
    now: datetime,
) -> None:
    """Managers assign CSMs of their team; admins anyone; None returns it to the queue.

    The onboarding's open escalations go along (to the new CSM, or back to the queue), so that
    nobody keeps an escalation of a client they no longer see; each move is audited."""
    principal.require_role("manager", "admin")
    if csm_id is not None:
        csm = session.get(StaffUser, csm_id)
        if csm is None or csm.role != "csm" or not csm.active:
            raise Invalid(f"staff member {csm_id} is not an active CSM")
        if principal.role == "manager" and csm.team != principal.team:
            raise Forbidden(f"CSM {csm_id} is not in your team")
    old = onboarding.csm_id
    onboarding.csm_id = csm_id
    record_audit(
        session,
        actor=principal.actor,
        action="csm_assigned",
        at=now,
        client_id=onboarding.client_id,
        field="csm_id",
        old=old,
        new=csm_id,
    )
    # Seen by the new CSM's views and, through ``previous_csm_id``, by the previous one's.
    record_console_event(
        session,
        kind="assigned",
        at=now,
        onboarding_id=onboarding.id,
        actor=principal.actor,
        csm_id=csm_id,
        data={"csm_id": csm_id, "previous_csm_id": old},
    )
    follow_onboarding(session, onboarding, actor=principal.actor, now=now)


def open_pause(
    session: Session,
    onboarding: Onboarding,
    *,
    principal: Principal,
    reason: str,
    now: datetime,
) -> SlaPause:
    if onboarding.stage in FINAL_STAGES:
        raise Conflict(f"onboarding {onboarding.id} is finished")
    current = session.scalar(
        select(SlaPause).where(SlaPause.onboarding_id == onboarding.id, SlaPause.ended_at.is_(None))
    )
    if current is not None:
        raise Conflict(
            f"onboarding {onboarding.id} already waits on the client (pause {current.id})"
        )
    pause = SlaPause(
        onboarding_id=onboarding.id,
        stage=onboarding.stage,
        reason=reason,
        started_at=now,
        started_by=principal.id,
    )
    session.add(pause)
    record_audit(
        session,
        actor=principal.actor,
        action="sla_paused",
        at=now,
        client_id=onboarding.client_id,
        field="waiting_on",
        new="client",
    )
    session.flush()
    return pause


def close_pause(
    session: Session, onboarding: Onboarding, *, principal: Principal, pause_id: int, now: datetime
) -> SlaPause:
    pause = session.get(SlaPause, pause_id)
    if pause is None or pause.onboarding_id != onboarding.id:
        raise NotFound("pause", pause_id)
    if pause.ended_at is not None:
        raise Conflict(f"pause {pause_id} has already ended")
    pause.ended_at = now
    pause.ended_by = principal.id
    record_audit(
        session,
        actor=principal.actor,
        action="sla_resumed",
        at=now,
        client_id=onboarding.client_id,
        field="waiting_on",
        old="client",
        new="company",
    )
    return pause


def approve(
    session: Session,
    onboarding: Onboarding,
    *,
    principal: Principal,
    approval_roles: frozenset[str],
    reason: str,
    now: datetime,
    pipelines: PipelineCatalog,
    links: StatusLinkPolicy,
) -> ErpPush:
    """Approves the registration: next stage (told to the client), stage history, audit, and
    the ERP push row."""
    if principal.role not in approval_roles:
        raise Forbidden(f"approving needs the role {' or '.join(sorted(approval_roles))}")
    template = pipelines.for_segment(onboarding.segment)
    target = _approval_target(template, onboarding)
    client = session.get_one(Client, onboarding.client_id)
    missing = [name for name in ("cnpj", "company_name") if not getattr(client, name)]
    if missing or client.erased_at is not None:
        raise Conflict(f"the registration is incomplete: missing {', '.join(missing) or 'data'}")
    approver = session.get_one(StaffUser, principal.id)
    registration = build_registration(
        client=client, onboarding=onboarding, approver=approver, now=now
    )
    change = change_stage(
        session,
        onboarding,
        to_stage=target.value,
        actor=principal.actor,
        reason=reason or "approved",
        now=now,
    )
    tell_stage_move(
        session,
        onboarding,
        from_stage=change.from_stage,
        to_stage=target.value,
        order=template.order,
        links=links,
        now=now,
    )
    record_audit(session, actor=principal.actor, action="approved", at=now, client_id=client.id)
    push = ErpPush(
        event_id=registration.event_id,
        onboarding_id=onboarding.id,
        client_id=client.id,
        requested_by=principal.id,
        body=registration.body(),
        next_attempt_at=now,
        created_at=now,
    )
    session.add(push)
    session.flush()
    return push


def _approval_target(template: PipelineTemplate, onboarding: Onboarding) -> Stage:
    """The stage approving moves ``onboarding`` to; Conflict when it awaits no approval."""
    if not template.has_stage(onboarding.stage) or not template.stage(onboarding.stage).approval:
        raise Conflict(
            f"onboarding {onboarding.id} is in {onboarding.stage}, not awaiting approval"
        )
    target = template.stage(onboarding.stage).approve_to
    assert target is not None  # validated at load
    template.check_transition(
        onboarding.stage, target.value, has_csm=onboarding.csm_id is not None, approving=True
    )
    return target
