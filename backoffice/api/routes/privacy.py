"""LGPD rights: the export of everything held, erasure requests opened by clients through the
bot (a manager confirms or refuses), and direct erasure by an admin."""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from fastapi import APIRouter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.access import Principal, client_scope, load_client
from backoffice.api.deps import ClientId, ContextDep, CurrentStaff, ItemId, PagingDep, SessionDep
from backoffice.audit import record_audit
from backoffice.erasure import decide_request, delete_files, erase_client, finish_erasures
from backoffice.errors import Forbidden, NotFound
from backoffice.export import export_client
from backoffice.problems import CONFLICT_RESPONSE
from backoffice.schemas.common import Page
from backoffice.schemas.lgpd import ErasureRequestPublic, ErasureResult
from bot.storage.models import Client, ErasureRequest

TAGS: list[str | Enum] = ["lgpd"]


def _load(session: Session, principal: Principal, *, request_id: int) -> ErasureRequest:
    principal.require_role("manager", "admin")
    request = session.get(ErasureRequest, request_id)
    if request is None:
        raise NotFound("erasure request", request_id)
    if principal.role != "admin":
        visible = session.scalar(
            select(Client.id).where(Client.id == request.client_id, client_scope(principal))
        )
        if visible is None:
            raise Forbidden(f"erasure request {request_id} is outside your scope")
    return request


def list_requests(
    session: SessionDep,
    principal: CurrentStaff,
    *,
    paging: PagingDep,
    status: Literal["requested", "notifying", "done", "refused"] | None = None,
) -> Page[ErasureRequestPublic]:
    principal.require_role("manager", "admin")
    query = select(ErasureRequest)
    if principal.role != "admin":
        query = query.where(
            ErasureRequest.client_id.in_(select(Client.id).where(client_scope(principal)))
        )
    if status is not None:
        query = query.where(ErasureRequest.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ErasureRequest.id).limit(paging.limit).offset(paging.offset)
    )
    return Page(
        items=[ErasureRequestPublic.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


def _decide(
    request_id: int, confirm: bool, *, session: Session, principal: Principal, context: ContextDep
) -> ErasureResult:
    request = _load(session, principal, request_id=request_id)
    outcome = decide_request(
        session, request, principal=principal, confirm=confirm, now=context.now()
    )
    session.commit()
    removed = delete_files(context.documents, outcome.files)
    context.wake_outbox()
    return ErasureResult(
        request=ErasureRequestPublic.model_validate(request),
        client_id=request.client_id or 0,
        files_deleted=removed,
        notices_queued=outcome.notices,
    )


def confirm(
    request_id: ItemId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> ErasureResult:
    return _decide(request_id, True, session=session, principal=principal, context=context)


def refuse(
    request_id: ItemId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> ErasureResult:
    return _decide(request_id, False, session=session, principal=principal, context=context)


def finish(session: SessionDep, principal: CurrentStaff, *, context: ContextDep) -> dict[str, int]:
    principal.require_role("admin")
    done = finish_erasures(session, now=context.now())
    session.commit()
    return {"completed": done}


def export(
    client_id: ClientId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> dict[str, Any]:
    principal.require_role("manager", "admin")
    client = load_client(session, principal, client_id=client_id)
    now = context.now()
    document = export_client(session, client, now=now)
    record_audit(
        session, actor=principal.actor, action="data_exported", at=now, client_id=client.id
    )
    session.commit()
    return document


def erase(
    client_id: ClientId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> ErasureResult:
    principal.require_role("admin")
    client = load_client(session, principal, client_id=client_id)
    outcome = erase_client(session, client, principal=principal, now=context.now())
    session.commit()
    removed = delete_files(context.documents, outcome.files)
    context.wake_outbox()
    return ErasureResult(
        request=ErasureRequestPublic.model_validate(outcome.request) if outcome.request else None,
        client_id=client.id,
        files_deleted=removed,
        notices_queued=outcome.notices,
    )


def register(router: APIRouter) -> None:
    """Adds this resource's routes to ``router``."""
    router.add_api_route(
        "/erasure-requests",
        list_requests,
        methods=["GET"],
        tags=TAGS,
        response_model=Page[ErasureRequestPublic],
        summary="Erasure requests (manager, admin)",
    )
    router.add_api_route(
        "/erasure-requests/{request_id}/confirm",
        confirm,
        methods=["POST"],
        tags=TAGS,
        response_model=ErasureResult,
        responses=CONFLICT_RESPONSE,
        summary="Confirm: anonymize the client's data and tell them (manager, admin)",
    )
    router.add_api_route(
        "/erasure-requests/{request_id}/refuse",
        refuse,
        methods=["POST"],
        tags=TAGS,
        response_model=ErasureResult,
        responses=CONFLICT_RESPONSE,
        summary="Refuse (legal retention) and tell the client",
    )
    router.add_api_route(
        "/erasure-requests/finish",
        finish,
        methods=["POST"],
        tags=TAGS,
        response_model=dict[str, int],
        summary="Complete erasures whose notice has left (admin; also run by the workers)",
    )
    router.add_api_route(
        "/clients/{client_id}/export",
        export,
        methods=["GET"],
        tags=TAGS,
        response_model=dict[str, Any],
        summary="LGPD: everything held about the client (manager, admin; audited)",
    )
    router.add_api_route(
        "/clients/{client_id}/erase",
        erase,
        methods=["POST"],
        tags=TAGS,
        response_model=ErasureResult,
        responses=CONFLICT_RESPONSE,
        summary="LGPD: erase the client's personal data now (admin; the client is told)",
    )
