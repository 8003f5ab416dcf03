"""Staff members and API tokens. Admins manage everyone; managers read their team; everyone
reads themselves and manages their own tokens."""

from __future__ import annotations

from enum import Enum

from fastapi import APIRouter, status
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from backoffice.access import Principal, load_staff
from backoffice.api.deps import ContextDep, CurrentStaff, ItemId, PagingDep, SessionDep, StaffId
from backoffice.api.routing import add_routes, route
from backoffice.audit import record_audit
from backoffice.errors import Conflict, Forbidden, NotFound
from backoffice.escalations import open_loads
from backoffice.problems import CONFLICT_RESPONSE
from backoffice.schemas.common import Page
from backoffice.schemas.staff import (
    StaffCreate,
    StaffLoad,
    StaffPublic,
    StaffUpdate,
    TokenCreate,
    TokenIssued,
    TokenPublic,
)
from bot.storage.models import ApiToken, StaffUser
from bot.storage.seed import issue_token

TAGS: list[str | Enum] = ["staff"]


def _own_or_admin(principal: Principal, staff_id: int) -> None:
    if principal.role != "admin" and principal.id != staff_id:
        raise Forbidden("only admins manage other people's tokens")


def me(session: SessionDep, principal: CurrentStaff) -> StaffUser:
    return session.get_one(StaffUser, principal.id)


def list_staff(
    session: SessionDep, principal: CurrentStaff, *, paging: PagingDep
) -> Page[StaffLoad]:
    principal.require_role("admin", "manager")
    query = select(StaffUser)
    if principal.role == "manager":
        query = query.where(StaffUser.team == principal.team)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(StaffUser.id).limit(paging.limit).offset(paging.offset)
    ).all()
    loads = open_loads(session, (r.id for r in rows))
    items = [
        StaffLoad.model_validate(
            {**StaffPublic.model_validate(r).model_dump(), "open_escalations": loads[r.id]}
        )
        for r in rows
    ]
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


def create_staff(
    body: StaffCreate, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> StaffUser:
    principal.require_role("admin")
    now = context.now()
    if session.scalar(select(StaffUser.id).where(StaffUser.email == body.email.lower())):
        raise Conflict(f"a staff member with e-mail {body.email} exists")
    staff = StaffUser(
        name=body.name,
        email=body.email.lower(),
        role=body.role,
        team=body.team,
        segment=body.segment,
        max_open_escalations=body.max_open_escalations or context.settings.csm_max_open_escalations,
        active=True,
        created_at=now,
    )
    session.add(staff)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a staff member with e-mail {body.email} exists") from exc
    record_audit(
        session,
        actor=principal.actor,
        action="staff_created",
        at=now,
        client_id=None,
        field="staff",
        new=staff.id,
    )
    session.commit()
    return staff


def get_staff(staff_id: StaffId, session: SessionDep, *, principal: CurrentStaff) -> StaffUser:
    return load_staff(session, principal, staff_id=staff_id)


def update_staff(
    staff_id: StaffId,
    body: StaffUpdate,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> StaffUser:
    principal.require_role("admin")
    staff = load_staff(session, principal, staff_id=staff_id)
    now = context.now()
    changes = body.model_dump(exclude_unset=True)
    if staff.id == principal.id and (
        changes.get("active") is False or changes.get("role") not in (None, "admin")
    ):
        raise Conflict("admins cannot deactivate or demote themselves (ask another admin)")
    for name, value in changes.items():
        if value is None and name != "segment":
            continue
        old = getattr(staff, name)
        if old != value:
            setattr(staff, name, value)
            record_audit(
                session,
                actor=principal.actor,
                action="staff_updated",
                at=now,
                client_id=None,
                field=f"staff.{staff.id}.{name}",
                old=old,
                new=value,
            )
    session.commit()
    return staff


def list_tokens(
    staff_id: StaffId, session: SessionDep, *, principal: CurrentStaff
) -> list[ApiToken]:
    load_staff(session, principal, staff_id=staff_id)
    _own_or_admin(principal, staff_id)
    return list(
        session.scalars(select(ApiToken).where(ApiToken.staff_id == staff_id).order_by(ApiToken.id))
    )


def create_token(
    staff_id: StaffId,
    body: TokenCreate,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> TokenIssued:
    staff = load_staff(session, principal, staff_id=staff_id)
    _own_or_admin(principal, staff_id)
    now = context.now()
    token = issue_token(session, staff, label=body.label, now=now)
    session.flush()
    row = session.scalars(
        select(ApiToken).where(ApiToken.staff_id == staff.id).order_by(ApiToken.id.desc()).limit(1)
    ).one()
    record_audit(
        session,
        actor=principal.actor,
        action="token_issued",
        at=now,
        client_id=None,
        field=f"staff.{staff.id}.token",
        new=row.id,
    )
    session.commit()
    return TokenIssued.model_validate(
        {**TokenPublic.model_validate(row).model_dump(), "token": token}
    )


def revoke_token(
    staff_id: StaffId,
    token_id: ItemId,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> ApiToken:
    load_staff(session, principal, staff_id=staff_id)
    _own_or_admin(principal, staff_id)
    row = session.get(ApiToken, token_id)
    if row is None or row.staff_id != staff_id:
        raise NotFound("token", token_id)
    now = context.now()
    if row.revoked_at is None:
        row.revoked_at = now
        record_audit(
            session,
            actor=principal.actor,
            action="token_revoked",
            at=now,
            client_id=None,
            field=f"staff.{staff_id}.token",
            new=row.id,
        )
    session.commit()
    return row


ROUTES = (
    route("/me", me, methods=["GET"], response_model=StaffPublic, summary="The caller"),
    route(
        "/staff",
        list_staff,
        methods=["GET"],
        response_model=Page[StaffLoad],
        summary="Staff (admin: all; manager: team)",
    ),
    route(
        "/staff",
        create_staff,
        methods=["POST"],
        response_model=StaffPublic,
        status_code=status.HTTP_201_CREATED,
        responses=CONFLICT_RESPONSE,
        summary="Create a staff member (admin)",
    ),
    route(
        "/staff/{staff_id}",
        get_staff,
        methods=["GET"],
        response_model=StaffPublic,
        summary="One staff member",
    ),
    route(
        "/staff/{staff_id}",
        update_staff,
        methods=["PATCH"],
        response_model=StaffPublic,
        responses=CONFLICT_RESPONSE,
        summary="Update (admin)",
    ),
    route(
        "/staff/{staff_id}/tokens",
        list_tokens,
        methods=["GET"],
        response_model=list[TokenPublic],
        summary="Tokens",
    ),
    route(
        "/staff/{staff_id}/tokens",
        create_token,
        methods=["POST"],
        response_model=TokenIssued,
        status_code=status.HTTP_201_CREATED,
        summary="Issue a token (shown once)",
    ),
    route(
        "/staff/{staff_id}/tokens/{token_id}",
        revoke_token,
        methods=["DELETE"],
        response_model=TokenPublic,
        summary="Revoke a token",
    ),
)


def register(router: APIRouter) -> None:
    """Adds this resource's routes to ``router``."""
    add_routes(router, ROUTES, tags=TAGS)
