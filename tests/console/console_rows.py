"""The rows the console access matrix walks over (``console_walk.py``): one client of a CSM
with everything that hangs off it, and the texts of it that only those who see it may read
(``Rows.markers``); and a fresh console session for a staff member."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from backoffice.staff_auth import AuthPolicy, open_session
from bot.documents.store import DocumentStore
from bot.storage.models import (
    AuditEvent,
    Client,
    ConsoleEvent,
    Conversation,
    Document,
    Escalation,
    Message,
    NpsResponse,
    Onboarding,
    OutboxItem,
    StaffNote,
    StaffSession,
    StaffUser,
)
from bot.storage.models.agreements import Agreement
from tests.backoffice.factories import (
    Member,
    conversation_of,
    make_booking,
    make_onboarding,
)

__all__ = ["Rows", "make_rows", "session_cookie"]


@dataclass(frozen=True)
class Rows:
    """One client of ``csm_owner`` with everything that hangs off it, and the texts of it that
    only those who see it may read."""

    ids: dict[str, int]
    markers: tuple[str, ...]
    event_id: int


@dataclass(frozen=True)
class _Owner:
    """Who and when the rows of one walk belong to, and its serial number ``n``."""

    member: Member
    now: datetime
    n: int

    def ago(self, minutes: int) -> datetime:
        return self.now - timedelta(minutes=minutes)


_serial = itertools.count(1)


def make_rows(session: Session, *, owner: Member, now: datetime, documents: DocumentStore) -> Rows:
    """The client of ``owner`` (a CSM) and its rows; see the module's text."""
    at = _Owner(owner, now, next(_serial))
    n = at.n
    company = f"Sigilosa Walker {n} Ltda"
    onboarding = make_onboarding(
        session, now=now, stage="documentos", csm_id=owner.id, company=company
    )
    conversation = conversation_of(session, onboarding)
    conversation.profile_name = f"Perfil Reservado {n}"
    conversation.last_inbound_at = at.ago(20)
    session.flush()
    session.get_one(Client, onboarding.client_id).contacts[0].name = f"Contato Reservado {n}"
    ids = {
        "onboarding_id": onboarding.id,
        "client_id": onboarding.client_id,
        "conversation_id": conversation.id,
        "staff_id": owner.id,
    }
    ids |= _inbound(session, at, conversation=conversation, onboarding=onboarding)
    ids |= _records(session, at, onboarding=onboarding, conversation=conversation, files=documents)
    ids |= _dead_reply(session, at, conversation=conversation)
    ids["booking_id"] = make_booking(
        session,
        onboarding_id=onboarding.id,
        csm_id=owner.id,
        starts_at=now - timedelta(hours=2, minutes=n % 50),
        now=now,
    ).id
    event = ConsoleEvent(
        at=at.ago(19),
        kind="escalation_opened",
        onboarding_id=onboarding.id,
        conversation_id=conversation.id,
        csm_id=owner.id,
        actor="client",
        data={"escalation_id": ids["escalation_id"]},
    )
    session.add(event)
    session.flush()
    return Rows(ids=ids, markers=(company, *_markers(n)), event_id=event.id)


def _markers(n: int) -> tuple[str, ...]:
    """The texts of walk ``n``'s rows (the company's name aside) an outsider must not read."""
    return (
        f"Contato Reservado {n}",
        f"mensagem reservada numero {n}",
        f"nota reservada numero {n}",
        f"comentario reservado numero {n}",
        f"Perfil Reservado {n}",
        f"resposta reservada numero {n}",
        f"documento reservado {n}",  # the document's bytes, as a download would give them
        f"combinado reservado numero {n}",
    )


def _inbound(
    session: Session, at: _Owner, *, conversation: Conversation, onboarding: Onboarding
) -> dict[str, int]:
    """The client's message and the escalation it opened, assigned to the owner."""
    text = f"mensagem reservada numero {at.n}"
    message = Message(
        conversation_id=conversation.id,
        direction="in",
        author="client",
        text=text,
        payload={},
        channel_message_id=f"walker-{at.n}",
        status="received",
        created_at=at.ago(20),
    )
    escalation = Escalation(
        conversation_id=conversation.id,
        onboarding_id=onboarding.id,
        reason="request_human",
        detail=text,
        queue="self_service",
        assigned_to=at.member.id,
        created_at=at.ago(19),
    )
    session.add_all([message, escalation])
    session.flush()
    return {"message_id": message.id, "escalation_id": escalation.id}


def _records(
    session: Session,
    at: _Owner,
    *,
    onboarding: Onboarding,
    conversation: Conversation,
    files: DocumentStore,
) -> dict[str, int]:
    """The client record's rows: a document, a staff note, an audit event, an NPS answer and
    an agreement."""
    client, n = onboarding.client_id, at.n
    document = _document(at, client_id=client, conversation=conversation, files=files)
    note = StaffNote(
        client_id=client,
        onboarding_id=onboarding.id,
        author_id=at.member.id,
        text=f"nota reservada numero {n}",
        created_at=at.ago(10),
    )
    audit = AuditEvent(
        client_id=client,
        conversation_id=conversation.id,
        actor=f"staff:{at.member.id}",
        action="field_changed",
        field="trade_name",
        old_value=None,
        new_value=f"Fantasia Reservada {n}",
        at=at.ago(5),
    )
    nps = NpsResponse(
        onboarding_id=onboarding.id,
        client_id=client,
        score=3,
        comment=f"comentario reservado numero {n}",
        answered_at=at.ago(4),
    )
    agreement = Agreement(
        onboarding_id=onboarding.id,
        client_id=client,
        what=f"combinado reservado numero {n}",
        owed_by="client",
        due_on=at.now.date() + timedelta(days=2),
        status="open",
        created_at=at.ago(3),
        created_by=f"staff:{at.member.id}",
    )
    session.add_all([document, note, audit, nps, agreement])
    session.flush()
    return {"document_id": document.id, "note_id": note.id, "agreement_id": agreement.id}


def _document(
    at: _Owner, *, client_id: int, conversation: Conversation, files: DocumentStore
) -> Document:
    content = f"documento reservado {at.n}".encode()
    return Document(
        client_id=client_id,
        conversation_id=conversation.id,
        kind="cnpj_card",
        source_channel="terminal",
        status="done",
        mime="application/pdf",
        size=len(content),
        sha256=files.put(content),
        extraction={},
        received_at=at.ago(18),
    )


def _dead_reply(session: Session, at: _Owner, *, conversation: Conversation) -> dict[str, int]:
    """A staff reply that failed, and its dead outbox item (what a retry acts on)."""
    reply = Message(
        conversation_id=conversation.id,
        direction="out",
        author="staff",
        staff_id=at.member.id,
        text=f"resposta reservada numero {at.n}",
        payload={},
        status="failed",
        created_at=at.ago(15),
    )
    session.add(reply)
    session.flush()
    dead = OutboxItem(
        message_id=reply.id,
        conversation_id=conversation.id,
        channel=conversation.channel,
        address=conversation.address,
        status="dead",
        attempts=8,
        next_attempt_at=at.now,
        created_at=at.ago(15),
    )
    session.add(dead)
    session.flush()
    return {"outbox_item_id": dead.id}


def session_cookie(session: Session, staff_id: int, *, now: datetime) -> tuple[str, str]:
    """A fresh console session for ``staff_id``: (cookie token, CSRF token)."""
    staff = session.get_one(StaffUser, staff_id)
    token = open_session(session, staff, now=now, policy=AuthPolicy(), language="pt_BR")
    session.flush()
    row = session.query(StaffSession).order_by(StaffSession.id.desc()).first()
    assert row is not None
    return token, row.csrf_token
