"""LGPD erasure: anonymize a client's personal data everywhere, keep anonymous metrics.

What is erased (in one transaction): the client's identifying columns (CNPJ, names, address),
its contacts (deleted), the conversations' dialogue state and profile name, every message's
text and payload, document metadata (extraction, hash) and files, escalation details, stage
history reasons, red-flag reasons, audit old/new values, staff notes, SLA pause reasons, ERP
push bodies and answers, NPS comments, the Receita snapshot of the CNPJ, alert texts, pending
reminders and nudges (cancelled). What stays: ids, stages, segments, timestamps, scores,
intents and statuses, so the reports keep counting the onboarding.

Order of events: the data is anonymized and a ``notice`` telling the outcome is queued in the
outbox *before* the channel address is touched; the conversation is paused so the bot stays
silent. ``finish_erasures`` (run it periodically; the API runs it too) anonymizes the address
once the notice left the outbox (sent, held, suppressed or dead) or after a grace period, and
marks the request ``done``. Document files are deleted after the transaction commits
(``delete_files``), except files another live document still uses (content-addressed store).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import String, Text, delete, or_, select, update
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.audit import record_audit
from backoffice.client_records import DocumentFiles
from backoffice.errors import Conflict
from bot.domain.messages import OutboundMessage
from bot.service.message_store import store_outbound
from bot.storage.models import (
    AuditEvent,
    Client,
    Contact,
    Conversation,
    Document,
    ErasureRequest,
    Escalation,
    Message,
    Onboarding,
    OutboxItem,
    StageChange,
)
from bot.storage.models_alerts import Alert
from bot.storage.models_backoffice import ErpPush, NpsResponse, SlaPause, StaffNote
from bot.storage.models_schedule import CompanyRegistry, ScheduledJob

ERASED_NOTE = "[apagado / erased]"
DEFAULT_GRACE = timedelta(days=2)

_CLIENT_COLUMNS = (
    "cnpj",
    "company_name",
    "trade_name",
    "cep",
    "street",
    "address_number",
    "address_complement",
    "district",
    "city",
    "uf",
)

# Document columns kept after erasure: not personal, needed for the figures.
_DOCUMENT_FACTS = frozenset({"kind", "source_channel", "status", "mime", "media_type"})

NOTICES: dict[tuple[str, str], str] = {
    ("done", "pt"): (
        "Seus dados pessoais foram apagados, como você pediu (LGPD). Guardamos apenas números "
        "anônimos de atendimento. Se quiser começar de novo, é só escrever."
    ),
    ("done", "en"): (
        "Your personal data has been erased, as you asked (LGPD). We keep only anonymous "
        "service figures. To start again, just write to us."
    ),
    ("refused", "pt"): (
        "Analisamos seu pedido de exclusão de dados, mas precisamos manter o cadastro por "
        "obrigação legal ou contratual. Nossa equipe pode explicar os detalhes."
    ),
    ("refused", "en"): (
        "We reviewed your request to erase your data, but we must keep the registration for "
        "legal or contractual reasons. Our team can explain the details."
    ),
}


@dataclass
class ErasureOutcome:
    request: ErasureRequest | None
    files: list[str] = field(default_factory=list)  # hashes to delete after commit
    notices: int = 0


def _conversations(session: Session, client: Client) -> list[Conversation]:
    return list(
        session.scalars(
            select(Conversation)
            .where(Conversation.client_id == client.id)
            .order_by(Conversation.id)
        )
    )


def _notify(
    session: Session, conversations: Iterable[Conversation], *, outcome: str, now: datetime
) -> int:
    sent = 0
    for conversation in conversations:
        if conversation.address.startswith("erased:"):
            continue
        language = conversation.language if conversation.language in ("pt", "en") else "pt"
        store_outbound(
            session,
            conversation,
            OutboundMessage(text=NOTICES[outcome, language], kind="notice"),
            author="system",
            now=now,
        )
        sent += 1
    return sent


def anonymize_client(session: Session, client: Client, *, now: datetime) -> list[str]:
    """Erases the client's personal data in every table; returns the document hashes to delete."""
    conversations = _conversations(session, client)
    conversation_ids = [c.id for c in conversations]
    onboarding_ids = list(
        session.scalars(select(Onboarding.id).where(Onboarding.client_id == client.id))
    )
    for column in _CLIENT_COLUMNS:
        setattr(client, column, None)
    client.erased_at = now
    client.updated_at = now
    for contact in list(client.contacts):
        client.contacts.remove(contact)
    session.execute(
        update(Contact)
        .where(Contact.client_id == client.id)
        .values(name=None, email=None, phone=None)
    )
    for conversation in conversations:
        conversation.state = {}
        conversation.profile_name = None
        conversation.bot_paused = True  # the bot stays silent until the address is anonymized
        conversation.paused_by = None
        conversation.updated_at = now
    _wipe_messages(session, conversation_ids)
    hashes = _erase_documents(
        session, client_id=client.id, conversation_ids=conversation_ids, now=now
    )
    if conversation_ids:
        session.execute(
            update(Escalation)
            .where(Escalation.conversation_id.in_(conversation_ids))
            .values(detail="")
        )
    if onboarding_ids:
        session.execute(
            update(StageChange)
            .where(StageChange.onboarding_id.in_(onboarding_ids))
            .values(reason="")
        )
        session.execute(
            update(Onboarding).where(Onboarding.id.in_(onboarding_ids)).values(red_flag_reason=None)
        )
        session.execute(
            update(SlaPause).where(SlaPause.onboarding_id.in_(onboarding_ids)).values(reason="")
        )
    audit_rows = or_(
        AuditEvent.client_id == client.id, AuditEvent.conversation_id.in_(conversation_ids)
    )
    session.execute(update(AuditEvent).where(audit_rows).values(old_value=None, new_value=None))
    session.execute(
        update(StaffNote).where(StaffNote.client_id == client.id).values(text=ERASED_NOTE)
    )
    session.execute(
        update(ErpPush)
        .where(ErpPush.client_id == client.id)
        .values(body="{}", response=None, erp_customer_id=None, last_error=None)
    )
    session.execute(
        update(NpsResponse)
        .where(
            or_(NpsResponse.client_id == client.id, NpsResponse.onboarding_id.in_(onboarding_ids))
        )
        .values(comment=None)
    )
    session.execute(delete(CompanyRegistry).where(CompanyRegistry.client_id == client.id))
    session.execute(
        update(Alert)
        .where(Alert.onboarding_id.in_(onboarding_ids))
        .values(title=ERASED_NOTE, body="")
    )
    return hashes


def _wipe_messages(session: Session, conversation_ids: list[int]) -> None:
    if not conversation_ids:
        return
    session.execute(  # no reminder, nudge or look-up after the erasure
        update(ScheduledJob)
        .where(ScheduledJob.conversation_id.in_(conversation_ids), ScheduledJob.status == "pending")
        .values(status="cancelled", note="LGPD erasure", payload={})
    )
    session.execute(
        update(Message)
        .where(Message.conversation_id.in_(conversation_ids))
        .values(text="", payload={})
    )
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.conversation_id.in_(conversation_ids))
        .values(last_error=None)
    )
    # Messages still queued lost their text: they must not reach the client as empty messages.
    session.execute(
        update(OutboxItem)
        .where(OutboxItem.conversation_id.in_(conversation_ids), OutboxItem.status == "pending")
        .values(status="suppressed", last_error="erased before delivery")
    )


def _erase_documents(
    session: Session, *, client_id: int, conversation_ids: list[int], now: datetime
) -> list[str]:
    condition = Document.client_id == client_id
    if conversation_ids:
        condition = or_(condition, Document.conversation_id.in_(conversation_ids))
    documents = list(session.scalars(select(Document).where(condition)))
    hashes = {d.sha256 for d in documents if d.sha256}
    ids = [d.id for d in documents]
    # Every optional text column (hash, file name, media URL, provider id, error, ...) goes;
    # what stays says only what kind of file came from which channel and what became of it.
    wiped = {
        column.key: None
        for column in Document.__table__.columns
        if column.nullable
        and isinstance(column.type, String | Text)
        and column.key not in _DOCUMENT_FACTS
    }
    for document in documents:
        for key, value in wiped.items():
            setattr(document, key, value)
        document.extraction = {}
        document.deleted_at = document.deleted_at or now
    session.flush()
    if not hashes:
        return []
    shared = set(
        session.scalars(
            select(Document.sha256).where(
                Document.sha256.in_(hashes), Document.deleted_at.is_(None), Document.id.not_in(ids)
            )
        )
    )
    return sorted(hashes - shared)


def delete_files(files: DocumentFiles | None, hashes: Iterable[str]) -> int:
    """Deletes erased documents' files (after the commit); returns how many were removed."""
    if files is None:
        return 0
    removed = 0
    for sha in hashes:
        if files.exists(sha):
            files.delete(sha)
            removed += 1
    return removed


def _erase(
    session: Session,
    client: Client,
    *,
    actor: str,
    request: ErasureRequest | None,
    decided_by: int | None,
    now: datetime,
) -> ErasureOutcome:
    if client.erased_at is not None:
        raise Conflict(f"client {client.id} was already erased")
    hashes = anonymize_client(session, client, now=now)
    conversations = _conversations(session, client)
    notices = _notify(session, conversations, outcome="done", now=now)
    if request is None and conversations:
        request = ErasureRequest(
            conversation_id=conversations[0].id, client_id=client.id, requested_at=now
        )
        session.add(request)
    if request is not None:
        request.status = "notifying"
        request.decided_at = now
        request.decided_by = decided_by
    record_audit(session, actor=actor, action="client_erased", at=now, client_id=client.id)
    session.flush()
    for duplicate in session.scalars(  # the client may have asked more than once
        select(ErasureRequest).where(
            ErasureRequest.client_id == client.id, ErasureRequest.status == "requested"
        )
    ):
        duplicate.status, duplicate.decided_at, duplicate.decided_by = "done", now, decided_by
    if request is not None:
        _finish_one(session, request, now=now, force=False)
    return ErasureOutcome(request=request, files=hashes, notices=notices)


def erase_client(
    session: Session, client: Client, principal: Principal, *, now: datetime
) -> ErasureOutcome:
    """An admin erases a client directly (no request from the client needed)."""
    principal.require_role("admin")
    return _erase(
        session, client, actor=principal.actor, request=None, decided_by=principal.id, now=now
    )


def decide_request(
    session: Session,
    request: ErasureRequest,
    principal: Principal,
    *,
    confirm: bool,
    now: datetime,
) -> ErasureOutcome:
    """A manager (or admin) confirms or refuses a client's erasure request."""
    principal.require_role("manager", "admin")
    if request.status != "requested":
        raise Conflict(f"erasure request {request.id} is already {request.status}")
    client = session.get(Client, request.client_id) if request.client_id is not None else None
    if confirm:
        if client is None:
            raise Conflict(f"erasure request {request.id} names no client")
        return _erase(
            session,
            client,
            actor=principal.actor,
            request=request,
            decided_by=principal.id,
            now=now,
        )
    request.status = "refused"
    request.decided_at = now
    request.decided_by = principal.id
    conversation = session.get_one(Conversation, request.conversation_id)
    notices = _notify(session, [conversation], outcome="refused", now=now)
    record_audit(
        session,
        actor=principal.actor,
        action="erasure_refused",
        at=now,
        client_id=request.client_id,
        conversation_id=request.conversation_id,
    )
    return ErasureOutcome(request=request, notices=notices)


def _finish_one(session: Session, request: ErasureRequest, *, now: datetime, force: bool) -> bool:
    conversation_ids = list(
        session.scalars(select(Conversation.id).where(Conversation.client_id == request.client_id))
    )
    pending = (
        session.scalar(
            select(OutboxItem.id)
            .where(OutboxItem.conversation_id.in_(conversation_ids), OutboxItem.status == "pending")
            .limit(1)
        )
        if conversation_ids
        else None
    )
    if pending is not None and not force:
        return False
    if conversation_ids:
        for conversation in session.scalars(
            select(Conversation).where(Conversation.id.in_(conversation_ids))
        ):
            erased = f"erased:{conversation.id}"
            conversation.address = erased
            conversation.profile_name = None
            conversation.state = {}
            session.execute(
                update(OutboxItem)
                .where(OutboxItem.conversation_id == conversation.id)
                .values(address=erased, last_error=None)
            )
        _wipe_messages(session, conversation_ids)  # anything the client wrote meanwhile
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.conversation_id.in_(conversation_ids))
            .values(old_value=None, new_value=None)
        )
    request.status = "done"
    record_audit(
        session,
        actor="system",
        action="erasure_completed",
        at=now,
        client_id=request.client_id,
    )
    return True


def finish_erasures(session: Session, *, now: datetime, grace: timedelta = DEFAULT_GRACE) -> int:
    """Completes erasures whose notice left the outbox (or waited ``grace``); returns how many."""
    done = 0
    for request in session.scalars(
        select(ErasureRequest)
        .where(ErasureRequest.status == "notifying")
        .order_by(ErasureRequest.id)
    ):
        overdue = request.decided_at is not None and request.decided_at + grace <= now
        if _finish_one(session, request, now=now, force=overdue):
            done += 1
    return done
