"""The ASGI application: web chat, webhooks, back-office API and operations endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from bot.bootstrap import Runtime
from bot.channels.web import web_chat_router
from bot.service.inbox import Inbox


def create_app(runtime: Runtime) -> FastAPI:
    inbox = Inbox(conversations=runtime.conversations)
    runtime.extras["inbox"] = inbox

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        runtime.close()

    app = FastAPI(
        title="Acolhe",
        version="0.1.0",
        description="Conversational onboarding: channels, web chat and back-office API.",
        lifespan=lifespan,
    )
    app.include_router(web_chat_router(inbox=inbox, sessions=runtime.sessions, clock=runtime.clock))

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses={503: {"description": "not ready"}})
    def readyz() -> JSONResponse:
        """Readiness: the database (and Redis, when configured) answer."""
        checks: dict[str, str] = {}
        try:
            with runtime.db.connect() as connection:
                connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            checks["database"] = f"error: {type(exc).__name__}"
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    return app
