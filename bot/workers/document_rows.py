"""The document worker's rows: claiming due documents with what reading them needs, and
recording each outcome (read, refused, tried again later, given up on) in one transaction with
the console's ``document_read`` event; a given-up document also opens a
``document_unreadable`` escalation for the CSM. A reading is stored as JSON on the row and
read back from it (``reading_of``), so a restart in between loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.documents.brasilapi import CompanyRecord
from bot.domain.clock import Clock
from bot.domain.documents import DocumentReading, Mismatch
from bot.domain.messages import MediaRef
from bot.domain.retrying import RetryPolicy
from bot.service.records import EffectRecorder, EscalationAssignment
from bot.storage.claims import claim_due
from bot.storage.console_events import record_console_event
from bot.storage.models import Client, CompanyRegistry, Contact, Conversation, Document

__all__ = ["DOCUMENT_RETRY", "DocumentRows", "Job", "read_event"]

DOCUMENT_RETRY = RetryPolicy(max_attempts=5, base_s=20.0, cap_s=3600.0)
"""Backoff between a document's attempts (20 s, 40 s, 80 s, ...); how many attempts a
failure gets is the worker's ``max_attempts`` or ``read_attempts``."""

# A document given up on: the client is asked again, and told a person knows.
_FAILED_PT = "Não consegui ler este arquivo; pode enviar de novo, ou uma foto?"
_FAILED_EN = "I couldn't read this file; could you send it again, or a photo?"
_FAILED_TIP_PT = (
    "Dica: o PDF baixado da Receita, ou uma foto com o documento plano, inteiro e com boa luz, "
    "costuma dar certo. Também avisei a nossa equipe, que pode ajudar se não der."
)
_FAILED_TIP_EN = (
    "Tip: the PDF from Receita, or a photo of the document flat, whole and in good light, "
    "usually works. I've also let our team know, in case it doesn't."
)


@dataclass(frozen=True)
class Job:
    document_id: int
    channel: str
    address: str
    media: MediaRef
    attempts: int
    typed_cnpj: str
    contact_name: str
    typed_cep: str = ""
    company: CompanyRecord | None = None  # what the Receita said of the client's CNPJ


class DocumentRows:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        assign_escalation: EscalationAssignment | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.assign_escalation = assign_escalation

    def claim(self, *, lease: timedelta, limit: int) -> list[Job]:
        """Leases up to ``limit`` due documents, with what reading them needs."""
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            documents = claim_due(
                session,
                Document,
                where=[Document.status == "pending", Document.next_attempt_at <= now],
                now=now,
                lease=lease,
                limit=limit,
            )
            return [_job(session, document) for document in documents]

    def retry_later(self, job: Job, *, error: str) -> None:
        """Due again after the shared policy's backoff (``DOCUMENT_RETRY``)."""
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            document = session.get_one(Document, job.document_id)
            document.attempts += 1
            document.claimed_until = None
            document.error = error[:500]
            document.next_attempt_at = now + timedelta(
                seconds=DOCUMENT_RETRY.delay(document.attempts)
            )

    def fail(self, job: Job, *, error: str) -> None:
        """Gives up on a document: ``failed``, with a reading that asks the client for the file
        again, and an escalation for the CSM, in one transaction."""
        now = self.clock.now()
        reading = DocumentReading(
            job.document_id,
            "other",
            rejected_pt=_FAILED_PT,
            rejected_en=_FAILED_EN,
            tip_pt=_FAILED_TIP_PT,
            tip_en=_FAILED_TIP_EN,
        )
        with self.sessions() as session, session.begin():
            document = session.get_one(Document, job.document_id)
            document.attempts += 1
            document.claimed_until = None
            document.status = "failed"
            document.error = error[:500]
            document.extraction = _reading_json(reading)
            read_event(session, document, now=now)
            conversation = (
                session.get(Conversation, document.conversation_id)
                if document.conversation_id is not None
                else None
            )
            if conversation is None:
                return
            name = job.media.filename or job.media.content_type or "arquivo"
            detail = (
                f"Documento #{job.document_id} ({name}) não foi lido em {document.attempts} "
                f"tentativa(s); o cliente foi avisado e pode enviar de novo. Último erro: {error}"
            )
            EffectRecorder(
                session, conversation, now=now, assign_escalation=self.assign_escalation
            ).escalate("document_unreadable", detail[:500])

    def finish(
        self,
        job: Job,
        reading: DocumentReading,
        *,
        stored: dict[str, object] | None = None,
        error: str | None = None,
    ) -> None:
        """Records the reading (or the refusal) and, when the file was kept, where."""
        with self.sessions() as session, session.begin():
            document = session.get_one(Document, job.document_id)
            document.attempts += 1
            document.claimed_until = None
            document.kind = reading.kind
            document.status = "rejected" if reading.rejected else "read"
            document.error = error[:500] if error else None
            document.extraction = _reading_json(reading)
            if stored is not None:
                document.sha256 = str(stored["sha256"])
                document.size = int(str(stored["size"]))
                document.mime = str(stored["mime"])
            read_event(session, document, now=self.clock.now())

    def reading_of(self, document_id: int) -> DocumentReading:
        with self.sessions() as session:
            document = session.get_one(Document, document_id)
            return _reading_from_json(document.id, document.extraction)


def _job(session: Session, document: Document) -> Job:
    conversation = session.get_one(Conversation, document.conversation_id)
    client = session.get(Client, document.client_id) if document.client_id else None
    admin = session.scalar(
        select(Contact).where(Contact.client_id == document.client_id, Contact.area == "admin")
    )
    name = admin.name if admin is not None and admin.name else ""
    if not name:
        slots = (conversation.state or {}).get("slots", {})
        name = str(slots.get("person_name", ""))
    return Job(
        document_id=document.id,
        channel=conversation.channel,
        address=conversation.address,
        media=MediaRef(
            url=document.media_url or "",
            content_type=document.media_type or "",
            provider_id=document.provider_id or "",
            filename=document.filename or "",
        ),
        attempts=document.attempts,
        typed_cnpj=(client.cnpj or "") if client is not None else "",
        contact_name=name,
        typed_cep=(client.cep or "") if client is not None else "",
        company=_registry_record(session, document.client_id),
    )


def read_event(session: Session, document: Document, *, now: datetime) -> None:
    """The console's ``document_read``: the document's id, kind and status (no reading)."""
    record_console_event(
        session,
        kind="document_read",
        at=now,
        conversation_id=document.conversation_id,
        data={"document_id": document.id, "kind": document.kind, "status": document.status},
    )


def _reading_json(reading: DocumentReading) -> dict[str, object]:
    return {
        "kind": reading.kind,
        "fields": reading.fields,
        "uncertain": list(reading.uncertain),
        "rejected_pt": reading.rejected_pt,
        "rejected_en": reading.rejected_en,
        "tip_pt": reading.tip_pt,
        "tip_en": reading.tip_en,
        "mismatches": [[m.field, m.reason_pt, m.reason_en] for m in reading.mismatches],
        "confidence": dict(reading.confidence),
    }


def _reading_from_json(document_id: int, data: Mapping[str, object]) -> DocumentReading:
    fields = data.get("fields", {})
    uncertain = data.get("uncertain", [])
    mismatches = data.get("mismatches", [])
    confidence = data.get("confidence", {})
    return DocumentReading(
        document_id=document_id,
        kind=str(data.get("kind", "other")),
        fields={str(k): str(v) for k, v in fields.items()} if isinstance(fields, dict) else {},
        uncertain=tuple(str(u) for u in uncertain) if isinstance(uncertain, list) else (),
        rejected_pt=str(data.get("rejected_pt", "")),
        rejected_en=str(data.get("rejected_en", "")),
        tip_pt=str(data.get("tip_pt", "")),
        tip_en=str(data.get("tip_en", "")),
        mismatches=tuple(
            Mismatch(str(m[0]), str(m[1]), str(m[2])) for m in mismatches if isinstance(m, list)
        )
        if isinstance(mismatches, list)
        else (),
        confidence={str(k): float(v) for k, v in confidence.items() if isinstance(v, int | float)}
        if isinstance(confidence, dict)
        else {},
    )


def _registry_record(session: Session, client_id: int | None) -> CompanyRecord | None:
    """The Receita's answer stored for the client (``company_registry``), as the reader's
    corroboration takes it; None before the lookup ran or when it found nothing."""
    if client_id is None:
        return None
    row = session.scalar(select(CompanyRegistry).where(CompanyRegistry.client_id == client_id))
    if row is None:
        return None
    return CompanyRecord(
        cnpj=row.cnpj,
        razao_social=row.razao_social or "",
        nome_fantasia=row.nome_fantasia or "",
        descricao_situacao_cadastral=row.situacao or "",
        data_inicio_atividade=row.opened_on,
    )
