"""Identity document photos are deleted after the retention; the read fields and other
documents stay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.bootstrap import Runtime
from bot.documents import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import AuditEvent, Conversation, Document
from bot.workers.retention import purge_identity_images


def _document(
    runtime: Runtime, store: DocumentStore, *, kind: str, data: bytes, confirmed: bool
) -> int:
    now = runtime.clock.now()
    with runtime.sessions() as session, session.begin():
        conversation = session.scalar(select(Conversation))
        if conversation is None:
            conversation = Conversation(
                channel="web", address="retention-test", state={}, created_at=now, updated_at=now
            )
            session.add(conversation)
            session.flush()
        document = Document(
            conversation_id=conversation.id,
            kind=kind,
            source_channel="web",
            status="read",
            sha256=store.put(data),
            size=len(data),
            mime="image/jpeg",
            extraction={"fields": {"nome": "Maria da Silva"}},
            received_at=now,
            confirmed_at=now if confirmed else None,
        )
        session.add(document)
        session.flush()
        return document.id


def test_identity_photos_are_deleted_after_the_retention(
    runtime: Runtime, clock: FakeClock, tmp_path: Path
) -> None:
    store = DocumentStore(tmp_path / "store", None)
    cnh = _document(runtime, store, kind="cnh", data=b"cnh photo", confirmed=True)
    unconfirmed = _document(runtime, store, kind="rg", data=b"rg photo", confirmed=False)
    card = _document(runtime, store, kind="cnpj_card", data=b"card pdf", confirmed=True)

    def purge() -> int:
        with runtime.sessions() as session, session.begin():
            return purge_identity_images(
                session, store, now=clock.now(), retention=timedelta(days=30)
            )

    assert purge() == 0  # not yet
    clock.advance(timedelta(days=31))
    assert purge() == 1
    assert purge() == 0  # once
    with runtime.sessions() as session:
        rows = {d.id: d for d in session.scalars(select(Document))}
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "document_image_deleted")
        ).one()
    assert rows[cnh].deleted_at is not None and not store.exists(rows[cnh].sha256 or "")
    assert rows[cnh].extraction["fields"]["nome"] == "Maria da Silva"  # the confirmed fields stay
    assert rows[unconfirmed].deleted_at is None and store.exists(rows[unconfirmed].sha256 or "")
    assert rows[card].deleted_at is None and store.exists(rows[card].sha256 or "")
    assert audit.new_value == str(cnh)
