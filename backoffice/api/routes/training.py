"""Training: CSM availability and exceptions (each change re-syncs the next 21 days of
sessions in the same transaction) and the sessions with their seats. Bookings and attendance
are in ``training_bookings``."""

from __future__ import annotations

from datetime import datetime, time
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.api.deps import (
    BackofficeContext,
    ContextDep,
    CsmFilter,
    CurrentStaff,
    DaysDep,
    ItemId,
    PagingDep,
    SessionDep,
    fetch_page,
)
from backoffice.api.routing import add_routes, route
from backoffice.audit import record_audit
from backoffice.problems import CONFLICT_RESPONSE
from backoffice.schemas.common import Page
from backoffice.schemas.training import (
    AvailabilityCreate,
    AvailabilityPublic,
    AvailabilityUpdate,
    ExceptionCreate,
    ExceptionPublic,
    SlotPublic,
)
from backoffice.training import (
    check_availability,
    check_exception,
    csm_scope,
    exception_scope,
    load_availability,
    load_exception,
    load_trainer,
    resync,
)
from bot.storage.models import (
    TrainingAvailability,
    TrainingException,
    TrainingSlot,
)

TAGS: list[str | Enum] = ["training"]


def _audit(
    session: Session,
    *,
    principal: Principal,
    context: BackofficeContext,
    action: str,
    field: str,
    ident: int,
) -> None:
    record_audit(
        session,
        actor=principal.actor,
        action=action,
        at=context.now(),
        client_id=None,
        field=field,
        new=ident,
    )


def _commit_with_resync(session: Session, context: BackofficeContext) -> None:
    resync(session, now=context.now(), calendar=context.calendar)
    session.commit()


# ---------------------------------------------------------------------------- availability
def list_availability(
    session: SessionDep,
    principal: CurrentStaff,
    *,
    paging: PagingDep,
    csm_id: CsmFilter = None,
    active: bool | None = None,
) -> Page[AvailabilityPublic]:
    query = select(TrainingAvailability).where(csm_scope(principal, TrainingAvailability.csm_id))
    if csm_id is not None:
        query = query.where(TrainingAvailability.csm_id == csm_id)
    if active is not None:
        query = query.where(TrainingAvailability.active.is_(active))
    query = query.order_by(
        TrainingAvailability.csm_id, TrainingAvailability.weekday, TrainingAvailability.starts
    )
    total, rows = fetch_page(session, query, paging=paging)
    return Page(
        items=[AvailabilityPublic.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


def create_availability(
    body: AvailabilityCreate, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> TrainingAvailability:
    load_trainer(session, principal, csm_id=body.csm_id)
    row = TrainingAvailability(**body.model_dump(), active=True, created_at=context.now())
    check_availability(session, row)
    session.add(row)
    session.flush()
    _audit(
        session,
        principal=principal,
        context=context,
        action="training_availability_created",
        field="training_availability",
        ident=row.id,
    )
    _commit_with_resync(session, context)
    return row


def update_availability(
    availability_id: ItemId,
    body: AvailabilityUpdate,
    *,
    session: SessionDep,
    principal: CurrentStaff,
    context: ContextDep,
) -> TrainingAvailability:
    row = load_availability(session, principal, availability_id=availability_id)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("active"):
        load_trainer(session, principal, csm_id=row.csm_id)  # no windows for a deactivated CSM
    for name, value in changes.items():
        if value is None and name not in ("valid_from", "valid_until"):
            continue
        old = getattr(row, name)
        if old != value:
            setattr(row, name, value)
            record_audit(
                session,
                actor=principal.actor,
                action="training_availability_updated",
                at=context.now(),
                client_id=None,
                field=f"training_availability.{name}",
                old=old.isoformat() if hasattr(old, "isoformat") else old,
                new=value.isoformat() if hasattr(value, "isoformat") else value,
            )
    check_availability(session, row)
    _commit_with_resync(session, context)
    return row


def deactivate_availability(
    availability_id: ItemId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> TrainingAvailability:
    row = load_availability(session, principal, availability_id=availability_id)
    row.active = False
    _audit(
        session,
        principal=principal,
        context=context,
        action="training_availability_deactivated",
        field="training_availability",
        ident=row.id,
    )
    _commit_with_resync(session, context)
    return row


# ---------------------------------------------------------------------------- exceptions
def list_exceptions(
    session: SessionDep,
    principal: CurrentStaff,
    *,
    paging: PagingDep,
    context: ContextDep,
    days: DaysDep,
    csm_id: CsmFilter = None,
) -> Page[ExceptionPublic]:
    query = select(TrainingException).where(exception_scope(principal))
    if csm_id is not None:
        query = query.where(TrainingException.csm_id == csm_id)
    zone = context.calendar.local(context.now()).tzinfo
    if days.since is not None:
        query = query.where(TrainingException.day >= days.since.astimezone(zone).date())
    if days.until is not None:
        query = query.where(TrainingException.day < days.until.astimezone(zone).date())
    total, rows = fetch_page(
        session, query.order_by(TrainingException.day, TrainingException.id), paging=paging
    )
    return Page(
        items=[ExceptionPublic.model_validate(r) for r in rows],
        total=total,
        limit=paging.limit,
        offset=paging.offset,
    )


def create_exception(
    body: ExceptionCreate, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> TrainingException:
    if body.csm_id is None:
        principal.require_role("manager", "admin")
    else:
        load_trainer(session, principal, csm_id=body.csm_id)
    row = TrainingException(**body.model_dump(), created_at=context.now())
    check_exception(row)
    session.add(row)
    session.flush()
    _audit(
        session,
        principal=principal,
        context=context,
        action="training_exception_created",
        field="training_exception",
        ident=row.id,
    )
    _commit_with_resync(session, context)
    return row


def delete_exception(
    exception_id: ItemId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> ExceptionPublic:
    row = load_exception(session, principal, exception_id=exception_id)
    gone = ExceptionPublic.model_validate(row)
    session.delete(row)
    session.flush()
    _audit(
        session,
        principal=principal,
        context=context,
        action="training_exception_deleted",
        field="training_exception",
        ident=gone.id,
    )
    _commit_with_resync(session, context)
    return gone


# ---------------------------------------------------------------------------- sessions
def list_slots(
    session: SessionDep,
    principal: CurrentStaff,
    *,
    paging: PagingDep,
    context: ContextDep,
    days: DaysDep,
    csm_id: CsmFilter = None,
    free_only: Annotated[bool, Query(description="open, with seats left, not started")] = False,
) -> Page[SlotPublic]:
    now = context.now()
    since = days.since
    if since is None:  # from today on, unless told otherwise
        local = context.calendar.local(now)
        since = datetime.combine(local.date(), time(), tzinfo=local.tzinfo)
    query = select(TrainingSlot).where(
        csm_scope(principal, TrainingSlot.csm_id), TrainingSlot.starts_at >= since
    )
    if days.until is not None:
        query = query.where(TrainingSlot.starts_at < days.until)
    if csm_id is not None:
        query = query.where(TrainingSlot.csm_id == csm_id)
    if free_only:
        query = query.where(
            TrainingSlot.status == "open",
            TrainingSlot.seats_taken < TrainingSlot.capacity,
            TrainingSlot.starts_at > now,
        )
    query = query.order_by(TrainingSlot.starts_at, TrainingSlot.csm_id)
    total, rows = fetch_page(session, query, paging=paging)
    items = [
        SlotPublic.model_validate(
            {
                **{k: getattr(r, k) for k in SlotPublic.model_fields if k != "seats_left"},
                "seats_left": max(r.capacity - r.seats_taken, 0),
            }
        )
        for r in rows
    ]
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


AVAILABILITY_ITEM = "/training/availability/{availability_id}"
ROUTES = (
    route(
        "/training/availability",
        list_availability,
        methods=["GET"],
        response_model=Page[AvailabilityPublic],
        summary="Weekly availability windows of the CSMs in scope",
    ),
    route(
        "/training/availability",
        create_availability,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        response_model=AvailabilityPublic,
        responses=CONFLICT_RESPONSE,
        summary="Add a CSM's weekly window (the CSM, their manager, an admin); re-syncs sessions",
    ),
    route(
        AVAILABILITY_ITEM,
        update_availability,
        methods=["PATCH"],
        response_model=AvailabilityPublic,
        responses=CONFLICT_RESPONSE,
        summary="Change a weekly window; re-syncs sessions",
    ),
    route(
        AVAILABILITY_ITEM,
        deactivate_availability,
        methods=["DELETE"],
        response_model=AvailabilityPublic,
        responses=CONFLICT_RESPONSE,
        summary="Deactivate a weekly window (unbooked sessions close); re-syncs sessions",
    ),
    route(
        "/training/exceptions",
        list_exceptions,
        methods=["GET"],
        response_model=Page[ExceptionPublic],
        summary="Days (or parts) without training, of the CSMs in scope and company-wide",
    ),
    route(
        "/training/exceptions",
        create_exception,
        methods=["POST"],
        status_code=status.HTTP_201_CREATED,
        response_model=ExceptionPublic,
        responses=CONFLICT_RESPONSE,
        summary="Close a local day or part of it (no csm_id: everybody, managers); re-syncs",
    ),
    route(
        "/training/exceptions/{exception_id}",
        delete_exception,
        methods=["DELETE"],
        response_model=ExceptionPublic,
        responses=CONFLICT_RESPONSE,
        summary="Remove an exception; re-syncs sessions",
    ),
    route(
        "/training/slots",
        list_slots,
        methods=["GET"],
        response_model=Page[SlotPublic],
        summary="Training sessions with seats taken (from today unless `from` is given)",
    ),
)


def register(router: APIRouter) -> None:
    """Adds this resource's routes to ``router``."""
    add_routes(router, ROUTES, tags=TAGS)
