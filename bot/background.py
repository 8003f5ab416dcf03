"""The background workers one process runs: in ``onboard serve`` (embedded mode) or in
``onboard worker`` processes beside ``serve --no-workers``. Every worker claims its due rows
in the database, so any number of processes may run this same set.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from backoffice import finish_erasures
from bot.bootstrap import (
    Runtime,
    build_alert_worker,
    build_document_worker,
    build_outbox_worker,
    build_reminder_worker,
    document_store,
)
from bot.channels.gateway import ChannelGateway
from bot.coordination import Coordination
from bot.documents import OcrPool
from bot.service.inbox import Inbox
from bot.workers.erp import ErpPushWorker
from bot.workers.loop import run_rounds
from bot.workers.retention import purge_identity_images

__all__ = ["start_workers"]


def start_workers(
    runtime: Runtime,
    *,
    gateway: ChannelGateway,
    coordination: Coordination,
    inbox: Inbox,
    pool: OcrPool,
    stop: asyncio.Event,
    outbox_wake: asyncio.Event | None = None,
    documents_wake: asyncio.Event | None = None,
) -> list[asyncio.Task[None]]:
    """Starts every worker loop; each ends (after its round) once ``stop`` is set."""
    settings = runtime.settings
    outbox = build_outbox_worker(runtime, gateway, rate_limiter=coordination.rate_limiter)
    documents = build_document_worker(runtime, gateway, inbox=inbox, pool=pool)
    tasks = [
        asyncio.create_task(outbox.run(stop, wake=outbox_wake), name="outbox"),
        asyncio.create_task(documents.run(stop, wake=documents_wake), name="documents"),
        asyncio.create_task(build_reminder_worker(runtime).run(stop), name="reminders"),
        asyncio.create_task(build_alert_worker(runtime).run(stop), name="alerts"),
        asyncio.create_task(_sweep_erasures(runtime, stop), name="erasures"),
        asyncio.create_task(_sweep_identity_images(runtime, stop), name="retention"),
    ]
    if settings.erp_webhook_url and settings.erp_hmac_secret:
        erp = ErpPushWorker(
            sessions=runtime.sessions,
            clock=runtime.clock,
            webhook_url=settings.erp_webhook_url,
            secret=settings.erp_hmac_secret.get_secret_value(),
        )
        tasks.append(asyncio.create_task(erp.run(stop), name="erp"))
    return tasks


async def _sweep_erasures(runtime: Runtime, stop: asyncio.Event, *, every_s: float = 60.0) -> None:
    """Completes erasures whose notice to the client has left (the address is erased last)."""

    def sweep() -> int:
        with runtime.sessions() as session, session.begin():
            return finish_erasures(session, now=runtime.clock.now())

    async def one_round() -> int:
        await asyncio.to_thread(sweep)
        return 0

    await run_rounds(one_round, stop, idle_s=every_s, name="erasures")


async def _sweep_identity_images(
    runtime: Runtime, stop: asyncio.Event, *, every_s: float = 3600.0
) -> None:
    """Deletes identity document photos past their retention (the read fields stay)."""
    store = document_store(runtime.settings)
    retention = timedelta(days=runtime.settings.identity_image_retention_days)

    def sweep() -> int:
        with runtime.sessions() as session, session.begin():
            return purge_identity_images(
                session, store, now=runtime.clock.now(), retention=retention
            )

    async def one_round() -> int:
        await asyncio.to_thread(sweep)
        return 0

    await run_rounds(one_round, stop, idle_s=every_s, name="retention")
