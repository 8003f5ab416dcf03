"""The web chat: a page at ``/`` and a small JSON API it talks to, on the same inbox as every
other channel. The browser keeps a random session id (its address); the bot greets first when
the page opens; replies (bot's and staff's) are read back by polling, so a CSM's message
reaches the page too. Photos and PDFs sent from the page go through the same intake checks,
store and document worker as the other channels' files (``bot.service.web_chat``); the worker
fetches them back from the store through ``StoredUploadFetcher``, this channel's fetcher.

A message no answer handed to the page (the erasure notice) is stored ``queued`` and becomes
``delivered`` when a poll returns it: erasure waits for that (or its grace period) before it
erases the session's address, after which the session answers 404.
"""

from __future__ import annotations

import base64
import hashlib
import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal, NoReturn

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from bot.channels.errors import MediaTooLarge, MediaUnavailable
from bot.channels.ports import read_capped
from bot.documents import DocumentError, DocumentNotFound, DocumentRejected, DocumentStore
from bot.domain.clock import Clock
from bot.domain.messages import Channel, InboundMessage, MediaRef
from bot.service.inbox import Inbox
from bot.service.message_store import StoredReply
from bot.service.web_chat import ChatEntry, UnknownSession, UploadStatus, WebChat, too_large

__all__ = ["StoredUploadFetcher", "web_chat_router"]

_PAGE = Path(__file__).parent / "static" / "chat.html"
_SESSION = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_TEXT = 10_000
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)

SessionId = Annotated[str, Query(pattern=_SESSION.pattern)]


class ChatIn(BaseModel):
    session: str = Field(pattern=_SESSION.pattern)
    text: str = Field(default="", max_length=MAX_TEXT)
    choice_id: str = Field(default="", max_length=64)
    message_id: str = Field(default="", max_length=64)


class GreetingIn(BaseModel):
    session: str = Field(pattern=_SESSION.pattern)


class FileOut(BaseModel):
    """A file the client sent: reading it is ``pending``, then ``read`` or ``rejected``."""

    id: int
    filename: str
    status: str
    kind: str


class ChatMessageOut(BaseModel):
    id: int
    author: str
    text: str
    choices: list[tuple[str, str]]
    attachments: list[str] = []  # links to files the bot sent (a training invite)
    file: FileOut | None = None  # the file a client's message carried
    at: datetime


class ChatOut(BaseModel):
    duplicate: bool
    messages: list[ChatMessageOut]


class UploadOut(BaseModel):
    duplicate: bool
    file: FileOut | None
    messages: list[ChatMessageOut]


class Refusal(BaseModel):
    """Why a file was not accepted, in the conversation's language (shown as is)."""

    code: str
    message: str


class RefusalOut(BaseModel):
    detail: Refusal


class StoredUploadFetcher:
    """The web channel's ``MediaFetcher``: a file sent from the page was checked and stored when
    it arrived (``MediaRef.provider_id`` is its SHA-256); the document worker reads it back
    here, then checks and reads it like a file downloaded from a provider."""

    def __init__(self, store: DocumentStore) -> None:
        self.store = store

    async def fetch(self, media: MediaRef, *, max_bytes: int) -> bytes:
        try:
            data = await anyio.to_thread.run_sync(self.store.get, media.provider_id)
        except DocumentNotFound as exc:
            raise MediaUnavailable(f"uploaded file {media.provider_id} is gone") from exc
        except (DocumentError, ValueError) as exc:
            raise MediaUnavailable(f"uploaded file {media.provider_id!r}: {exc}") from exc
        if len(data) > max_bytes:
            raise MediaTooLarge(f"file exceeds {max_bytes} bytes", limit=max_bytes, size=len(data))
        return data


def web_chat_router(*, inbox: Inbox, clock: Clock, chat: WebChat) -> APIRouter:
    """The page and the chat API it talks to."""
    router = APIRouter(tags=["web chat"])
    page = _PAGE.read_text(encoding="utf-8").replace(
        "{{MAX_UPLOAD_BYTES}}", str(chat.limits.max_bytes)
    )
    headers = {"Content-Security-Policy": _policy(page)}

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    def chat_page() -> HTMLResponse:
        return HTMLResponse(page, headers=headers)

    _add_conversation_routes(router, inbox=inbox, clock=clock, chat=chat)
    _add_upload_routes(router, clock=clock, chat=chat)
    return router


def _add_conversation_routes(
    router: APIRouter, *, inbox: Inbox, clock: Clock, chat: WebChat
) -> None:
    """The greeting, a client's message, and the conversation read back."""

    @router.post("/chat/api/greeting", response_model=ChatOut)
    async def greet(body: GreetingIn) -> ChatOut:
        """The page opened: the bot greets a new session, or asks a returning one its current
        question again unless that is already the last thing it said. Answers what was added."""
        replies = await chat.greet(body.session)
        return ChatOut(
            duplicate=False,
            messages=_bot_messages(replies, at=clock.now()),
        )

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
            messages=_bot_messages(handled.replies, at=clock.now()),
        )

    @router.get("/chat/api/messages", response_model=list[ChatMessageOut])
    def history(session: SessionId, after: Annotated[int, Query(ge=0)] = 0) -> list[ChatMessageOut]:
        """Messages of the conversation after a message id (both directions), oldest first.
        A document's reading arrives as an empty system message: only its answer is shown."""
        try:
            entries = chat.history(session, after=after)
        except UnknownSession:
            raise HTTPException(
                status_code=404, detail="no conversation for this session"
            ) from None
        return [_message_out(entry) for entry in entries]


def _add_upload_routes(router: APIRouter, *, clock: Clock, chat: WebChat) -> None:
    """Files sent from the page, and how far reading each has gone."""

    @router.post(
        "/chat/api/uploads",
        response_model=UploadOut,
        responses={
            404: {"description": "no conversation for this session"},
            413: {"model": RefusalOut, "description": "the file is over the size limit"},
            422: {"model": RefusalOut, "description": "not a readable image or PDF"},
        },
    )
    async def upload(
        request: Request,
        session: SessionId,
        *,
        filename: Annotated[str, Query(max_length=255)] = "",
        message_id: Annotated[str, Query(max_length=64)] = "",
    ) -> UploadOut:
        """One photo or PDF as the request body (its type in ``Content-Type``). Checked before
        anything is stored; refused with a message for the client, or queued for reading and
        answered with the bot's replies ("recebi")."""
        language = await anyio.to_thread.run_sync(chat.language, session)
        if language is None:  # before reading a byte of it
            raise HTTPException(status_code=404, detail="no conversation for this session")
        limit = chat.limits.max_bytes
        try:
            data = await read_capped(
                request.stream(), declared_length=_length(request), max_bytes=limit
            )
        except MediaTooLarge as exc:
            _refuse(too_large(limit, size=exc.size), language=language, status=413)
        try:
            result = await chat.upload(
                session,
                data,
                filename=filename,
                declared_type=request.headers.get("content-type", ""),
                message_id=message_id,
            )
        except UnknownSession:
            raise HTTPException(
                status_code=404, detail="no conversation for this session"
            ) from None
        except DocumentRejected as rejected:
            _refuse(rejected, language=language, status=422)
        return UploadOut(
            duplicate=result.duplicate,
            file=_file_out(result.document) if result.document is not None else None,
            messages=_bot_messages(result.replies, at=clock.now()),
        )

    @router.get("/chat/api/uploads/{document_id}", response_model=FileOut)
    def upload_status(document_id: int, session: SessionId) -> FileOut:
        """How far reading a file this session sent has gone (another session's: 404)."""
        try:
            return _file_out(chat.status(session, document_id))
        except UnknownSession:
            raise HTTPException(status_code=404, detail="no such file for this session") from None


def _refuse(rejected: DocumentRejected, *, language: str, status: Literal[413, 422]) -> NoReturn:
    """Raises the refusal, worded in the conversation's language."""
    message = rejected.message_en if language == "en" else rejected.message_pt
    raise HTTPException(status_code=status, detail={"code": rejected.code, "message": message})


def _bot_messages(replies: Sequence[StoredReply], *, at: datetime) -> list[ChatMessageOut]:
    return [
        ChatMessageOut(
            id=r.message_id,
            author="bot",
            text=r.text,
            choices=list(r.choices),
            attachments=list(r.attachments),
            at=at,
        )
        for r in replies
    ]


def _length(request: Request) -> int | None:
    value = request.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def _file_out(status: UploadStatus) -> FileOut:
    return FileOut(id=status.id, filename=status.filename, status=status.status, kind=status.kind)


def _message_out(entry: ChatEntry) -> ChatMessageOut:
    return ChatMessageOut(
        id=entry.id,
        author=entry.author,
        text=entry.text,
        choices=entry.choices,
        attachments=entry.attachments,
        file=_file_out(entry.file) if entry.file is not None else None,
        at=entry.at,
    )


def _policy(page: str) -> str:
    """The page's Content-Security-Policy: only its own inline script and style run (allowed
    by their hashes), it talks only to this server, and no other site may frame it."""
    allowed: dict[str, list[str]] = {"script": [], "style": []}
    for kind, body in _INLINE.findall(page):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        allowed[kind].append(f"'sha256-{digest}'")
    return (
        f"default-src 'none'; script-src {' '.join(allowed['script'])}; "
        f"style-src {' '.join(allowed['style'])}; connect-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
