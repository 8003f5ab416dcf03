"""The ASGI application: web chat, webhooks, back-office API and operations endpoints.

Everything that needs the event loop (Redis clients, channel adapters, the Telegram bot, the
outbox worker) is started in the lifespan and stopped after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from backoffice import install_problem_handlers, load_pipelines
from backoffice.api import build_context as build_backoffice_context
from backoffice.api import router_for as backoffice_router_for
from backoffice.client_page import STATIC_DIR as CLIENT_PAGE_STATIC_DIR
from backoffice.client_page import STATIC_PATH as CLIENT_PAGE_STATIC_PATH
from backoffice.client_page import create_client_page_router, install_client_page_handlers
from backoffice.console import (
    STATIC_DIR as CONSOLE_STATIC_DIR,
)
from backoffice.console import (
    create_console_router,
    install_console_handlers,
)
from backoffice.console.live import EventHub
from backoffice.metrics import SlaCollector
from bot.background import start_workers
from bot.bootstrap import (
    Runtime,
    backoffice_settings,
    build_client_page,
    build_console,
    build_gateway,
    build_ocr_pool,
    document_store,
    intake_limits,
)
from bot.channels.gateway import ChannelGateway
from bot.channels.invites import invite_router
from bot.channels.telegram import poll_updates
from bot.channels.web import web_chat_router
from bot.channels.webhooks import webhook_router
from bot.coordination import Coordination, build_coordination
from bot.metrics import Metrics, RequestMetrics
from bot.service.inbox import Inbox
from bot.service.web_chat import WebChat
from bot.storage.console_events import on_events_committed

YOUNG_COLLECTION_EVERY = 20_000


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
        gate=coordination.gate,
        outbox_wake=wake,
        documents_wake=documents_wake,
        metrics=metrics,
    )
    services = Services(coordination=coordination, gateway=gateway, inbox=inbox, outbox_wake=wake)
    # The console's live updates: one reader of the event log per process; writers wake it.
    hub = EventHub(
        sessions=runtime.sessions,
        clock=runtime.clock,
        redis_url=settings.redis_url,
        key_prefix=settings.redis_key_prefix,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await gateway.start()
        await hub.start()
        unhook_events = on_events_committed(runtime.sessions, hub.notify)
        stop = asyncio.Event()
        background: list[asyncio.Task[None]] = []  # loops that end when ``stop`` is set
        cancellable: list[asyncio.Task[None]] = []  # loops that only end when cancelled
        pool = build_ocr_pool(settings)
        if run_workers:
            background += start_workers(
                runtime,
                gateway=gateway,
                coordination=coordination,
                inbox=inbox,
                pool=pool,
                stop=stop,
                outbox_wake=wake,
                documents_wake=documents_wake,
            )
        if telegram_polling and gateway.telegram_channel is not None:
            cancellable.append(
                asyncio.create_task(_poll_telegram(gateway, inbox, runtime), name="telegram-poll")
            )
        app.state.services = services
        # What start-up built (flows, the NLU model, SQLAlchemy's and pydantic's machinery)
        # lives as long as the process: the collector stops scanning it on every full pass.
        gc.freeze()
        metrics.gc_time.install()
        thresholds = gc.get_threshold()
        # A young collection every 20,000 allocations instead of 700: a message allocates
        # thousands of short-lived objects, freed by reference counting anyway; the collector
        # went from 2 % of the server's CPU to 0.1 % (bench/webhooks, the gc column).
        gc.set_threshold(YOUNG_COLLECTION_EVERY, *thresholds[1:])
        try:
            yield
        finally:
            gc.set_threshold(*thresholds)
            metrics.gc_time.uninstall()
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
            unhook_events()
            await hub.stop()
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
    # The webhooks first: routes are matched in order and they take most of the traffic.
    app.include_router(
        webhook_router(
            public_url=settings.public_url,
            gateway=gateway,
            inbox=inbox,
            sessions=runtime.sessions,
            clock=runtime.clock,
        )
    )
    backoffice_context = build_backoffice_context(
        sessions=runtime.sessions, clock=runtime.clock, conversations=runtime.conversations,
        settings=backoffice_settings(settings), outbox_wake=wake,
        documents=document_store(settings),
    )
    app.include_router(backoffice_router_for(backoffice_context), prefix="/api/v1")
    app.include_router(
        create_console_router(build_console(settings, backoffice_context, feed=hub)),
        prefix="/console",
    )
    app.mount(
        "/console/static", StaticFiles(directory=CONSOLE_STATIC_DIR), name="console-static"
    )
    install_console_handlers(app)
    web_chat = WebChat(
        inbox=inbox,
        sessions=runtime.sessions,
        clock=runtime.clock,
        store=document_store(settings),
        limits=intake_limits(settings),
    )
    app.include_router(
        web_chat_router(inbox=inbox, sessions=runtime.sessions, clock=runtime.clock, chat=web_chat)
    )
    # The client's status page (/s/{token}), reached from the link the bot sends.
    client_page = build_client_page(
        settings,
        backoffice_context,
        rate_limiter=coordination.rate_limiter,
        inbox=inbox,
        web_chat=web_chat,
    )
    app.include_router(create_client_page_router(client_page))
    app.mount(
        CLIENT_PAGE_STATIC_PATH,
        StaticFiles(directory=CLIENT_PAGE_STATIC_DIR),
        name="client-page-static",
    )
    install_client_page_handlers(app, client_page)
    app.include_router(
        invite_router(sessions=runtime.sessions, clock=runtime.clock, timezone=settings.timezone)
    )

    app.add_middleware(RequestMetrics, metrics=metrics)

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


def _database_check(runtime: Runtime) -> str:
    try:
        with runtime.db.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return f"error: {type(exc).__name__}"
    return "ok"
