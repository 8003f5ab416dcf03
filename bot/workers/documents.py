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
from datetime import timedelta
from functools import partial
from typing import Protocol
from zoneinfo import ZoneInfo

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

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
from bot.documents.corroboration import Typed, corroborate
from bot.documents.store import STORED_URL
from bot.domain.channels import MediaFetcher, MediaTooLarge, MediaUnavailable
from bot.domain.clock import Clock
from bot.domain.documents import DocumentReading, Mismatch
from bot.domain.messages import Channel, InboundMessage
from bot.service.inbox import Inbox
from bot.service.records import EscalationAssignment
from bot.workers.document_rows import DocumentRows, Job
from bot.workers.loop import run_rounds

log = logging.getLogger(__name__)

_CLAIM_BATCH = 4  # one at a time through the OCR pool: a few claimed is enough

_UNAVAILABLE_PT = "Não consegui baixar o arquivo que você enviou. Pode mandar de novo?"
_UNAVAILABLE_EN = "I couldn't download the file you sent. Could you send it again?"


class DocumentReader(Protocol):
    """What reads a document (``OcrPool`` in production)."""

    async def read(
        self, data: bytes, *, kind: str = "auto", options: ReadOptions | None = None
    ) -> Extraction: ...


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
        self.lease = timedelta(seconds=lease_s)
        self.rows = DocumentRows(
            sessions=sessions, clock=clock, assign_escalation=assign_escalation
        )

    async def run(self, stop: asyncio.Event, *, wake: asyncio.Event | None = None) -> None:
        await run_rounds(self.run_once, stop, wake=wake, name="documents")

    async def run_once(self) -> int:
        jobs = await anyio.to_thread.run_sync(
            partial(self.rows.claim, lease=self.lease, limit=_CLAIM_BATCH)
        )
        for job in jobs:  # one at a time: the OCR pool is the bottleneck anyway
            await self._process(job)
        return len(jobs)

    async def _process(self, job: Job) -> None:
        try:
            await self._read(job)
        except MediaUnavailable as exc:
            if exc.transient and job.attempts + 1 < self.max_attempts:
                await anyio.to_thread.run_sync(partial(self.rows.retry_later, job, error=str(exc)))
                return
            reading = DocumentReading(
                job.document_id, "other", rejected_pt=_UNAVAILABLE_PT, rejected_en=_UNAVAILABLE_EN
            )
            await anyio.to_thread.run_sync(partial(self.rows.finish, job, reading, error=str(exc)))
        except (ReaderCrashed, ReadTimeout) as exc:
            attempt = job.attempts + 1
            log.warning(
                "document %s, attempt %d of %d: %s",
                job.document_id, attempt, self.read_attempts, exc,
            )  # fmt: skip
            if attempt < self.read_attempts:
                await anyio.to_thread.run_sync(partial(self.rows.retry_later, job, error=str(exc)))
                return
            await anyio.to_thread.run_sync(partial(self.rows.fail, job, error=str(exc)))
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the others
            log.exception("document %s could not be processed", job.document_id)
            if job.attempts + 1 < self.max_attempts:
                await anyio.to_thread.run_sync(partial(self.rows.retry_later, job, error=repr(exc)))
                return
            await anyio.to_thread.run_sync(partial(self.rows.fail, job, error=repr(exc)))
        await self.inbox.receive(
            InboundMessage(
                channel=Channel(job.channel),
                address=job.address,
                text="",
                external_id=f"doc:{job.document_id}",
                received_at=self.clock.now(),
                document=await anyio.to_thread.run_sync(self.rows.reading_of, job.document_id),
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
            await anyio.to_thread.run_sync(
                partial(self.rows.finish, job, reading, error="too_large")
            )
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
            await anyio.to_thread.run_sync(
                partial(self.rows.finish, job, reading, error=rejected.code)
            )
            return
        reading, sha256 = await self._read_checked(job, data)
        stored = {"sha256": sha256, "size": upload.size, "mime": upload.mime}
        await anyio.to_thread.run_sync(partial(self.rows.finish, job, reading, stored=stored))

    async def _read_checked(self, job: Job, data: bytes) -> tuple[DocumentReading, str]:
        """Reads a file the intake accepted, stores it, and cross-checks what it says: the
        reading and the file's content address."""
        today = self.clock.now().astimezone(self.zone).date()
        # ReaderCrashed and ReadTimeout go up to _process: tried again later, or failed.
        extraction = await self.reader.read(data, kind="auto", options=ReadOptions(today=today))
        # The Receita's record and what the client typed move the page's confidence.
        extraction = corroborate(
            extraction,
            company=job.company,
            typed=Typed(cnpj=job.typed_cnpj, name=job.contact_name),
            today=today,
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
        return reading, sha256
