"""The web chat: a page at ``/`` and a small JSON API it talks to, on the same inbox as every
other channel. The browser keeps a random session id; replies (bot's and staff's) are read back
by polling, so a CSM's message reaches the page too."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain.clock import Clock
from bot.domain.messages import Channel, InboundMessage
from bot.service.inbox import Inbox
from bot.storage.models import Conversation, Message

_PAGE = Path(__file__).parent / "static" / "chat.html"
_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_TEXT = 10_000


class ChatIn(BaseModel):
    session: str = Field(pattern=_SESSION.pattern)
    text: str = Field(default="", max_length=MAX_TEXT)
    choice_id: str = Field(default="", max_length=64)
    message_id: str = Field(default="", max_length=64)


class ChatMessageOut(BaseModel):
    id: int
    author: str
    text: str
    choices: list[tuple[str, str]]
    attachments: list[str] = []  # links to files the bot sent (a training invite)
    at: datetime


class ChatOut(BaseModel):
    duplicate: bool
    messages: list[ChatMessageOut]


def web_chat_router(*, inbox: Inbox, sessions: sessionmaker[Session], clock: Clock) -> APIRouter:
    router = APIRouter(tags=["web chat"])
    page = _PAGE.read_text(encoding="utf-8")

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    def chat_page() -> str:
        return page

    @router.post("/chat/api/messages", response_model=ChatOut)
    async def send(body: ChatIn) -> ChatOut:
        """Sends one client message; answers with the bot's replies to it."""
        inbound = InboundMessage(
            channel=Channel.WEB,
            address=body.session,
            text=body.text,
            external_id=body.message_id or uuid.uuid4().hex,
            received_at=clock.now(),
            choice_id=body.choice_id,
        )
        handled = await inbox.receive(inbound)
        return ChatOut(
            duplicate=handled.duplicate,
            messages=[
                ChatMessageOut(
                    id=r.message_id,
                    author="bot",
                    text=r.text,
                    choices=list(r.choices),
                    attachments=list(r.attachments),
                    at=clock.now(),
                )
                for r in handled.replies
            ],
        )

    @router.get("/chat/api/messages", response_model=list[ChatMessageOut])
    def history(
        session: Annotated[str, Query(pattern=_SESSION.pattern)],
        after: Annotated[int, Query(ge=0)] = 0,
    ) -> list[ChatMessageOut]:
        """Messages of the conversation after a message id (both directions), oldest first."""
        with sessions() as db:
            conversation = db.scalar(
                select(Conversation).where(
                    Conversation.channel == Channel.WEB.value, Conversation.address == session
                )
            )
            if conversation is None:
                raise HTTPException(status_code=404, detail="no conversation for this session")
            rows = db.scalars(
                select(Message)
                .where(Message.conversation_id == conversation.id, Message.id > after)
                .order_by(Message.id)
                .limit(200)
            ).all()
            return [
                ChatMessageOut(
                    id=m.id,
                    author=m.author,
                    text=m.text,
                    choices=[(c[0], c[1]) for c in m.payload.get("choices", [])],
                    attachments=[str(url) for url in m.payload.get("attachments", [])],
                    at=m.created_at,
                )
                for m in rows
            ]

    return router
