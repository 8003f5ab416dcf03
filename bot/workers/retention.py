"""LGPD data minimization: once a client confirmed what was read from an identity document
(CNH, RG), the photo itself is deleted after a retention period; the confirmed fields stay."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.documents import DocumentStore
from bot.storage.models import AuditEvent, Document

log = logging.getLogger(__name__)

IDENTITY_KINDS = ("cnh", "rg")


def purge_identity_images(
    session: Session, store: DocumentStore, *, now: datetime, retention: timedelta
) -> int:
    """Deletes the files of confirmed identity documents older than ``retention``."""
    due = session.scalars(
        select(Document).where(
            Document.kind.in_(IDENTITY_KINDS),
            Document.confirmed_at.is_not(None),
            Document.confirmed_at <= now - retention,
            Document.deleted_at.is_(None),
            Document.sha256.is_not(None),
        )
    ).all()
    for document in due:
        assert document.sha256 is not None
        shared = session.scalar(
            select(Document.id).where(
                Document.sha256 == document.sha256,
                Document.id != document.id,
                Document.deleted_at.is_(None),
                Document.kind.not_in(IDENTITY_KINDS),
            )
        )
        if shared is None:
            store.delete(document.sha256)
        document.deleted_at = now
        session.add(
            AuditEvent(
                client_id=document.client_id,
                conversation_id=document.conversation_id,
                actor="system",
                action="document_image_deleted",
                field=f"document.{document.kind}",
                new_value=str(document.id),
                at=now,
            )
        )
    if due:
        log.info("deleted %d identity document images past retention", len(due))
    return len(due)
