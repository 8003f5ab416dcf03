"""Staff edits to a client's record (each field change audited), notes, and document files.

Documents are stored content-addressed by another component (``bot.documents.store``); the
back-office only needs ``get``, ``delete`` and ``exists`` by SHA-256, so it takes any object
with those methods (``DocumentFiles``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.access import Principal
from backoffice.audit import AuditValue, record_audit
from backoffice.errors import Conflict, NotFound
from bot.storage.console_events import EventRow, record_console_events
from bot.storage.models import Client, Contact, Document, Onboarding, StaffNote


class DocumentFiles(Protocol):
    """The document store, by content hash (``bot.documents.store.DocumentStore`` fits)."""

    def get(self, sha256: str) -> bytes: ...

    def delete(self, sha256: str) -> object: ...

    def exists(self, sha256: str) -> bool: ...


def _require_live(client: Client) -> None:
    if client.erased_at is not None:
        raise Conflict(f"client {client.id} was erased")


def update_client(
    session: Session,
    client: Client,
    *,
    principal: Principal,
    changes: Mapping[str, AuditValue],
    now: datetime,
) -> list[str]:
    """Applies ``changes`` (column → value); returns the fields that changed."""
    _require_live(client)
    changed: list[str] = []
    for column, value in changes.items():
        old = getattr(client, column)
        if old == value:
            continue
        setattr(client, column, value)
        record_audit(
            session,
            actor=principal.actor,
            action="field_changed",
            at=now,
            client_id=client.id,
            field=column,
            old=old,
            new=value,
        )
        changed.append(column)
    if changed:
        client.updated_at = now
        _client_events(session, client, principal=principal, fields=changed, now=now)
    return changed


def upsert_contact(
    session: Session,
    client: Client,
    *,
    principal: Principal,
    area: str,
    changes: Mapping[str, str | None],
    now: datetime,
) -> Contact:
    _require_live(client)
    contact = next((c for c in client.contacts if c.area == area), None)
    if contact is None:
        contact = Contact(area=area)
        client.contacts.append(contact)
    for attr, value in changes.items():
        old = getattr(contact, attr)
        if old == value:
            continue
        setattr(contact, attr, value)
        record_audit(
            session,
            actor=principal.actor,
            action="field_changed",
            at=now,
            client_id=client.id,
            field=f"contact.{area}.{attr}",
            old=old,
            new=value,
        )
    client.updated_at = now
    session.flush()
    fields = [f"contact.{area}.{attr}" for attr in changes]
    _client_events(session, client, principal=principal, fields=fields, now=now)
    return contact


def add_note(
    session: Session,
    client: Client,
    *,
    principal: Principal,
    text: str,
    onboarding_id: int | None,
    now: datetime,
) -> StaffNote:
    _require_live(client)
    note = StaffNote(
        client_id=client.id,
        onboarding_id=onboarding_id,
        author_id=principal.id,
        text=text,
        created_at=now,
    )
    session.add(note)
    session.flush()
    record_audit(
        session,
        actor=principal.actor,
        action="note_added",
        at=now,
        client_id=client.id,
        field="note",
        new=note.id,
    )
    _client_events(
        session,
        client,
        principal=principal,
        kind="note_added",
        only=onboarding_id,
        data={"note_id": note.id},
        now=now,
    )
    return note


def _client_events(
    session: Session,
    client: Client,
    *,
    principal: Principal,
    now: datetime,
    kind: str = "client_updated",
    fields: list[str] | None = None,
    only: int | None = None,
    data: dict[str, object] | None = None,
) -> None:
    """The console's event for each onboarding of the client (``only``: that one), each
    seen by whoever sees that onboarding; field names, never values."""
    onboarding_ids: list[int | None] = (
        [only]
        if only is not None
        else list(session.scalars(select(Onboarding.id).where(Onboarding.client_id == client.id)))
    )
    payload: dict[str, object] = {"client_id": client.id, **(data or {})}
    if fields is not None:
        payload["fields"] = fields
    record_console_events(
        session,
        [
            EventRow(kind=kind, onboarding_id=oid, actor=principal.actor, data=payload)
            for oid in onboarding_ids or [None]  # no onboarding: the admins' only
        ],
        at=now,
    )


def document_of(session: Session, client: Client, *, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None or document.client_id != client.id:
        raise NotFound("document", document_id)
    return document


def read_document(
    session: Session,
    client: Client,
    *,
    principal: Principal,
    document_id: int,
    files: DocumentFiles | None,
    now: datetime,
) -> tuple[Document, bytes]:
    """The file of a client's document; every download is audited."""
    document = document_of(session, client, document_id=document_id)
    if document.deleted_at is not None or files is None or not document.sha256:
        raise NotFound("document file", document_id)
    if not files.exists(document.sha256):
        raise NotFound("document file", document_id)
    content = files.get(document.sha256)
    record_audit(
        session,
        actor=principal.actor,
        action="document_downloaded",
        at=now,
        client_id=client.id,
        field="document",
        new=document.id,
    )
    return document, content
