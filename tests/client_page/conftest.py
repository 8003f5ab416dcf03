"""Status page fixtures: the API, the console and the status page on one app served by uvicorn
on loopback (the real routes, headers and handlers), an in-process rate limiter, and
``issue_link`` to make a link for an onboarding as the bot would."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from backoffice import BackofficeSettings, install_problem_handlers
from backoffice.api import build_context, router_for
from backoffice.client_page import (
    STATIC_DIR,
    STATIC_PATH,
    ChatLinks,
    ClientPageContext,
    RateLimits,
    create_client_page_router,
    install_client_page_handlers,
)
from backoffice.client_page.actions import router_for as actions_router_for
from bot.bootstrap import Runtime, build_client_page, document_store
from bot.config import Settings
from bot.coordination import InProcessRateLimiter, build_coordination
from bot.documents import IntakeLimits
from bot.documents.store import DocumentStore
from bot.domain.clock import FakeClock
from bot.service.inbox import Inbox
from bot.service.status_links import issue
from bot.service.web_chat import WebChat
from tests.backoffice.conftest import backoffice_settings, documents, roster  # noqa: F401
from tests.support.server import serving

BUSINESS_NUMBER = "whatsapp:+55 11 90000-0000"
BROWSER = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36"
)


@dataclass(frozen=True)
class IssuedToken:
    link_id: int
    token: str

    @property
    def path(self) -> str:
        return f"/s/{self.token}"


@pytest.fixture
def page_limits() -> RateLimits:
    return RateLimits()


@pytest.fixture
def client_page(
    runtime: Runtime,
    settings: Settings,
    backoffice_settings: BackofficeSettings,  # noqa: F811
    documents: DocumentStore,  # noqa: F811
    page_limits: RateLimits,
) -> ClientPageContext:
    context = build_context(
        sessions=runtime.sessions,
        clock=runtime.clock,
        conversations=runtime.conversations,
        settings=backoffice_settings,
        outbox_wake=asyncio.Event(),
        documents=documents,
    )
    page = build_client_page(settings, context, rate_limiter=InProcessRateLimiter())
    return dataclasses.replace(
        page,
        limits=page_limits,
        chat_links=ChatLinks(whatsapp_number=BUSINESS_NUMBER, telegram_username="acolhe_bot"),
    )


@pytest.fixture
def page_app(client_page: ClientPageContext) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(router_for(client_page.backoffice), prefix="/api/v1")
    app.include_router(create_client_page_router(client_page))
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="client-page-static")
    install_client_page_handlers(app, client_page)
    return app


@pytest.fixture
def page_url(page_app: FastAPI) -> Iterator[str]:
    with serving(page_app) as url:
        yield url


@pytest.fixture
def browser_http(page_url: str) -> Iterator[httpx.Client]:
    """An httpx client that presents itself as a phone's browser (not a link preview)."""
    with httpx.Client(base_url=page_url, timeout=20, headers={"User-Agent": BROWSER}) as http:
        yield http


@pytest.fixture
def issue_link(runtime: Runtime, clock: FakeClock) -> Callable[..., IssuedToken]:
    def make(
        onboarding_id: int, *, conversation_id: int | None = None, days: int = 30
    ) -> IssuedToken:
        with runtime.sessions() as session, session.begin():
            issued = issue(
                session,
                onboarding_id,
                conversation_id=conversation_id,
                now=clock.now(),
                days=days,
            )
            return IssuedToken(link_id=issued.link.id, token=issued.token)

    return make


ACTIONS_LIMIT = 1024 * 1024  # 1 MB, so "too large" is cheap to send


@pytest.fixture
def actions_url(runtime: Runtime, client_page: ClientPageContext) -> Iterator[str]:
    """The page and its actions, with the inbox and the web chat's upload path (the action
    tests: test_actions_routes.py, test_actions_bookings.py)."""
    inbox = Inbox(conversations=runtime.conversations, gate=build_coordination(None).gate)
    chat = WebChat(
        inbox=inbox,
        sessions=runtime.sessions,
        clock=runtime.clock,
        store=document_store(runtime.settings),
        limits=IntakeLimits(max_bytes=ACTIONS_LIMIT),
    )
    page = dataclasses.replace(client_page, inbox=inbox, web_chat=chat)
    app = FastAPI()
    router = create_client_page_router(page)
    if not any(getattr(r, "path", "").endswith("/training/book") for r in router.routes):
        router.include_router(actions_router_for(page))  # until the page includes it itself
    app.include_router(router)
    install_client_page_handlers(app, page)
    with serving(app) as url:
        yield url


@pytest.fixture
def http(actions_url: str) -> Iterator[httpx.Client]:
    """A browser-like client of ``actions_url`` (its User-Agent, this site's Origin)."""
    headers = {"User-Agent": BROWSER, "Origin": actions_url}
    with httpx.Client(base_url=actions_url, timeout=30, headers=headers) as client:
        yield client
