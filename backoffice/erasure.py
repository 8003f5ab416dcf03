"""LGPD erasure: anonymize a client's personal data everywhere, keep anonymous metrics.

What is erased is derived from the models' marks (``bot.storage.personal_data``), not listed
here: every column marked personal, in every row that points at the client through foreign
keys, gets its erased value (NULL, ``""``, ``{}`` or the mark's own), and the rows of tables
``deleted_on_erasure`` (contacts, the Receita snapshot) are deleted. Free text that names
clients without pointing at one (an alert digest) loses the client's identifying values.
What stays: ids, stages, segments, timestamps, scores, intents and statuses, so the reports
keep counting the onboarding. Besides the data, erasure stops everything addressed to the
client: queued messages are suppressed, pending jobs (reminders, nudges, look-ups) cancelled,
the conversations paused, the documents marked deleted and their files removed.

Order of events: the data is anonymized and a ``notice`` telling the outcome is queued *before*
the channel address (marked ``after_notice``) is touched; the conversation is paused so the bot
stays silent. ``finish_erasures`` (run it periodically; the API runs it too) erases the address
once the notice left: the outbox sent, held, suppressed or dead it, or — on the web chat, which
the page pulls — the page fetched it (the notice waits as ``queued`` until then); or after a
grace period. Then the request is ``done``. Document files are deleted after the transaction
commits (``delete_files``), except files another live document still uses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Table, select, update
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.audit import record_audit
from backoffice.client_records import DocumentFiles
from backoffice.errors import Conflict
from bot.domain.messages import Channel, OutboundMessage
from bot.service.message_store import store_outbound
from bot.storage.models import (
    Base,
    Client,
    Conversation,
    Document,
    ErasureRequest,
    Message,
    OutboxItem,
    ScheduledJob,
)
from bot.storage.personal_data import ERASED, client_rows, erase_client_rows

ERASED_NOTE = ERASED
DEFAULT_GRACE = timedelta(days=2)
# A message the web page has not fetched yet (the page reads by polling; its replies to a
# message are answered at once and stored ``delivered``).
UNREAD_ON_PAGE = "queued"

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


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


def _of_client(model: type[Base], client_id: int) -> ColumnElement[bool]:
    """The condition selecting ``model``'s rows that are the client's (by foreign keys)."""
    return client_rows(_table(model), client_id)


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
        stored = store_outbound(
            session,
            conversation,
            reply=OutboundMessage(text=NOTICES[outcome, language], kind="notice"),
            author="system",
            now=now,
        )
        if conversation.channel == Channel.WEB.value:
            # Nobody pushes it: it waits for the page's next poll (``bot.channels.web``).
            session.execute(
                update(_table(Message))
                .where(_table(Message).c.id == stored.message_id)
                .values(status=UNREAD_ON_PAGE)
            )
        sent += 1
    return sent


def anonymize_client(session: Session, client: Client, *, now: datetime) -> list[str]:
    """Erases the client's personal data in every table; returns the document hashes to delete."""
    session.flush()  # the statements below bypass the session's objects
    hashes = _document_hashes(session, client.id)
    erase_client_rows(session, Base.metadata, client_id=client.id, after_notice=False)
    _stop_everything(session, client.id, now=now)
    session.execute(
        update(_table(Client))
        .where(_table(Client).c.id == client.id)
        .values(erased_at=now, updated_at=now)
    )
    session.expire_all()
    return _unshared(session, hashes)


def _stop_everything(session: Session, client_id: int, *, now: datetime) -> None:
    """Nothing more reaches the erased client, and the bot stays silent."""
    session.execute(
        update(_table(Conversation))
        .where(_of_client(Conversation, client_id))
        .values(bot_paused=True, paused_by=None, updated_at=now)
    )
    # Messages still queued lost their text: they must not reach the client as empty messages.
    outbox = _table(OutboxItem)
    session.execute(
        update(outbox)
        .where(_of_client(OutboxItem, client_id), outbox.c.status == "pending")
        .values(status="suppressed", last_error="erased before delivery")
    )
    jobs = _table(ScheduledJob)  # no reminder, nudge or look-up after the erasure
    session.execute(
        update(jobs)
        .where(_of_client(ScheduledJob, client_id), jobs.c.status == "pending")
        .values(status="cancelled", note="LGPD erasure", done_at=now)
    )
    documents = _table(Document)
    session.execute(
        update(documents)
        .where(_of_client(Document, client_id), documents.c.deleted_at.is_(None))
        .values(deleted_at=now)
    )


def _document_hashes(session: Session, client_id: int) -> set[str]:
    documents = _table(Document)
    return {
        sha
        for sha in session.scalars(
            select(documents.c.sha256).where(_of_client(Document, client_id))
        )
        if sha
    }


def _unshared(session: Session, hashes: set[str]) -> list[str]:
    """The hashes no live document uses any more (the store is content-addressed)."""
    if not hashes:
        return []
    shared = set(
        session.scalars(
            select(Document.sha256).where(
                Document.sha256.in_(hashes), Document.deleted_at.is_(None)
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
    session: Session, client: Client, *, principal: Principal, now: datetime
) -> ErasureOutcome:
    """An admin erases a client directly (no request from the client needed)."""
    principal.require_role("admin")
    return _erase(
        session, client, actor=principal.actor, request=None, decided_by=principal.id, now=now
    )


def decide_request(
    session: Session,
    request: ErasureRequest,
    *,
    principal: Principal,
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


def _notice_waiting(session: Session, client_id: int) -> bool:
    """True while a notice has not left: queued in the outbox, or not yet read by the page."""
    conversations = select(Conversation.id).where(Conversation.client_id == client_id)
    queued = session.scalar(
        select(OutboxItem.id)
        .where(OutboxItem.conversation_id.in_(conversations), OutboxItem.status == "pending")
        .limit(1)
    )
    unread = session.scalar(
        select(Message.id)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.client_id == client_id,
            Conversation.channel == Channel.WEB.value,
            Message.direction == "out",
            Message.status == UNREAD_ON_PAGE,
        )
        .limit(1)
    )
    return queued is not None or unread is not None


def _finish_one(session: Session, request: ErasureRequest, *, now: datetime, force: bool) -> bool:
    client_id = request.client_id
    if client_id is not None:
        if _notice_waiting(session, client_id) and not force:
            return False
        session.flush()
        # The address now, and anything the client wrote meanwhile (the notice too).
        erase_client_rows(session, Base.metadata, client_id=client_id, after_notice=True)
        _stop_everything(session, client_id, now=now)
        session.expire_all()
    request.status = "done"
    record_audit(
        session,
        actor="system",
        action="erasure_completed",
        at=now,
        client_id=client_id,
    )
    return True


def finish_erasures(session: Session, *, now: datetime, grace: timedelta = DEFAULT_GRACE) -> int:
    """Completes erasures whose notice left (the outbox sent it, the web page read it) or that
    waited ``grace``; returns how many."""
    done = 0
    requests = session.scalars(
        select(ErasureRequest)
        .where(ErasureRequest.status == "notifying")
        .order_by(ErasureRequest.id)
    ).all()
    for request in requests:
        overdue = request.decided_at is not None and request.decided_at + grace <= now
        if _finish_one(session, request, now=now, force=overdue):
            done += 1
    return done
