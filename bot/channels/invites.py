"""``GET /invites/{token}.ics``: the calendar invite of a training booking, for the client.

The token is the random part of the booking's UID (128 bits), so the link is a capability: it
can be sent as a WhatsApp/Telegram attachment (Twilio fetches media by URL) without a login.
The answer is always the booking's current version: a rebooked session comes with a higher
``SEQUENCE``, a cancelled one as ``METHOD:CANCEL``. Once the client's data is erased the link
answers 404, like a link that never existed.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, Response
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.clock import Clock
from bot.service.training import invite_file

__all__ = ["invite_router"]

_TOKEN = re.compile(r"^training-[0-9a-f]{32}$")


def invite_router(*, sessions: sessionmaker[Session], clock: Clock, timezone: str) -> APIRouter:
    router = APIRouter(tags=["training invites"])

    @router.get("/invites/{token}.ics", response_class=Response)
    def invite(token: str) -> Response:
        if not _TOKEN.match(token):
            raise HTTPException(status_code=404, detail="no such invite")
        found = invite_file(sessions, token, now=clock.now(), timezone=timezone)
        if found is None:
            raise HTTPException(status_code=404, detail="no such invite")
        return Response(
            content=found.body,
            media_type="text/calendar; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{found.filename}"',
                "Cache-Control": "no-store",
            },
        )

    return router
