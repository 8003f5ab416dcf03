"""The ASGI application: web chat, webhooks, back-office API and operations endpoints.

Everything is built by the composition root (``bot.bootstrap.build_process``); what needs the
event loop (Redis clients, channel adapters, the Telegram bot, the workers) is started in the
lifespan and stopped after it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from backoffice import install_problem_handlers
from backoffice.api import router_for as backoffice_router_for
from backoffice.client_page import STATIC_DIR as CLIENT_PAGE_STATIC_DIR
from backoffice.client_page import STATIC_PATH as CLIENT_PAGE_STATIC_PATH
from backoffice.client_page import create_client_page_router, install_client_page_handlers
from backoffice.console import STATIC_DIR as CONSOLE_STATIC_DIR
from backoffice.console import create_console_router, install_console_handlers
from bot.background import start_workers
from bot.bootstrap import Process, Runtime, WebFaces, build_process, build_web_faces
from bot.channels.invites import invite_router
from bot.channels.telegram import poll_updates
from bot.channels.web import web_chat_router
from bot.channels.webhooks import webhook_router
from bot.metrics import RequestMetrics

__all__ = ["YOUNG_COLLECTION_EVERY", "create_app"]

YOUNG_COLLECTION_EVERY = 20_000


def create_app(
    runtime: Runtime, *, run_workers: bool = True, telegram_polling: bool = False
) -> FastAPI:
    process = build_process(runtime)
    faces = build_web_faces(process)
    app = FastAPI(
        title="Acolhe",
        version="0.1.0",
        description="Conversational onboarding: channels, web chat and back-office API.",
        lifespan=_lifespan(process, run_workers=run_workers, telegram_polling=telegram_polling),
    )
    install_problem_handlers(app)
    # The webhooks first: routes are matched in order and they take most of the traffic.
    app.include_router(webhook_router(process.webhooks))
    _mount_faces(app, process, faces=faces)
    app.add_middleware(RequestMetrics, metrics=process.metrics)
    _mount_operations(app, process)
    return app


def _mount_faces(app: FastAPI, process: Process, *, faces: WebFaces) -> None:
    """The back-office API, the staff console, the web chat, the status page, the invites."""
    runtime = process.runtime
    app.include_router(backoffice_router_for(faces.backoffice), prefix="/api/v1")
    app.include_router(create_console_router(faces.console), prefix="/console")
    app.mount("/console/static", StaticFiles(directory=CONSOLE_STATIC_DIR), name="console-static")
    install_console_handlers(app, console=faces.console)
    app.include_router(
        web_chat_router(inbox=process.inbox, clock=runtime.clock, chat=faces.web_chat)
    )
    # The client's status page (/s/{token}), reached from the link the bot sends.
    app.include_router(create_client_page_router(faces.client_page))
    app.mount(
        CLIENT_PAGE_STATIC_PATH,
        StaticFiles(directory=CLIENT_PAGE_STATIC_DIR),
        name="client-page-static",
    )
    install_client_page_handlers(app, faces.client_page)
    app.include_router(
        invite_router(
            sessions=runtime.sessions, clock=runtime.clock, timezone=runtime.settings.timezone
        )
    )


def _lifespan(
    process: Process, *, run_workers: bool, telegram_polling: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await process.start()
        stop = asyncio.Event()
        background = start_workers(process, stop=stop) if run_workers else []
        cancellable: list[asyncio.Task[None]] = []  # loops that only end when cancelled
        if telegram_polling and process.channels.telegram_channel is not None:
            cancellable.append(asyncio.create_task(_poll_telegram(process), name="telegram-poll"))
        app.state.process = process
        thresholds = _tune_collector(process)
        try:
            yield
        finally:
            gc.set_threshold(*thresholds)
            process.metrics.gc_time.uninstall()
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
            await process.stop()
            process.runtime.close()

    return lifespan


def _tune_collector(process: Process) -> tuple[int, ...]:
    """Freezes what start-up built and makes young collections rarer; returns the old
    thresholds."""
    # What start-up built (flows, the NLU model, SQLAlchemy's and pydantic's machinery)
    # lives as long as the process: the collector stops scanning it on every full pass.
    gc.freeze()
    process.metrics.gc_time.install()
    thresholds = gc.get_threshold()
    # A young collection every 20,000 allocations instead of 700: a message allocates
    # thousands of short-lived objects, freed by reference counting anyway; the collector
    # went from 2 % of the server's CPU to 0.1 % (bench/webhooks, the gc column).
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *thresholds[1:])
    return thresholds


def _mount_operations(app: FastAPI, process: Process) -> None:
    metrics, runtime, coordination = process.metrics, process.runtime, process.coordination

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


async def _poll_telegram(process: Process) -> None:
    """`onboard serve --telegram-polling`: getUpdates instead of a webhook (no public URL)."""
    channel = process.channels.telegram_channel
    assert channel is not None

    async def on_update(data: dict[str, Any]) -> None:
        inbound = channel.parse_update(data, received_at=process.runtime.clock.now())
        if inbound is None:
            return
        if inbound.choice_id:
            await channel.answer_callback(data)
        await process.inbox.receive(inbound)

    await poll_updates(channel, on_update)


def _database_check(runtime: Runtime) -> str:
    try:
        with runtime.db.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return f"error: {type(exc).__name__}"
    return "ok"
