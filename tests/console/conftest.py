"""Console fixtures: the API and the console mounted on one app served on loopback, the
back-office's staff roster (tests/backoffice) with passwords, and signed-in browsers-as-clients
(httpx with cookies: the CSRF token read from the page, as a browser's form would send it)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from backoffice import BackofficeSettings, install_problem_handlers
from backoffice.api import build_context, router_for
from backoffice.console import (
    STATIC_DIR,
    ConsoleContext,
    Views,
    create_console_router,
    install_console_handlers,
    load_translations,
)
from backoffice.staff_auth import AuthPolicy, set_password
from bot.bootstrap import Runtime
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.storage.models import StaffUser
from tests.backoffice.conftest import backoffice_settings, documents, roster  # noqa: F401
from tests.backoffice.factories import Roster
from tests.console.conversation_scene import Scene, build_scene
from tests.support.server import serving

PASSWORD = "senha-de-teste-123"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def console_context(
    runtime: Runtime,
    backoffice_settings: BackofficeSettings,  # noqa: F811
    documents: DocumentStore,  # noqa: F811
) -> ConsoleContext:
    context = build_context(
        sessions=runtime.sessions,
        clock=runtime.clock,
        conversations=runtime.conversations,
        settings=backoffice_settings,
        outbox_wake=asyncio.Event(),
        documents=documents,
    )
    return ConsoleContext(
        backoffice=context,
        views=Views(load_translations(), timezone=backoffice_settings.timezone),
        policy=AuthPolicy(),
        secure_cookies=False,
        public_url="http://127.0.0.1",
    )


@pytest.fixture
def console_app(console_context: ConsoleContext) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router_for(console_context.backoffice), prefix="/api/v1")
    app.include_router(create_console_router(console_context), prefix="/console")
    app.mount("/console/static", StaticFiles(directory=STATIC_DIR), name="console-static")
    install_console_handlers(app, console=console_context)
    return app


@pytest.fixture
def console_url(console_app: FastAPI) -> Iterator[str]:
    with serving(console_app) as url:
        yield url


@pytest.fixture
def passwords(runtime: Runtime, roster: Roster, clock: FakeClock) -> Roster:  # noqa: F811
    """Every member of the roster gets ``PASSWORD``."""
    with runtime.sessions() as session, session.begin():
        for member_id in (m.id for m in vars(roster).values()):
            set_password(
                session, session.get_one(StaffUser, member_id), password=PASSWORD, now=clock.now()
            )
    return roster


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def email_of(runtime: Runtime, staff_id: int) -> str:
    with runtime.sessions() as session:
        return session.get_one(StaffUser, staff_id).email


@pytest.fixture
def sign_in(
    console_url: str, runtime: Runtime, passwords: Roster
) -> Iterator[Callable[[str], httpx.Client]]:
    """``sign_in("csm_owner")``: an httpx client signed in as that roster member."""
    clients: list[httpx.Client] = []

    def open_as(role: str) -> httpx.Client:
        client = httpx.Client(base_url=console_url, timeout=20)
        clients.append(client)
        page = client.get("/console/login")
        answer = client.post(
            "/console/login",
            data={
                "email": email_of(runtime, getattr(passwords, role).id),
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
            },
        )
        assert answer.status_code == 303, answer.text
        return client

    yield open_as
    for client in clients:
        client.close()


@pytest.fixture
def scene(runtime: Runtime, passwords: Roster, clock: FakeClock, documents: DocumentStore) -> Scene:  # noqa: F811
    """The conversations of tests/console/conversation_scene.py."""
    return build_scene(runtime, roster=passwords, now=clock.now(), documents=documents)
