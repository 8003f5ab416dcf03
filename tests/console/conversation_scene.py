"""The conversations the console's conversation tests act on (``scene`` in
``test_conversation.py``): one of ``csm_owner`` on WhatsApp with a read photo, an open
escalation, a held and a sent outbox row; one in the queue with no CSM."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.storage.models import Conversation, Document, Escalation, Message, OutboxItem
from tests.backoffice.factories import Roster, conversation_of, make_onboarding

__all__ = ["PNG", "Scene", "build_scene"]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@dataclass
class Scene:
    owned: int  # csm_owner's onboarding, WhatsApp, an open escalation, a photo read
    queued: int  # no CSM: every CSM sees it
    document: int
    held_item: int  # an outbox row of ``owned`` held outside the window
    sent_item: int


def build_scene(
    runtime: Runtime, *, roster: Roster, now: datetime, documents: DocumentStore
) -> Scene:
    with runtime.sessions() as session, session.begin():
        owned = conversation_of(
            session,
            make_onboarding(
                session,
                now=now,
                csm_id=roster.csm_owner.id,
                channel="twilio_whatsapp",
                company="Padaria Pão Quente",
            ),
        )
        owned.last_inbound_at = now - timedelta(hours=1)
        document = _photo_and_escalation(
            session, owned, now=now, documents=documents, csm_id=roster.csm_owner.id
        )
        held_item, sent_item = _outbox(session, owned, now=now)
        queued = conversation_of(
            session, make_onboarding(session, now=now, channel="twilio_whatsapp")
        )
        queued.last_inbound_at = now
        _message(session, queued, direction="in", author="client", text="Alguém?", at=now)
        session.flush()
        return Scene(
            owned=owned.id,
            queued=queued.id,
            document=document.id,
            held_item=held_item.id,
            sent_item=sent_item.id,
        )


def _message(
    session: Session,
    conversation: Conversation,
    *,
    direction: str,
    author: str,
    text: str,
    at: datetime,
    status: str | None = None,
) -> Message:
    message = Message(
        conversation_id=conversation.id,
        payload={},
        direction=direction,
        author=author,
        text=text,
        status=status or ("received" if direction == "in" else "delivered"),
        created_at=at,
    )
    session.add(message)
    session.flush()
    return message


def _photo_and_escalation(
    session: Session,
    owned: Conversation,
    *,
    now: datetime,
    documents: DocumentStore,
    csm_id: int,
) -> Document:
    """The bot's question, the client's photo (read), "HUMANO" and the escalation it opened."""
    _message(
        session,
        owned,
        direction="out",
        author="bot",
        text="Qual é o seu nome completo?",
        at=now - timedelta(hours=2),
    )
    photo = _message(
        session, owned, direction="in", author="system", text="", at=now - timedelta(hours=1)
    )
    document = Document(
        client_id=owned.client_id,
        conversation_id=owned.id,
        kind="cnh",
        source_channel="twilio_whatsapp",
        status="read",
        mime="image/png",
        size=len(PNG),
        sha256=documents.put(PNG),
        received_at=photo.created_at,
        extraction={
            "kind": "cnh",
            "fields": {"nome": "MARIA DA SILVA", "cpf": "12345678909"},
            "uncertain": ["cpf"],
        },
    )
    session.add(document)
    _message(
        session,
        owned,
        direction="in",
        author="client",
        text="HUMANO",
        at=now - timedelta(minutes=30),
    )
    session.add(
        Escalation(
            conversation_id=owned.id,
            onboarding_id=owned.onboarding_id,
            reason="request_human",
            detail="",
            queue="self_service",
            status="open",
            assigned_to=csm_id,
            created_at=now - timedelta(minutes=30),
        )
    )
    return document


def _outbox(
    session: Session, owned: Conversation, *, now: datetime
) -> tuple[OutboxItem, OutboxItem]:
    """A reminder held outside WhatsApp's window, and a message sent."""
    held = _message(
        session,
        owned,
        direction="out",
        author="bot",
        text="Lembrete: falta o comprovante.",
        at=now - timedelta(minutes=20),
        status="held",
    )
    sent = _message(
        session, owned, direction="out", author="bot", text="Oi!", at=now - timedelta(minutes=19)
    )
    held_item = OutboxItem(
        message_id=held.id,
        conversation_id=owned.id,
        channel="twilio_whatsapp",
        address=owned.address,
        status="held",
        attempts=1,
        next_attempt_at=now,
        last_error="outside WhatsApp's 24-hour window; no template for 'reminder'",
        created_at=held.created_at,
    )
    sent_item = OutboxItem(
        message_id=sent.id,
        conversation_id=owned.id,
        channel="twilio_whatsapp",
        address=owned.address,
        status="sent",
        attempts=1,
        next_attempt_at=now,
        created_at=sent.created_at,
    )
    session.add_all([held_item, sent_item])
    return held_item, sent_item
