"""Training bookings: the list by session day and status, one booking, and attendance
(no-show, attended) recorded by the session's CSM or their manager after the session started."""

from __future__ import annotations

from enum import Enum
from typing import Any

from fastapi import APIRouter
from sqlalchemy import Select, select
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
from backoffice.problems import CONFLICT_RESPONSE
from backoffice.schemas.common import Page
from backoffice.schemas.training import BookingPublic, BookingStatus
from backoffice.training import booking_scope, load_booking, record_attendance
from bot.storage.models import Client, Onboarding, TrainingBooking, TrainingSlot

TAGS: list[str | Enum] = ["training"]


def _bookings() -> Select[TrainingBooking, TrainingSlot, Onboarding, Client]:
    return (
        select(TrainingBooking, TrainingSlot, Onboarding, Client)
        .join(TrainingSlot, TrainingSlot.id == TrainingBooking.slot_id)
        .join(Onboarding, Onboarding.id == TrainingBooking.onboarding_id)
        .outerjoin(Client, Client.id == Onboarding.client_id)
    )


def _present(row: Any) -> BookingPublic:
    booking, slot, onboarding, client = row
    return BookingPublic(
        id=booking.id,
        status=booking.status,
        sequence=booking.sequence,
        onboarding_id=onboarding.id,
        client_id=onboarding.client_id,
        company_name=client.company_name if client else None,
        slot_id=slot.id,
        csm_id=slot.csm_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        meeting_url=slot.meeting_url,
        attendee_email=booking.attendee_email,
        created_at=booking.created_at,
        updated_at=booking.updated_at,
        cancelled_at=booking.cancelled_at,
    )


def _one(session: Session, booking_id: int) -> BookingPublic:
    return _present(session.execute(_bookings().where(TrainingBooking.id == booking_id)).one())


def list_bookings(
    session: SessionDep,
    principal: CurrentStaff,
    *,
    paging: PagingDep,
    days: DaysDep,
    status: BookingStatus | None = None,
    csm_id: CsmFilter = None,
) -> Page[BookingPublic]:
    query = _bookings().where(booking_scope(principal))
    if status is not None:
        query = query.where(TrainingBooking.status == status)
    if days.since is not None:
        query = query.where(TrainingSlot.starts_at >= days.since)
    if days.until is not None:
        query = query.where(TrainingSlot.starts_at < days.until)
    if csm_id is not None:
        query = query.where(TrainingSlot.csm_id == csm_id)
    total, rows = fetch_page(
        session, query.order_by(TrainingSlot.starts_at, TrainingBooking.id), paging=paging
    )
    return Page(
        items=[_present(r) for r in rows], total=total, limit=paging.limit, offset=paging.offset
    )


def get_booking(
    booking_id: ItemId, session: SessionDep, *, principal: CurrentStaff
) -> BookingPublic:
    load_booking(session, principal, booking_id=booking_id)
    return _one(session, booking_id)


def _attendance(
    session: Session,
    *,
    booking_id: int,
    status_: str,
    principal: Principal,
    context: BackofficeContext,
) -> BookingPublic:
    booking = load_booking(session, principal, booking_id=booking_id)
    record_attendance(session, booking, status=status_, principal=principal, now=context.now())
    session.commit()
    return _one(session, booking_id)


def no_show(
    booking_id: ItemId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> BookingPublic:
    return _attendance(
        session, booking_id=booking_id, status_="no_show", principal=principal, context=context
    )


def attended(
    booking_id: ItemId, session: SessionDep, *, principal: CurrentStaff, context: ContextDep
) -> BookingPublic:
    return _attendance(
        session, booking_id=booking_id, status_="attended", principal=principal, context=context
    )


def register(router: APIRouter) -> None:
    """Adds this resource's routes to ``router``."""
    router.add_api_route(
        "/training/bookings",
        list_bookings,
        methods=["GET"],
        tags=TAGS,
        response_model=Page[BookingPublic],
        summary="Bookings (by the session's start) whose CSM or onboarding CSM is in scope",
    )
    router.add_api_route(
        "/training/bookings/{booking_id}",
        get_booking,
        methods=["GET"],
        tags=TAGS,
        response_model=BookingPublic,
        summary="One booking",
    )
    for path, route, summary in (
        ("no-show", no_show, "The client did not attend (cancels the NPS question)"),
        ("attended", attended, "The client attended"),
    ):
        router.add_api_route(
            f"/training/bookings/{{booking_id}}/{path}",
            route,
            methods=["POST"],
            tags=TAGS,
            response_model=BookingPublic,
            responses=CONFLICT_RESPONSE,
            summary=f"{summary}; after the session started",
        )
