"""Escalations: the queue, (re)assignment and resolution. An escalation is in scope when its
onboarding is (``backoffice.access.escalation_scope``)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from backoffice.access import escalation_scope, load_escalation
from backoffice.api.deps import ContextDep, CurrentStaff, EscalationId, PagingDep, SessionDep
from backoffice.escalations import reassign, resolve_escalation
from backoffice.problems import CONFLICT_RESPONSE
from backoffice.schemas.common import ID_MAX, Page
from backoffice.schemas.escalations import EscalationAssign, EscalationPublic
from bot.domain.onboarding import Segment
from bot.storage.models import Escalation

TAGS: list[str | Enum] = ["escalations"]


def list_escalations(
    session: SessionDep,
    principal: CurrentStaff,
    *,
    paging: PagingDep,
    status: Literal["open", "taken", "resolved"] | None = None,
    queue: Segment | None = None,
    assigned_to: Annotated[int | None, Query(ge=1, le=ID_MAX)] = None,
    unassigned: bool | None = None,
) -> Page[EscalationPublic]:
    query = select(Escalation).where(escalation_scope(principal))
    if status is not None:
        query = query.where(Escalation.status == status)
    if queue is not None:
        query = query.where(Escalation.queue == queue.value)
    if assigned_to is not None:
        query = query.where(Escalation.assigned_to == assigned_to)
    if unassigned is not None:
        query = query.where(
            Escalation.assigned_to.is_(None) if unassigned else Escalation.assigned_to.is_not(None)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Escalation.created_at, Escalation.id)
        .limit(paging.limit)
        .offset(paging.offset)
    )
    return Page(
        items=[EscalationPublic.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


def get_escalation(
    escalation_id: EscalationId, session: SessionDep, *, principal: CurrentStaff
) -> Escalation:
    return load_escalation(session, principal, escalation_id=escalation_id)


def assign(
    escalation_id: EscalationId,
    body: EscalationAssign,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> Escalation:
    principal.require_role("manager", "admin")
    escalation = load_escalation(session, principal, escalation_id=escalation_id)
    reassign(
        session,
        escalation,
        principal=principal,
        staff_id=body.staff_id,
        dedicated_csm=any(
            t.dedicated_csm for t in context.pipelines if t.segment.value == escalation.queue
        ),
        now=context.now(),
    )
    session.commit()
    return escalation


def resolve(
    escalation_id: EscalationId,
    session: SessionDep,
    *,
    principal: CurrentStaff,
    context: ContextDep,
) -> Escalation:
    escalation = load_escalation(session, principal, escalation_id=escalation_id)
    resolve_escalation(session, escalation, principal=principal, now=context.now())
    session.commit()
    return escalation


def register(router: APIRouter) -> None:
    """Adds this resource's routes to ``router``."""
    router.add_api_route(
        "/escalations",
        list_escalations,
        methods=["GET"],
        tags=TAGS,
        response_model=Page[EscalationPublic],
        summary="Escalations in scope",
    )
    router.add_api_route(
        "/escalations/{escalation_id}",
        get_escalation,
        methods=["GET"],
        tags=TAGS,
        response_model=EscalationPublic,
        summary="One escalation",
    )
    router.add_api_route(
        "/escalations/{escalation_id}/assign",
        assign,
        methods=["POST"],
        tags=TAGS,
        response_model=EscalationPublic,
        responses=CONFLICT_RESPONSE,
        summary=(
            "Assign to a CSM, or re-run the auto-assignment rule (manager, admin); an onboarding"
            " with a CSM keeps its escalations with that CSM (409)"
        ),
    )
    router.add_api_route(
        "/escalations/{escalation_id}/resolve",
        resolve,
        methods=["POST"],
        tags=TAGS,
        response_model=EscalationPublic,
        responses=CONFLICT_RESPONSE,
        summary="Mark resolved",
    )
