"""The web chat's use cases beyond an ordinary message: the bot's greeting when the page opens,
and files sent from the page entering the same document intake as every other channel.

Both run under the conversation's turn in the inbox's gate, so a greeting never races a message
or a document's reading. A file is checked (``inspect_upload``, the limits every channel has)
before anything is stored; an accepted one is stored content-addressed and arrives as an
ordinary inbound message with the file attached (``MediaRef.provider_id`` = its SHA-256), so
the conversation service queues it as a pending document and the document worker fetches it
back from the store (the web channel's ``MediaFetcher``), checks it again and reads it.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import anyio.to_thread
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue.state import DialogueState
from bot.documents import DocumentRejected, DocumentStore, IntakeLimits, inspect_upload
from bot.domain.clock import Clock
from bot.domain.messages import Channel, InboundMessage, MediaRef
from bot.service.inbox import LOCK_WAIT_S, Inbox
from bot.service.message_store import StoredReply, storable, store_outbound_many
from bot.service.new_conversations import start_conversations
from bot.service.records import EffectRecorder
from bot.storage.models import Conversation, Document, Message

__all__ = [
    "ChatEntry",
    "UnknownSession",
    "UploadResult",
    "UploadStatus",
    "WebChat",
    "too_large",
]

HISTORY_PAGE = 200

log = logging.getLogger(__name__)

MB = 1024 * 1024
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")


class UnknownSession(LookupError):
    """No conversation for this web session (it never opened the chat, or it is another's)."""


@dataclass(frozen=True)
class UploadStatus:
    """A file the client sent from the page, as far as reading it has gone."""

    id: int
    filename: str
    status: str  # pending | read | rejected | failed (the documents table's words)
    kind: str


@dataclass(frozen=True)
class ChatEntry:
    """One message of the conversation as the page shows it."""

    id: int
    author: str
    text: str
    choices: list[tuple[str, str]]
    attachments: list[str]  # links to files the bot sent (a training invite)
    file: UploadStatus | None  # the file a client's message carried
    at: datetime


@dataclass
class UploadResult:
    """What became of an accepted upload: the queued document and the bot's replies."""

    duplicate: bool
    document: UploadStatus | None
    replies: list[StoredReply] = field(default_factory=list)


def too_large(limit_bytes: int, *, size: int | None = None) -> DocumentRejected:
    """The refusal of a file over the size cap, worded like the other channels' refusals."""
    limit = limit_bytes / MB
    if size is not None:
        return DocumentRejected(
            "too_large",
            f"O arquivo tem {size / MB:.1f} MB e o limite é {limit:.0f} MB. Envie uma foto "
            "menor ou o PDF.",
            f"The file is {size / MB:.1f} MB and the limit is {limit:.0f} MB. Please send a "
            "smaller photo or the PDF.",
        )
    return DocumentRejected(
        "too_large",
        f"O arquivo passa do limite de {limit:.0f} MB. Envie uma foto menor ou o PDF.",
        f"The file is over the {limit:.0f} MB limit. Please send a smaller photo or the PDF.",
    )


class WebChat:
    """The greeting and the uploads of the web chat, on the inbox every channel uses."""

    def __init__(
        self,
        *,
        inbox: Inbox,
        sessions: sessionmaker[Session],
        clock: Clock,
        store: DocumentStore,
        limits: IntakeLimits,
    ) -> None:
        self.inbox = inbox
        self.sessions = sessions
        self.clock = clock
        self.store = store
        self.limits = limits

    # ------------------------------------------------------------------ the greeting
    async def greet(self, address: str) -> list[StoredReply]:
        """The bot speaks first: a new session gets the opening, a returning one the current
        question again unless the page already ends with it (so reloading the page adds
        nothing). Stored as bot messages, under the conversation's turn."""
        async with self.inbox.gate.admit(
            _conversation_key(address),
            f"greet:{uuid.uuid4().hex}",  # never remembered: a greeting is not a message
            timeout_s=LOCK_WAIT_S,
            remember_s=1,
        ):
            for attempt in range(2):
                try:
                    return await anyio.to_thread.run_sync(self._greet, address)
                except IntegrityError:
                    # Another process created this conversation meanwhile (no shared lock).
                    if attempt == 1:
                        raise
            raise AssertionError("unreachable")

    def _greet(self, address: str) -> list[StoredReply]:
        conversations = self.inbox.conversations
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            conversation = _conversation(session, address)
            if conversation is None:
                [(conversation, _)] = start_conversations(
                    session, [(Channel.WEB.value, address)], now=now
                )
            if conversation.bot_paused:
                return []  # a person owns the conversation: the bot keeps quiet
            state = DialogueState.model_validate(conversation.state or {})
            # The same context a message's turn gets (stage, CSM, training, progress).
            context = conversations._context(session, conversation)
            turn = conversations.engine.greet(state, context)
            if not turn.replies:
                return []
            if state.started and (
                # An open repair (confirm a reading, a correction) is already the page's last
                # question; asking it again, in its short form, would only repeat it.
                state.pending is not None
                or _already_shown(session, conversation, question=turn.replies[-1].text)
            ):
                return []
            EffectRecorder(
                session, conversation, now=now, assign_escalation=conversations.assign_escalation
            ).apply(turn.effects)
            conversation.state = turn.state.model_dump(mode="json")
            conversation.language = turn.state.language
            conversation.updated_at = now
            return store_outbound_many(
                session, conversation, replies=turn.replies, author="bot", now=now
            )

    # ------------------------------------------------------------------ uploads
    async def upload(
        self,
        address: str,
        data: bytes,
        *,
        filename: str,
        declared_type: str,
        message_id: str = "",
    ) -> UploadResult:
        """Checks a file from the page, stores it and hands it to the conversation as an
        attachment; raises ``UnknownSession`` or ``DocumentRejected`` (nothing stored)."""
        if await anyio.to_thread.run_sync(self._conversation_id, address) is None:
            raise UnknownSession(address)
        name = _safe_filename(filename)
        accepted = await anyio.to_thread.run_sync(
            lambda: inspect_upload(
                data, declared_type=declared_type, filename=name, limits=self.limits
            )
        )
        sha256 = await anyio.to_thread.run_sync(self.store.put, data)
        try:
            handled = await self.inbox.receive(
                self._inbound(address, sha256, name=name, mime=accepted.mime, message_id=message_id)
            )
        except BaseException:
            # Not queued: a file nothing refers to is not kept (a client's identity document).
            await anyio.to_thread.run_sync(self._forget_unreferenced, sha256)
            raise
        if not handled.documents_queued:
            # Before consent nothing is kept (the dialogue tells the client why).
            await anyio.to_thread.run_sync(self._forget_unreferenced, sha256)
        document = await anyio.to_thread.run_sync(self._document_of, address, sha256)
        return UploadResult(
            duplicate=handled.duplicate, document=document, replies=list(handled.replies)
        )

    def _inbound(
        self, address: str, sha256: str, *, name: str, mime: str, message_id: str
    ) -> InboundMessage:
        return InboundMessage(
            channel=Channel.WEB,
            address=address,
            text="",
            external_id=message_id or uuid.uuid4().hex,
            received_at=self.clock.now(),
            media=(MediaRef(url="", content_type=mime, provider_id=sha256, filename=name),),
        )

    def _forget_unreferenced(self, sha256: str) -> None:
        with self.sessions() as session:
            used = session.scalar(
                select(Document.id)
                .where((Document.provider_id == sha256) | (Document.sha256 == sha256))
                .limit(1)
            )
        if used is None:
            self.store.delete(sha256)

    def status(self, address: str, document_id: int) -> UploadStatus:
        """A file this session sent; ``UnknownSession`` for any other (another session's)."""
        with self.sessions() as session:
            row = session.scalar(
                select(Document)
                .join(Conversation, Conversation.id == Document.conversation_id)
                .where(
                    Document.id == document_id,
                    Conversation.channel == Channel.WEB.value,
                    Conversation.address == address,
                )
            )
            if row is None:
                raise UnknownSession(address)
            return _status(row)

    def history(self, address: str, *, after: int) -> list[ChatEntry]:
        """Messages of the session's conversation after a message id (both directions), oldest
        first; ``UnknownSession`` when it has none. A document's reading arrives as an empty
        system message: only its answer is shown. Messages waiting for the page (``queued``)
        become ``delivered``: they are handed to it now."""
        with self.sessions() as session:
            conversation = _conversation(session, address)
            if conversation is None:
                raise UnknownSession(address)
            rows = session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation.id, Message.id > after)
                .order_by(Message.id)
                .limit(HISTORY_PAGE)
            ).all()
            files = _files(session, conversation.id, rows=rows)
            entries = [_entry(m, files=files) for m in rows if m.author != "system" or m.text]
            unread = [m.id for m in rows if m.direction == "out" and m.status == "queued"]
            if unread:
                session.execute(
                    update(Message)
                    .where(Message.id.in_(unread), Message.status == "queued")
                    .values(status="delivered")
                    .execution_options(synchronize_session=False)
                )
                session.commit()
            return entries

    def language(self, address: str) -> str | None:
        """The conversation's language ("pt" or "en"); None when the session has none."""
        with self.sessions() as session:
            conversation = _conversation(session, address)
            return conversation.language if conversation is not None else None

    def _conversation_id(self, address: str) -> int | None:
        with self.sessions() as session:
            conversation = _conversation(session, address)
            return conversation.id if conversation is not None else None

    def _document_of(self, address: str, sha256: str) -> UploadStatus | None:
        with self.sessions() as session:
            row = session.scalar(
                select(Document)
                .join(Conversation, Conversation.id == Document.conversation_id)
                .where(
                    Conversation.channel == Channel.WEB.value,
                    Conversation.address == address,
                    Document.provider_id == sha256,
                )
                .order_by(Document.id.desc())
                .limit(1)
            )
            return _status(row) if row is not None else None


def _entry(message: Message, *, files: dict[str, UploadStatus]) -> ChatEntry:
    media = message.payload.get("media") or []
    return ChatEntry(
        id=message.id,
        author=message.author,
        text=message.text,
        choices=[(c[0], c[1]) for c in message.payload.get("choices", [])],
        attachments=[str(url) for url in message.payload.get("attachments", [])],
        file=files.get(str(media[0].get("provider_id", ""))) if media else None,
        at=message.created_at,
    )


def _files(
    session: Session, conversation_id: int, *, rows: Sequence[Message]
) -> dict[str, UploadStatus]:
    """The files the client's messages in ``rows`` carried, by their store address."""
    wanted = {
        str(media.get("provider_id", ""))
        for m in rows
        for media in (m.payload.get("media") or [])
        if m.direction == "in"
    } - {""}
    if not wanted:
        return {}
    documents = session.scalars(
        select(Document).where(
            Document.conversation_id == conversation_id, Document.provider_id.in_(wanted)
        )
    ).all()
    return {d.provider_id or "": _status(d) for d in documents}


def _already_shown(session: Session, conversation: Conversation, *, question: str) -> bool:
    """True when asking again would repeat what the page shows last: the bot's last words are
    this question, or a file is still being read (its reading is what comes next)."""
    last = session.scalar(
        select(Message.text)
        .where(Message.conversation_id == conversation.id, Message.direction == "out")
        .order_by(Message.id.desc())
        .limit(1)
    )
    if last == question:
        return True
    reading = session.scalar(
        select(Document.id)
        .where(Document.conversation_id == conversation.id, Document.status == "pending")
        .limit(1)
    )
    return reading is not None


def _conversation_key(address: str) -> str:
    # The inbox's key for the conversation's turn (``Inbox.receive``): the same lock.
    return f"conv:{Channel.WEB.value}:{address}"


def _conversation(session: Session, address: str) -> Conversation | None:
    return session.scalar(
        select(Conversation).where(
            Conversation.channel == Channel.WEB.value, Conversation.address == address
        )
    )


def _status(document: Document) -> UploadStatus:
    return UploadStatus(
        id=document.id,
        filename=document.filename or "",
        status=document.status,
        kind=document.kind,
    )


def _safe_filename(name: str) -> str:
    """The name the browser gave, without folders or control characters, at most 200 chars."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return storable(_UNSAFE_NAME.sub(" ", base)).strip()[:200] or "arquivo"
