"""ERP pushes: their state, the ERP's answer, and a retry for failed ones (manager, admin)."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from fastapi import APIRouter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.access import Principal, onboarding_scope
from backoffice.api.deps import ContextDep, CurrentStaff, ItemId, PagingDep, SessionDep
from backoffice.audit import record_audit
from backoffice.errors import Conflict, Forbidden, NotFound
from backoffice.problems import CONFLICT_RESPONSE
from backoffice.schemas.common import Page
from backoffice.schemas.erp import ErpPushPublic
from bot.storage.models import ErpPush, Onboarding

TAGS: list[str | Enum] = ["erp"]


def _load(session: Session, principal: Principal, *, push_id: int) -> ErpPush:
    principal.require_role("manager", "admin")
    push = session.get(ErpPush, push_id)
    if push is None:
        raise NotFound("ERP push", push_id)
    visible = session.scalar(
        select(Onboarding.id).where(
            Onboarding.id == push.onboarding_id, onboarding_scope(principal)
        )
    )
    if visible is None:
        raise Forbidden(f"ERP push {push_id} is outside your scope")
    return push


def list_pushes(
    session: SessionDep,
    principal: CurrentStaff,
    *,
    paging: PagingDep,
    status: Literal["pending", "delivered", "failed"] | None = None,
) -> Page[ErpPushPublic]:
    principal.require_role("manager", "admin")
    query = select(ErpPush).where(
        ErpPush.onboarding_id.in_(select(Onboarding.id).where(onboarding_scope(principal)))
    )
    if status is not None:
        query = query.where(ErpPush.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(ErpPush.id).limit(paging.limit).offset(paging.offset))
    return Page(
        items=[ErpPushPublic.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


def get_push(push_id: ItemId, session: SessionDep, *, principal: CurrentStaff) -> ErpPush:
    return _load(session, principal, push_id=push_id)


def retry(
    push_id: ItemId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> ErpPush:
    push = _load(session, principal, push_id=push_id)
    if push.status != "failed":
        raise Conflict(f"ERP push {push_id} is {push.status}; only failed pushes are retried")
    now = context.now()
    push.status = "pending"
    push.attempts = 0
    push.next_attempt_at = now
    push.claimed_until = None
    record_audit(
        session,
        actor=principal.actor,
        action="erp_push_retried",
        at=now,
        client_id=push.client_id,
        field="erp_push",
        new=push.id,
    )
    session.commit()
    return push


def register(router: APIRouter) -> None:
    """Adds this resource's routes to ``router``."""
    router.add_api_route(
        "/erp-pushes",
        list_pushes,
        methods=["GET"],
        tags=TAGS,
        response_model=Page[ErpPushPublic],
        summary="ERP pushes",
    )
    router.add_api_route(
        "/erp-pushes/{push_id}",
        get_push,
        methods=["GET"],
        tags=TAGS,
        response_model=ErpPushPublic,
        summary="One ERP push",
    )
    router.add_api_route(
        "/erp-pushes/{push_id}/retry",
        retry,
        methods=["POST"],
        tags=TAGS,
        response_model=ErpPushPublic,
        responses=CONFLICT_RESPONSE,
        summary="Send a failed push again (same body, same event id)",
    )
