"""Back-office fixtures: an app with the router mounted, served by uvicorn on loopback, and a
staff roster with tokens (two teams; in team alpha a manager and two CSMs)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from backoffice import BackofficeSettings, create_router, install_problem_handlers
from bot.bootstrap import Runtime
from bot.config import Settings
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from tests.backoffice.factories import Member, Roster, make_staff
from tests.support.server import serving


@pytest.fixture
def documents(settings: Settings) -> DocumentStore:
    return DocumentStore(settings.documents_dir)


@pytest.fixture
def backoffice_settings() -> BackofficeSettings:
    return BackofficeSettings()


@pytest.fixture
def app(
    runtime: Runtime, backoffice_settings: BackofficeSettings, documents: DocumentStore
) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(
        create_router(
            sessions=runtime.sessions,
            clock=runtime.clock,
            conversations=runtime.conversations,
            settings=backoffice_settings,
            outbox_wake=asyncio.Event(),
            documents=documents,
        ),
        prefix="/api/v1",
    )
    return app


@pytest.fixture
def base_url(app: FastAPI) -> Iterator[str]:
    with serving(app) as url:
        yield url


@pytest.fixture
def api(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{base_url}/api/v1", timeout=20) as client:
        yield client


@pytest.fixture
def roster(runtime: Runtime, clock: FakeClock) -> Roster:
    now = clock.now()
    with runtime.sessions() as session, session.begin():
        members = {
            "admin": make_staff(session, role="admin", now=now),
            "manager": make_staff(session, role="manager", now=now),
            "manager_other": make_staff(session, role="manager", team="beta", now=now),
            "csm_owner": make_staff(session, role="csm", segment="self_service", now=now),
            "csm_other": make_staff(session, role="csm", segment="self_service", now=now),
        }
        return Roster(**{k: Member(staff.id, token) for k, (staff, token) in members.items()})


@pytest.fixture
def documents_dir(settings: Settings) -> Path:
    return settings.documents_dir
