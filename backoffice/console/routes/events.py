"""``GET /console/events``: the console's live updates as server-sent events.

The contract (event names, their data, who receives what) is ``backoffice.console.live``'s
text. A connection starts with ``retry: 2000``; with ``Last-Event-ID`` (the header a browser
sends when it reconnects, or ``?last_event_id=`` on a page's first connection when the page was
rendered at a known id) it is first replayed every event after that id that its staff member
may see, from the database, then sent the live ones; a comment every ``heartbeat_s`` keeps
proxies from closing it; it ends when the browser goes, or when its session is revoked or
expires (checked at each heartbeat). Without a session: 401.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from backoffice.console.context import ConsoleContext
from backoffice.console.deps import ConsoleDep, SignedIn, SignedInDep
from backoffice.console.live import RESYNC, EventHub, LiveEvent, sse_message
from backoffice.staff_auth import AuthPolicy
from bot.storage.models import StaffSession, StaffUser

__all__ = ["register", "session_alive"]

RETRY_MS = 2000
_CHUNK = 64  # events written to the socket at once when they queue up


def session_alive(
    console: ConsoleContext, session_id: int, *, now: datetime, policy: AuthPolicy
) -> bool:
    """The session is still good (not revoked, expired or idle; its owner active). Unlike a
    page request it does not count as activity: an open tab alone does not keep it alive."""
    with console.backoffice.sessions() as session:
        row = session.execute(
            select(StaffSession, StaffUser.active)
            .join(StaffUser, StaffUser.id == StaffSession.staff_id)
            .where(StaffSession.id == session_id)
        ).first()
    if row is None:
        return False
    staff_session, active = row
    return bool(
        active
        and staff_session.revoked_at is None
        and staff_session.expires_at > now
        and staff_session.last_seen_at + policy.idle > now
    )


def _last_id(request: Request, query_value: str | None) -> int | None:
    """``Last-Event-ID`` (a reconnection) first, then the page's ``?last_event_id=``."""
    for value in (request.headers.get("last-event-id"), query_value):
        if value is not None and value.strip().isdigit():
            return int(value.strip())
    return None


async def events(
    request: Request,
    me: SignedInDep,
    *,
    console: ConsoleDep,
    last_event_id: str | None = Query(default=None, max_length=20),
) -> Response:
    hub = console.feed
    if not isinstance(hub, EventHub):
        return Response("live updates are not running", status_code=503)
    return StreamingResponse(
        _stream(request, hub, console=console, me=me, last=_last_id(request, last_event_id)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stream(
    request: Request,
    hub: EventHub,
    *,
    console: ConsoleContext,
    me: SignedIn,
    last: int | None,
) -> AsyncIterator[str]:
    await hub.refresh()
    subscription, cursor = hub.subscribe(me.principal, after=last if last is not None else -1)
    try:
        yield f"retry: {RETRY_MS}\n\n"
        if last is not None and last < cursor:
            replayed = await hub.replay(me.principal, after=last, upto=cursor)
            if replayed is None:
                yield _resync(cursor)
            else:
                for start in range(0, len(replayed), _CHUNK):
                    yield "".join(event.sse() for event in replayed[start : start + _CHUNK])
        check_at = time.monotonic() + hub.heartbeat_s
        while True:
            try:
                item = await asyncio.wait_for(subscription.queue.get(), timeout=hub.heartbeat_s)
            except TimeoutError:
                yield ": keep-alive\n\n"
            else:
                chunk = [item]
                while len(chunk) < _CHUNK and not subscription.queue.empty():
                    chunk.append(subscription.queue.get_nowait())
                live = [e for e in chunk if isinstance(e, LiveEvent)]
                yield "".join(event.sse() for event in live)
                if RESYNC in chunk:
                    yield _resync(hub.cursor)
                    return
            if time.monotonic() >= check_at:
                check_at = time.monotonic() + hub.heartbeat_s
                if await request.is_disconnected():
                    return
                alive = await asyncio.to_thread(
                    session_alive,
                    console,
                    me.session_id,
                    now=console.backoffice.now(),
                    policy=console.policy,
                )
                if not alive:
                    return
    finally:
        hub.unsubscribe(subscription)


def _resync(at: int) -> str:
    """Reload what the page shows; the stream resumes after ``at``."""
    return sse_message(event=RESYNC, data=json.dumps({"id": at}), id=at)


def register(router: APIRouter) -> None:
    router.add_api_route("/events", events, methods=["GET"], name="console_events")
