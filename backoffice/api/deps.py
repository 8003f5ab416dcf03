"""Dependencies of the back-office routes, so each route reads like its signature.

The router's context (sessions, clock, settings, ...) travels on the route class that
``create_router`` builds, not in a global: ``get_context`` reads it from the matched route.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any, ClassVar

import anyio.from_thread
from fastapi import Depends, Path, Query, Request, Security
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, sessionmaker

from backoffice.access import Principal, authenticate
from backoffice.client_records import DocumentFiles
from backoffice.pipeline import PipelineCatalog
from backoffice.schemas.common import ID_MAX, Day
from backoffice.schemas.reports import Window
from backoffice.settings import BackofficeSettings
from bot.domain.business_time import BusinessCalendar
from bot.domain.clock import Clock
from bot.service.conversations import ConversationService


@dataclass(frozen=True)
class BackofficeContext:
    sessions: sessionmaker[Session]
    clock: Clock
    conversations: ConversationService
    settings: BackofficeSettings
    pipelines: PipelineCatalog
    calendar: BusinessCalendar
    outbox_wake: asyncio.Event | None
    documents: DocumentFiles | None

    def now(self) -> datetime:
        return self.clock.now()

    def wake_outbox(self) -> None:
        """Tells the delivery worker there is something to send (from a route's worker thread)."""
        if self.outbox_wake is None:
            return
        try:
            anyio.from_thread.run_sync(self.outbox_wake.set)
        except RuntimeError:  # not in a worker thread: already on the loop (or no loop at all)
            self.outbox_wake.set()


class ContextRoute(APIRoute):
    context: ClassVar[BackofficeContext | None] = None


def route_class_for(context: BackofficeContext) -> type[APIRoute]:
    return type("BackofficeRoute", (ContextRoute,), {"context": context})


def get_context(request: Request) -> BackofficeContext:
    context = getattr(request.scope.get("route"), "context", None)
    if not isinstance(context, BackofficeContext):
        raise RuntimeError("back-office route without its context (built by create_router?)")
    return context


ContextDep = Annotated[BackofficeContext, Depends(get_context)]


def get_session(context: ContextDep) -> Iterator[Session]:
    """One session per request; write routes commit explicitly, the rest is rolled back."""
    with context.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

bearer = HTTPBearer(auto_error=False, description="an API token: Authorization: Bearer <token>")


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Principal:
    principal = authenticate(session, credentials.credentials if credentials else None)
    session.rollback()  # end the read transaction; the route starts its own
    return principal


CurrentStaff = Annotated[Principal, Depends(get_principal)]


OnboardingId = Annotated[int, Path(ge=1, le=ID_MAX, description="onboarding id")]
ConversationId = Annotated[int, Path(ge=1, le=ID_MAX, description="conversation id")]
ClientId = Annotated[int, Path(ge=1, le=ID_MAX, description="client id")]
EscalationId = Annotated[int, Path(ge=1, le=ID_MAX, description="escalation id")]
StaffId = Annotated[int, Path(ge=1, le=ID_MAX, description="staff member id")]
ItemId = Annotated[int, Path(ge=1, le=ID_MAX, description="id")]


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def get_paging(
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Paging:
    return Paging(limit=limit, offset=offset)


PagingDep = Annotated[Paging, Depends(get_paging)]


def fetch_page(
    session: Session, query: Select[*tuple[Any, ...]], *, paging: Paging
) -> tuple[int, list[Any]]:
    """The total matching ``query`` and one page of its rows (single entities unwrapped)."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.limit(paging.limit).offset(paging.offset)).all()
    return total, [row[0] if len(row) == 1 else row for row in rows]


CsmFilter = Annotated[int | None, Query(ge=1, le=ID_MAX, description="only this CSM")]


def get_window(
    context: ContextDep,
    since: Annotated[
        Day | None, Query(description="first local day, inclusive (2000-01-01 to 2999-12-31)")
    ] = None,
    *,
    until: Annotated[
        Day | None, Query(description="last local day, inclusive (2000-01-01 to 2999-12-31)")
    ] = None,
) -> Window:
    """A date range read in the business time zone: [since 00:00, until + 1 day 00:00).

    Days are ``Day``s: ``YYYY-MM-DD`` from 2000 to 2999, as the schema's pattern says (pydantic
    alone would read ``until=0`` as 1970-01-01, a Unix timestamp)."""
    zone = context.calendar.local(context.now()).tzinfo

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=zone)

    start = start_of(since) if since is not None else None
    end = start_of(date.fromordinal(until.toordinal() + 1)) if until is not None else None
    return Window(since=start, until=end)


WindowDep = Annotated[Window, Depends(get_window)]


def get_days(
    context: ContextDep,
    from_: Annotated[
        Day | None,
        Query(alias="from", description="first local day, inclusive (2000-01-01 to 2999-12-31)"),
    ] = None,
    *,
    to: Annotated[
        Day | None, Query(description="last local day, inclusive (2000-01-01 to 2999-12-31)")
    ] = None,
) -> Window:
    """``from``/``to`` local days, read like ``since``/``until`` (for lists of sessions)."""
    return get_window(context, since=from_, until=to)


DaysDep = Annotated[Window, Depends(get_days)]
