"""The document worker: downloads queued files, checks them, stores them content-addressed,
reads them with OCR in a process pool, cross-checks them against the registration, and hands
the reading back to the conversation as an event (so the dialogue answers in order, under the
conversation's lock, like any other message).

A refused file (too large, not an image or PDF, corrupt, too poor to read) becomes a reading
with the reason, and the client is told what to send instead; nothing partial is stored.

A document whose reading process dies or runs out of time (``ReaderCrashed``, ``ReadTimeout``)
is tried again later, with backoff, up to ``read_attempts`` times (``ONBOARD_OCR_MAX_ATTEMPTS``);
then it is ``failed``: the client is asked for the file again (a reading with the reason, like a
refusal) and the CSM gets a ``document_unreadable`` escalation. Attempts, backoff and the outcome
live on the document's row, so a restart in between loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dialogue.effects import Escalate
from bot.documents import (
    DocumentRejected,
    DocumentStore,
    Extraction,
    IntakeLimits,
    ReaderCrashed,
    ReadOptions,
    ReadTimeout,
    cross_check,
    inspect_upload,
)
from bot.documents.brasilapi import CompanyRecord
from bot.documents.corroboration import Typed, corroborate
from bot.documents.store import STORED_URL
from bot.domain.channels import MediaFetcher, MediaTooLarge, MediaUnavailable
from bot.domain.clock import Clock
from bot.domain.documents import DocumentReading, Mismatch
from bot.domain.messages import Channel, InboundMessage, MediaRef
from bot.service.inbox import Inbox
from bot.service.records import EffectRecorder, EscalationAssignment
from bot.storage.claims import claim_due
from bot.storage.console_events import record_console_event
from bot.storage.models import Client, CompanyRegistry, Contact, Conversation, Document
from bot.workers.loop import run_rounds

log = logging.getLogger(__name__)

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
_UNAVAILABLE_PT = "Não consegui baixar o arquivo que você enviou. Pode mandar de novo?"
_UNAVAILABLE_EN = "I couldn't download the file you sent. Could you send it again?"


class DocumentReader(Protocol):
    """What reads a document (``OcrPool`` in production)."""

    async def read(
        self, data: bytes, *, kind: str = "auto", options: ReadOptions | None = None
    ) -> Extraction: ...


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


class DocumentWorker:
    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        fetchers: Mapping[str, MediaFetcher],
        store: DocumentStore,
        reader: DocumentReader,
        inbox: Inbox,
        clock: Clock,
        timezone: str = "America/Sao_Paulo",
        limits: IntakeLimits | None = None,
        max_attempts: int = 5,
        read_attempts: int = 3,
        assign_escalation: EscalationAssignment | None = None,
        lease_s: float = 300.0,
    ) -> None:
        """``max_attempts`` bounds downloads that fail for a while and unexpected errors;
        ``read_attempts`` bounds readings whose process dies or runs out of time. Both count
        the document's ``attempts``."""
        self.sessions = sessions
        self.fetchers = fetchers
        self.store = store
        self.reader = reader
        self.inbox = inbox
        self.clock = clock
        self.zone = ZoneInfo(timezone)
        self.limits = limits or IntakeLimits()
        self.max_attempts = max_attempts
        self.read_attempts = read_attempts
        self.assign_escalation = assign_escalation
        self.lease = timedelta(seconds=lease_s)

    async def run(self, stop: asyncio.Event, *, wake: asyncio.Event | None = None) -> None:
        await run_rounds(self.run_once, stop, wake=wake, name="documents")

    async def run_once(self) -> int:
        jobs = await anyio.to_thread.run_sync(self._claim)
        for job in jobs:  # one at a time: the OCR pool is the bottleneck anyway
            await self._process(job)
        return len(jobs)

    def _claim(self) -> list[Job]:
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            documents = claim_due(
                session,
                Document,
                where=[Document.status == "pending", Document.next_attempt_at <= now],
                now=now,
                lease=self.lease,
                limit=4,
            )
            return [self._job(session, document) for document in documents]

    def _job(self, session: Session, document: Document) -> Job:
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

    async def _process(self, job: Job) -> None:
        try:
            await self._read(job)
        except MediaUnavailable as exc:
            if exc.transient and job.attempts + 1 < self.max_attempts:
                await anyio.to_thread.run_sync(self._retry_later, job, str(exc))
                return
            reading = DocumentReading(
                job.document_id, "other", rejected_pt=_UNAVAILABLE_PT, rejected_en=_UNAVAILABLE_EN
            )
            await anyio.to_thread.run_sync(self._finish, job, reading, None, str(exc))
        except (ReaderCrashed, ReadTimeout) as exc:
            attempt = job.attempts + 1
            log.warning(
                "document %s, attempt %d of %d: %s",
                job.document_id, attempt, self.read_attempts, exc,
            )  # fmt: skip
            if attempt < self.read_attempts:
                await anyio.to_thread.run_sync(self._retry_later, job, str(exc))
                return
            await anyio.to_thread.run_sync(self._fail, job, str(exc))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
            log.exception("document %s could not be processed", job.document_id)
            if job.attempts + 1 < self.max_attempts:
                await anyio.to_thread.run_sync(self._retry_later, job, repr(exc))
                return
            await anyio.to_thread.run_sync(self._fail, job, repr(exc))
        await self.inbox.receive(
            InboundMessage(
                channel=Channel(job.channel),
                address=job.address,
                text="",
                external_id=f"doc:{job.document_id}",
                received_at=self.clock.now(),
                document=await anyio.to_thread.run_sync(self._reading_of, job.document_id),
            )
        )

    async def _read(self, job: Job) -> None:
        """Downloads, checks, stores and reads one file; records the outcome."""
        # A file stored as it arrived (the status page) is read back from the store.
        from_store = job.media.url.startswith(STORED_URL)
        fetcher = self.fetchers.get(Channel.WEB.value if from_store else job.channel)
        if fetcher is None:
            raise MediaUnavailable(f"no media fetcher for channel {job.channel}")
        try:
            data = await fetcher.fetch(job.media, max_bytes=self.limits.max_bytes)
        except MediaTooLarge:
            limit_mb = self.limits.max_bytes // (1024 * 1024)
            reading = DocumentReading(
                job.document_id,
                "other",
                rejected_pt=(
                    f"O arquivo passa do limite de {limit_mb} MB. Envie uma foto menor ou o PDF."
                ),
                rejected_en=(
                    f"The file is over the {limit_mb} MB limit. "
                    "Please send a smaller photo or the PDF."
                ),
            )
            await anyio.to_thread.run_sync(self._finish, job, reading, None, "too_large")
            return
        try:
            # The photo checks take 0.1-0.5 s of CPU: off the event loop.
            upload = await anyio.to_thread.run_sync(
                lambda: inspect_upload(
                    data,
                    declared_type=job.media.content_type,
                    filename=job.media.filename,
                    limits=self.limits,
                )
            )
        except DocumentRejected as rejected:
            reading = DocumentReading(
                job.document_id,
                "other",
                rejected_pt=rejected.message_pt,
                rejected_en=rejected.message_en,
            )
            await anyio.to_thread.run_sync(self._finish, job, reading, None, rejected.code)
            return
        today = self.clock.now().astimezone(self.zone).date()
        # ReaderCrashed and ReadTimeout go up to _process: tried again later, or failed.
        extraction = await self.reader.read(data, kind="auto", options=ReadOptions(today=today))
        # The Receita's record and what the client typed move the page's confidence.
        extraction = corroborate(
            extraction,
            company=job.company,
            typed=Typed(cnpj=job.typed_cnpj, name=job.contact_name),
        )
        sha256 = await anyio.to_thread.run_sync(self.store.put, data)
        mismatches = cross_check(
            extraction.kind,
            extraction.fields,
            today=today,
            typed_cnpj=job.typed_cnpj,
            typed_cep=job.typed_cep,
            contact_name=job.contact_name,
        )
        too_poor = extraction.tip_pt and not extraction.fields
        reading = DocumentReading(
            document_id=job.document_id,
            kind=extraction.kind,
            fields=dict(extraction.fields),
            uncertain=tuple(extraction.uncertain),
            rejected_pt=extraction.tip_pt if too_poor else "",
            rejected_en=extraction.tip_en if too_poor else "",
            mismatches=tuple(Mismatch(m.field, m.reason_pt, m.reason_en) for m in mismatches),
            confidence={k: round(v, 3) for k, v in extraction.confidence.items()},
        )
        stored = {"sha256": sha256, "size": upload.size, "mime": upload.mime}
        await anyio.to_thread.run_sync(self._finish, job, reading, stored, None)

    def _retry_later(self, job: Job, error: str) -> None:
        now = self.clock.now()
        with self.sessions() as session, session.begin():
            document = session.get_one(Document, job.document_id)
            document.attempts += 1
            document.claimed_until = None
            document.error = error[:500]
            document.next_attempt_at = now + timedelta(seconds=10 * 2**document.attempts)

    def _fail(self, job: Job, error: str) -> None:
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
            _read_event(session, document, now=now)
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
            ).apply([Escalate("document_unreadable", detail[:500])])

    def _finish(
        self,
        job: Job,
        reading: DocumentReading,
        stored: dict[str, object] | None,
        error: str | None,
    ) -> None:
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
            _read_event(session, document, now=self.clock.now())

    def _reading_of(self, document_id: int) -> DocumentReading:
        with self.sessions() as session:
            document = session.get_one(Document, document_id)
            return _reading_from_json(document.id, document.extraction)


def _read_event(session: Session, document: Document, *, now: datetime) -> None:
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
        confidence={
            str(k): float(v) for k, v in confidence.items() if isinstance(v, int | float)
        }
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
