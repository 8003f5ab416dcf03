"""The background workers one process runs: in ``onboard serve`` (embedded mode) or in
``onboard worker`` processes beside ``serve --no-workers``. Every worker claims its due rows
in the database, so any number of processes may run this same set. The workers' objects come
from the composition root (``bot.bootstrap``); this module only starts their loops.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from backoffice import finish_erasures
from bot.bootstrap import (
    Process,
    Runtime,
    build_alert_worker,
    build_document_worker,
    build_erp_worker,
    build_outbox_worker,
    build_reminder_worker,
)
from bot.workers.loop import run_rounds
from bot.workers.retention import purge_identity_images

__all__ = ["start_workers"]


def start_workers(process: Process, *, stop: asyncio.Event) -> list[asyncio.Task[None]]:
    """Starts every worker loop; each ends (after its round) once ``stop`` is set."""
    runtime = process.runtime
    outbox = build_outbox_worker(
        runtime, process.channels, rate_limiter=process.coordination.rate_limiter
    )
    documents = build_document_worker(
        runtime, process.channels, inbox=process.inbox, pool=process.pool
    )
    tasks = [
        asyncio.create_task(outbox.run(stop, wake=process.outbox_wake), name="outbox"),
        asyncio.create_task(documents.run(stop, wake=process.documents_wake), name="documents"),
        asyncio.create_task(build_reminder_worker(runtime).run(stop), name="reminders"),
        asyncio.create_task(build_alert_worker(runtime).run(stop), name="alerts"),
        asyncio.create_task(_sweep_erasures(runtime, stop), name="erasures"),
        asyncio.create_task(_sweep_identity_images(runtime, stop), name="retention"),
    ]
    erp = build_erp_worker(runtime)
    if erp is not None:
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
    retention = timedelta(days=runtime.settings.identity_image_retention_days)

    def sweep() -> int:
        with runtime.sessions() as session, session.begin():
            return purge_identity_images(
                session, runtime.documents, now=runtime.clock.now(), retention=retention
            )

    async def one_round() -> int:
        await asyncio.to_thread(sweep)
        return 0

    await run_rounds(one_round, stop, idle_s=every_s, name="retention")
