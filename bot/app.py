"""The ASGI application: web chat, webhooks, back-office API and operations endpoints.

Everything that needs the event loop (Redis clients, channel adapters, the Telegram bot, the
outbox worker) is started in the lifespan and stopped after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from backoffice import create_router as create_backoffice_router
from backoffice import finish_erasures, install_problem_handlers, load_pipelines
from backoffice.metrics import SlaCollector
from bot.bootstrap import (
    Runtime,
    backoffice_settings,
    build_document_worker,
    build_gateway,
    build_ocr_pool,
    build_outbox_worker,
    document_store,
)
from bot.channels.gateway import ChannelGateway
from bot.channels.telegram import poll_updates
from bot.channels.web import web_chat_router
from bot.channels.webhooks import webhook_router
from bot.coordination import Coordination, build_coordination
from bot.metrics import Metrics
from bot.service.inbox import Inbox
from bot.workers.erp import ErpPushWorker
from bot.workers.loop import run_rounds
from bot.workers.retention import purge_identity_images


@dataclass
class Services:
    """What the lifespan started; routes reach it through ``app.state.services``."""

    coordination: Coordination
    gateway: ChannelGateway
    inbox: Inbox
    outbox_wake: asyncio.Event


def create_app(
    runtime: Runtime, *, run_workers: bool = True, telegram_polling: bool = False
) -> FastAPI:
    settings = runtime.settings
    coordination = build_coordination(settings.redis_url, key_prefix=settings.redis_key_prefix)
    gateway = build_gateway(settings)
    wake = asyncio.Event()
    documents_wake = asyncio.Event()
    metrics = Metrics(runtime.sessions, registry=runtime.registry)
    metrics.registry.register(
        SlaCollector(
            sessions=runtime.sessions, clock=runtime.clock,
            pipelines=load_pipelines(settings.pipelines_dir),
            settings=backoffice_settings(settings),
        )
    )
    inbox = Inbox(
        conversations=runtime.conversations,
        locks=coordination.locks,
        deduplicator=coordination.deduplicator,
        outbox_wake=wake,
        documents_wake=documents_wake,
        metrics=metrics,
    )
    services = Services(coordination=coordination, gateway=gateway, inbox=inbox, outbox_wake=wake)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await gateway.start()
        stop = asyncio.Event()
        background: list[asyncio.Task[None]] = []  # loops that end when ``stop`` is set
        cancellable: list[asyncio.Task[None]] = []  # loops that only end when cancelled
        pool = build_ocr_pool(settings)
        if run_workers:
            worker = build_outbox_worker(runtime, gateway, rate_limiter=coordination.rate_limiter)
            background.append(asyncio.create_task(worker.run(stop, wake=wake), name="outbox"))
            documents = build_document_worker(runtime, gateway, inbox=inbox, pool=pool)
            background.append(
                asyncio.create_task(documents.run(stop, wake=documents_wake), name="documents")
            )
            if settings.erp_webhook_url and settings.erp_hmac_secret:
                erp = ErpPushWorker(
                    sessions=runtime.sessions, clock=runtime.clock,
                    webhook_url=settings.erp_webhook_url,
                    secret=settings.erp_hmac_secret.get_secret_value(),
                )
                background.append(asyncio.create_task(erp.run(stop), name="erp"))
            background.append(
                asyncio.create_task(_sweep_erasures(runtime, stop), name="erasures")
            )
            background.append(
                asyncio.create_task(_sweep_identity_images(runtime, stop), name="retention")
            )
        if telegram_polling and gateway.telegram_channel is not None:
            cancellable.append(
                asyncio.create_task(_poll_telegram(gateway, inbox, runtime), name="telegram-poll")
            )
        app.state.services = services
        try:
            yield
        finally:
            # Let the workers finish their round (and close their database sessions) before the
            # engine is disposed; only what does not stop by itself is cancelled.
            stop.set()
            if background:
                _done, late = await asyncio.wait(background, timeout=15)
                cancellable += list(late)
            for task in cancellable:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await asyncio.to_thread(pool.shutdown)
            await gateway.close()
            await coordination.aclose()
            runtime.close()

    app = FastAPI(
        title="Acolhe",
        version="0.1.0",
        description="Conversational onboarding: channels, web chat and back-office API.",
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    app.include_router(
        create_backoffice_router(
            sessions=runtime.sessions, clock=runtime.clock, conversations=runtime.conversations,
            settings=backoffice_settings(settings), outbox_wake=wake,
            documents=document_store(settings),
        ),
        prefix="/api/v1",
    )
    app.include_router(web_chat_router(inbox=inbox, sessions=runtime.sessions, clock=runtime.clock))
    app.include_router(
        webhook_router(
            public_url=settings.public_url,
            gateway=gateway,
            inbox=inbox,
            sessions=runtime.sessions,
            clock=runtime.clock,
        )
    )

    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        metrics.observe_request(path, request.method, response.status_code)(
            time.perf_counter() - started
        )
        return response

    @app.get("/metrics", tags=["operations"], response_class=PlainTextResponse)
    async def prometheus_metrics() -> Response:
        """Prometheus metrics: messages in/out, escalations, queue depths, request latency."""
        body = await asyncio.to_thread(metrics.render)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses={503: {"description": "not ready"}})
    async def readyz() -> JSONResponse:
        """Readiness: the database and (when configured) Redis answer."""
        checks = {"database": await asyncio.to_thread(_database_check, runtime)}
        if coordination.shared:
            checks["redis"] = "ok" if await coordination.ping() else "unreachable"
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    return app


async def _poll_telegram(gateway: ChannelGateway, inbox: Inbox, runtime: Runtime) -> None:
    """`onboard serve --telegram-polling`: getUpdates instead of a webhook (no public URL)."""
    channel = gateway.telegram_channel
    assert channel is not None

    async def on_update(data: dict[str, Any]) -> None:
        inbound = channel.parse_update(data, received_at=runtime.clock.now())
        if inbound is None:
            return
        if inbound.choice_id:
            await channel.answer_callback(data)
        await inbox.receive(inbound)

    await poll_updates(channel, on_update)


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


def _database_check(runtime: Runtime) -> str:
    try:
        with runtime.db.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return f"error: {type(exc).__name__}"
    return "ok"
