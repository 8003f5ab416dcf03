"""What the conversation page shows: the transcript with delivery statuses and the documents
inline (with their reading, field by field), the private notes, the messages that did not go
(held, dead) and WhatsApp's 24-hour window as the delivery worker applies it.

The conversation is loaded by the route through ``backoffice.access.load_conversation``; what
is read here belongs to it (its messages, documents, outbox rows, and its client's notes).

The window (``bot.workers.outbox``): on WhatsApp a message may go as free text until 24 hours
after the client's last message; after that it goes as the approved template configured for
its kind (``ONBOARD_WHATSAPP_TEMPLATES_JSON``, kind ``staff`` for a person's reply), or it is
``held`` when there is none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.deliveries import undelivered
from bot.storage.models import Conversation, Document, Message, OutboxItem, StaffNote, StaffUser

__all__ = [
    "CONFIDENT",
    "SERVICE_WINDOW",
    "TRANSCRIPT_LIMIT",
    "WHATSAPP_CHANNELS",
    "DocumentView",
    "Entry",
    "FieldReading",
    "NoteView",
    "Transcript",
    "UndeliveredView",
    "WindowState",
    "notes_of",
    "transcript",
    "undelivered_of",
    "window_of",
]

WHATSAPP_CHANNELS = frozenset({"twilio_whatsapp", "whatsapp_cloud"})
SERVICE_WINDOW = timedelta(hours=24)  # bot.workers.outbox.SERVICE_WINDOW
CONFIDENT = 0.9  # at or above: read correctly (SPEC, OCR field names)
TRANSCRIPT_LIMIT = 300
STAFF_KIND = "staff"


@dataclass(frozen=True)
class FieldReading:
    name: str
    value: str
    confidence: float | None  # None: the reading kept only whether it is certain
    certain: bool


@dataclass(frozen=True)
class DocumentView:
    id: int
    kind: str
    status: str
    mime: str | None
    filename: str | None
    received_at: datetime
    fields: list[FieldReading]
    problem: str  # why it was refused, or the last error ("" when none)
    mismatches: list[str]
    has_file: bool

    @property
    def is_image(self) -> bool:
        return bool(self.mime and self.mime.startswith("image/"))

    @property
    def is_pdf(self) -> bool:
        return self.mime == "application/pdf"


@dataclass(frozen=True)
class Entry:
    """One line of the transcript: a message, with the documents it brought."""

    id: int
    direction: str
    author: str
    staff_name: str | None
    text: str
    status: str
    error_code: str | None
    at: datetime
    documents: list[DocumentView] = field(default_factory=list)

    @property
    def outbound(self) -> bool:
        return self.direction == "out"


@dataclass(frozen=True)
class NoteView:
    id: int
    author: str
    text: str
    at: datetime


@dataclass(frozen=True)
class UndeliveredView:
    item_id: int
    message_id: int
    status: str  # held | dead
    author: str
    text: str
    error: str
    at: datetime


@dataclass(frozen=True)
class WindowState:
    """WhatsApp's 24-hour window for a person's reply, as the worker will apply it."""

    applies: bool  # a WhatsApp conversation
    open: bool
    closes_at: datetime | None
    left: timedelta | None
    template: bool  # a template is configured for staff messages


def window_of(
    conversation: Conversation, *, now: datetime, templates: frozenset[str]
) -> WindowState:
    if conversation.channel not in WHATSAPP_CHANNELS:
        return WindowState(applies=False, open=True, closes_at=None, left=None, template=False)
    last = conversation.last_inbound_at
    closes = last + SERVICE_WINDOW if last is not None else None
    is_open = closes is not None and now <= closes
    return WindowState(
        applies=True,
        open=is_open,
        closes_at=closes,
        left=closes - now if closes is not None and is_open else None,
        template=STAFF_KIND in templates,
    )


def _readings(extraction: dict[str, Any]) -> list[FieldReading]:
    fields = extraction.get("fields")
    if not isinstance(fields, dict):
        return []
    confidence = extraction.get("confidence")
    scores = confidence if isinstance(confidence, dict) else {}
    uncertain = extraction.get("uncertain")
    doubtful = {str(u) for u in uncertain} if isinstance(uncertain, list) else set()
    result = []
    for name, value in fields.items():
        score = scores.get(name)
        number = float(score) if isinstance(score, int | float) else None
        certain = number >= CONFIDENT if number is not None else name not in doubtful
        result.append(
            FieldReading(name=str(name), value=str(value), confidence=number, certain=certain)
        )
    return result


def _document(document: Document, *, language: str) -> DocumentView:
    extraction = document.extraction or {}
    rejected = extraction.get("rejected_en" if language == "en" else "rejected_pt")
    mismatches = extraction.get("mismatches")
    index = 2 if language == "en" else 1
    return DocumentView(
        id=document.id,
        kind=str(extraction.get("kind") or document.kind),
        status=document.status,
        mime=document.mime or document.media_type,
        filename=document.filename,
        received_at=document.received_at,
        fields=_readings(extraction),
        problem=str(rejected or ""),
        mismatches=[
            str(m[index])
            for m in (mismatches if isinstance(mismatches, list) else [])
            if isinstance(m, list) and len(m) > index
        ],
        has_file=bool(document.sha256) and document.deleted_at is None,
    )


@dataclass(frozen=True)
class Transcript:
    entries: list[Entry]
    older: bool  # older messages were left out
    loose: list[DocumentView]  # documents without a client message shown (older, or uploaded)


def transcript(
    session: Session, conversation: Conversation, *, language: str, limit: int = TRANSCRIPT_LIMIT
) -> Transcript:
    """The last ``limit`` messages, oldest first, each with the documents that arrived with it."""
    rows = list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation.id)
            .order_by(Message.id.desc())
            .limit(limit + 1)
        )
    )
    older = len(rows) > limit
    messages = list(reversed(rows[:limit]))
    names = _names(session, {m.staff_id for m in messages})
    documents = list(
        session.scalars(
            select(Document)
            .where(Document.conversation_id == conversation.id)
            .order_by(Document.id)
        )
    )
    left = _left_the_outbox(session, [m.id for m in messages if m.direction == "out"])
    entries = [
        Entry(
            id=m.id,
            direction=m.direction,
            author=m.author,
            staff_name=names.get(m.staff_id or 0),
            text=m.text,
            # The provider's first answer is "queued" (accepted): once the outbox row is sent,
            # say so rather than look like it is still waiting here.
            status="sent" if m.status in ("queued", "accepted") and m.id in left else m.status,
            error_code=m.error_code,
            at=m.created_at,
        )
        for m in messages
    ]
    loose: list[DocumentView] = []
    for document in documents:
        view = _document(document, language=language)
        # With the client's message that brought it (same instant), else the last one before.
        home = next(
            (e for e in reversed(entries) if e.direction == "in" and e.at <= document.received_at),
            None,
        )
        if home is not None:
            home.documents.append(view)
        else:
            loose.append(view)
    return Transcript(entries=entries, older=older, loose=loose)


def _left_the_outbox(session: Session, message_ids: list[int]) -> set[int]:
    if not message_ids:
        return set()
    return set(
        session.scalars(
            select(OutboxItem.message_id).where(
                OutboxItem.message_id.in_(message_ids), OutboxItem.status == "sent"
            )
        )
    )


def notes_of(session: Session, conversation: Conversation) -> list[NoteView]:
    """The client's private notes, newest first."""
    if conversation.client_id is None:
        return []
    notes = list(
        session.scalars(
            select(StaffNote)
            .where(StaffNote.client_id == conversation.client_id)
            .order_by(StaffNote.id.desc())
            .limit(100)
        )
    )
    names = _names(session, {n.author_id for n in notes})
    return [
        NoteView(id=n.id, author=names.get(n.author_id, "—"), text=n.text, at=n.created_at)
        for n in notes
    ]


def undelivered_of(session: Session, conversation: Conversation) -> list[UndeliveredView]:
    return [
        UndeliveredView(
            item_id=item.id,
            message_id=message.id,
            status=item.status,
            author=message.author,
            text=message.text,
            error=item.last_error or "",
            at=message.created_at,
        )
        for item, message in undelivered(session, conversation)
    ]


def _names(session: Session, staff_ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in staff_ids if i}
    if not ids:
        return {}
    rows = session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(ids)))
    return {staff_id: name for staff_id, name in rows}
